/**
 * @eventcrm/domain: the whole business contract of eventcrm as pure code.
 * Commands are parsed at the edge (`parseCommand`), decided against folded
 * stream state and an explicit context (`decide`), and produce events that
 * `evolve` folds back. No I/O, no clock, no randomness.
 */
export { commandEnvelopeSchema, commandNames, commandSchemas, malformedJson, parseCommand } from './commands.ts';
export type { CommandName, CrmCommand, ParseEnvironment } from './commands.ts';
export { aggregateOfStream, decide, evolve, factsNeeded, initialStateOf, reservationChanges, streamsOf } from './decide.ts';
export type { AggregateState } from './decide.ts';
export {
  currentSchemaVersions,
  decodeEvent,
  eventSchemas,
  eventTypes,
  isEventType,
  personalDataSubject,
  personalFields,
  streamOfEvent,
  upcasters,
} from './events.ts';
export type { CrmEvent, DecodeFailure, EventOf, EventType, Upcaster } from './events.ts';
export { emptyFacts, memberRoles } from './context.ts';
export type { DecisionContext, FactsNeeded, MemberProfile, MemberRole } from './context.ts';
export { FactIndex } from './facts/factIndex.ts';

export { applyConfigPatch, configAt, configPatchSchema, defaultConfig, stageIndex, stageProbability, ticketPriorities } from './config/configuration.ts';
export type { ConfigHistoryEntry, ConfigPatch, CrmConfig, PipelineStage, SlaTarget, TicketPriority } from './config/configuration.ts';
export { CONFIG_STREAM, decideConfigure, evolveConfig, initialConfigState } from './config/configure.ts';
export type { ConfigEvent, ConfigState } from './config/configure.ts';

export { decideMember, memberStream } from './member/decide.ts';
export type { MemberCommand } from './member/decide.ts';
export { evolveMember, initialMemberState } from './member/state.ts';
export type { MemberState } from './member/state.ts';
export type { MemberEvent } from './member/events.ts';

export {
  contactRoles,
  customerKinds,
  customerSources,
  followUpChannels,
  funnelStages,
  importanceLevels,
  lifecycleStages,
  recycleRules,
  releaseReasons,
  transferReasons,
} from './customer/commands.ts';
export type { LifecycleStage, RecycleRule } from './customer/commands.ts';
export { actsOnCustomer, customerStream, decideCustomer } from './customer/decide.ts';
export type { CustomerCommand } from './customer/decide.ts';
export type { Contact, CustomerEvent } from './customer/events.ts';
export { evolveCustomer, initialCustomerState } from './customer/state.ts';
export type { CustomerState, CustomerStatus } from './customer/state.ts';
export { idleDays, nextRecycle, ruleDueAt, ruleHolds, ruleHoldingAt } from './customer/recycleClock.ts';
export type { RecycleFacts } from './customer/recycleClock.ts';

export { lossReasons } from './opportunity/commands.ts';
export type { LossReason } from './opportunity/commands.ts';
export { decideOpportunity, opportunityStream } from './opportunity/decide.ts';
export type { OpportunityCommand } from './opportunity/decide.ts';
export type { OpportunityEvent } from './opportunity/events.ts';
export { effectiveProbability, evolveOpportunity, initialOpportunityState } from './opportunity/state.ts';
export type { OpportunityState, OpportunityStatus } from './opportunity/state.ts';

export { commentVisibilities, ticketCategories, ticketChannels, ticketStatuses } from './ticket/commands.ts';
export type { TicketStatus } from './ticket/commands.ts';
export { decideTicket, slaDueTimes, ticketStream } from './ticket/decide.ts';
export type { TicketCommand } from './ticket/decide.ts';
export type { TicketEvent } from './ticket/events.ts';
export { evolveTicket, initialTicketState, withBreaches } from './ticket/state.ts';
export type { TicketState } from './ticket/state.ts';

export { dealWon, departureHandover, poolSweep } from './policies/policies.ts';
export type { DepartureFacts, SweepCandidate, SweepRecycle, SweepSkip, Trigger } from './policies/policies.ts';
export { policyCommandId } from './policies/policyIds.ts';

export { domainError, errorCodes, invalidCommand, isDomainError } from './shared/errors.ts';
export type { DomainError, ErrorCode, ValidationIssue } from './shared/errors.ts';
export { eventOf, metadataOf } from './shared/messages.ts';
export type { Command, Event, EventMetadata } from './shared/messages.ts';
export { currencyDigits, formatMinor, formatMoney, minorOf, money, moneyInputSchema, parseAmount, sameMoney } from './shared/money.ts';
export type { Money } from './shared/money.ts';
export type { Reservation } from './shared/reservations.ts';
export { emailKey, foldName, normaliseEmail, normalisePhone, phoneKey, SYSTEM_ACTOR } from './shared/text.ts';
export {
  addDays,
  addHours,
  DAY_MS,
  HOUR_MS,
  isCalendarDate,
  normaliseInstant,
  parsePeriod,
  toMillis,
  toTimestamp,
  utcDay,
  utcMonth,
  wholeDaysBetween,
} from './shared/time.ts';
export type { CalendarDate, Period, Timestamp } from './shared/time.ts';
