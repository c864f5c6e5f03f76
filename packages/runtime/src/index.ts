/**
 * @eventcrm/runtime: the ports (event store), command execution, policies,
 * the projection runner and the in-memory reference store.
 */
export type {
  AppendRequest,
  AppendResult,
  CommandRecord,
  EventMetadata,
  EventReference,
  EventStore,
  ExpectedRevision,
  JsonObject,
  JsonValue,
  LogFilter,
  NewEvent,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  Reservation,
  StoredEvent,
  StreamWrite,
  SubscribeOptions,
} from './store/port.ts';
export {
  CommandAlreadyRecordedError,
  ReservationConflictError,
  StoreError,
  WrongExpectedRevisionError,
  isCommandAlreadyRecordedError,
  isReservationConflictError,
  isStoreError,
  isWrongExpectedRevisionError,
} from './store/errors.ts';
export type { StoreErrorCode } from './store/errors.ts';
export { canonicalJson, hashEvent } from './store/hash.ts';
export type { HashedFields } from './store/hash.ts';
export { comparePositions, isPosition, toPosition } from './store/position.ts';
export { verifyChains } from './store/verify.ts';
export type { ChainBreak, ChainProblem, ChainReport } from './store/verify.ts';
export type { StoreHarness } from './store/harness.ts';
export { assertValidAppendRequest, createInMemoryEventStore } from './store/memory.ts';
export type { InMemoryEventStoreOptions } from './store/memory.ts';

export { ManualClock, systemClock } from './clock.ts';
export type { Clock } from './clock.ts';
export { newId } from './ids.ts';
export { EventCodec, UndecodableEventError } from './events/codec.ts';
export type { PersonalDataMode, RecordedEvent } from './events/codec.ts';
export { CommandExecutor } from './execution/executor.ts';
export type { BatchOptions, ExecuteOptions, ExecutorOptions, ExpectedRevisions } from './execution/executor.ts';
export type { ExecutionOutcome, ExecutionRejection, ExecutionSuccess } from './execution/outcome.ts';
export type { Checkpoint, Namespace, ReadModelStore, TableChanges } from './projection/port.ts';
export { createInMemoryReadModelStore } from './projection/memoryReadModels.ts';
export { ProjectionRunner } from './projection/runner.ts';
export type { ProjectionRunnerOptions, RunOptions, RunProgress, RunReport } from './projection/runner.ts';
export { verifyLog } from './execution/logVerification.ts';
export type { LogVerification, UndecodableEvent } from './execution/logVerification.ts';
export { sweepPool } from './execution/poolSweep.ts';
export type { SweepRecycleReport, SweepReport, SweepSkipReport } from './execution/poolSweep.ts';
export { PolicyReactor } from './execution/policyReactor.ts';
export { allProjections, Crm, isRejection, projectionNames } from './crm.ts';
export type { CrmOptions, QueryOptions } from './crm.ts';

// The value types of the API, re-exported so embedders need only this package.
export type { CrmCommand, CrmEvent, DomainError, ErrorCode, Timestamp } from '@eventcrm/domain';
export type {
  FunnelFilters,
  LifecycleFunnel,
  MemberOwnershipStats,
  OwnerAsOf,
  OwnershipAudit,
  OwnershipDifference,
  OwnershipFact,
  OwnershipPeriod,
  PortfolioAsOf,
  OwnershipHistory,
  RankingsQuery,
  RankingsReport,
  RemindersQuery,
  RemindersReport,
  SalesFunnel,
} from '@eventcrm/projections';
export { CheckpointMovedError, assertCheckpoints, isCheckpointMovedError } from './projection/port.ts';
export type { LoadedStream } from './execution/streamCache.ts';
export { SerialQueue } from './serial.ts';
// The reference semantics of read-model scans, for read-model store adapters (which depend on this package only).
export { compareCells, matches, scanRows } from '@eventcrm/projections';
export type { Condition, KeyValue, ReadModelReader, Row, ScanQuery, TableSpec } from '@eventcrm/projections';
