import { setImmediate } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import {
  CommandAlreadyRecordedError,
  ReservationConflictError,
  StoreError,
  WrongExpectedRevisionError,
  assertValidAppendRequest,
  hashEvent,
  isPosition,
  isStoreError,
  toPosition,
} from '@eventcrm/runtime';
import type {
  AppendRequest,
  AppendResult,
  CommandRecord,
  EventMetadata,
  EventReference,
  EventStore,
  ExpectedRevision,
  JsonObject,
  LogFilter,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  SubscribeOptions,
} from '@eventcrm/runtime';
import { sqliteCode, toStoreError } from './errors.ts';
import { currentVersion, eventStoreSchemaVersion, migrate } from './schema.ts';

/** How to open an SQLite event store. */
export interface SqliteEventStoreOptions {
  /** The database file; created (with its schema) when missing. */
  readonly path: string;
  /**
   * How long a write waits for another connection's write lock before the
   * append fails with `STORE_UNAVAILABLE`. SQLite waits inside the call, so
   * the waiting process's event loop is blocked meanwhile. Default 5000 ms.
   */
  readonly busyTimeoutMs?: number;
  /**
   * `NORMAL` (default) survives any process crash; only a power loss or OS
   * crash can lose the last few commits (never corrupt or reorder them).
   * `FULL` fsyncs every commit, so acknowledged appends survive power loss
   * too, at a cost of one fsync per transaction. See the note in `open`.
   */
  readonly synchronous?: 'NORMAL' | 'FULL';
  /**
   * SQLite's page cache for this connection, in MiB (allocated as pages are
   * used). Default 64. Appends insert into three indexes with random keys
   * (event id, command id, stream); once those outgrow the cache every insert
   * reads pages back, so a bulk import of millions of events runs markedly
   * faster with a larger cache (see the package README for figures).
   */
  readonly cacheSizeMiB?: number;
  /** Opens an existing file for reading only; appends fail with `STORE_UNAVAILABLE`. */
  readonly readonly?: boolean;
  /** Events per batch for `readAll` and `subscribe` when the caller gives none. Default 1000. */
  readonly batchSize?: number;
  /** Polling interval of `subscribe` when the caller gives none. Default 50 ms. */
  readonly pollIntervalMs?: number;
}

/**
 * The SQLite event store: the `EventStore` port plus what the projection
 * runner needs to keep read models in the same file, atomically with its
 * checkpoints.
 */
export interface SqliteEventStore extends EventStore {
  readonly kind: 'sqlite';
  /** The database file this store was opened on. */
  readonly path: string;
  /**
   * The underlying better-sqlite3 connection, for read models kept in the
   * same file. The store owns the tables `events`, `command_records`,
   * `reservations`, `encryption_keys` and the rows of component
   * `event-store` in `schema_migrations`; read models must leave those alone
   * and may record their own migrations in `schema_migrations` under their
   * own component name. Do not close the handle; call `close()`.
   */
  readonly database: SqliteDatabase;
  /**
   * Runs `fn` synchronously in one write transaction (`BEGIN IMMEDIATE`, so
   * it serialises with appends from every process on the file); it commits
   * when `fn` returns and rolls back when it throws. Nested calls become
   * savepoints. `fn` must not await: better-sqlite3 transactions are
   * synchronous, and the store's own async methods must not be called from
   * inside it. SQLite faults come out as `StoreError`s.
   */
  transaction<T>(fn: (database: SqliteDatabase) => T): T;
}

interface EventRow {
  /** A JS number: exact up to 2^53 positions, which no SQLite file will reach. */
  readonly position: number;
  readonly stream: string;
  readonly revision: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: string;
  readonly metadata: string;
  readonly previousHash: string | null;
  readonly hash: string;
}

interface StreamHead {
  readonly revision: number;
  readonly hash: string;
}

const eventColumns =
  'position, stream, revision, event_id AS eventId, type, schema_version AS schemaVersion, data, metadata, previous_hash AS previousHash, hash';

/** The largest value an SQLite INTEGER holds; positions beyond it cannot exist. */
const maxSqliteInteger = 9_223_372_036_854_775_807n;

/**
 * Opens (and on first use creates) an SQLite event store. Synchronous,
 * because better-sqlite3 is; fails with `STORE_UNAVAILABLE` when the file
 * cannot be opened or written, and `STORE_CORRUPTED` when it is not an
 * SQLite database.
 */
export function createSqliteEventStore(options: SqliteEventStoreOptions): SqliteEventStore {
  return new SqliteStore(options);
}

class SqliteStore implements SqliteEventStore {
  readonly kind = 'sqlite' as const;
  readonly path: string;
  readonly #database: SqliteDatabase;
  readonly #context: { readonly path: string; readonly busyTimeoutMs: number };
  readonly #batchSize: number;
  readonly #pollIntervalMs: number;
  /** Aborted by `close()`, to wake and end subscriptions that are waiting to poll. */
  readonly #closing = new AbortController();
  readonly #statements: Statements;
  readonly #readAllStatements = new Map<string, Statement<unknown[], unknown[]>>();

  constructor(options: SqliteEventStoreOptions) {
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.path = options.path;
    this.#context = { path: options.path, busyTimeoutMs };
    this.#batchSize = positiveInteger(options.batchSize ?? 1000, 'batchSize');
    this.#pollIntervalMs = nonNegativeNumber(options.pollIntervalMs ?? 50, 'pollIntervalMs');
    if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) throw new RangeError('busyTimeoutMs must be a non-negative integer');
    const cacheSizeMiB = positiveInteger(options.cacheSizeMiB ?? 64, 'cacheSizeMiB');
    const readonly = options.readonly ?? false;
    let database: SqliteDatabase | undefined;
    let statements: Statements;
    try {
      database = new Database(options.path, { readonly, fileMustExist: readonly, timeout: busyTimeoutMs });
      // A negative cache_size is in KiB rather than pages.
      database.pragma(`cache_size = -${cacheSizeMiB * 1024}`);
      if (readonly) {
        checkReadonlySchema(database, options.path);
      } else {
        // WAL lets readers (other processes, the projection runner) read
        // while one writer appends, and makes a commit a sequential append
        // to the log file. Under WAL, synchronous=NORMAL syncs the WAL only
        // at checkpoints: every commit is written to the OS before the
        // append returns, so a crash of this or any process loses nothing,
        // and the database is never corrupted; only an OS crash or power
        // loss can roll back the newest commits, as a whole and in order,
        // which keeps every hash chain intact. FULL is offered for
        // deployments that must also survive power loss.
        database.pragma('journal_mode = WAL');
        database.pragma(`synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
        // Keep the WAL from staying at the size of the largest bulk import.
        database.pragma('journal_size_limit = 67108864');
        migrate(database);
      }
      statements = prepareEventStoreStatements(database, options.path);
    } catch (error) {
      if (database === undefined && !isStoreError(toStoreError(error, this.#context))) {
        // better-sqlite3 checks the path itself before SQLite sees it (a
        // missing directory is a TypeError), so its refusals are typed here.
        throw new StoreError('STORE_UNAVAILABLE', `SQLite event store ${options.path} cannot be opened: ${(error as Error).message}`, { cause: error });
      }
      database?.close();
      throw toStoreError(error, this.#context);
    }
    this.#database = database;
    this.#statements = statements;
  }

  get database(): SqliteDatabase {
    return this.#database;
  }

  transaction<T>(fn: (database: SqliteDatabase) => T): T {
    this.#ensureOpen();
    try {
      return this.#database.transaction(() => fn(this.#database)).immediate();
    } catch (error) {
      throw toStoreError(error, this.#context);
    }
  }

  append(request: AppendRequest): Promise<AppendResult> {
    return settle(() => {
      this.#ensureOpen();
      assertValidAppendRequest(request);
      return this.transaction(() => this.#appendInTransaction(request, new Map()));
    });
  }

  appendBatch(requests: readonly AppendRequest[]): Promise<readonly AppendResult[]> {
    return settle(() => this.#appendBatch(requests));
  }

  #appendBatch(requests: readonly AppendRequest[]): readonly AppendResult[] {
    this.#ensureOpen();
    const given: unknown = requests;
    if (!Array.isArray(given)) throw new StoreError('INVALID_APPEND', 'invalid append: appendBatch takes an array of requests');
    for (const [index, request] of requests.entries()) {
      try {
        // The reference store's checks, so every adapter refuses the same inputs.
        assertValidAppendRequest(request);
      } catch (error) {
        throw withRequestIndex(error, index);
      }
    }
    if (requests.length === 0) return [];
    return this.transaction(() => {
      // Stream heads change only through this transaction while it holds
      // the write lock, so they are looked up once per stream and then
      // carried forward in memory across the batch.
      const heads = new Map<string, StreamHead | null>();
      return requests.map((request, index) => {
        try {
          return this.#appendInTransaction(request, heads);
        } catch (error) {
          throw withRequestIndex(toStoreError(error, this.#context), index);
        }
      });
    });
  }

  readStream(stream: string, options: ReadStreamOptions = {}): Promise<readonly StoredEvent[]> {
    return settle(() => this.#readStream(stream, options));
  }

  #readStream(stream: string, options: ReadStreamOptions): readonly StoredEvent[] {
    this.#ensureOpen();
    const direction = options.direction ?? 'forwards';
    if (direction !== 'forwards' && direction !== 'backwards') throw new RangeError(`readStream: direction must be 'forwards' or 'backwards'`);
    const from = options.from;
    if (from !== undefined && (!Number.isSafeInteger(from) || from < 0)) throw new RangeError('readStream: from must be a non-negative integer');
    const limit = options.limit;
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) throw new RangeError('readStream: limit must be a non-negative integer');
    const rows = this.#run(() =>
      direction === 'forwards'
        ? this.#statements.readStreamForwards.all(stream, from ?? 0, limit ?? -1)
        : this.#statements.readStreamBackwards.all(stream, from ?? Number.MAX_SAFE_INTEGER, limit ?? -1),
    );
    return rows.map(toStoredEvent);
  }

  streamRevision(stream: string): Promise<number | null> {
    return this.#query(() => this.#statements.streamHead.get(stream)?.revision ?? null);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<readonly StoredEvent[]> {
    this.#ensureOpen();
    const batchSize = positiveInteger(options.batchSize ?? this.#batchSize, 'batchSize');
    const statement = this.#readAllStatement(options.filter, true);
    const filter = filterParameters(options.filter);
    let after = afterParameter(options.after);
    if (after === undefined) return;
    // Bounded by the head at the start, so that a reader of a busy log ends;
    // `subscribe` is the way to keep following it. Each batch is its own
    // short read: holding one snapshot across batches (and across the
    // consumer's awaits) would stop WAL checkpoints for as long as a slow
    // reader takes, and is not needed since commit order is position order.
    const until = this.#run(() => this.#statements.head.get()?.position ?? null);
    if (until === null) return;
    while (after < BigInt(until)) {
      this.#ensureOpen();
      const rows = this.#run(() => statement.all(after, until, ...filter, batchSize));
      if (rows.length === 0) return;
      const events = storedEventsOf(rows);
      yield events;
      if (rows.length < batchSize) return;
      after = BigInt(events[events.length - 1]!.position);
      // Queries are synchronous; let timers and I/O run between batches so
      // a reader of millions of events does not starve the process.
      await setImmediate();
    }
  }

  async *subscribe(options: SubscribeOptions = {}): AsyncIterable<readonly StoredEvent[]> {
    this.#ensureOpen();
    const batchSize = positiveInteger(options.batchSize ?? this.#batchSize, 'batchSize');
    const pollIntervalMs = nonNegativeNumber(options.pollIntervalMs ?? this.#pollIntervalMs, 'pollIntervalMs');
    const statement = this.#readAllStatement(options.filter, false);
    const filter = filterParameters(options.filter);
    let after = afterParameter(options.after);
    if (after === undefined) return;
    const { signal } = options;
    const stopped = (): boolean => signal?.aborted === true || !this.#database.open;
    while (!stopped()) {
      // A commit on SQLite never lands behind a position a reader has
      // already seen (see `#appendInTransaction`), so polling "after the
      // last position" is all that catching up and following need.
      const rows = this.#run(() => statement.all(after, ...filter, batchSize));
      if (rows.length > 0) {
        const events = storedEventsOf(rows);
        yield events;
        after = BigInt(events[events.length - 1]!.position);
        if (rows.length === batchSize) {
          await setImmediate();
          continue;
        }
      }
      await sleep(pollIntervalMs, signal, this.#closing.signal);
    }
  }

  headPosition(): Promise<Position | null> {
    return this.#query(() => {
      const position = this.#statements.head.get()?.position ?? null;
      return position === null ? null : toPosition(position);
    });
  }

  findCommand(commandId: string): Promise<CommandRecord | undefined> {
    return this.#query(() => this.#findCommand(commandId));
  }

  /** The bulk form for batch imports: one synchronous pass, one promise for all ids. */
  findCommands(commandIds: readonly string[]): Promise<ReadonlyMap<string, CommandRecord>> {
    return this.#query(() => {
      const found = new Map<string, CommandRecord>();
      for (const commandId of stringList(commandIds, 'commandIds')) {
        const record = this.#findCommand(commandId);
        if (record !== undefined) found.set(commandId, record);
      }
      return found;
    });
  }

  #findCommand(commandId: string): CommandRecord | undefined {
    const row = this.#statements.findCommand.get(commandId);
    if (row === undefined) return undefined;
    const events: EventReference[] =
      row.firstPosition === null
        ? []
        : this.#statements.commandEvents
            .all(row.firstPosition, row.firstPosition + row.eventCount - 1)
            .map((event) => ({ ...event, position: toPosition(event.position) }));
    return { commandId, events };
  }

  lookupReservations(keys: readonly string[]): Promise<ReadonlyMap<string, string>> {
    return this.#query(() => {
      const rows = this.#statements.lookupReservations.all(JSON.stringify(stringList(keys, 'keys')));
      return new Map(rows.map((row) => [row.key, row.owner]));
    });
  }

  loadKeys(subjects: readonly string[]): Promise<ReadonlyMap<string, string>> {
    return this.#query(() => {
      const rows = this.#statements.loadKeys.all(JSON.stringify(stringList(subjects, 'subjects')));
      return new Map(rows.map((row) => [row.subject, row.key]));
    });
  }

  close(): Promise<void> {
    if (this.#database.open) {
      this.#closing.abort();
      this.#database.close();
    }
    return Promise.resolve();
  }

  /**
   * One request's work inside the caller's write transaction. The order of
   * checks decides which error a request that is wrong in several ways gets:
   * the command record first, so a retried command learns it already ran
   * rather than that its streams moved on (which its own events caused).
   *
   * Positions come from the INTEGER PRIMARY KEY AUTOINCREMENT of `events`,
   * assigned here while this transaction holds SQLite's single write lock.
   * Every later transaction therefore gets larger positions, and no
   * transaction can commit a smaller position after a reader saw a larger
   * one: commit order is position order. That makes "never skip" trivially
   * true on SQLite: resuming strictly after the last position seen is
   * enough, with no gap tracking or visibility horizon as PostgreSQL needs.
   */
  #appendInTransaction(request: AppendRequest, heads: Map<string, StreamHead | null>): AppendResult {
    const statements = this.#statements;
    const { commandId } = request;
    if (commandId !== undefined && statements.findCommand.get(commandId) !== undefined) {
      throw new CommandAlreadyRecordedError(commandId);
    }

    const startHeads = request.writes.map((write) => {
      let head = heads.get(write.stream);
      if (head === undefined) {
        head = statements.streamHead.get(write.stream) ?? null;
        heads.set(write.stream, head);
      }
      if (!meetsExpectation(write.expected, head)) {
        throw new WrongExpectedRevisionError(write.stream, write.expected, head?.revision ?? null);
      }
      return head;
    });

    for (const { key, owner } of request.reservations?.release ?? []) statements.releaseReservation.run(key, owner);
    for (const { key, owner } of request.reservations?.claim ?? []) {
      const holder = statements.reservationOwner.get(key);
      if (holder === undefined) statements.claimReservation.run(key, owner);
      else if (holder.owner !== owner) throw new ReservationConflictError(key, holder.owner);
    }

    // Creates before destroys: a request that does both for one subject
    // ends with the key destroyed, the safe side for crypto-shredding.
    for (const { subject, key } of request.keys?.create ?? []) statements.createKey.run(subject, key);
    for (const subject of request.keys?.destroy ?? []) statements.destroyKey.run(subject);

    const stored: StoredEvent[] = [];
    for (const [writeIndex, write] of request.writes.entries()) {
      let head = startHeads[writeIndex] ?? null;
      for (const event of write.events) {
        const revision = head === null ? 0 : head.revision + 1;
        const previousHash = head === null ? null : head.hash;
        const dataText = JSON.stringify(event.data);
        const metadataText = JSON.stringify(event.metadata);
        // Hash and return what a reader will parse back, not the caller's
        // objects: the result is then equal to a later read, and a caller
        // mutating its objects afterwards cannot change it.
        const data = JSON.parse(dataText) as JsonObject;
        const metadata = JSON.parse(metadataText) as EventMetadata;
        const hash = hashEvent({ stream: write.stream, revision, type: event.type, schemaVersion: event.schemaVersion, data, metadata, previousHash });
        const { lastInsertRowid } = statements.insertEvent.run(
          write.stream,
          revision,
          event.eventId,
          event.type,
          event.schemaVersion,
          dataText,
          metadataText,
          previousHash,
          hash,
        );
        stored.push({
          stream: write.stream,
          revision,
          position: toPosition(lastInsertRowid),
          eventId: event.eventId,
          type: event.type,
          schemaVersion: event.schemaVersion,
          data,
          metadata,
          previousHash,
          hash,
        });
        head = { revision, hash };
      }
      heads.set(write.stream, head);
    }

    if (commandId !== undefined) {
      const first = stored[0];
      statements.recordCommand.run(commandId, first === undefined ? null : BigInt(first.position), stored.length);
    }
    return { events: stored };
  }

  #readAllStatement(filter: LogFilter | undefined, bounded: boolean): Statement<unknown[], unknown[]> {
    const byStream = filter?.streamPrefixes !== undefined;
    const byType = filter?.eventTypes !== undefined;
    const cacheKey = `${bounded}:${byStream}:${byType}`;
    let statement = this.#readAllStatements.get(cacheKey);
    if (statement === undefined) {
      // Keyset pagination on the primary key: each batch is an index seek
      // past the last position, whatever the depth into the log. Prefixes
      // are compared with substr rather than LIKE/GLOB so that `%`, `_`, `*`
      // and case never change their meaning.
      const conditions = ['position > ?'];
      if (bounded) conditions.push('position <= ?');
      if (byStream) conditions.push('EXISTS (SELECT 1 FROM json_each(?) AS prefix WHERE substr(events.stream, 1, length(prefix.value)) = prefix.value)');
      if (byType) conditions.push('type IN (SELECT value FROM json_each(?))');
      const sql = `SELECT ${eventColumns} FROM events WHERE ${conditions.join(' AND ')} ORDER BY position LIMIT ?`;
      // Raw cell arrays (in `eventColumns` order): the log is read in bulk,
      // and building the events from arrays skips better-sqlite3's row objects.
      statement = this.#run(() => this.#database.prepare<unknown[], unknown[]>(sql).raw());
      this.#readAllStatements.set(cacheKey, statement);
    }
    return statement;
  }

  #ensureOpen(): void {
    if (!this.#database.open) throw new StoreError('STORE_UNAVAILABLE', `SQLite event store ${this.path} is closed`);
  }

  /** A synchronous read as the port's promise, with its failure typed. */
  #query<T>(fn: () => T): Promise<T> {
    return settle(() => {
      this.#ensureOpen();
      return this.#run(fn);
    });
  }

  /** Runs a synchronous SQLite call and types its failure. */
  #run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw toStoreError(error, this.#context);
    }
  }
}

interface Statements {
  readonly insertEvent: Statement<[string, number, string, string, number, string, string, string | null, string]>;
  readonly streamHead: Statement<[string], StreamHead>;
  readonly head: Statement<[], { position: number | null }>;
  readonly readStreamForwards: Statement<[string, number, number], EventRow>;
  readonly readStreamBackwards: Statement<[string, number, number], EventRow>;
  readonly findCommand: Statement<[string], { firstPosition: number | null; eventCount: number }>;
  readonly commandEvents: Statement<[number, number], { stream: string; revision: number; position: number; eventId: string; type: string }>;
  readonly recordCommand: Statement<[string, bigint | null, number]>;
  readonly reservationOwner: Statement<[string], { owner: string }>;
  readonly claimReservation: Statement<[string, string]>;
  readonly releaseReservation: Statement<[string, string]>;
  readonly lookupReservations: Statement<[string], { key: string; owner: string }>;
  readonly createKey: Statement<[string, string]>;
  readonly destroyKey: Statement<[string]>;
  readonly loadKeys: Statement<[string], { subject: string; key: string }>;
}

/** Prepared once per connection: appends and reads never re-parse SQL. */
function prepareStatements(database: SqliteDatabase): Statements {
  return {
    insertEvent: database.prepare(
      'INSERT INTO events (stream, revision, event_id, type, schema_version, data, metadata, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    streamHead: database.prepare('SELECT revision, hash FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1'),
    head: database.prepare('SELECT MAX(position) AS position FROM events'),
    readStreamForwards: database.prepare(`SELECT ${eventColumns} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`),
    readStreamBackwards: database.prepare(`SELECT ${eventColumns} FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`),
    findCommand: database.prepare('SELECT first_position AS firstPosition, event_count AS eventCount FROM command_records WHERE command_id = ?'),
    commandEvents: database.prepare(
      'SELECT stream, revision, position, event_id AS eventId, type FROM events WHERE position BETWEEN ? AND ? ORDER BY position',
    ),
    recordCommand: database.prepare('INSERT INTO command_records (command_id, first_position, event_count) VALUES (?, ?, ?)'),
    reservationOwner: database.prepare('SELECT owner FROM reservations WHERE key = ?'),
    claimReservation: database.prepare('INSERT INTO reservations (key, owner) VALUES (?, ?)'),
    releaseReservation: database.prepare('DELETE FROM reservations WHERE key = ? AND owner = ?'),
    lookupReservations: database.prepare('SELECT key, owner FROM reservations WHERE key IN (SELECT value FROM json_each(?))'),
    createKey: database.prepare('INSERT INTO encryption_keys (subject, key, destroyed) VALUES (?, ?, 0) ON CONFLICT (subject) DO NOTHING'),
    destroyKey: database.prepare(
      'INSERT INTO encryption_keys (subject, key, destroyed) VALUES (?, NULL, 1) ON CONFLICT (subject) DO UPDATE SET key = NULL, destroyed = 1',
    ),
    loadKeys: database.prepare(
      'SELECT subject, key FROM encryption_keys WHERE subject IN (SELECT value FROM json_each(?)) AND destroyed = 0 AND key IS NOT NULL',
    ),
  };
}

/**
 * The schema version says the tables exist; if a statement still cannot be
 * prepared, they were dropped or altered behind the store's back.
 */
function prepareEventStoreStatements(database: SqliteDatabase, path: string): Statements {
  try {
    return prepareStatements(database);
  } catch (error) {
    if (sqliteCode(error) !== 'SQLITE_ERROR') throw error;
    throw new StoreError('STORE_CORRUPTED', `SQLite event store ${path}: its tables were dropped or altered (${(error as Error).message})`, { cause: error });
  }
}

/** A read-only store cannot migrate, so it only opens a file that is already current. */
function checkReadonlySchema(database: SqliteDatabase, path: string): void {
  const version = currentVersion(database);
  if (version !== eventStoreSchemaVersion) {
    throw new StoreError(
      'STORE_UNAVAILABLE',
      version === 0
        ? `SQLite event store ${path} has no event store schema; it cannot be created read-only`
        : `SQLite event store ${path} has schema version ${version}, this package needs ${eventStoreSchemaVersion}; open it read-write once to migrate`,
    );
  }
}

const meetsExpectation = (expected: ExpectedRevision, head: StreamHead | null): boolean => {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return head === null;
    case 'exists':
      return head !== null;
    default:
      return head !== null && head.revision === expected;
  }
};

function toStoredEvent(row: EventRow): StoredEvent {
  const where = `event ${row.stream}@${row.revision} (position ${row.position})`;
  return {
    stream: row.stream,
    revision: row.revision,
    position: toPosition(row.position),
    eventId: row.eventId,
    type: row.type,
    schemaVersion: row.schemaVersion,
    data: parseStored<JsonObject>(row.data, `the data of ${where}`),
    metadata: parseStored<EventMetadata>(row.metadata, `the metadata of ${where}`),
    previousHash: row.previousHash,
    hash: row.hash,
  };
}

/**
 * Events from the raw cell arrays of a log read (columns in `eventColumns`
 * order). The hot path of every catch-up and rebuild, so it allocates
 * nothing but the events themselves: positions of the safe-integer range
 * (every real file) become text without a bigint, and the description
 * of the row for an error message is only made when the JSON is damaged.
 */
function storedEventsOf(rows: readonly unknown[][]): StoredEvent[] {
  const events = new Array<StoredEvent>(rows.length);
  for (let index = 0; index < rows.length; index += 1) {
    const cells = rows[index]!;
    const position = cells[0] as number | bigint;
    const data = cells[6] as string;
    const metadata = cells[7] as string;
    events[index] = {
      stream: cells[1] as string,
      revision: cells[2] as number,
      position: typeof position === 'number' && Number.isSafeInteger(position) ? String(position) : toPosition(position),
      eventId: cells[3] as string,
      type: cells[4] as string,
      schemaVersion: cells[5] as number,
      data: parseCell<JsonObject>(data, cells, 'data'),
      metadata: parseCell<EventMetadata>(metadata, cells, 'metadata'),
      previousHash: cells[8] as string | null,
      hash: cells[9] as string,
    };
  }
  return events;
}

/** `parseStored` for a raw row, naming the event only when the text does not parse. */
function parseCell<T>(text: string, cells: readonly unknown[], what: 'data' | 'metadata'): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    const where = `event ${String(cells[1])}@${String(cells[2])} (position ${String(cells[0])})`;
    throw new StoreError('STORE_CORRUPTED', `the ${what} of ${where} is not valid JSON`, { cause: error });
  }
}

/** JSON the store wrote itself; if it does not parse, the file was damaged or edited. */
function parseStored<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new StoreError('STORE_CORRUPTED', `${what} is not valid JSON`, { cause: error });
  }
}

/** The bound parameters of a log filter, in the order `#readAllStatement` places them. */
const filterParameters = (filter: LogFilter | undefined): string[] => {
  const parameters: string[] = [];
  if (filter?.streamPrefixes !== undefined) parameters.push(JSON.stringify(stringList(filter.streamPrefixes, 'filter.streamPrefixes')));
  if (filter?.eventTypes !== undefined) parameters.push(JSON.stringify(stringList(filter.eventTypes, 'filter.eventTypes')));
  return parameters;
};

const stringList = (value: readonly string[], name: string): readonly string[] => {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw new RangeError(`${name} must be an array of strings`);
  return value;
};

/**
 * `after` as an SQLite integer. `undefined` means nothing can follow it
 * (it is beyond the largest position SQLite can hold).
 */
function afterParameter(after: Position | undefined): bigint | undefined {
  if (after === undefined) return 0n;
  if (!isPosition(after)) throw new RangeError(`after must be a position (a non-negative decimal integer string), got ${JSON.stringify(after)}`);
  const value = BigInt(after);
  return value >= maxSqliteInteger ? undefined : value;
}

const positiveInteger = (value: number, name: string): number => {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
};

const nonNegativeNumber = (value: number, name: string): number => {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a non-negative number`);
  return value;
};

/**
 * Runs synchronous work as a promise: better-sqlite3 does the work inside the
 * call, and a throw becomes a rejection rather than an exception at the call
 * site, as callers of an async port expect.
 */
const settle = <T>(fn: () => T): Promise<T> => new Promise<T>((resolve) => resolve(fn()));

const withRequestIndex = (error: unknown, index: number): unknown => {
  if (error instanceof StoreError) error.requestIndex = index;
  return error;
};

/** Waits, waking early when any of the signals aborts. */
function sleep(ms: number, ...signals: readonly (AbortSignal | undefined)[]): Promise<void> {
  return new Promise((resolve) => {
    const active = signals.filter((signal): signal is AbortSignal => signal !== undefined);
    if (active.some((signal) => signal.aborted)) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      for (const signal of active) signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const signal of active) signal.addEventListener('abort', done, { once: true });
  });
}
