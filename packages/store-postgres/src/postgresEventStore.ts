import { StoreError, comparePositions, isPosition } from '@eventcrm/runtime';
import type {
  AppendRequest,
  AppendResult,
  CommandRecord,
  EventReference,
  EventStore,
  LogFilter,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  SubscribeOptions,
} from '@eventcrm/runtime';
import pg from 'pg';
import { PlanRejected, appendFootprint, planAppend } from './appendPlan.ts';
import type { AppendPlan, AppendSnapshot, PlannedEvent, StreamHead } from './appendPlan.ts';
import { isConnectionFailure, isDataException, isTransientConflict, serverLabel, toStoreError } from './errors.ts';
import type { ServerLabel } from './errors.ts';
import { runMigrations } from './migrations.ts';
import { NotificationHub } from './notifications.ts';
import { eventColumns, toStoredEvent } from './rows.ts';
import type { EventRow } from './rows.ts';
import { defaultSchema, schemaNames } from './schemaNames.ts';
import { validateAppendRequest } from './validate.ts';

/**
 * Test-only hooks into the append transaction. They exist so that tests can
 * stretch transactions at the one place where a naive design would let
 * commits land out of position order, and prove that readers still never
 * skip an event. Production code never sets them.
 */
export interface PostgresEventStoreHooks {
  /** Runs inside each append transaction after positions are assigned and rows inserted, just before `COMMIT`. */
  readonly beforeCommit?: (client: pg.PoolClient, events: readonly StoredEvent[]) => Promise<void>;
}

/** How to reach the database and where to keep the tables. */
export interface PostgresEventStoreOptions {
  /** Used to create a pool when `pool` is not given (libpq environment variables apply otherwise). */
  readonly connectionString?: string;
  /** A pool the caller owns: `close` leaves it open. */
  readonly pool?: pg.Pool;
  /** The schema holding the store's tables (default `eventcrm`). */
  readonly schema?: string;
  /** Apply pending migrations on first use (default `true`); set `false` when deployments run `migrate` explicitly. */
  readonly autoMigrate?: boolean;
  /** Size of a pool the store creates (default 10). */
  readonly maxConnections?: number;
  /** How long a pool the store creates waits for a connection before failing (default 10 s). */
  readonly connectionTimeoutMillis?: number;
  /** `readAll`/`subscribe` batch size when the caller gives none (default 1000). */
  readonly defaultBatchSize?: number;
  /** Subscription polling interval when the caller gives none; only a fallback behind `LISTEN`/`NOTIFY` (default 1000 ms). */
  readonly pollIntervalMs?: number;
  /** See `PostgresEventStoreHooks`: tests only. */
  readonly hooks?: PostgresEventStoreHooks;
}

/**
 * The PostgreSQL event store: the `EventStore` port plus the handles that
 * read models and projection checkpoints (kept in the same database by the
 * projection runner) need to share its connections and transactions.
 */
export interface PostgresEventStore extends EventStore {
  readonly kind: 'postgres';
  /**
   * The pool every query goes through (the caller's, when one was given).
   * While any subscription runs, one of its connections is held for
   * `LISTEN`, so give a shared pool at least two connections.
   */
  readonly pool: pg.Pool;
  /** The schema holding the event store tables. */
  readonly schema: string;
  /** Applies pending migrations now; returns the versions applied. */
  migrate(): Promise<readonly number[]>;
  /**
   * Runs `fn` in one transaction on one pooled connection: `BEGIN`, then
   * `COMMIT` when `fn` resolves or `ROLLBACK` when it throws (its error is
   * rethrown unchanged). Meant for the projection runner, so that a read
   * model update and its checkpoint commit together. Migrations run first,
   * so the event tables exist. Do not append through the store from inside
   * `fn` (that takes a second connection and its own transaction) and do not
   * write the store's own tables.
   */
  withTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>;
}

/** The largest value of a PostgreSQL `bigint`, the column type of positions. */
const maxBigint = '9223372036854775807';
/** Rows per `INSERT ... SELECT FROM unnest(...)` statement in bulk appends. */
const insertChunkSize = 5000;
/** Attempts for one append when concurrent writers invalidate the optimistic snapshot. */
const maxAttempts = 5;

/** The snapshot read outside the lock turned out stale: redo the append with the lock taken first. */
class StaleSnapshot extends Error {}

const uniqueViolation = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === '23505';

const checkNonNegativeInteger = (value: number | undefined, what: string): void => {
  if (value !== undefined && (!Number.isInteger(value) || value < 0)) throw new RangeError(`${what} must be a non-negative integer, got ${String(value)}`);
};

const checkPositiveInteger = (value: number | undefined, what: string): void => {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new RangeError(`${what} must be a positive integer, got ${String(value)}`);
};

/**
 * Creates a PostgreSQL event store. Nothing is contacted until the first
 * call; that call applies pending migrations (unless `autoMigrate` is off).
 *
 * Global order never skips: see the comment on `appendOnce` and
 * `docs/decisions/011-postgres-global-order.md`.
 */
export function createPostgresEventStore(options: PostgresEventStoreOptions = {}): PostgresEventStore {
  const names = schemaNames(options.schema ?? defaultSchema);
  const ownsPool = options.pool === undefined;
  const pool =
    options.pool ??
    new pg.Pool({
      ...(options.connectionString === undefined ? {} : { connectionString: options.connectionString }),
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
    });
  // An idle pooled connection that breaks emits 'error' on the pool, which
  // would crash the process without a listener; the next query reports it.
  if (ownsPool) pool.on('error', () => undefined);
  // A checked-out client whose backend dies mid-transaction emits 'error' on
  // the client; without a listener that ends the process. The failing query
  // still rejects, which is where the error is reported.
  pool.on('connect', (client) => {
    if (client.listenerCount('error') === 0) client.on('error', () => undefined);
  });
  const server: ServerLabel = serverLabel({
    connectionString: options.connectionString ?? pool.options.connectionString,
    host: pool.options.host,
    port: pool.options.port,
    database: pool.options.database,
  });
  const hub = new NotificationHub(pool, names.channel);
  const defaultBatchSize = options.defaultBatchSize ?? 1000;
  const defaultPollIntervalMs = options.pollIntervalMs ?? 1000;
  const autoMigrate = options.autoMigrate ?? true;
  let closed: Promise<void> | null = null;
  let ready: Promise<void> | null = null;

  const fail = (error: unknown, doing: string): StoreError => toStoreError(error, server, doing);

  const checkOpen = (): void => {
    if (closed !== null) throw new StoreError('STORE_UNAVAILABLE', `${server.text}: the event store (schema ${names.schema}) is closed`);
  };

  const migrate = async (): Promise<readonly number[]> => {
    checkOpen();
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw fail(error, 'connecting to migrate the schema');
    }
    try {
      return await runMigrations(client, names);
    } catch (error) {
      throw fail(error, `migrating schema ${names.schema}`);
    } finally {
      client.release();
    }
  };

  const ensureReady = async (): Promise<void> => {
    checkOpen();
    if (!autoMigrate) return;
    ready ??= migrate().then(
      () => undefined,
      (error: unknown) => {
        ready = null; // a later call retries, e.g. once the server is back
        throw error;
      },
    );
    await ready;
  };

  /** A query on any pooled connection, with errors mapped. */
  const query = async <R extends pg.QueryResultRow>(text: string, values: readonly unknown[], doing: string): Promise<pg.QueryResult<R>> => {
    await ensureReady();
    try {
      return await pool.query<R>(text, values as unknown[]);
    } catch (error) {
      throw fail(error, doing);
    }
  };

  const readSnapshot = async (client: pg.PoolClient, footprint: ReturnType<typeof appendFootprint>): Promise<AppendSnapshot> => {
    const result = await client.query<{ heads: [string, number, string][] | null; commands: string[] | null; owners: [string, string][] | null }>(
      `SELECT
        (SELECT json_agg(json_build_array(s.stream, e.revision, e.hash))
           FROM unnest($1::text[]) AS s(stream)
           JOIN LATERAL (SELECT revision, hash FROM ${names.events} WHERE stream = s.stream ORDER BY revision DESC LIMIT 1) AS e ON true) AS heads,
        (SELECT array_agg(command_id) FROM ${names.commands} WHERE command_id = ANY($2::text[])) AS commands,
        (SELECT json_agg(json_build_array(key, owner)) FROM ${names.reservations} WHERE key = ANY($3::text[])) AS owners`,
      [footprint.streams, footprint.commandIds, footprint.reservationKeys],
    );
    const row = result.rows[0];
    const heads = new Map<string, StreamHead | null>(footprint.streams.map((stream) => [stream, null]));
    for (const [stream, revision, hash] of row?.heads ?? []) heads.set(stream, { revision, hash });
    return {
      heads,
      recordedCommands: new Set(row?.commands ?? []),
      owners: new Map(row?.owners ?? []),
    };
  };

  const readOwners = async (client: pg.PoolClient, keys: readonly string[]): Promise<Map<string, string>> => {
    const result = await client.query<{ key: string; owner: string }>(`SELECT key, owner FROM ${names.reservations} WHERE key = ANY($1::text[])`, [keys]);
    return new Map(result.rows.map((row) => [row.key, row.owner]));
  };

  const sameOwners = (a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean =>
    a.size === b.size && [...a].every(([key, owner]) => b.get(key) === owner);

  /**
   * Bulk insert, one statement per chunk. The rows travel as one JSON
   * document whose data and metadata are the exact JSON texts that were
   * hashed, embedded as they are: no per-value escaping into array literals,
   * and PostgreSQL parses each document once (measured about a third faster
   * than `unnest` over ten text arrays).
   */
  const insertEvents = async (client: pg.PoolClient, events: readonly StoredEvent[], planned: readonly PlannedEvent[]): Promise<void> => {
    for (let start = 0; start < events.length; start += insertChunkSize) {
      const rows: string[] = [];
      for (let index = start; index < Math.min(events.length, start + insertChunkSize); index += 1) {
        const event = events[index]!;
        const plan = planned[index]!;
        rows.push(
          `[${event.position},${JSON.stringify(event.stream)},${event.revision},${JSON.stringify(event.eventId)},${JSON.stringify(event.type)},${event.schemaVersion},${plan.dataJson},${plan.metadataJson},${JSON.stringify(event.previousHash)},${JSON.stringify(event.hash)}]`,
        );
      }
      await client.query(
        `INSERT INTO ${names.events} (position, stream, revision, event_id, type, schema_version, data, metadata, previous_hash, hash)
         SELECT (r->>0)::bigint, r->>1, (r->>2)::integer, r->>3, r->>4, (r->>5)::integer, r->6, r->7, r->>8, r->>9
         FROM jsonb_array_elements($1::jsonb) AS r`,
        [`[${rows.join(',')}]`],
      );
    }
  };

  const writeSideTables = async (client: pg.PoolClient, plan: AppendPlan, results: readonly AppendResult[], authoritative: boolean): Promise<void> => {
    if (plan.commands.length > 0) {
      const ranges = plan.commands.map(({ requestIndex }) => {
        const events = results[requestIndex]?.events ?? [];
        return [events[0]?.position, events[events.length - 1]?.position];
      });
      const inserted = await client.query(
        `INSERT INTO ${names.commands} (command_id, first_position, last_position)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])
         ON CONFLICT (command_id) DO NOTHING`,
        [plan.commands.map((command) => command.commandId), ranges.map(([first]) => first), ranges.map(([, last]) => last)],
      );
      if (inserted.rowCount !== plan.commands.length) {
        // Recorded by a writer that committed after our snapshot.
        if (!authoritative) throw new StaleSnapshot();
        throw new StoreError('STORE_CORRUPTED', `${server.text}: a command id recorded under the position lock was not visible to it`);
      }
    }
    if (plan.finalOwners.size > 0) {
      const freed = [...plan.finalOwners].filter(([, owner]) => owner === null).map(([key]) => key);
      const held = [...plan.finalOwners].filter((entry): entry is [string, string] => entry[1] !== null);
      if (freed.length > 0) await client.query(`DELETE FROM ${names.reservations} WHERE key = ANY($1::text[])`, [freed]);
      if (held.length > 0) {
        await client.query(
          `INSERT INTO ${names.reservations} (key, owner) SELECT k, o FROM unnest($1::text[], $2::text[]) AS u(k, o)
           ON CONFLICT (key) DO UPDATE SET owner = EXCLUDED.owner`,
          [held.map(([key]) => key), held.map(([, owner]) => owner)],
        );
      }
    }
    if (plan.keysToCreate.size > 0) {
      await client.query(
        `INSERT INTO ${names.encryptionKeys} (subject, key) SELECT s, k FROM unnest($1::text[], $2::text[]) AS u(s, k)
         ON CONFLICT (subject) DO NOTHING`,
        [[...plan.keysToCreate.keys()], [...plan.keysToCreate.values()]],
      );
    }
    if (plan.subjectsToDestroy.size > 0) {
      await client.query(
        `INSERT INTO ${names.encryptionKeys} (subject, key, destroyed) SELECT s, NULL, true FROM unnest($1::text[]) AS u(s)
         ON CONFLICT (subject) DO UPDATE SET key = NULL, destroyed = true`,
        [[...plan.subjectsToDestroy]],
      );
    }
  };

  const lockStatement = `BEGIN; SELECT pg_advisory_xact_lock(${names.positionLockKey}::bigint)`;

  /**
   * One attempt at an atomic append of several requests.
   *
   * Never skipping (decision 011): positions are drawn from a sequence only
   * while holding a transaction-scoped advisory lock for the schema, and the
   * lock is held until the transaction ends. PostgreSQL releases a
   * transaction's locks only after its commit is visible to other sessions,
   * so the next writer draws its positions after every lower position is
   * visible (or rolled back, leaving a harmless gap). A reader that sees
   * position P can therefore never later see a position below P appear.
   *
   * To keep the lock short, the snapshot (stream heads, recorded commands,
   * reservation owners) is read optimistically before taking it, and
   * everything derivable (revisions, hashes, validation of expectations) is
   * computed outside it. Only writes happen under the lock, and every table
   * the store writes is written only under it, so a writer holding the lock
   * never waits for another. If the snapshot turns out stale (a unique
   * violation on (stream, revision), a command id or reservation changed
   * meanwhile) the attempt rolls back and the next one takes the lock first,
   * which makes its snapshot authoritative.
   */
  const appendOnce = async (requests: readonly AppendRequest[], lockFirst: boolean): Promise<AppendResult[]> => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw fail(error, 'connecting to append');
    }
    let inTransaction = false;
    let broken: Error | undefined;
    try {
      if (lockFirst) {
        await client.query(lockStatement);
        inTransaction = true;
      }
      const footprint = appendFootprint(requests);
      const snapshot = await readSnapshot(client, footprint);
      const plan = planAppend(requests, snapshot);
      // One statement reserves the whole block (validation guarantees at least
      // one event): nobody else draws from the sequence without the lock. On
      // the optimistic path it rides along with taking the lock, saving a
      // round trip while the lock is held; positions drawn by an attempt that
      // then rolls back are a harmless gap.
      const count = plan.events.length;
      const reserve = `SELECT (setval(${names.positionSequenceLiteral}, nextval(${names.positionSequenceLiteral}) + ${count} - 1) - ${count} + 1)::text AS first`;
      let reserved: pg.QueryResult<{ first: string }>;
      if (inTransaction) {
        reserved = await client.query<{ first: string }>(reserve);
      } else {
        inTransaction = true;
        const results = (await client.query(`${lockStatement}; ${reserve}`)) as unknown as pg.QueryResult<{ first: string }>[];
        reserved = results[results.length - 1]!;
        if (footprint.reservationKeys.length > 0 && !sameOwners(await readOwners(client, footprint.reservationKeys), snapshot.owners)) {
          throw new StaleSnapshot();
        }
      }
      const firstPosition = BigInt(reserved.rows[0]?.first ?? '0');
      const stored: StoredEvent[] = plan.events.map((planned, index) => ({
        ...planned.event,
        stream: planned.stream,
        revision: planned.revision,
        position: (firstPosition + BigInt(index)).toString(10),
        previousHash: planned.previousHash,
        hash: planned.hash,
      }));
      try {
        await insertEvents(client, stored, plan.events);
      } catch (error) {
        if (uniqueViolation(error) && !lockFirst) throw new StaleSnapshot();
        throw error;
      }
      const results = plan.ranges.map(([start, end]): AppendResult => ({ events: stored.slice(start, end) }));
      await writeSideTables(client, plan, results, lockFirst);
      await options.hooks?.beforeCommit?.(client, stored);
      // NOTIFY is delivered on commit, so subscribers wake exactly when the events become visible.
      await client.query(`SELECT pg_notify(${pg.escapeLiteral(names.channel)}, ''); COMMIT`);
      inTransaction = false;
      return results;
    } catch (error) {
      if (inTransaction) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
      }
      if (isConnectionFailure(error)) broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.release(broken);
    }
  };

  const appendAll = async (requests: readonly AppendRequest[], batch: boolean): Promise<AppendResult[]> => {
    const rejectAt = (error: StoreError, requestIndex: number): StoreError => {
      if (batch) error.requestIndex = requestIndex;
      return error;
    };
    const untrusted: unknown = requests;
    if (!Array.isArray(untrusted)) throw new StoreError('INVALID_APPEND', 'appendBatch expects an array of requests');
    requests.forEach((request, requestIndex) => {
      try {
        validateAppendRequest(request);
      } catch (error) {
        throw rejectAt(error as StoreError, requestIndex);
      }
    });
    await ensureReady();
    let lockFirst = false;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await appendOnce(requests, lockFirst);
      } catch (error) {
        if (error instanceof PlanRejected) throw rejectAt(error.error, error.requestIndex);
        if ((error instanceof StaleSnapshot || isTransientConflict(error)) && attempt < maxAttempts) {
          lockFirst = true;
          continue;
        }
        if (isDataException(error)) {
          // Validation should have caught it; PostgreSQL refused a value (e.g. a number beyond numeric's range).
          throw new StoreError('INVALID_APPEND', `${server.text} refused a value in the append: ${(error as Error).message}`, { cause: error });
        }
        if (error instanceof StaleSnapshot) throw new StoreError('STORE_UNAVAILABLE', `${server.text}: append kept conflicting with concurrent writers after ${maxAttempts} attempts`);
        throw fail(error, 'appending');
      }
    }
  };

  const filterClauses = (filter: LogFilter | undefined, params: unknown[]): string => {
    let sql = '';
    if (filter?.streamPrefixes !== undefined) {
      params.push(filter.streamPrefixes);
      sql += ` AND e.stream ^@ ANY($${params.length}::text[])`;
    }
    if (filter?.eventTypes !== undefined) {
      params.push(filter.eventTypes);
      sql += ` AND e.type = ANY($${params.length}::text[])`;
    }
    return sql;
  };

  /** One keyset page of the log strictly after `after`. */
  const readPage = async (after: Position, limit: number, filter: LogFilter | undefined): Promise<StoredEvent[]> => {
    if (comparePositions(after, maxBigint) >= 0) return [];
    const params: unknown[] = [after, limit];
    const where = filterClauses(filter, params);
    const result = await query<EventRow>(
      // Ordered by the bigint column, not the text alias of the same name (which would sort '10' before '2').
      `SELECT ${eventColumns} FROM ${names.events} AS e WHERE e.position > $1::bigint${where} ORDER BY e.position LIMIT $2`,
      params,
      'reading the log',
    );
    return result.rows.map(toStoredEvent);
  };

  const checkReadAllOptions = (readOptions: ReadAllOptions): void => {
    if (readOptions.after !== undefined && !isPosition(readOptions.after)) {
      throw new RangeError(`after must be a position (a non-negative decimal integer string), got ${JSON.stringify(readOptions.after)}`);
    }
    checkPositiveInteger(readOptions.batchSize, 'batchSize');
  };

  async function* readAll(readOptions: ReadAllOptions = {}): AsyncGenerator<readonly StoredEvent[]> {
    checkReadAllOptions(readOptions);
    const batchSize = readOptions.batchSize ?? defaultBatchSize;
    let after = readOptions.after ?? '0';
    for (;;) {
      const page = await readPage(after, batchSize, readOptions.filter);
      if (page.length > 0) yield page;
      if (page.length < batchSize) return;
      after = page[page.length - 1]?.position ?? after;
    }
  }

  async function* subscribe(subscribeOptions: SubscribeOptions = {}): AsyncGenerator<readonly StoredEvent[]> {
    checkReadAllOptions(subscribeOptions);
    checkPositiveInteger(subscribeOptions.pollIntervalMs, 'pollIntervalMs');
    const { signal, filter } = subscribeOptions;
    const batchSize = subscribeOptions.batchSize ?? defaultBatchSize;
    const pollIntervalMs = subscribeOptions.pollIntervalMs ?? defaultPollIntervalMs;
    let after = subscribeOptions.after ?? '0';
    await ensureReady();
    const wakeup = await hub.subscribe();
    try {
      while (signal?.aborted !== true && closed === null) {
        // Read the counter before querying: a commit that lands during the
        // query bumps it, so we query again instead of sleeping past it.
        const seen = wakeup.generation();
        const page = await readPage(after, batchSize, filter);
        if (page.length > 0) {
          yield page;
          after = page[page.length - 1]?.position ?? after;
          if (page.length === batchSize) continue;
        }
        if (wakeup.generation() !== seen) continue;
        await wakeup.wait(pollIntervalMs, signal);
      }
    } finally {
      await wakeup.dispose();
    }
  }

  const store: PostgresEventStore = {
    kind: 'postgres',
    pool,
    schema: names.schema,
    migrate,

    append: async (request) => {
      const [result] = await appendAll([request], false);
      return result ?? { events: [] };
    },

    appendBatch: async (requests) => (requests.length === 0 ? [] : appendAll(requests, true)),

    readStream: async (stream, readOptions: ReadStreamOptions = {}) => {
      checkNonNegativeInteger(readOptions.from, 'from');
      checkNonNegativeInteger(readOptions.limit, 'limit');
      const backwards = readOptions.direction === 'backwards';
      const from = readOptions.from ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
      const result = await query<EventRow>(
        `SELECT ${eventColumns} FROM ${names.events} AS e
         WHERE e.stream = $1 AND e.revision ${backwards ? '<=' : '>='} $2::bigint
         ORDER BY e.revision ${backwards ? 'DESC' : 'ASC'} LIMIT $3`,
        [stream, from, readOptions.limit ?? null],
        `reading stream ${stream}`,
      );
      return result.rows.map(toStoredEvent);
    },

    streamRevision: async (stream) => {
      const result = await query<{ revision: number | null }>(`SELECT max(revision) AS revision FROM ${names.events} WHERE stream = $1`, [stream], `reading stream ${stream}`);
      return result.rows[0]?.revision ?? null;
    },

    readAll,
    subscribe,

    headPosition: async () => {
      const result = await query<{ position: string | null }>(`SELECT max(position)::text AS position FROM ${names.events}`, [], 'reading the head position');
      return result.rows[0]?.position ?? null;
    },

    findCommand: async (commandId): Promise<CommandRecord | undefined> => {
      const result = await query<{ stream: string | null; revision: number | null; position: string | null; event_id: string | null; type: string | null }>(
        `SELECT e.stream, e.revision, e.position::text AS position, e.event_id, e.type
         FROM ${names.commands} AS c
         LEFT JOIN ${names.events} AS e ON e.position BETWEEN c.first_position AND c.last_position
         WHERE c.command_id = $1
         ORDER BY e.position`,
        [commandId],
        'reading a command record',
      );
      if (result.rows.length === 0) return undefined;
      const events = result.rows.flatMap((row): EventReference[] =>
        row.position === null ? [] : [{ stream: row.stream ?? '', revision: row.revision ?? 0, position: row.position, eventId: row.event_id ?? '', type: row.type ?? '' }],
      );
      return { commandId, events };
    },

    findCommands: async (commandIds): Promise<ReadonlyMap<string, CommandRecord>> => {
      const found = new Map<string, CommandRecord>();
      if (commandIds.length === 0) return found;
      // One statement for a whole import chunk, instead of one lookup per command.
      const result = await query<{ command_id: string; stream: string | null; revision: number | null; position: string | null; event_id: string | null; type: string | null }>(
        `SELECT c.command_id, e.stream, e.revision, e.position::text AS position, e.event_id, e.type
         FROM ${names.commands} AS c
         LEFT JOIN ${names.events} AS e ON e.position BETWEEN c.first_position AND c.last_position
         WHERE c.command_id = ANY($1::text[])
         ORDER BY c.command_id, e.position`,
        [commandIds],
        'reading command records',
      );
      for (const row of result.rows) {
        const record = found.get(row.command_id) ?? { commandId: row.command_id, events: [] as EventReference[] };
        if (row.position !== null) (record.events as EventReference[]).push({ stream: row.stream ?? '', revision: row.revision ?? 0, position: row.position, eventId: row.event_id ?? '', type: row.type ?? '' });
        found.set(row.command_id, record);
      }
      return found;
    },

    lookupReservations: async (keys) => {
      if (keys.length === 0) return new Map();
      const result = await query<{ key: string; owner: string }>(`SELECT key, owner FROM ${names.reservations} WHERE key = ANY($1::text[])`, [keys], 'reading reservations');
      return new Map(result.rows.map((row) => [row.key, row.owner]));
    },

    loadKeys: async (subjects) => {
      if (subjects.length === 0) return new Map();
      const result = await query<{ subject: string; key: string }>(
        `SELECT subject, key FROM ${names.encryptionKeys} WHERE subject = ANY($1::text[]) AND NOT destroyed`,
        [subjects],
        'reading encryption keys',
      );
      return new Map(result.rows.map((row) => [row.subject, row.key]));
    },

    withTransaction: async <T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
      await ensureReady();
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw fail(error, 'connecting for a transaction');
      }
      let broken: Error | undefined;
      try {
        try {
          await client.query('BEGIN');
        } catch (error) {
          broken = error as Error;
          throw fail(error, 'beginning a transaction');
        }
        let result: T;
        try {
          result = await fn(client);
        } catch (error) {
          await client.query('ROLLBACK').catch((rollbackError: unknown) => {
            broken = rollbackError as Error;
          });
          throw error;
        }
        try {
          await client.query('COMMIT');
        } catch (error) {
          broken = isConnectionFailure(error) ? (error as Error) : undefined;
          throw fail(error, 'committing a transaction');
        }
        return result;
      } finally {
        client.release(broken);
      }
    },

    close: () => {
      closed ??= (async () => {
        await hub.close();
        if (ownsPool) await pool.end();
      })();
      return closed;
    },
  };
  return store;
}

/** Options for running migrations on their own, e.g. from a deployment step. */
export interface MigrateOptions {
  readonly connectionString?: string;
  readonly pool?: pg.Pool;
  readonly schema?: string;
}

/**
 * Applies the event store's pending migrations to a schema and returns the
 * versions applied. Safe to run from several processes at once (one applies,
 * the others find the work done). Pair it with `autoMigrate: false` when
 * application processes should not change the schema themselves.
 */
export async function migrate(options: MigrateOptions = {}): Promise<readonly number[]> {
  const store = createPostgresEventStore({ ...options, autoMigrate: false });
  try {
    return await store.migrate();
  } finally {
    await store.close();
  }
}
