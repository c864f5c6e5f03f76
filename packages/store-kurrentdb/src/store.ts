import { randomUUID } from 'node:crypto';
import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { StoreError, WrongExpectedRevisionError, isStoreError } from '@eventcrm/runtime';
import type {
  AppendRequest,
  AppendResult,
  CommandRecord,
  EventReference,
  EventStore,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  SubscribeOptions,
} from '@eventcrm/runtime';
import { commandRecordOf, keyStateOf, reservationOwnerOf } from './bookkeeping.ts';
import { chainOf, decodeEvent } from './codec.ts';
import type { ServerEvent } from './codec.ts';
import { classifyClientError, toStoreError } from './errors.ts';
import { batchesOf } from './feed.ts';
import { planLogSelection } from './filter.ts';
import type { LogSelection } from './filter.ts';
import { gatewayFor } from './gateway.ts';
import type { AtomicAppendMode, KurrentGateway, StreamRead, SupportedClient } from './gateway.ts';
import { createStreamNaming } from './naming.ts';
import type { StreamNaming } from './naming.ts';
import { conflictError, planAppend, targetsOf } from './plan.ts';
import type { AppendPlan, Observation, PlannedEvent } from './plan.ts';
import { fromPositionAfter, isAfter, parseAfter, positionFromServer, revisionFromServer, revisionToServer } from './positions.ts';
import { checkAppendRequest } from './validate.ts';

/** Options of `createKurrentDbEventStore`. Give exactly one of `connectionString` and `client`. */
export interface KurrentDbEventStoreOptions {
  /**
   * A KurrentDB connection string, e.g. `kurrentdb://localhost:2113?tls=false`
   * or `kurrentdb+discover://admin:changeit@cluster.example:2113`. The store
   * makes a `KurrentDBClient` from it and disposes it on `close`.
   */
  readonly connectionString?: string;
  /**
   * A client the caller made and owns (`close` leaves it open): a
   * `KurrentDBClient` from `@kurrent/kurrentdb-client`, or an
   * `EventStoreDBClient` from `@eventstore/db-client` 6.x, with which only
   * appends to a single stream without side effects work (see the README).
   */
  readonly client?: SupportedClient;
  /**
   * Prepended to every stream the store writes, to keep several stores (tenants,
   * test runs) apart on one server. End it with a separator (`tenant-a/`):
   * no store's prefix may be a prefix of another's. Default: none.
   */
  readonly streamPrefix?: string;
  /** How appends that span several streams are made atomic; default `auto`. See `AtomicAppendMode`. */
  readonly atomicAppend?: AtomicAppendMode;
  /** Events per `readAll` / `subscribe` batch when the caller gives no `batchSize` (default 500). */
  readonly batchSize?: number;
  /**
   * How many times an append is planned and sent before a lost race fails it
   * (default 25). A race is lost when another writer changed a stream between
   * the adapter's read and its append; the adapter then reads and plans again
   * after a short random pause. Only appends whose expectations still hold
   * (`any`, `exists`, reservations still free) get that far: with an exact
   * expected revision the new plan fails at once.
   */
  readonly maxAppendAttempts?: number;
  /**
   * Called when something went wrong after an append had committed, so that
   * the append cannot fail any more: a key stream could not be tombstoned
   * (its key is unreadable through the store, but its bytes stay in the log
   * until a later destroy of the same subject tombstones it). Default:
   * `process.emitWarning`.
   */
  readonly onWarning?: (message: string, cause: unknown) => void;
}

const defaultBatchSize = 500;
const defaultMaxAppendAttempts = 25;
/** A short random pause before re-planning a lost race, so that racing writers spread out (at most 50 ms). */
const pauseBeforeAttempt = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** attempt)));
// Pages when headPosition has to look past events the server could not filter out.
const headPageSize = 100;

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  const chosen = value ?? fallback;
  if (!Number.isSafeInteger(chosen) || chosen < 1) throw new RangeError(`${name} must be a positive integer, got ${String(chosen)}`);
  return chosen;
}

function nonNegativeOption(value: number | undefined, name: string): number | undefined {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) throw new RangeError(`${name} must be a non-negative integer, got ${String(value)}`);
  return value;
}

/** The position of a recorded event as a bigint, for cursors. */
const commitOf = (event: ServerEvent): bigint => {
  if (event.position === undefined) throw new StoreError('STORE_CORRUPTED', `KurrentDB event ${event.streamId}@${event.revision} came from $all without a position`);
  return event.position.commit;
};

/**
 * The `EventStore` port on KurrentDB (kind `kurrentdb`). Construct it with
 * `createKurrentDbEventStore`; tests construct it on a fake gateway.
 */
export class KurrentDbEventStore implements EventStore {
  readonly kind = 'kurrentdb';
  readonly #gateway: KurrentGateway;
  readonly #naming: StreamNaming;
  readonly #ownsClient: boolean;
  readonly #batchSize: number;
  readonly #maxAppendAttempts: number;
  readonly #warn: (message: string, cause: unknown) => void;
  /** Live subscriptions, so that `close()` can stop them. */
  readonly #subscriptions = new Set<{ readonly stop: AbortController; readonly close: () => Promise<void> }>();
  #closed = false;

  constructor(
    gateway: KurrentGateway,
    options: {
      readonly streamPrefix?: string | undefined;
      readonly ownsClient: boolean;
      readonly batchSize?: number | undefined;
      readonly maxAppendAttempts?: number | undefined;
      readonly onWarning?: ((message: string, cause: unknown) => void) | undefined;
    },
  ) {
    this.#gateway = gateway;
    this.#naming = createStreamNaming(options.streamPrefix ?? '');
    this.#ownsClient = options.ownsClient;
    this.#batchSize = positiveInteger(options.batchSize, defaultBatchSize, 'batchSize');
    this.#maxAppendAttempts = positiveInteger(options.maxAppendAttempts, defaultMaxAppendAttempts, 'maxAppendAttempts');
    this.#warn = options.onWarning ?? ((message, cause) => process.emitWarning(message, { type: 'EventcrmKurrentDbWarning', detail: String(cause) }));
  }

  /** The prefix of every stream this store writes (`''` for none). */
  get streamPrefix(): string {
    return this.#naming.prefix;
  }

  async append(request: AppendRequest): Promise<AppendResult> {
    const [result] = await this.#append([request], false);
    if (result === undefined) throw new Error('internal error: an append produced no result');
    return result;
  }

  async appendBatch(requests: readonly AppendRequest[]): Promise<readonly AppendResult[]> {
    if (!Array.isArray(requests)) throw new StoreError('INVALID_APPEND', 'invalid append: appendBatch takes an array of requests');
    return requests.length === 0 ? [] : this.#append(requests, true);
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<readonly StoredEvent[]> {
    this.#assertOpen();
    const { direction = 'forwards' } = options;
    const from = nonNegativeOption(options.from, 'from');
    const limit = nonNegativeOption(options.limit, 'limit');
    if (direction !== 'forwards' && direction !== 'backwards') throw new RangeError(`direction must be 'forwards' or 'backwards'`);
    // A name the adapter refuses to write (or its own bookkeeping) is never a port stream: it reads as empty.
    if (typeof stream !== 'string' || this.#naming.problemWith(stream) !== undefined || limit === 0) return [];
    const read = await this.#call('reading a stream', () =>
      this.#gateway.readStream(this.#naming.toServer(stream), {
        direction,
        from: from === undefined ? (direction === 'forwards' ? 'start' : 'end') : revisionToServer(from),
        maxCount: limit ?? Number.MAX_SAFE_INTEGER,
      }),
    );
    return read.status === 'found' ? read.events.map((event) => decodeEvent(event, stream)) : [];
  }

  async streamRevision(stream: string): Promise<number | null> {
    this.#assertOpen();
    if (typeof stream !== 'string' || this.#naming.problemWith(stream) !== undefined) return null;
    const last = await this.#readLast(this.#naming.toServer(stream), false);
    return last.status === 'present' ? revisionFromServer(last.last.revision, stream) : null;
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<readonly StoredEvent[]> {
    this.#assertOpen();
    const batchSize = positiveInteger(options.batchSize, this.#batchSize, 'batchSize');
    const selection = planLogSelection(this.#naming, options.filter, this.#gateway.filtersReads);
    let cursor = parseAfter(options.after);
    if (selection.matchesNothing) return;
    for (;;) {
      this.#assertOpen();
      // A forwards read includes the event at its start position, hence one more than a batch.
      const maxCount = cursor === undefined ? batchSize : batchSize + 1;
      const from = fromPositionAfter(cursor);
      const page = await this.#call('reading $all', () => this.#gateway.readAll({ direction: 'forwards', from, maxCount, filter: selection.server }));
      const fresh = page.filter((event) => isAfter(commitOf(event), cursor)).slice(0, batchSize);
      // Stop only on an empty page: a filtered read may return short pages before the end.
      const last = fresh.at(-1);
      if (last === undefined) return;
      cursor = commitOf(last);
      const batch = this.#select(fresh, selection);
      if (batch.length > 0) yield batch;
    }
  }

  async *subscribe(options: SubscribeOptions = {}): AsyncIterable<readonly StoredEvent[]> {
    this.#assertOpen();
    const batchSize = positiveInteger(options.batchSize, this.#batchSize, 'batchSize');
    const selection = planLogSelection(this.#naming, options.filter, true);
    let cursor = parseAfter(options.after);
    const { signal } = options;
    if (signal?.aborted === true) return;
    // An empty filter list matches nothing, but a subscription still waits until it is stopped.
    const feed = this.#gateway.subscribeToAll({ from: fromPositionAfter(cursor), filter: selection.server });
    // `close()` stops the iteration through `stop` rather than by ending the feed: a cancelled gRPC
    // subscription is not guaranteed to end its stream, and a waiting iteration must still return.
    let closing: Promise<void> | undefined;
    const subscription = { stop: new AbortController(), close: () => (closing ??= feed.close().catch(() => undefined)) };
    this.#subscriptions.add(subscription);
    try {
      const stop = signal === undefined ? subscription.stop.signal : AbortSignal.any([signal, subscription.stop.signal]);
      for await (const items of batchesOf<{ readonly event?: ServerEvent }>(feed.source, { batchSize, signal: stop })) {
        const events = items.flatMap((item) => (item.event === undefined ? [] : [item.event])).filter((event) => isAfter(commitOf(event), cursor));
        const last = events.at(-1);
        if (last === undefined) continue;
        cursor = commitOf(last);
        const batch = selection.matchesNothing ? [] : this.#select(events, selection);
        if (batch.length > 0) yield batch;
      }
    } catch (error) {
      throw toStoreError(error, 'subscribing to $all');
    } finally {
      this.#subscriptions.delete(subscription);
      await subscription.close();
    }
  }

  async headPosition(): Promise<Position | null> {
    this.#assertOpen();
    const selection = planLogSelection(this.#naming, undefined, this.#gateway.filtersReads);
    let from: 'end' | { readonly commit: bigint; readonly prepare: bigint } = 'end';
    for (;;) {
      const maxCount = selection.server === undefined ? headPageSize : 1;
      const page = await this.#call('reading the head of $all', () => this.#gateway.readAll({ direction: 'backwards', from, maxCount, filter: selection.server }));
      const match = page.find((event) => selection.matches(event.streamId, event.type));
      if (match !== undefined) return positionFromServer(match.position, `KurrentDB event ${match.streamId}@${match.revision}`);
      const oldest = page.at(-1);
      if (oldest === undefined) return null;
      // A backwards read from an event's position starts just before that event.
      from = { commit: commitOf(oldest), prepare: commitOf(oldest) };
    }
  }

  async findCommand(commandId: string): Promise<CommandRecord | undefined> {
    this.#assertOpen();
    if (typeof commandId !== 'string' || commandId.length === 0) return undefined;
    const last = await this.#readLast(this.#naming.internalStream('command', commandId), false);
    if (last.status !== 'present') return undefined;
    const record = commandRecordOf(last.last);
    // Positions are not known when the record is written (it commits with the events), so they are read now.
    const byStream = new Map<string, number[]>();
    for (const { stream, revision } of record.events) byStream.set(stream, [...(byStream.get(stream) ?? []), revision]);
    const positions = new Map<string, Position>();
    await Promise.all(
      [...byStream].map(async ([stream, revisions]) => {
        const first = Math.min(...revisions);
        const count = Math.max(...revisions) - first + 1;
        const read = await this.#call('reading a command record', () =>
          this.#gateway.readStream(this.#naming.toServer(stream), { direction: 'forwards', from: BigInt(first), maxCount: count }),
        );
        for (const event of read.status === 'found' ? read.events : []) {
          positions.set(`${revisionFromServer(event.revision, stream)}@${stream}`, positionFromServer(event.position, `KurrentDB event ${event.streamId}@${event.revision}`));
        }
      }),
    );
    const events = record.events.map((reference): EventReference => {
      const position = positions.get(`${reference.revision}@${reference.stream}`);
      if (position === undefined) throw new StoreError('STORE_CORRUPTED', `command ${commandId} refers to ${reference.stream}@${reference.revision}, which is not in the store`);
      return { ...reference, position };
    });
    return { commandId: record.commandId, events };
  }

  async lookupReservations(keys: readonly string[]): Promise<ReadonlyMap<string, string>> {
    this.#assertOpen();
    const found = new Map<string, string>();
    await Promise.all(
      [...new Set(keys)].map(async (key) => {
        const last = await this.#readLast(this.#naming.internalStream('reservation', key), false);
        const owner = last.status === 'present' ? reservationOwnerOf(last.last) : null;
        if (owner !== null) found.set(key, owner);
      }),
    );
    return new Map(keys.flatMap((key) => (found.has(key) ? [[key, found.get(key)!] as const] : [])));
  }

  async loadKeys(subjects: readonly string[]): Promise<ReadonlyMap<string, string>> {
    this.#assertOpen();
    const found = new Map<string, string>();
    await Promise.all(
      [...new Set(subjects)].map(async (subject) => {
        const last = await this.#readLast(this.#naming.internalStream('key', subject), false);
        if (last.status !== 'present') return;
        const state = keyStateOf(last.last);
        if (state.kind === 'active') found.set(subject, state.key);
      }),
    );
    return new Map(subjects.flatMap((subject) => (found.has(subject) ? [[subject, found.get(subject)!] as const] : [])));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const subscriptions = [...this.#subscriptions];
    this.#subscriptions.clear();
    for (const subscription of subscriptions) subscription.stop.abort();
    await Promise.all(subscriptions.map((subscription) => subscription.close()));
    if (this.#ownsClient) await this.#gateway.dispose();
  }

  // -------------------------------------------------------------------------

  #assertOpen(): void {
    if (this.#closed) throw new StoreError('STORE_UNAVAILABLE', 'the KurrentDB event store is closed');
  }

  /** Runs a client call with its failures typed. */
  async #call<T>(action: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toStoreError(error, action);
    }
  }

  /** Port events among raw `$all` events, by the selection's complete rule. */
  #select(events: readonly ServerEvent[], selection: LogSelection): StoredEvent[] {
    const selected: StoredEvent[] = [];
    for (const event of events) {
      if (!selection.matches(event.streamId, event.type)) continue;
      const stream = this.#naming.fromServer(event.streamId);
      if (stream !== undefined) selected.push(decodeEvent(event, stream));
    }
    return selected;
  }

  /** The last event of a KurrentDB stream. */
  async #readLast(serverStream: string, fromLeader: boolean): Promise<Observation> {
    const read: StreamRead = await this.#call('reading a stream', () =>
      this.#gateway.readStream(serverStream, { direction: 'backwards', from: 'end', maxCount: 1, requiresLeader: fromLeader }),
    );
    if (read.status !== 'found') return read;
    const last = read.events[0];
    return last === undefined ? { status: 'absent' } : { status: 'present', last };
  }

  async #append(given: readonly AppendRequest[], batch: boolean): Promise<readonly AppendResult[]> {
    this.#assertOpen();
    const requests = given.map((request, index) => {
      try {
        return checkAppendRequest(request, this.#naming);
      } catch (error) {
        if (batch && isStoreError(error)) error.requestIndex = index;
        throw error;
      }
    });
    const targets = [...targetsOf(requests, this.#naming).keys()];

    for (let attempt = 1; ; attempt += 1) {
      const observations = new Map<string, Observation>(
        await Promise.all(targets.map(async (serverStream) => [serverStream, await this.#readLast(serverStream, true)] as const)),
      );
      const plan = planAppend(requests, observations, this.#naming, randomUUID, { batch });
      try {
        const [only] = plan.streams;
        if (plan.streams.length === 1 && only !== undefined) await this.#gateway.appendToStream(only.serverStream, only.expected, only.events);
        else await this.#gateway.appendAtomically(plan.streams, plan.records);
      } catch (error) {
        const failure = classifyClientError(error);
        // A stream deleted since it was read (another store instance tombstoned a key stream) is a lost race too:
        // the next plan sees the deletion (a destroyed key, or a user stream that can no longer be written).
        if (failure.kind !== 'conflict' && failure.kind !== 'deleted') throw toStoreError(error, 'appending');
        if (attempt >= this.#maxAppendAttempts) throw failure.kind === 'conflict' ? conflictError(plan, failure.conflicts, { batch }) : toStoreError(error, 'appending');
        await pauseBeforeAttempt(attempt);
        continue;
      }
      const positions = await this.#readBack(plan);
      await this.#tombstone(plan.tombstones);
      return plan.results.map((events) => ({
        events: events.map(({ serverStream: _serverStream, ...event }): StoredEvent => {
          const position = positions.get(event.hash);
          if (position === undefined) throw new Error(`internal error: no position read back for ${event.stream}@${event.revision}`);
          return { ...event, position };
        }),
      }));
    }
  }

  /**
   * The positions of the events just appended. The server assigns them and
   * reports none per event (an append returns one position; a multi-stream
   * append may even order streams as it likes), so the adapter reads the
   * written revisions back from the leader. Each event read back must carry
   * the hash the plan computed: KurrentDB treats a repeated append of the
   * same event ids at an old expected revision as an idempotent success
   * without writing, so a mismatch means a concurrent writer got there first
   * and this append wrote nothing.
   */
  async #readBack(plan: AppendPlan): Promise<ReadonlyMap<string, Position>> {
    const byStream = new Map<string, PlannedEvent[]>();
    for (const events of plan.results) for (const event of events) byStream.set(event.serverStream, [...(byStream.get(event.serverStream) ?? []), event]);
    const positions = new Map<string, Position>();
    await Promise.all(
      [...byStream].map(async ([serverStream, events]) => {
        const first = events[0]!;
        const read = await this.#call('reading back an append', () =>
          this.#gateway.readStream(serverStream, { direction: 'forwards', from: BigInt(first.revision), maxCount: events.length, requiresLeader: true }),
        );
        const stored = new Map((read.status === 'found' ? read.events : []).map((event) => [event.revision, event]));
        for (const planned of events) {
          const event = stored.get(BigInt(planned.revision));
          if (event === undefined || chainOf(event).hash !== planned.hash) {
            const actual = await this.#readLast(serverStream, true);
            throw new WrongExpectedRevisionError(
              planned.stream,
              plan.conflictInfo.get(serverStream)?.expected ?? 'any',
              actual.status === 'present' ? revisionFromServer(actual.last.revision, serverStream) : null,
            );
          }
          positions.set(planned.hash, positionFromServer(event.position, `KurrentDB event ${serverStream}@${planned.revision}`));
        }
      }),
    );
    return positions;
  }

  /** Tombstones destroyed key streams; the append has committed, so a failure is a warning, not an error. */
  async #tombstone(serverStreams: readonly string[]): Promise<void> {
    await Promise.all(
      serverStreams.map(async (serverStream) => {
        try {
          await this.#gateway.tombstone(serverStream);
        } catch (error) {
          this.#warn(
            `eventcrm KurrentDB store: the key stream ${serverStream} was marked destroyed but could not be tombstoned; its key can no longer be loaded, but its bytes stay in the log until a later destroy of the same subject tombstones it and a scavenge runs`,
            error,
          );
        }
      }),
    );
  }
}

/**
 * Creates the KurrentDB / EventStoreDB event store. Streams map 1:1 to
 * KurrentDB streams (under `streamPrefix`), revisions to stream revisions,
 * positions to `$all` commit positions; appends that span several streams
 * (which every append with a command id, reservations or keys does) use the
 * server's atomic multi-stream append and are refused, with nothing written,
 * where there is none. See the package README for the design.
 */
export function createKurrentDbEventStore(options: KurrentDbEventStoreOptions): KurrentDbEventStore {
  const { connectionString, client } = options;
  if ((connectionString === undefined) === (client === undefined)) {
    throw new RangeError('createKurrentDbEventStore needs exactly one of connectionString and client');
  }
  let chosen: SupportedClient;
  if (client !== undefined) {
    chosen = client;
  } else {
    try {
      chosen = KurrentDBClient.connectionString(connectionString!);
    } catch (error) {
      throw new StoreError('STORE_UNAVAILABLE', `invalid KurrentDB connection string: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  return new KurrentDbEventStore(gatewayFor(chosen, options.atomicAppend ?? 'auto'), {
    streamPrefix: options.streamPrefix,
    ownsClient: client === undefined,
    batchSize: options.batchSize,
    maxAppendAttempts: options.maxAppendAttempts,
    onWarning: options.onWarning,
  });
}

