import {
  dealWon,
  departureHandover,
  domainError,
  parseCommand,
  personalDataSubject,
  reservationChanges,
  streamOfEvent,
  streamsOf,
  decide,
  initialStateOf,
  type AggregateState,
  type CrmCommand,
  type CrmEvent,
  type DomainError,
} from '@eventcrm/domain';
import * as E from 'fp-ts/lib/Either.js';
import { systemClock, type Clock } from '../clock.ts';
import { EventCodec, type RecordedEvent } from '../events/codec.ts';
import { newId } from '../ids.ts';
import { isCommandAlreadyRecordedError, isReservationConflictError, isWrongExpectedRevisionError } from '../store/errors.ts';
import type { AppendRequest, CommandRecord, EventReference, EventStore, NewEvent, StreamWrite } from '../store/port.ts';
import { SerialQueue } from '../serial.ts';
import { FactFeed } from './factFeed.ts';
import type { ExecutionOutcome, ExecutionRejection, ExecutionSuccess } from './outcome.ts';
import { StreamCache, type LoadedStream } from './streamCache.ts';

/** Options of a command executor. */
export interface ExecutorOptions {
  readonly store: EventStore;
  /** The injected clock (default: the wall clock). Commands without `at` take effect at its `now()`. */
  readonly clock?: Clock;
  /** Decide-and-append attempts on a concurrency conflict before `CONCURRENCY_CONFLICT` (default 5). */
  readonly maxAttempts?: number;
  /**
   * `inline` (default): the policies an accepted command triggers (domain.md
   * §6) run to completion before `execute` returns. `none`: leave them to a
   * `PolicyReactor` following the log.
   */
  readonly policies?: 'inline' | 'none';
  /** A shared codec (keys cache), when several runtime parts use one store. */
  readonly codec?: EventCodec;
  /**
   * Folded stream states kept between commands (default 100,000). An import
   * touching more streams than this re-reads evicted streams from the store.
   */
  readonly streamCacheSize?: number;
}

/** The stream revisions a caller decided on (say, from an HTTP `If-Match`): `no_stream` for a stream that must not exist. */
export type ExpectedRevisions = { readonly [stream: string]: number | 'no_stream' };

/** Options of one execution. */
export interface ExecuteOptions {
  /**
   * Optimistic concurrency for callers that showed a user some state: the
   * command is executed only if these streams are still at these revisions,
   * else it is rejected with `CONCURRENCY_CONFLICT` and nothing is appended.
   */
  readonly expectedRevisions?: ExpectedRevisions;
}

/** Options of a bulk execution. */
export interface BatchOptions {
  /** Commands per atomic append (default 500). */
  readonly batchSize?: number;
  /** Called after each committed batch with the number of commands done so far. */
  readonly onProgress?: (commandsDone: number) => void;
}

/** A decided command, ready to append. */
interface Plan {
  readonly command: CrmCommand;
  readonly recorded: readonly RecordedEvent[];
  readonly request: AppendRequest;
  readonly createdKeys: ReadonlyMap<string, string>;
  readonly destroyedKeys: readonly string[];
}

const rejection = (error: DomainError, commandId?: string): ExecutionRejection =>
  commandId === undefined ? { ok: false, error } : { ok: false, commandId, error };

const referencesOf = (events: readonly RecordedEvent[]): EventReference[] =>
  events.map(({ stream, revision, position, eventId, type }) => ({ stream, revision, position, eventId, type }));

const rawCommandId = (input: unknown): string | undefined => {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const id = (input as { id?: unknown }).id;
  return typeof id === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(id) ? id : undefined;
};

/**
 * Executes commands against an event store (issue #3): validate → build the
 * decision context → load and fold the streams → decide → append with the
 * expected revisions, retrying on a concurrency conflict. Idempotent by
 * command id, with unique contact points guaranteed by the store's
 * reservations, personal data encrypted per customer, and the §6 policies
 * run inline (or by a reactor).
 */
export class CommandExecutor {
  readonly store: EventStore;
  private readonly clock: Clock;
  private readonly maxAttempts: number;
  private readonly inlinePolicies: boolean;
  private readonly codec: EventCodec;
  private readonly streams: StreamCache;
  private readonly facts: FactFeed;
  private readonly queue = new SerialQueue();

  constructor(options: ExecutorOptions) {
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.inlinePolicies = (options.policies ?? 'inline') === 'inline';
    this.codec = options.codec ?? new EventCodec(options.store);
    this.streams = new StreamCache(options.store, this.codec, options.streamCacheSize ?? 100_000);
    this.facts = new FactFeed(options.store, this.codec);
  }

  /**
   * Executes one command given as raw input (an NDJSON object or a library
   * call). Never throws for bad input: every rejection is a typed outcome.
   * Infrastructure faults (the store unreachable) are thrown.
   */
  execute(input: unknown, options: ExecuteOptions = {}): Promise<ExecutionOutcome> {
    return this.queue.run(() => this.executeNow(input, options));
  }

  private async executeNow(input: unknown, options: ExecuteOptions): Promise<ExecutionOutcome> {
    const knownId = rawCommandId(input);
    if (knownId !== undefined) {
      const replay = await this.replayOf(knownId);
      if (replay !== undefined) return replay;
    }
    const parsed = parseCommand(input, { now: this.clock.now(), newId });
    if (E.isLeft(parsed)) return rejection(parsed.left, knownId);
    return this.decideAndAppend(parsed.right, options.expectedRevisions);
  }

  /**
   * Executes an already validated command (as policies and the pool sweep
   * issue them), idempotent by its id like any other.
   */
  executeParsed(command: CrmCommand): Promise<ExecutionOutcome> {
    return this.queue.run(() => this.executeParsedNow(command));
  }

  private async executeParsedNow(command: CrmCommand): Promise<ExecutionOutcome> {
    return (await this.replayOf(command.id)) ?? this.decideAndAppend(command);
  }

  private async decideAndAppend(command: CrmCommand, expected?: ExpectedRevisions): Promise<ExecutionOutcome> {
    for (let attempt = 1; ; attempt += 1) {
      const planned = await this.plan(command, 'fresh', expected);
      if (E.isLeft(planned)) return rejection(planned.left, command.id);
      const plan = planned.right;
      if (plan.recorded.length === 0) return { ok: true, commandId: command.id, duplicate: false, events: [], triggered: [] };
      try {
        const result = await this.store.append(plan.request);
        const recorded = plan.recorded.map((event, index) => ({ ...event, position: result.events[index]!.position }));
        this.settle(plan, recorded);
        const triggered = this.inlinePolicies ? await this.reactNow(recorded) : [];
        return { ok: true, commandId: command.id, duplicate: false, events: referencesOf(recorded), triggered };
      } catch (error) {
        this.codec.forgetKeys(plan.createdKeys.keys());
        if (isCommandAlreadyRecordedError(error) || isWrongExpectedRevisionError(error) || isReservationConflictError(error)) {
          // Another process may have executed this very command meanwhile: its outcome is ours (idempotency comes first).
          const replay = await this.replayOf(command.id);
          if (replay !== undefined) return replay;
        }
        if (isReservationConflictError(error)) {
          const field = error.key.slice(0, error.key.indexOf(':'));
          return rejection(
            domainError('DUPLICATE_CUSTOMER', `${field} already belongs to ${error.owner}`, { existingCustomerId: error.owner, field }),
            command.id,
          );
        }
        if (isWrongExpectedRevisionError(error)) {
          this.streams.forget(error.stream);
          if (attempt < this.maxAttempts) continue;
          return rejection(
            domainError('CONCURRENCY_CONFLICT', `${error.stream} kept changing; gave up after ${this.maxAttempts} attempts`, { stream: error.stream, attempts: this.maxAttempts }),
            command.id,
          );
        }
        throw error;
      }
    }
  }

  /**
   * Executes many commands in order, appending them in atomic batches (the
   * bulk import path). Each command sees the effects of every earlier one,
   * including the policies they triggered. Outcomes come back in input order.
   * If a batch's append fails (another writer interfered), that batch is
   * re-run one command at a time, so the outcomes stay exact.
   */
  executeBatch(inputs: Iterable<unknown> | AsyncIterable<unknown>, options: BatchOptions = {}): Promise<ExecutionOutcome[]> {
    return this.queue.run(() => this.executeBatchNow(inputs, options));
  }

  private async executeBatchNow(inputs: Iterable<unknown> | AsyncIterable<unknown>, options: BatchOptions): Promise<ExecutionOutcome[]> {
    const batchSize = Math.max(1, options.batchSize ?? 500);
    const outcomes: ExecutionOutcome[] = [];
    let pending: { input: unknown; plans: Plan[]; outcome: ExecutionOutcome }[] = [];
    const seenInBatch = new Map<string, ExecutionOutcome>();
    await this.facts.current();

    const flush = async (): Promise<void> => {
      const batch = pending;
      pending = [];
      seenInBatch.clear();
      const plans = batch.flatMap((entry) => entry.plans);
      if (plans.length === 0) {
        outcomes.push(...batch.map((entry) => entry.outcome));
        return;
      }
      try {
        const results = await this.store.appendBatch(plans.map((plan) => plan.request));
        const positions = new Map<string, string>();
        results.forEach((result) => result.events.forEach((stored) => positions.set(stored.eventId, stored.position)));
        const withPositions = (references: readonly EventReference[]): EventReference[] =>
          references.map((reference) => ({ ...reference, position: positions.get(reference.eventId) ?? reference.position }));
        const fix = (outcome: ExecutionOutcome): ExecutionOutcome =>
          outcome.ok ? { ...outcome, events: withPositions(outcome.events), triggered: outcome.triggered.map(fix) } : outcome;
        for (const plan of plans) this.codec.settleKeys(plan.createdKeys, plan.destroyedKeys);
        this.facts.appended([...positions.values()]);
        outcomes.push(...batch.map((entry) => fix(entry.outcome)));
      } catch (error) {
        for (const plan of plans) this.codec.forgetKeys(plan.createdKeys.keys());
        if (!isWrongExpectedRevisionError(error) && !isReservationConflictError(error) && !isCommandAlreadyRecordedError(error)) throw error;
        // Someone else wrote meanwhile: start from the store's truth and redo this batch one command at a time.
        this.streams.forget();
        this.facts.reset();
        for (const entry of batch) outcomes.push(await this.executeNow(entry.input, {}));
      }
      options.onProgress?.(outcomes.length);
    };

    let chunk: unknown[] = [];
    const planChunk = async (): Promise<void> => {
      const inputsNow = chunk;
      chunk = [];
      // One lookup for the chunk's command ids: a replayed id reports its original outcome.
      const known = await this.findCommands(inputsNow.flatMap((input) => {
        const id = rawCommandId(input);
        return id === undefined ? [] : [id];
      }));
      for (const input of inputsNow) {
        const entry = await this.planInBatch(input, seenInBatch, known);
        pending.push({ input, ...entry });
        if (entry.outcome.ok && !entry.outcome.duplicate && entry.outcome.events.length > 0) seenInBatch.set(entry.outcome.commandId, entry.outcome);
      }
      await flush();
    };
    for await (const input of inputs) {
      chunk.push(input);
      if (chunk.length >= batchSize) await planChunk();
    }
    await planChunk();
    await flush();
    return outcomes;
  }

  /**
   * The cross-aggregate facts, caught up with the log: the team directory,
   * holdings, open work per member and the owned customers the pool sweep
   * examines.
   */
  factIndex() {
    return this.queue.run(() => this.facts.current());
  }

  /** The current folded state of a stream. */
  async streamState(stream: string): Promise<AggregateState> {
    return (await this.stream(stream)).state;
  }

  /** The current folded state of a stream and the revision it reflects (`null`: no stream). */
  stream(stream: string): Promise<LoadedStream> {
    return this.queue.run(() => this.streams.load(stream));
  }

  /** The records of these command ids (one bulk lookup where the store offers it). */
  private async findCommands(ids: readonly string[]): Promise<ReadonlyMap<string, CommandRecord>> {
    if (ids.length === 0) return new Map();
    if (this.store.findCommands !== undefined) return this.store.findCommands(ids);
    const records = await Promise.all(ids.map((id) => this.store.findCommand(id)));
    return new Map(records.flatMap((record) => (record === undefined ? [] : [[record.commandId, record] as const])));
  }

  private async replayOf(commandId: string): Promise<ExecutionSuccess | undefined> {
    const record = await this.store.findCommand(commandId);
    if (record === undefined) return undefined;
    return { ok: true, commandId, duplicate: true, events: record.events, triggered: [] };
  }

  /**
   * Decides a command and prepares its append. `fresh` reads the store for
   * the latest state; `batch` works on the cached view that earlier
   * commands of the batch already advanced.
   */
  private async plan(command: CrmCommand, mode: 'fresh' | 'batch', expected?: ExpectedRevisions): Promise<E.Either<DomainError, Plan>> {
    const index = mode === 'fresh' ? await this.facts.current() : this.facts.snapshot;
    const names = streamsOf(command);
    const loaded = new Map<string, LoadedStream>();
    // Cached states are used as they are: a stale one is caught afterwards (see below), so the common
    // case costs no stream read. Streams the caller holds an expectation on are always read fresh.
    const fromCache = new Set<string>();
    for (const stream of names) {
      const cached = expected?.[stream] === undefined ? this.streams.peek(stream) : undefined;
      if (cached !== undefined) fromCache.add(stream);
      loaded.set(stream, cached ?? (await this.streams.load(stream)));
    }
    for (const [stream, revision] of Object.entries(expected ?? {})) {
      // The caller decided on what it saw at this revision; the append below expects the same revision, so the check is race-free.
      const actual = loaded.get(stream)?.revision ?? (await this.streams.load(stream)).revision;
      if ((revision === 'no_stream' ? null : revision) !== actual) {
        return E.left(
          domainError('CONCURRENCY_CONFLICT', `${stream} is at ${actual === null ? 'no stream' : `revision ${actual}`}, not ${revision === 'no_stream' ? 'no stream' : `revision ${revision}`}`, {
            stream,
            expected: revision,
            actual,
          }),
        );
      }
    }
    const decideOn = () => decide(command, (stream) => loaded.get(stream)?.state ?? initialStateOf(stream), index.contextFor(command));
    let decided = decideOn();
    if (mode === 'fresh' && fromCache.size > 0) {
      // A stream the decision appends to is protected by the append's expected revision: if another
      // process moved it, the append fails and the command is decided again. Every other cached stream
      // (a rejection, a no-op, or a stream only read) is brought up to date, and if one moved, decided again.
      const written = new Set(E.isRight(decided) ? decided.right.map(streamOfEvent) : []);
      let moved = false;
      for (const stream of fromCache) {
        if (written.has(stream)) continue;
        const fresh = await this.streams.load(stream);
        if (fresh.revision !== loaded.get(stream)?.revision) moved = true;
        loaded.set(stream, fresh);
      }
      if (moved) decided = decideOn();
    }
    if (E.isLeft(decided)) return decided;
    return E.right(await this.prepare(command, decided.right, loaded));
  }

  private async prepare(command: CrmCommand, events: readonly CrmEvent[], loaded: ReadonlyMap<string, LoadedStream>): Promise<Plan> {
    const byStream = new Map<string, CrmEvent[]>();
    for (const event of events) {
      const stream = streamOfEvent(event);
      byStream.set(stream, [...(byStream.get(stream) ?? []), event]);
    }
    const subjects = [...byStream.keys()].flatMap((stream) => {
      const subject = personalDataSubject(stream);
      return subject === null ? [] : [subject];
    });
    await this.codec.loadKeys(subjects.filter((subject) => loaded.get(subject)?.revision !== null));
    const createdKeys = new Map<string, string>();
    const destroyedKeys: string[] = [];
    const writes: StreamWrite[] = [];
    const recorded: RecordedEvent[] = [];
    for (const [stream, streamEvents] of byStream) {
      const subject = personalDataSubject(stream);
      const revision = loaded.get(stream)?.revision ?? null;
      let key: Buffer | null = null;
      if (subject !== null) {
        // A new stream always gets a new key; an existing one uses its stored key (created now if it never had one).
        const forWrite = this.codec.keyForWrite(subject, revision === null);
        key = forWrite.key;
        if (forWrite.created !== undefined) createdKeys.set(subject, forWrite.created);
        if (streamEvents.some((event) => event.type === 'PersonalDataErased')) destroyedKeys.push(subject);
      }
      const encoded: NewEvent[] = streamEvents.map((event) => this.codec.encode(event, key));
      writes.push({ stream, expected: revision === null ? 'no_stream' : revision, events: encoded });
      encoded.forEach((stored, offset) => {
        recorded.push({ ...streamEvents[offset]!, stream, revision: (revision ?? -1) + 1 + offset, position: '0', eventId: stored.eventId });
      });
    }
    const reservations = reservationChanges(events, (stream) => loaded.get(stream)?.state ?? initialStateOf(stream));
    const request: AppendRequest = {
      writes,
      commandId: command.id,
      ...(reservations.claim.length + reservations.release.length > 0 ? { reservations } : {}),
      ...(createdKeys.size + destroyedKeys.length > 0
        ? { keys: { create: [...createdKeys].map(([subject, key]) => ({ subject, key })), destroy: destroyedKeys } }
        : {}),
    };
    return { command, recorded, request, createdKeys, destroyedKeys };
  }

  /** After a successful append: the caches and the fact index learn what was written. */
  private settle(plan: Plan, recorded: readonly RecordedEvent[]): void {
    this.codec.settleKeys(plan.createdKeys, plan.destroyedKeys);
    const byStream = new Map<string, RecordedEvent[]>();
    for (const event of recorded) byStream.set(event.stream, [...(byStream.get(event.stream) ?? []), event]);
    for (const [stream, events] of byStream) this.streams.advance(stream, events);
    this.facts.applyLocal(recorded);
  }

  /** The commands the §6 policies issue in reaction to these events. */
  private async policyCommands(events: readonly RecordedEvent[], mode: 'fresh' | 'batch'): Promise<CrmCommand[]> {
    const commands: CrmCommand[] = [];
    for (const event of events) {
      if (event.type === 'MemberDeactivated') {
        const index = mode === 'fresh' ? await this.facts.current() : this.facts.snapshot;
        commands.push(...departureHandover({ eventId: event.eventId, event: event }, index.departureFacts(event.data.memberId)));
      } else if (event.type === 'OpportunityWon') {
        const stream = `customer-${event.data.customerId}`;
        const customer = (mode === 'batch' ? this.streams.peek(stream) : undefined) ?? (await this.streams.load(stream));
        const stage = customer.state.kind === 'customer' && customer.state.exists ? customer.state.stage : null;
        commands.push(...dealWon({ eventId: event.eventId, event: event }, stage));
      }
    }
    return commands;
  }

  /**
   * Runs the §6 policies for events (in log order) and returns the outcomes of
   * the commands they issue. Idempotent: a policy command already recorded
   * is reported as a duplicate and appends nothing. Used inline after each
   * command and by the `PolicyReactor` for events other processes wrote.
   */
  reactTo(events: readonly RecordedEvent[]): Promise<ExecutionOutcome[]> {
    return this.queue.run(() => this.reactNow(events));
  }

  private async reactNow(events: readonly RecordedEvent[]): Promise<ExecutionOutcome[]> {
    const outcomes: ExecutionOutcome[] = [];
    for (const command of await this.policyCommands(events, 'fresh')) outcomes.push(await this.executeParsedNow(command));
    return outcomes;
  }

  /**
   * Plans one input of a batch against the cached view, advancing the view
   * optimistically so later inputs see its effects, and plans the policies it
   * triggers the same way.
   */
  private async planInBatch(
    input: unknown,
    seen: ReadonlyMap<string, ExecutionOutcome>,
    known: ReadonlyMap<string, CommandRecord>,
  ): Promise<{ plans: Plan[]; outcome: ExecutionOutcome }> {
    const knownId = rawCommandId(input);
    if (knownId !== undefined) {
      const earlier = seen.get(knownId);
      if (earlier !== undefined && earlier.ok) return { plans: [], outcome: { ...earlier, duplicate: true, triggered: [] } };
      const record = known.get(knownId);
      if (record !== undefined) return { plans: [], outcome: { ok: true, commandId: knownId, duplicate: true, events: record.events, triggered: [] } };
    }
    const parsed = parseCommand(input, { now: this.clock.now(), newId });
    if (E.isLeft(parsed)) return { plans: [], outcome: rejection(parsed.left, knownId) };
    return this.planParsedInBatch(parsed.right, 0);
  }

  private async planParsedInBatch(command: CrmCommand, depth: number): Promise<{ plans: Plan[]; outcome: ExecutionOutcome }> {
    const planned = await this.plan(command, 'batch');
    if (E.isLeft(planned)) return { plans: [], outcome: rejection(planned.left, command.id) };
    const plan = planned.right;
    if (plan.recorded.length === 0) return { plans: [], outcome: { ok: true, commandId: command.id, duplicate: false, events: [], triggered: [] } };
    this.advanceOptimistically(plan);
    const plans = [plan];
    const triggered: ExecutionOutcome[] = [];
    if (this.inlinePolicies && depth <= 8) {
      for (const policyCommand of await this.policyCommands(plan.recorded, 'batch')) {
        const replay = await this.replayOf(policyCommand.id);
        if (replay !== undefined) {
          triggered.push(replay);
          continue;
        }
        const nested = await this.planParsedInBatch(policyCommand, depth + 1);
        plans.push(...nested.plans);
        triggered.push(nested.outcome);
      }
    }
    return { plans, outcome: { ok: true, commandId: command.id, duplicate: false, events: referencesOf(plan.recorded), triggered } };
  }

  private advanceOptimistically(plan: Plan): void {
    const byStream = new Map<string, RecordedEvent[]>();
    for (const event of plan.recorded) byStream.set(event.stream, [...(byStream.get(event.stream) ?? []), event]);
    for (const [stream, events] of byStream) this.streams.advance(stream, events);
    this.facts.applyLocal(plan.recorded);
    this.codec.settleKeys(plan.createdKeys, plan.destroyedKeys);
  }
}
