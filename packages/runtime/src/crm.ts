import { domainError, isDomainError, type DomainError } from '@eventcrm/domain';
import {
  auditOwnership,
  funnelProjection,
  isFunnelFilterError,
  lifecycleFunnel,
  memberOwnershipStats,
  ownerAsOf,
  ownershipHistory,
  ownershipProjection,
  portfolioAsOf,
  rankings,
  rankingsProjection,
  reminders,
  remindersProjection,
  salesFunnel,
  type FunnelFilters,
  type OwnershipAudit,
  type ProjectedEvent,
  type ProjectionDefinition,
  type RankingsQuery,
  type RemindersQuery,
  type SalesFunnel,
} from '@eventcrm/projections';
import { systemClock, type Clock } from './clock.ts';
import { EventCodec } from './events/codec.ts';
import { CommandExecutor, type BatchOptions, type ExecuteOptions } from './execution/executor.ts';
import { verifyLog } from './execution/logVerification.ts';
import type { ExecutionOutcome } from './execution/outcome.ts';
import { PolicyReactor } from './execution/policyReactor.ts';
import { sweepPool } from './execution/poolSweep.ts';
import { createInMemoryReadModelStore } from './projection/memoryReadModels.ts';
import type { ReadModelStore } from './projection/port.ts';
import { ProjectionRunner, type RunOptions, type RunReport } from './projection/runner.ts';
import type { EventStore } from './store/port.ts';

/** Every read model eventcrm ships: the sales funnel, ownership history, rankings and reminders. */
export const allProjections: readonly ProjectionDefinition[] = [funnelProjection, ownershipProjection, rankingsProjection, remindersProjection];

/** The projection names, as the CLI's `--projection` accepts them. */
export const projectionNames = allProjections.map((projection) => projection.name);

/** Options of a `Crm`. */
export interface CrmOptions {
  readonly store: EventStore;
  /** Where read models live (default: in memory). SQLite and PostgreSQL adapters keep them beside the events. */
  readonly readModels?: ReadModelStore;
  readonly clock?: Clock;
  /** Policies inline (default) or left to a `PolicyReactor`. */
  readonly policies?: 'inline' | 'none';
  readonly projections?: readonly ProjectionDefinition[];
  /** Events per projection batch (default 1000). */
  readonly projectionBatchSize?: number;
  /** Rows cached by the projection runner (default 200,000). */
  readonly projectionCacheRows?: number;
  /** Folded stream states the executor keeps between commands (default 100,000). */
  readonly streamCacheSize?: number;
  /** Events between read-model commits (default 25,000 for catch-ups, 250,000 for rebuilds; live following commits every batch). */
  readonly projectionCommitEvery?: number;
}

/** Options of a query. */
export interface QueryOptions {
  /** Catch the projections up with the log first (default true). */
  readonly catchUp?: boolean;
}

/**
 * eventcrm wired together: one event store, its read models, the command
 * executor and the projection runner. Every query first catches the read
 * models up with the log (cheap when nothing is new) unless told not to, so
 * answers reflect every command executed before it. This is the API the CLI
 * and the examples use; each part is also usable on its own.
 */
export class Crm {
  readonly store: EventStore;
  readonly readModels: ReadModelStore;
  readonly clock: Clock;
  readonly executor: CommandExecutor;
  readonly runner: ProjectionRunner;
  readonly reactor: PolicyReactor;
  private readonly codec: EventCodec;

  constructor(options: CrmOptions) {
    this.store = options.store;
    this.readModels = options.readModels ?? createInMemoryReadModelStore();
    this.clock = options.clock ?? systemClock;
    this.codec = new EventCodec(options.store);
    this.executor = new CommandExecutor({
      store: this.store,
      clock: this.clock,
      codec: this.codec,
      ...(options.policies === undefined ? {} : { policies: options.policies }),
      ...(options.streamCacheSize === undefined ? {} : { streamCacheSize: options.streamCacheSize }),
    });
    this.runner = new ProjectionRunner({
      store: this.store,
      readModels: this.readModels,
      projections: options.projections ?? allProjections,
      codec: this.codec,
      ...(options.projectionBatchSize === undefined ? {} : { batchSize: options.projectionBatchSize }),
      ...(options.projectionCacheRows === undefined ? {} : { cacheCapacity: options.projectionCacheRows }),
      ...(options.projectionCommitEvery === undefined ? {} : { commitEvery: options.projectionCommitEvery }),
    });
    this.reactor = new PolicyReactor({ store: this.store, executor: this.executor, readModels: this.readModels, codec: this.codec });
  }

  /** Executes one command (raw input: validated here), optionally only if streams are at expected revisions. */
  execute(input: unknown, options?: ExecuteOptions): Promise<ExecutionOutcome> {
    return this.executor.execute(input, options);
  }

  /** Executes many commands in order, appended in atomic batches (bulk import). */
  executeBatch(inputs: Iterable<unknown> | AsyncIterable<unknown>, options?: BatchOptions): Promise<ExecutionOutcome[]> {
    return this.executor.executeBatch(inputs, options);
  }

  /** Catches the read models up with the log. */
  catchUp(options?: RunOptions): Promise<RunReport> {
    return this.runner.catchUp(options);
  }

  /** Rebuilds read models beside the live ones and swaps them in. */
  rebuild(options?: RunOptions): Promise<RunReport> {
    return this.runner.rebuild(options);
  }

  /** Keeps the read models following the log until `signal` aborts. */
  follow(options: RunOptions & { readonly pollIntervalMs?: number }): Promise<void> {
    return this.runner.follow(options);
  }

  /** Runs the pool sweep at `asOf` (domain.md §6.3). */
  sweepPool(asOf: string, options?: { readonly dryRun?: boolean }) {
    return sweepPool(this.executor, this.clock, asOf, options);
  }

  /** Walks the whole log: hash chains, contiguous revisions, every event decodes. */
  verify(options?: { readonly onProgress?: (eventsChecked: number) => void }) {
    return verifyLog(this.store, options);
  }

  /**
   * The auditor's replay of a customer's ownership: the customer's stream read
   * straight from the event store (not from any read model), every ownership
   * fact with its revision, position, event id, actor, command id and time,
   * then a check of the read model against it.
   */
  async audit(customerId: string, options: QueryOptions = {}): Promise<OwnershipAudit | DomainError> {
    await this.prepare(options);
    const stored = await this.store.readStream(`customer-${customerId}`);
    if (stored.length === 0) return domainError('NOT_FOUND', `customer ${customerId} has no events in the store`, { customerId });
    const events = (await this.codec.decodeAll(stored, 'opaque')) as readonly ProjectedEvent[];
    return auditOwnership(this.readModels.reader(), customerId, events);
  }

  /** The sales funnel (projections.md §1); malformed filters are an `INVALID_COMMAND` rejection. */
  async funnel(filters: FunnelFilters = {}, options: QueryOptions = {}): Promise<SalesFunnel | DomainError> {
    await this.prepare(options);
    try {
      return await salesFunnel(this.readModels.reader(), filters);
    } catch (error) {
      if (isFunnelFilterError(error)) return error.error;
      throw error;
    }
  }

  /** The customer lifecycle funnel. */
  async lifecycle(options: QueryOptions = {}) {
    await this.prepare(options);
    return lifecycleFunnel(this.readModels.reader());
  }

  /** A customer's ownership periods. */
  async ownership(customerId: string, options: QueryOptions = {}) {
    await this.prepare(options);
    return ownershipHistory(this.readModels.reader(), customerId);
  }

  /** Who owned a customer at an instant (`owner: null` = the pool). */
  async ownerAsOf(customerId: string, asOf: string, options: QueryOptions = {}) {
    await this.prepare(options);
    return ownerAsOf(this.readModels.reader(), customerId, asOf);
  }

  /** The customers a member owned at an instant. */
  async portfolio(memberId: string, asOf: string, options: QueryOptions = {}) {
    await this.prepare(options);
    return portfolioAsOf(this.readModels.reader(), memberId, asOf);
  }

  /** A member's ownership stats for a period. */
  async ownershipStats(memberId: string, period: string, options: QueryOptions = {}) {
    await this.prepare(options);
    return memberOwnershipStats(this.readModels.reader(), memberId, period);
  }

  /** Performance rankings (projections.md §3). */
  async rankings(query: RankingsQuery, options: QueryOptions = {}) {
    await this.prepare(options);
    return rankings(this.readModels.reader(), query);
  }

  /** The to-do list as of a time (projections.md §4). */
  async reminders(query: RemindersQuery, options: QueryOptions = {}) {
    await this.prepare(options);
    return reminders(this.readModels.reader(), query);
  }

  /** Closes the read models and the store. */
  async close(): Promise<void> {
    await this.readModels.close();
    await this.store.close();
  }

  private async prepare(options: QueryOptions): Promise<void> {
    if (options.catchUp !== false) await this.runner.catchUp();
  }
}

/** Narrows a query result: true when it is a rejection (`NOT_FOUND`, `INVALID_COMMAND`, ...) rather than an answer. */
export const isRejection = (value: unknown): value is DomainError => isDomainError(value);
