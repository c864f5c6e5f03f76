/**
 * The event store port. Every adapter (in-memory, SQLite, PostgreSQL,
 * KurrentDB) implements this interface with the same observable behaviour,
 * proven by the shared contract suite in `@eventcrm/runtime/testing`.
 *
 * The port is deliberately dumb about the domain: it stores typed JSON events
 * in streams, keeps the tamper-evident hash chain, and offers three small
 * transactional side tables that must change atomically with an append:
 * command records (idempotency), unique reservations (duplicate phone/email)
 * and per-subject encryption keys (crypto-shredding). Decryption, upcasting
 * and decoding happen above the port, in the runtime.
 */

/** A JSON value as stored in event data and metadata. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };
/** A JSON object, the shape of event data and metadata. */
export type JsonObject = { readonly [key: string]: JsonValue };

/**
 * A global position in the log: a non-negative integer as a decimal string,
 * because some stores (KurrentDB) use 64-bit positions beyond 2^53. Positions
 * are strictly increasing in commit order as seen by readers, but need not be
 * contiguous. Compare them with `comparePositions`, never as strings.
 */
export type Position = string;

/**
 * What the writer expects of a stream before appending:
 * - `no_stream`: the stream has no events;
 * - `exists`: the stream has at least one event;
 * - `any`: no expectation;
 * - a number: the revision of the stream's last event (0-based).
 */
export type ExpectedRevision = 'no_stream' | 'exists' | 'any' | number;

/** Metadata every event carries (more keys may follow). */
export interface EventMetadata {
  readonly commandId: string;
  readonly actor: string;
  /** Effective time, `YYYY-MM-DDTHH:mm:ss.sssZ`. */
  readonly at: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly [key: string]: JsonValue | undefined;
}

/** An event to append. `data` is the stored form (personal fields already encrypted). */
export interface NewEvent {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: JsonObject;
  readonly metadata: EventMetadata;
}

/** An event as the store keeps and returns it. */
export interface StoredEvent extends NewEvent {
  readonly stream: string;
  /** 0-based, contiguous within the stream. */
  readonly revision: number;
  readonly position: Position;
  /** Hash of the stream predecessor, `null` for revision 0. */
  readonly previousHash: string | null;
  /** Hash over (stream, revision, type, schemaVersion, data, metadata, previousHash); see `hashEvent`. */
  readonly hash: string;
}

/** A reference to an appended event, as kept in a command record. */
export interface EventReference {
  readonly stream: string;
  readonly revision: number;
  readonly position: Position;
  readonly eventId: string;
  readonly type: string;
}

/** One stream's part of an append. */
export interface StreamWrite {
  readonly stream: string;
  readonly expected: ExpectedRevision;
  readonly events: readonly NewEvent[];
}

/** A unique key (such as a normalised phone number) held by an owner (such as a customer id). */
export interface Reservation {
  readonly key: string;
  readonly owner: string;
}

/**
 * One atomic append: every write, the command record, the reservation changes
 * and the key changes commit together or not at all.
 */
export interface AppendRequest {
  readonly writes: readonly StreamWrite[];
  /**
   * When given, the store records the command id with references to the
   * appended events. If the id is already recorded the whole append fails
   * with `CommandAlreadyRecordedError` and writes nothing.
   */
  readonly commandId?: string;
  /**
   * Releases are applied before claims. Releasing a key that is not held by
   * that owner is a no-op. Claiming a key held by another owner fails with
   * `ReservationConflictError`; claiming a key the same owner holds is a no-op.
   */
  readonly reservations?: {
    readonly claim?: readonly Reservation[];
    readonly release?: readonly Reservation[];
  };
  /**
   * Encryption keys per subject (base64). `create` inserts a key unless the
   * subject already has one (then the existing key stays); `destroy` deletes
   * the subject's key for good (crypto-shredding) and marks it destroyed, so
   * a later `create` for it is a no-op.
   */
  readonly keys?: {
    readonly create?: readonly { readonly subject: string; readonly key: string }[];
    readonly destroy?: readonly string[];
  };
}

/** What an append returns: the stored events, in request order. */
export interface AppendResult {
  readonly events: readonly StoredEvent[];
}

/** A command id's record: the events its successful execution appended. */
export interface CommandRecord {
  readonly commandId: string;
  readonly events: readonly EventReference[];
}

/** Options for reading one stream. */
export interface ReadStreamOptions {
  /** First revision to return (forwards: inclusive lower bound; backwards: inclusive upper bound). */
  readonly from?: number;
  readonly direction?: 'forwards' | 'backwards';
  readonly limit?: number;
}

/** A server-side filter for reading the whole log. Events that do not match are not returned. */
export interface LogFilter {
  /** Keep events whose stream starts with one of these prefixes. */
  readonly streamPrefixes?: readonly string[];
  /** Keep events of these types. */
  readonly eventTypes?: readonly string[];
}

/** Options for reading the whole log in global order. */
export interface ReadAllOptions {
  /** Exclusive lower bound: return events strictly after this position. Omitted: from the start. */
  readonly after?: Position;
  /** Events per batch (the adapter's default when omitted). */
  readonly batchSize?: number;
  readonly filter?: LogFilter;
}

/** Options for a catch-up-then-live subscription. */
export interface SubscribeOptions extends ReadAllOptions {
  /** Polling interval for stores without push notifications. */
  readonly pollIntervalMs?: number;
  /** Aborting ends the iteration cleanly after the current batch. */
  readonly signal?: AbortSignal;
}

/**
 * The event store port. All methods are async; implementations must be safe
 * to call concurrently from one process, and (for the persistent adapters)
 * from several processes on the same database.
 */
export interface EventStore {
  /** A short name for logs and benchmarks, e.g. `sqlite`. */
  readonly kind: string;

  /**
   * Appends atomically. Throws `WrongExpectedRevisionError` when a stream does
   * not match its expectation, `CommandAlreadyRecordedError` when the command
   * id is recorded, `ReservationConflictError` when a key is held by another
   * owner; in every such case nothing is written.
   */
  append(request: AppendRequest): Promise<AppendResult>;

  /**
   * Appends several requests in one transaction, all or nothing (the bulk
   * import path). On a failure the error is thrown with `requestIndex` set to
   * the index of the first request that failed.
   */
  appendBatch(requests: readonly AppendRequest[]): Promise<readonly AppendResult[]>;

  /** Reads one stream; a stream that does not exist reads as `[]`. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<readonly StoredEvent[]>;

  /** The revision of a stream's last event, or `null` when the stream does not exist. */
  streamRevision(stream: string): Promise<number | null>;

  /**
   * The whole log in global order, in batches. Never skips an event: a reader
   * that resumes after the last position it saw sees every committed event
   * exactly once, even when concurrent transactions commit out of order.
   */
  readAll(options?: ReadAllOptions): AsyncIterable<readonly StoredEvent[]>;

  /** Catches up from `after`, then follows new events live until aborted (or the loop breaks). */
  subscribe(options?: SubscribeOptions): AsyncIterable<readonly StoredEvent[]>;

  /** The position of the last event a reader can see now, or `null` for an empty log. */
  headPosition(): Promise<Position | null>;

  /** The record of a command id, or `undefined` when it never appended anything. */
  findCommand(commandId: string): Promise<CommandRecord | undefined>;

  /**
   * Optional bulk form of `findCommand` for the batch import path: the records
   * of those ids that have one. Stores without it are asked one id at a time.
   */
  findCommands?(commandIds: readonly string[]): Promise<ReadonlyMap<string, CommandRecord>>;

  /** The current owner of each reserved key among `keys` (absent keys are left out). */
  lookupReservations(keys: readonly string[]): Promise<ReadonlyMap<string, string>>;

  /** The encryption keys of the given subjects; destroyed or unknown subjects are left out. */
  loadKeys(subjects: readonly string[]): Promise<ReadonlyMap<string, string>>;

  /** Releases connections and file handles. Idempotent. */
  close(): Promise<void>;
}
