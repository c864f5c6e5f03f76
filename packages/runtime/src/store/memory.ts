import { CommandAlreadyRecordedError, ReservationConflictError, StoreError, WrongExpectedRevisionError, isStoreError } from './errors.ts';
import { hashEvent } from './hash.ts';
import { isPosition, toPosition } from './position.ts';
import type {
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
} from './port.ts';

/** Options of the in-memory event store. */
export interface InMemoryEventStoreOptions {
  /** Events per `readAll` / `subscribe` batch when the caller gives no `batchSize` (default 500). */
  readonly batchSize?: number;
}

const defaultBatchSize = 500;

// ---------------------------------------------------------------------------
// Validation: every request is checked and deep-copied before anything is
// staged, so a bad input can never leave half a write behind and a caller
// mutating its objects afterwards can never reach into the store.
// ---------------------------------------------------------------------------

const invalid = (message: string): StoreError => new StoreError('INVALID_APPEND', `invalid append: ${message}`);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const isPlainObject = (value: object): boolean => {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

// A lone UTF-16 surrogate cannot be encoded as UTF-8, so SQLite, PostgreSQL
// and KurrentDB would each mangle or reject it differently.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function copyJsonString(value: string, path: string): string {
  if (loneSurrogate.test(value)) throw invalid(`${path} contains an unpaired UTF-16 surrogate, which is not valid Unicode`);
  return value;
}

function copyJsonValue(value: unknown, path: string, ancestors: Set<object>): JsonValue {
  switch (typeof value) {
    case 'string':
      return copyJsonString(value, path);
    case 'number':
      if (!Number.isFinite(value)) throw invalid(`${path} is ${String(value)}, which is not a JSON number`);
      // JSON has no negative zero; every store reads -0 back as 0.
      return value === 0 ? 0 : value;
    case 'boolean':
      return value;
    case 'object':
      if (value === null) return null;
      return copyJsonContainer(value, path, ancestors);
    case 'undefined':
    case 'bigint':
    case 'symbol':
    case 'function':
      throw invalid(`${path} is a ${typeof value}, which is not JSON`);
  }
}

function copyJsonContainer(value: object, path: string, ancestors: Set<object>): JsonValue {
  if (ancestors.has(value)) throw invalid(`${path} refers back to itself, which is not JSON`);
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      const items: JsonValue[] = [];
      for (let index = 0; index < value.length; index += 1) {
        const itemPath = `${path}[${index}]`;
        // JSON.stringify would silently turn these into null: refuse instead of storing something else.
        if (!(index in value) || value[index] === undefined) throw invalid(`${itemPath} is undefined, which is not JSON`);
        items.push(copyJsonValue(value[index], itemPath, ancestors));
      }
      return Object.freeze(items);
    }
    return copyJsonObject(value, path, ancestors);
  } finally {
    ancestors.delete(value);
  }
}

function copyJsonObject(value: object, path: string, ancestors: Set<object>): JsonObject {
  if (!isPlainObject(value)) {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    throw invalid(`${path} is a ${typeof name === 'string' && name !== '' ? name : 'non-plain object'}, not a plain JSON object`);
  }
  const record = value as Record<string, unknown>;
  const entries: [string, JsonValue][] = [];
  for (const key of Object.keys(record)) {
    // A key whose value is undefined is absent, as in JSON.stringify and canonicalJson (so the hash agrees).
    if (record[key] === undefined) continue;
    const keyPath = `${path}.${key}`;
    copyJsonString(key, keyPath);
    entries.push([key, copyJsonValue(record[key], keyPath, ancestors)]);
  }
  // fromEntries defines own properties, so a "__proto__" key stays data instead of changing the prototype.
  return Object.freeze(Object.fromEntries(entries));
}

function copyTopLevelObject(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const shown = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw invalid(`${path} must be a plain JSON object, got ${shown}`);
  }
  return copyJsonObject(value, path, new Set());
}

function copyMetadata(value: unknown, path: string): EventMetadata {
  const metadata = copyTopLevelObject(value, path);
  for (const field of ['commandId', 'actor', 'at', 'correlationId'] as const) {
    if (typeof metadata[field] !== 'string') throw invalid(`${path}.${field} must be a string`);
  }
  const causationId = metadata['causationId'];
  if (causationId !== null && typeof causationId !== 'string') throw invalid(`${path}.causationId must be a string or null`);
  return metadata as EventMetadata;
}

function checkExpectedRevision(value: unknown, path: string): ExpectedRevision {
  if (value === 'no_stream' || value === 'exists' || value === 'any') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw invalid(`${path} must be 'no_stream', 'exists', 'any' or a non-negative integer revision, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
}

function copyEvent(value: unknown, path: string, seenEventIds: Set<string>): NewEvent {
  if (!isRecord(value)) throw invalid(`${path} must be an event object`);
  const { eventId, type, schemaVersion } = value;
  if (!nonEmptyString(eventId)) throw invalid(`${path}.eventId must be a non-empty string`);
  if (seenEventIds.has(eventId)) throw invalid(`${path}.eventId ${eventId} appears more than once in the request`);
  seenEventIds.add(eventId);
  if (!nonEmptyString(type)) throw invalid(`${path}.type must be a non-empty string`);
  if (typeof schemaVersion !== 'number' || !Number.isSafeInteger(schemaVersion) || schemaVersion < 0) {
    throw invalid(`${path}.schemaVersion must be a non-negative integer`);
  }
  return Object.freeze({
    eventId: copyJsonString(eventId, `${path}.eventId`),
    type: copyJsonString(type, `${path}.type`),
    schemaVersion,
    data: copyTopLevelObject(value['data'], `${path}.data`),
    metadata: copyMetadata(value['metadata'], `${path}.metadata`),
  });
}

function copyList<T>(value: unknown, path: string, copyItem: (item: unknown, itemPath: string) => T): readonly T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid(`${path} must be an array`);
  return value.map((item, index) => copyItem(item, `${path}[${index}]`));
}

function copyReservation(value: unknown, path: string): Reservation {
  if (!isRecord(value) || !nonEmptyString(value['key']) || !nonEmptyString(value['owner'])) {
    throw invalid(`${path} must be { key, owner } with non-empty strings`);
  }
  return { key: value['key'], owner: value['owner'] };
}

/** A request after validation: deep-frozen copies the caller can no longer reach. */
interface CheckedRequest {
  readonly writes: readonly StreamWrite[];
  readonly commandId: string | undefined;
  readonly claims: readonly Reservation[];
  readonly releases: readonly Reservation[];
  readonly keysToCreate: readonly { readonly subject: string; readonly key: string }[];
  readonly keysToDestroy: readonly string[];
}

function checkRequest(request: unknown): CheckedRequest {
  if (!isRecord(request)) throw invalid('the request must be an object');
  const { writes, commandId, reservations, keys } = request;
  if (!Array.isArray(writes) || writes.length === 0) throw invalid('writes must be a non-empty array (an append must write at least one event)');
  if (commandId !== undefined && !nonEmptyString(commandId)) throw invalid('commandId must be a non-empty string when given');
  if (reservations !== undefined && !isRecord(reservations)) throw invalid('reservations must be an object');
  if (keys !== undefined && !isRecord(keys)) throw invalid('keys must be an object');

  const seenEventIds = new Set<string>();
  const seenStreams = new Set<string>();
  const checkedWrites = writes.map((write: unknown, index): StreamWrite => {
    const path = `writes[${index}]`;
    if (!isRecord(write)) throw invalid(`${path} must be an object`);
    const { stream, events } = write;
    if (!nonEmptyString(stream)) throw invalid(`${path}.stream must be a non-empty string`);
    // Two writes to one stream would make "expected" ambiguous (before or after the first write?).
    if (seenStreams.has(stream)) throw invalid(`${path}.stream ${stream} appears in more than one write of the request`);
    seenStreams.add(stream);
    const expected = checkExpectedRevision(write['expected'], `${path}.expected`);
    if (!Array.isArray(events) || events.length === 0) throw invalid(`${path}.events must be a non-empty array`);
    return Object.freeze({
      stream: copyJsonString(stream, `${path}.stream`),
      expected,
      events: Object.freeze(events.map((event: unknown, eventIndex) => copyEvent(event, `${path}.events[${eventIndex}]`, seenEventIds))),
    });
  });

  return {
    writes: checkedWrites,
    commandId,
    claims: copyList(reservations?.['claim'], 'reservations.claim', copyReservation),
    releases: copyList(reservations?.['release'], 'reservations.release', copyReservation),
    keysToCreate: copyList(keys?.['create'], 'keys.create', (item, path) => {
      if (!isRecord(item) || !nonEmptyString(item['subject']) || !nonEmptyString(item['key'])) {
        throw invalid(`${path} must be { subject, key } with non-empty strings`);
      }
      return { subject: item['subject'], key: item['key'] };
    }),
    keysToDestroy: copyList(keys?.['destroy'], 'keys.destroy', (item, path) => {
      if (!nonEmptyString(item)) throw invalid(`${path} must be a non-empty string`);
      return item;
    }),
  };
}

/**
 * Checks an append request the way the reference store does and throws a
 * `StoreError` with code `INVALID_APPEND` naming the first bad field: no
 * writes, an empty events array, an empty stream name, a stream written twice,
 * an expected revision that is not `no_stream`/`exists`/`any` or a
 * non-negative integer, a duplicate event id, data or metadata that is not a
 * plain JSON object (non-finite numbers, `undefined` in arrays, class
 * instances, cycles, unpaired surrogates). Adapters call it before opening a
 * transaction so that every store rejects the same inputs the same way.
 */
export function assertValidAppendRequest(request: AppendRequest): void {
  // The common case (a well-formed request) is checked without building copies
  // or paths; only a request that fails the quick check is walked again by the
  // copying checker, which names the first bad field.
  if (!looksValid(request)) checkRequest(request);
}

const MAX_QUICK_DEPTH = 64;

/** True for a JSON value the copying checker would accept (deep or odd values answer false and get the full check). */
function quickJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
      return !loneSurrogate.test(value);
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'boolean':
      return true;
    case 'object': {
      if (value === null) return true;
      if (depth > MAX_QUICK_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let index = 0; index < value.length; index += 1) {
          if (!(index in value) || !quickJson(value[index], depth + 1)) return false;
        }
        return true;
      }
      if (!isPlainObject(value)) return false;
      for (const key in value) {
        if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
        const inner = (value as Record<string, unknown>)[key];
        if (inner !== undefined && (loneSurrogate.test(key) || !quickJson(inner, depth + 1))) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

function looksValid(request: AppendRequest): boolean {
  if (!isRecord(request) || !Array.isArray(request.writes) || request.writes.length === 0) return false;
  if (request.commandId !== undefined && !nonEmptyString(request.commandId)) return false;
  if (request.reservations !== undefined || request.keys !== undefined) return false;
  const streams = new Set<string>();
  const eventIds = new Set<string>();
  for (const write of request.writes) {
    if (!isRecord(write) || !nonEmptyString(write.stream) || loneSurrogate.test(write.stream) || streams.has(write.stream)) return false;
    streams.add(write.stream);
    const expected = write.expected;
    if (!(expected === 'no_stream' || expected === 'exists' || expected === 'any' || (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0))) return false;
    if (!Array.isArray(write.events) || write.events.length === 0) return false;
    for (const event of write.events) {
      if (!isRecord(event) || !nonEmptyString(event.eventId) || eventIds.has(event.eventId) || !nonEmptyString(event.type)) return false;
      eventIds.add(event.eventId);
      if (typeof event.schemaVersion !== 'number' || !Number.isSafeInteger(event.schemaVersion) || event.schemaVersion < 0) return false;
      const metadata = event.metadata;
      if (!isRecord(metadata) || !quickJson(metadata, 0) || !quickJson(event.data, 0) || !isRecord(event.data)) return false;
      for (const field of ['commandId', 'actor', 'at', 'correlationId'] as const) if (typeof metadata[field] !== 'string') return false;
      if (metadata['causationId'] !== null && typeof metadata['causationId'] !== 'string') return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------
// State and staging. A request is staged against an overlay of the committed
// state; only when every request of an append (or batch) staged without error
// is the overlay committed, in one synchronous step.
// ---------------------------------------------------------------------------

type KeyEntry = { readonly destroyed: false; readonly key: string } | { readonly destroyed: true };

interface StoreState {
  /** Every event in position order. */
  log: StoredEvent[];
  /** Each stream's events in position order (rebuilt from `log` after tampering). */
  streams: Map<string, StoredEvent[]>;
  commands: Map<string, CommandRecord>;
  reservations: Map<string, string>;
  keys: Map<string, KeyEntry>;
  nextPosition: number;
}

class Staging {
  readonly events: StoredEvent[] = [];
  readonly results: AppendResult[] = [];
  readonly heads = new Map<string, StoredEvent>();
  readonly commands = new Map<string, CommandRecord>();
  /** `undefined` marks a released key. */
  readonly reservations = new Map<string, string | undefined>();
  readonly keys = new Map<string, KeyEntry>();
  nextPosition: number;

  constructor(private readonly state: StoreState) {
    this.nextPosition = state.nextPosition;
  }

  head(stream: string): StoredEvent | undefined {
    return this.heads.get(stream) ?? this.state.streams.get(stream)?.at(-1);
  }

  owner(key: string): string | undefined {
    return this.reservations.has(key) ? this.reservations.get(key) : this.state.reservations.get(key);
  }

  key(subject: string): KeyEntry | undefined {
    return this.keys.get(subject) ?? this.state.keys.get(subject);
  }

  stage(request: unknown): void {
    const checked = checkRequest(request);
    const { commandId } = checked;
    if (commandId !== undefined && (this.state.commands.has(commandId) || this.commands.has(commandId))) {
      throw new CommandAlreadyRecordedError(commandId);
    }
    for (const write of checked.writes) {
      const actual = this.head(write.stream)?.revision ?? null;
      if (!matchesExpectation(write.expected, actual)) throw new WrongExpectedRevisionError(write.stream, write.expected, actual);
    }
    for (const { key, owner } of checked.releases) {
      if (this.owner(key) === owner) this.reservations.set(key, undefined);
    }
    for (const { key, owner } of checked.claims) {
      const holder = this.owner(key);
      if (holder !== undefined && holder !== owner) throw new ReservationConflictError(key, holder);
      this.reservations.set(key, owner);
    }
    for (const { subject, key } of checked.keysToCreate) {
      if (this.key(subject) === undefined) this.keys.set(subject, { destroyed: false, key });
    }
    for (const subject of checked.keysToDestroy) this.keys.set(subject, { destroyed: true });

    const appended: StoredEvent[] = [];
    for (const write of checked.writes) {
      for (const event of write.events) {
        const predecessor = this.head(write.stream);
        const unhashed = {
          stream: write.stream,
          revision: predecessor === undefined ? 0 : predecessor.revision + 1,
          position: toPosition(this.nextPosition),
          eventId: event.eventId,
          type: event.type,
          schemaVersion: event.schemaVersion,
          data: event.data,
          metadata: event.metadata,
          previousHash: predecessor?.hash ?? null,
        };
        const stored: StoredEvent = Object.freeze({ ...unhashed, hash: hashEvent(unhashed) });
        this.nextPosition += 1;
        this.heads.set(write.stream, stored);
        appended.push(stored);
      }
    }
    if (commandId !== undefined) {
      const references = appended.map(
        ({ stream, revision, position, eventId, type }): EventReference => Object.freeze({ stream, revision, position, eventId, type }),
      );
      this.commands.set(commandId, Object.freeze({ commandId, events: Object.freeze(references) }));
    }
    this.events.push(...appended);
    this.results.push(Object.freeze({ events: Object.freeze(appended) }));
  }

  commit(): void {
    const { state } = this;
    for (const event of this.events) {
      state.log.push(event);
      const stream = state.streams.get(event.stream);
      if (stream === undefined) state.streams.set(event.stream, [event]);
      else stream.push(event);
    }
    for (const [commandId, record] of this.commands) state.commands.set(commandId, record);
    for (const [key, owner] of this.reservations) {
      if (owner === undefined) state.reservations.delete(key);
      else state.reservations.set(key, owner);
    }
    for (const [subject, entry] of this.keys) state.keys.set(subject, entry);
    state.nextPosition = this.nextPosition;
  }
}

function matchesExpectation(expected: ExpectedRevision, actual: number | null): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === null;
    case 'exists':
      return actual !== null;
    default:
      return actual === expected;
  }
}

// ---------------------------------------------------------------------------
// Reading helpers.
// ---------------------------------------------------------------------------

const numericPosition = (event: StoredEvent): number => Number(event.position);

/** Index of the first event strictly after `after` (positions are ascending in `log`). */
function firstIndexAfter(log: readonly StoredEvent[], after: number): number {
  let low = 0;
  let high = log.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (numericPosition(log[middle]!) <= after) low = middle + 1;
    else high = middle;
  }
  return low;
}

function filterPredicate(filter: LogFilter | undefined): (event: StoredEvent) => boolean {
  const prefixes = filter?.streamPrefixes;
  const types = filter?.eventTypes === undefined ? undefined : new Set(filter.eventTypes);
  return (event) =>
    (prefixes === undefined || prefixes.some((prefix) => event.stream.startsWith(prefix))) &&
    (types === undefined || types.has(event.type));
}

function checkBatchSize(value: number | undefined, fallback: number): number {
  const size = value ?? fallback;
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`batchSize must be a positive integer, got ${String(size)}`);
  return size;
}

function checkAfter(after: Position | undefined): number {
  if (after === undefined) return 0;
  if (!isPosition(after)) throw new RangeError(`after must be a position (a non-negative decimal integer string), got ${JSON.stringify(after)}`);
  // Positions beyond 2^53 lose precision here, but they are still beyond every position this store hands out.
  return Number(after);
}

function checkRevisionOption(value: number | undefined, name: string): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
    throw new RangeError(`${name} must be a non-negative integer, got ${String(value)}`);
  }
}

/** Runs synchronous work as a promise, so a thrown error becomes a rejection as the async port promises. */
const settle = <T>(work: () => T): Promise<T> =>
  new Promise<T>((resolve) => {
    resolve(work());
  });

const stateOf = new WeakMap<EventStore, StoreState>();

class InMemoryEventStore implements EventStore {
  readonly kind = 'memory';
  readonly #state: StoreState = {
    log: [],
    streams: new Map(),
    commands: new Map(),
    reservations: new Map(),
    keys: new Map(),
    nextPosition: 1,
  };
  readonly #waiters = new Set<() => void>();
  readonly #batchSize: number;
  #closed = false;

  constructor(options: InMemoryEventStoreOptions) {
    this.#batchSize = checkBatchSize(options.batchSize, defaultBatchSize);
    stateOf.set(this, this.#state);
  }

  append(request: AppendRequest): Promise<AppendResult> {
    return settle(() => this.#commit([request])[0]!);
  }

  appendBatch(requests: readonly AppendRequest[]): Promise<readonly AppendResult[]> {
    return settle(() => {
      if (!Array.isArray(requests)) throw invalid('appendBatch takes an array of requests');
      return requests.length === 0 ? Object.freeze([]) : this.#commit(requests, true);
    });
  }

  readStream(stream: string, options: ReadStreamOptions = {}): Promise<readonly StoredEvent[]> {
    return settle(() => {
      this.#assertOpen();
      const { from, limit, direction = 'forwards' } = options;
      checkRevisionOption(from, 'from');
      checkRevisionOption(limit, 'limit');
      if (direction !== 'forwards' && direction !== 'backwards') throw new RangeError(`direction must be 'forwards' or 'backwards'`);
      const events = this.#state.streams.get(stream) ?? [];
      const selected =
        direction === 'forwards'
          ? events.filter((event) => event.revision >= (from ?? 0))
          : events.filter((event) => from === undefined || event.revision <= from).reverse();
      return Object.freeze(limit === undefined ? selected : selected.slice(0, limit));
    });
  }

  streamRevision(stream: string): Promise<number | null> {
    return settle(() => {
      this.#assertOpen();
      return this.#state.streams.get(stream)?.at(-1)?.revision ?? null;
    });
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<readonly StoredEvent[]> {
    return this.#iterate(options, false, undefined);
  }

  subscribe(options: SubscribeOptions = {}): AsyncIterable<readonly StoredEvent[]> {
    // Appends wake waiting subscribers directly, so `pollIntervalMs` has nothing to do here.
    return this.#iterate(options, true, options.signal);
  }

  headPosition(): Promise<Position | null> {
    return settle(() => {
      this.#assertOpen();
      return this.#state.log.at(-1)?.position ?? null;
    });
  }

  findCommand(commandId: string): Promise<CommandRecord | undefined> {
    return settle(() => {
      this.#assertOpen();
      return this.#state.commands.get(commandId);
    });
  }

  lookupReservations(keys: readonly string[]): Promise<ReadonlyMap<string, string>> {
    return settle(() => {
      this.#assertOpen();
      const found = new Map<string, string>();
      for (const key of keys) {
        const owner = this.#state.reservations.get(key);
        if (owner !== undefined) found.set(key, owner);
      }
      return found;
    });
  }

  loadKeys(subjects: readonly string[]): Promise<ReadonlyMap<string, string>> {
    return settle(() => {
      this.#assertOpen();
      const found = new Map<string, string>();
      for (const subject of subjects) {
        const entry = this.#state.keys.get(subject);
        if (entry !== undefined && !entry.destroyed) found.set(subject, entry.key);
      }
      return found;
    });
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#wake();
    return Promise.resolve();
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreError('STORE_UNAVAILABLE', 'the in-memory event store is closed');
  }

  #commit(requests: readonly AppendRequest[], batch = false): readonly AppendResult[] {
    this.#assertOpen();
    const staging = new Staging(this.#state);
    requests.forEach((request, index) => {
      try {
        staging.stage(request);
      } catch (error) {
        if (batch && isStoreError(error)) error.requestIndex = index;
        throw error;
      }
    });
    staging.commit();
    this.#wake();
    return Object.freeze(staging.results);
  }

  #scan(after: number, batchSize: number, matches: (event: StoredEvent) => boolean): { events: readonly StoredEvent[]; scannedUpTo: number } {
    const { log } = this.#state;
    const events: StoredEvent[] = [];
    let scannedUpTo = after;
    for (let index = firstIndexAfter(log, after); index < log.length && events.length < batchSize; index += 1) {
      const event = log[index]!;
      scannedUpTo = numericPosition(event);
      if (matches(event)) events.push(event);
    }
    return { events: Object.freeze(events), scannedUpTo };
  }

  /** Reads batches after `after`; a live reader then waits for appends instead of ending at the head. */
  async *#iterate(options: ReadAllOptions, live: boolean, signal: AbortSignal | undefined): AsyncGenerator<readonly StoredEvent[]> {
    this.#assertOpen();
    const batchSize = checkBatchSize(options.batchSize, this.#batchSize);
    const matches = filterPredicate(options.filter);
    let cursor = checkAfter(options.after);
    while (signal?.aborted !== true) {
      // A closed store ends a subscription quietly but fails a reader that expects the whole log.
      if (this.#closed && live) return;
      this.#assertOpen();
      const { events, scannedUpTo } = this.#scan(cursor, batchSize, matches);
      cursor = scannedUpTo;
      if (events.length > 0) yield events;
      else if (live) await this.#nextChange(signal);
      else return;
    }
  }

  #nextChange(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        this.#waiters.delete(wake);
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      this.#waiters.add(wake);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }

  #wake(): void {
    for (const wake of [...this.#waiters]) wake();
  }
}

/**
 * The in-memory event store: the reference behaviour of the port, which every
 * other adapter must match under the shared contract suite. Appends are
 * validated completely before anything is written, so they are atomic;
 * events are deep-frozen copies hashed with `hashEvent`; positions are "1",
 * "2", …; subscribers are woken by appends instead of polling. Meant for
 * tests, examples and single-process tools; nothing survives the process.
 */
export function createInMemoryEventStore(options: InMemoryEventStoreOptions = {}): EventStore {
  return new InMemoryEventStore(options);
}

// ---------------------------------------------------------------------------
// TEST-ONLY tampering. Not part of the port and not exported from the package
// root: only the in-memory store harness in `@eventcrm/runtime/testing` uses it.
// ---------------------------------------------------------------------------

/** Raw edits to an in-memory store's log that bypass every check (TEST ONLY). */
export interface InMemoryTamper {
  /** Overwrites one event's data, leaving its hashes as they were. */
  replaceData(stream: string, revision: number, data: JsonObject): void;
  /** Deletes one event from the log. */
  deleteEvent(stream: string, revision: number): void;
  /** Swaps the contents (event id, type, schema version, data, metadata, hashes) of two events of one stream, keeping revisions and positions. */
  swapEvents(stream: string, revisionA: number, revisionB: number): void;
  /** Replaces one stored event with whatever `rewrite` returns (its position is kept). */
  rewriteEvent(stream: string, revision: number, rewrite: (event: StoredEvent) => StoredEvent): void;
}

/**
 * TEST ONLY: raw access to an in-memory store's log, so that tests can prove
 * `verifyChains` notices tampering. Throws when the store is not one made by
 * `createInMemoryEventStore`.
 */
export function tamperForTests(store: EventStore): InMemoryTamper {
  const state = stateOf.get(store);
  if (state === undefined) throw new TypeError('tamperForTests works only on stores made by createInMemoryEventStore');
  const indexOf = (stream: string, revision: number): number => {
    const index = state.log.findIndex((event) => event.stream === stream && event.revision === revision);
    if (index < 0) throw new RangeError(`no event at ${stream}@${revision} to tamper with`);
    return index;
  };
  const reindex = (): void => {
    state.streams = new Map();
    for (const event of state.log) {
      const events = state.streams.get(event.stream);
      if (events === undefined) state.streams.set(event.stream, [event]);
      else events.push(event);
    }
  };
  const rewriteAt = (index: number, rewrite: (event: StoredEvent) => StoredEvent): void => {
    const original = state.log[index]!;
    state.log[index] = Object.freeze({ ...rewrite(original), position: original.position });
  };
  return {
    replaceData(stream, revision, data) {
      rewriteAt(indexOf(stream, revision), (event) => ({ ...event, data: structuredClone(data) }));
      reindex();
    },
    deleteEvent(stream, revision) {
      state.log.splice(indexOf(stream, revision), 1);
      reindex();
    },
    swapEvents(stream, revisionA, revisionB) {
      const indexA = indexOf(stream, revisionA);
      const indexB = indexOf(stream, revisionB);
      const a = state.log[indexA]!;
      const b = state.log[indexB]!;
      rewriteAt(indexA, () => ({ ...b, stream: a.stream, revision: a.revision }));
      rewriteAt(indexB, () => ({ ...a, stream: b.stream, revision: b.revision }));
      reindex();
    },
    rewriteEvent(stream, revision, rewrite) {
      rewriteAt(indexOf(stream, revision), rewrite);
      reindex();
    },
  };
}
