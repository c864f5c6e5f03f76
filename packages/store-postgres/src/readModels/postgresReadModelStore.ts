import { StoreError, assertCheckpoints, comparePositions, isCheckpointMovedError, isPosition } from '@eventcrm/runtime';
import type { Checkpoint, Namespace, Position, ReadModelStore, TableChanges } from '@eventcrm/runtime';
import pg from 'pg';
import { isDataException, isTransientConflict, serverLabel, toStoreError } from '../errors.ts';
import type { ServerLabel } from '../errors.ts';
import { createPostgresEventStore } from '../postgresEventStore.ts';
import type { PostgresEventStore } from '../postgresEventStore.ts';
import { advisoryLockKey, schemaNames } from '../schemaNames.ts';
import { describeTables, tableInfo } from './catalog.ts';
import { encodeUpserts, fitsKeyColumn, isStorableText, keyColumns, rowTypes } from './cells.ts';
import { ReadModelInputError } from './errors.ts';
import { checkpointTableName, createIndexSql, createTableSql, physicalNames, sameShape, tableLayout } from './layout.ts';
import type { PhysicalNames, TableLayout } from './layout.ts';
import { planScan } from './scanPlan.ts';
import type { TableInfo } from './scanPlan.ts';
import type { KeyValue, ReadModelReader, Row, TableSpec } from './types.ts';

/** Where the read models live and how commits are made durable. */
export interface PostgresReadModelStoreOptions {
  /**
   * The event store whose database and schema the read models share: its
   * pool, schema and transactions are reused, and `close` leaves it open.
   * Give either this or `pool`/`connectionString`/`schema`.
   */
  readonly store?: PostgresEventStore;
  /** A pool the caller owns (`close` leaves it open). */
  readonly pool?: pg.Pool;
  /** Used to create a pool when neither `store` nor `pool` is given. */
  readonly connectionString?: string;
  /** The schema of the events and the read models (default `eventcrm`). */
  readonly schema?: string;
  /**
   * Wait for each commit to be flushed to disk (default `false`). Read models
   * are derived data and every commit carries its checkpoint, so a commit
   * lost to a server crash is simply projected again from the log: the
   * store therefore commits with `synchronous_commit = off`, which removes
   * the flush from every batch. Set `true` to keep the server's setting.
   */
  readonly synchronousCommit?: boolean;
  /**
   * How long the reader trusts its cached description of a table (columns
   * and their types, which decide how a query is translated) before reading
   * the catalog again (default 2000 ms). Only a table reshaped by another
   * process (a projection version change) makes a description stale.
   */
  readonly catalogCacheMs?: number;
}

/** The read-model store on PostgreSQL, with the handles it shares with the event store. */
export interface PostgresReadModelStore extends ReadModelStore {
  readonly kind: 'postgres';
  /** The schema holding the events, the read models and the checkpoints. */
  readonly schema: string;
  readonly pool: pg.Pool;
}

/** Rows per upsert statement; rows travel as one JSON document per statement. */
const upsertChunkRows = 5000;
/** Characters per upsert document, so a batch of huge JSON cells still makes several modest statements. */
const upsertChunkBytes = 8 * 1024 * 1024;
/** Keys per delete statement. */
const deleteChunkKeys = 10_000;
/** Attempts of one transaction that lost a deadlock (only concurrent misuse, e.g. two runners on one namespace, can cause one). */
const maxAttempts = 5;
/** How long one swap attempt waits for its table locks before letting queued readers through and trying again. */
const swapLockTimeoutMs = 250;
/** Swap attempts with a bounded lock wait; the next one waits without a bound. */
const swapLockAttempts = 20;
/** The largest bigint, the column type of checkpoint positions. */
const maxBigint = '9223372036854775807';
/**
 * SQLSTATEs a reader query gets when the table changed shape under its
 * cached description (another process rebuilt it at a new version): it
 * describes the table again and retries once.
 */
const staleDescription: ReadonlySet<string> = new Set(['42P01', '42703', '42883', '42804', '22P02']);

const namespaces: ReadonlySet<unknown> = new Set<Namespace>(['live', 'rebuild']);

/** `Array.isArray` without its narrowing (which turns readonly typed lists into `any[]`): for checking untrusted input. */
const isList = (value: unknown): boolean => Array.isArray(value);

const sqlCodeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** Relation-name order: the one order every transaction here takes table locks in. */
const byRelation = <T extends { readonly physical: PhysicalNames }>(a: T, b: T): number =>
  a.physical.relation < b.physical.relation ? -1 : a.physical.relation > b.physical.relation ? 1 : 0;

/**
 * Creates the PostgreSQL read-model store: the read-model port of
 * `@eventcrm/runtime`, keeping tables and checkpoints in the schema of the
 * events. Share an event store with `{ store }`; otherwise the store makes
 * its own connection handling from `pool`/`connectionString`/`schema` (the
 * event store's schema is migrated on first use, so the schema exists).
 *
 * Layout: a table's live copy is named as its `TableSpec` says, the rebuild
 * copy `<name>__rebuild`; checkpoints are rows of
 * `projection_checkpoints(namespace, projection, position, version,
 * updated_at)`. Column types: text → `text COLLATE "C"`, integer → `bigint`
 * (read back as numbers: safe integers by contract), real → `double
 * precision` (a `-0` included), boolean → `boolean`, json → `jsonb`
 * (objects come back in jsonb's key order, and a `-0` inside JSON as `0`, as
 * `JSON.stringify` writes it). The primary key is the spec's key; each index is
 * named after a hash of its columns, so `prepare` can reconcile them.
 */
export function createPostgresReadModelStore(options: PostgresReadModelStoreOptions = {}): PostgresReadModelStore {
  if (options.store !== undefined && (options.pool !== undefined || options.connectionString !== undefined)) {
    throw new TypeError('give the read-model store either an event store or a pool/connection string, not both');
  }
  if (options.store !== undefined && options.schema !== undefined && options.schema !== options.store.schema) {
    throw new TypeError(`the read models live in the event store's schema (${options.store.schema}), not ${options.schema}`);
  }
  const events: PostgresEventStore =
    options.store ??
    createPostgresEventStore({
      ...(options.pool === undefined ? {} : { pool: options.pool }),
      ...(options.connectionString === undefined ? {} : { connectionString: options.connectionString }),
      ...(options.schema === undefined ? {} : { schema: options.schema }),
    });
  const ownsEvents = options.store === undefined;
  const pool = events.pool;
  const names = schemaNames(events.schema);
  const schema = names.schema;
  const quotedSchema = names.quotedSchema;
  const checkpointTable = `${quotedSchema}.${pg.escapeIdentifier(checkpointTableName)}`;
  const ddlLock = `SELECT pg_advisory_xact_lock(${advisoryLockKey(schema, 'read-models')}::bigint)`;
  const synchronousCommit = options.synchronousCommit ?? false;
  const server: ServerLabel = serverLabel({
    connectionString: options.connectionString ?? pool.options.connectionString,
    host: pool.options.host,
    port: pool.options.port,
    database: pool.options.database,
  });

  /** Validated layouts by spec object: specs are module constants, so each is checked once. */
  const layouts = new WeakMap<TableSpec, TableLayout>();
  /** Signatures of the tables this process knows to exist with that shape, per namespace. */
  const prepared: Record<Namespace, Map<string, string>> = { live: new Map(), rebuild: new Map() };
  /** Catalog descriptions of live tables for the reader, by table name. */
  const described = new Map<string, { readonly info: Promise<TableInfo | undefined>; readonly at: number }>();
  const catalogCacheMs = options.catalogCacheMs ?? 2000;
  let base: Promise<void> | null = null;
  let closed: Promise<void> | null = null;

  const checkOpen = (): void => {
    if (closed !== null) throw new StoreError('STORE_UNAVAILABLE', `${server.text}: the read-model store (schema ${schema}) is closed`);
  };

  const checkNamespace = (namespace: Namespace): void => {
    if (!namespaces.has(namespace)) throw new ReadModelInputError(`unknown namespace ${JSON.stringify(namespace)}: live or rebuild`);
  };

  const layoutOf = (spec: TableSpec): TableLayout => {
    const untrusted = spec as unknown;
    if (typeof untrusted !== 'object' || untrusted === null) throw new ReadModelInputError('a table spec is not an object');
    let layout = layouts.get(spec);
    if (layout === undefined) {
      layout = tableLayout(spec);
      layouts.set(spec, layout);
    }
    return layout;
  };

  /** Layouts of a list of specs, one per table name (the same name twice must mean the same table). */
  const layoutsOf = (specs: readonly TableSpec[]): TableLayout[] => {
    const untrusted = specs as unknown;
    if (!Array.isArray(untrusted)) throw new ReadModelInputError('tables must be a list of table specs');
    const byName = new Map<string, TableLayout>();
    for (const spec of specs) {
      const layout = layoutOf(spec);
      const other = byName.get(layout.name);
      if (other !== undefined && other.signature !== layout.signature) throw new ReadModelInputError(`two different specs for table ${layout.name}`);
      byName.set(layout.name, layout);
    }
    return [...byName.values()];
  };

  const projectionNames = (projections: readonly string[]): string[] => {
    const untrusted = projections as unknown;
    if (!Array.isArray(untrusted) || !projections.every((name) => typeof name === 'string' && isStorableText(name))) {
      throw new ReadModelInputError('projections must be a list of projection names');
    }
    return [...new Set(projections)];
  };

  /**
   * A checked-out pooled client has no 'error' listener (the pool removes
   * its idle listener while lending it out), so a connection dying during a
   * transaction (the server restarting, an administrator terminating the
   * backend) would surface as an uncaught exception and end the process,
   * although the pending query already rejects with that same error. Every
   * client this store runs a transaction on gets one listener that ignores
   * it, once.
   */
  const guarded = new WeakSet<pg.PoolClient>();
  const guard = (client: pg.PoolClient): void => {
    if (guarded.has(client)) return;
    guarded.add(client);
    client.on('error', () => undefined);
  };

  /**
   * One transaction on a pooled connection (the event store's
   * `withTransaction`), retried when it lost a deadlock, with every
   * failure turned into a typed store error.
   */
  const transaction = async <T>(doing: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      checkOpen();
      try {
        return await events.withTransaction((client) => {
          guard(client);
          return fn(client);
        });
      } catch (error) {
        if (isTransientConflict(error) && attempt < maxAttempts) continue;
        if (error instanceof ReadModelInputError || isCheckpointMovedError(error)) throw error;
        if (isDataException(error)) {
          throw new StoreError('INVALID_APPEND', `${server.text} refused a value while ${doing}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        }
        throw toStoreError(error, server, doing);
      }
    }
  };

  /** A read on any pooled connection, with the store's type parsers and typed errors. */
  const read = async <R extends pg.QueryResultRow>(text: string, values: readonly unknown[], doing: string): Promise<R[]> => {
    checkOpen();
    try {
      return (await pool.query<R>({ text, values: values as unknown[], types: rowTypes })).rows;
    } catch (error) {
      throw toStoreError(error, server, doing);
    }
  };

  /** Creates the checkpoint table once per process (the event store's migrations create the schema first). */
  const ensureBase = async (): Promise<void> => {
    checkOpen();
    base ??= transaction('creating the checkpoint table', async (client) => {
      await client.query(ddlLock);
      await client.query(`CREATE TABLE IF NOT EXISTS ${checkpointTable} (
        namespace text COLLATE "C" NOT NULL CHECK (namespace IN ('live', 'rebuild')),
        projection text COLLATE "C" NOT NULL,
        position bigint NOT NULL CHECK (position >= 0),
        version bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (namespace, projection)
      )`);
    }).catch((error: unknown) => {
      base = null; // a later call retries, e.g. once the server is back
      throw error;
    });
    await base;
  };

  /**
   * Brings the tables of a namespace to their specs, inside a transaction
   * holding the read-model DDL lock (so concurrent `prepare`s and `swap`s
   * of several processes take turns). A missing table is created; one
   * whose columns, types or key differ (a projection version change) is
   * dropped and recreated empty; otherwise only its indexes are reconciled
   * (indexes this store named and the spec no longer lists are dropped, the
   * missing ones created). Tables are handled in relation-name order, the
   * lock order of every transaction here.
   *
   * One exception keeps version changes invisible to readers: a live table
   * of the old shape is left alone while a rebuild copy of the new shape
   * exists, because the runner prepares the live namespace just before it
   * swaps the copy in (and the swap replaces the table anyway); dropping it
   * there would show readers an empty table between the two calls. Such a
   * table is not remembered as prepared, so writing to it fails loudly
   * instead of mixing shapes. Returns the names of the tables left alone.
   */
  const prepareIn = async (client: pg.PoolClient, namespace: Namespace, tables: readonly TableLayout[]): Promise<Set<string>> => {
    const planned = tables.map((layout) => ({ layout, physical: physicalNames(quotedSchema, layout.name, namespace) })).sort(byRelation);
    const copies = planned.map(({ layout }) => physicalNames(quotedSchema, layout.name, 'rebuild').relation);
    const existing = await describeTables(client, schema, [...planned.map(({ physical }) => physical.relation), ...(namespace === 'live' ? copies : [])]);
    const script: string[] = [];
    const leftAlone = new Set<string>();
    for (const { layout, physical } of planned) {
      const found = existing.get(physical.relation);
      if (found === undefined) {
        script.push(createTableSql(layout, physical));
      } else if (!sameShape(layout, found)) {
        const copy = namespace === 'live' ? existing.get(physicalNames(quotedSchema, layout.name, 'rebuild').relation) : undefined;
        if (copy !== undefined && sameShape(layout, copy)) leftAlone.add(layout.name);
        else script.push(`DROP TABLE ${physical.qualified}`, createTableSql(layout, physical));
      } else {
        const wanted = new Map(layout.indexes.map((index) => [physical.indexPrefix + index.hash, index]));
        for (const name of found.indexes) {
          if (name.startsWith(physical.indexPrefix) && !wanted.has(name)) script.push(`DROP INDEX ${quotedSchema}.${pg.escapeIdentifier(name)}`);
        }
        for (const [name, index] of wanted) if (!found.indexes.includes(name)) script.push(createIndexSql(layout, index, physical));
      }
    }
    if (script.length > 0) await client.query(script.join(';\n'));
    return leftAlone;
  };

  const prepare = async (namespace: Namespace, specs: readonly TableSpec[]): Promise<void> => {
    checkNamespace(namespace);
    const tables = layoutsOf(specs);
    const known = prepared[namespace];
    if (tables.every((layout) => known.get(layout.name) === layout.signature)) return;
    await ensureBase();
    const leftAlone = await transaction(`preparing the ${namespace} read-model tables`, async (client) => {
      await client.query(ddlLock);
      return prepareIn(client, namespace, tables);
    });
    for (const layout of tables) {
      if (namespace === 'live') described.delete(layout.name);
      if (leftAlone.has(layout.name)) known.delete(layout.name);
      else known.set(layout.name, layout.signature);
    }
  };

  /** The reference store creates a table on first use; so does this one, once per process. */
  const ensurePrepared = async (namespace: Namespace, tables: readonly TableLayout[]): Promise<void> => {
    const missing = tables.filter((layout) => prepared[namespace].get(layout.name) !== layout.signature);
    if (missing.length > 0) await prepare(namespace, missing.map((layout) => layout.spec));
  };

  /** Deletes then upserts of one `TableChanges`, checked and encoded before the transaction starts. */
  interface PlannedChange {
    readonly layout: TableLayout;
    readonly physical: PhysicalNames;
    readonly deletes: (string | number)[][];
    readonly upserts: readonly string[];
  }

  const planChange = (namespace: Namespace, change: TableChanges): PlannedChange => {
    const untrusted = change as unknown;
    if (typeof untrusted !== 'object' || untrusted === null) throw new ReadModelInputError('a table change is not an object');
    const layout = layoutOf(change.table);
    if (!isList(change.upserts) || !isList(change.deletes)) {
      throw new ReadModelInputError(`table ${layout.name}: upserts and deletes must be lists`);
    }
    const upserts = encodeUpserts(layout, change.upserts, upsertChunkRows, upsertChunkBytes);
    // A key both deleted and upserted ends upserted (the reference applies deletes first).
    const deletes = keyColumns(layout, change.deletes, { distinct: true, except: upserts.keys });
    return { layout, physical: physicalNames(quotedSchema, layout.name, namespace), deletes, upserts: upserts.documents };
  };

  const checkpointRows = (checkpoints: readonly Checkpoint[]): Checkpoint[] => {
    const untrusted = checkpoints as unknown;
    if (!Array.isArray(untrusted)) throw new ReadModelInputError('checkpoints must be a list');
    const byProjection = new Map<string, Checkpoint>();
    for (const checkpoint of checkpoints) {
      const { projection, position, version } = (checkpoint ?? {}) as Partial<Checkpoint>;
      if (typeof projection !== 'string' || !isStorableText(projection)) throw new ReadModelInputError(`a checkpoint names no projection: ${JSON.stringify(checkpoint)}`);
      if (typeof position !== 'string' || !isPosition(position) || comparePositions(position, maxBigint) > 0) {
        throw new ReadModelInputError(`checkpoint of ${projection}: ${JSON.stringify(position)} is not a position`);
      }
      if (typeof version !== 'number' || !Number.isSafeInteger(version)) throw new ReadModelInputError(`checkpoint of ${projection}: version ${JSON.stringify(version)} is not an integer`);
      byProjection.set(projection, { projection, position, version });
    }
    return [...byProjection.values()];
  };

  const keyTypes = (layout: TableLayout): string[] => layout.key.map((column) => (column.type === 'integer' ? 'bigint' : 'text'));
  const keyJoin = (layout: TableLayout, table: string, keys: string): string =>
    layout.key.map((column, index) => `${table}.${column.quoted} = ${keys}.k${index}`).join(' AND ');
  const keyParameters = (layout: TableLayout): string => keyTypes(layout).map((type, index) => `$${index + 1}::${type}[]`).join(', ');
  const keyAliases = (layout: TableLayout): string => layout.key.map((_, index) => `k${index}`).join(', ');

  /** `INSERT ... ON CONFLICT DO UPDATE` from a JSON document of rows keyed by column name. */
  const upsertSql = (layout: TableLayout, physical: PhysicalNames): string => {
    const columns = layout.columns.map((column) => column.quoted).join(', ');
    const recordType = layout.columns.map((column) => `${column.quoted} ${sqlType[column.type]}`).join(', ');
    const keyNames = new Set(layout.key.map((column) => column.name));
    const updates = layout.columns.filter((column) => !keyNames.has(column.name)).map((column) => `${column.quoted} = EXCLUDED.${column.quoted}`);
    const conflict = layout.key.map((column) => column.quoted).join(', ');
    return (
      `INSERT INTO ${physical.qualified} (${columns}) SELECT ${columns} FROM json_to_recordset($1::json) AS r(${recordType}) ` +
      `ON CONFLICT (${conflict}) ${updates.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${updates.join(', ')}`}`
    );
  };

  /**
   * Transaction-scoped advisory locks on the checkpoints of these projections
   * in these namespaces, taken in key order. A conditional commit holds them
   * from reading the stored checkpoints until it commits, so no other
   * conditional commit, swap or reset moves them in between: a checkpoint
   * row that does not exist yet cannot be locked with `FOR UPDATE`, which
   * is why these are advisory locks. Everything that takes them takes them
   * before any table lock (after the DDL lock, for swap and reset), which
   * keeps the one lock order.
   */
  const lockCheckpoints = async (client: pg.PoolClient, namespacesToLock: readonly Namespace[], projections: readonly string[]): Promise<void> => {
    const keys = namespacesToLock
      .flatMap((namespace) => projections.map((projection) => BigInt(advisoryLockKey(schema, `checkpoint:${namespace}:${projection}`))))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (keys.length === 0) return;
    await client.query('SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS u(k)', [keys.map(String)]);
  };

  const expectedPositions = (expected: ReadonlyMap<string, Position | null> | undefined): Map<string, Position | null> | undefined => {
    if (expected === undefined) return undefined;
    if (!(expected instanceof Map)) throw new ReadModelInputError('expected must be a Map from projection to position (or null)');
    for (const [projection, position] of expected) {
      if (typeof projection !== 'string' || !isStorableText(projection) || (position !== null && (typeof position !== 'string' || !isPosition(position)))) {
        throw new ReadModelInputError(`expected checkpoint of ${String(projection)}: ${JSON.stringify(position)} is neither a position nor null`);
      }
    }
    return new Map(expected);
  };

  /**
   * Writes one commit in one transaction: with `expected`, first the
   * checkpoint locks and the check (a moved checkpoint throws
   * `CheckpointMovedError` before anything is written; the check reads
   * in its own statement, after the locks are granted, so it sees every
   * commit that held them before); then each table's deletes and upserts,
   * tables in relation-name order; the checkpoints last.
   */
  const commit = async (namespace: Namespace, changes: readonly TableChanges[], checkpoints: readonly Checkpoint[], expected?: ReadonlyMap<string, Position | null>): Promise<void> => {
    checkOpen();
    checkNamespace(namespace);
    if (!isList(changes)) throw new ReadModelInputError('changes must be a list');
    // Everything is checked and encoded before the transaction: a bad row writes nothing.
    // The stable sort keeps several changes of one table in their order.
    const planned = changes.map((change) => planChange(namespace, change)).sort(byRelation);
    const marks = checkpointRows(checkpoints);
    const conditions = expectedPositions(expected);
    await ensurePrepared(namespace, planned.map((change) => change.layout));
    if (marks.length > 0 || conditions !== undefined) await ensureBase();
    const nothingToWrite = planned.every((change) => (change.deletes[0]?.length ?? 0) === 0 && change.upserts.length === 0) && marks.length === 0;
    if (nothingToWrite && (conditions === undefined || conditions.size === 0)) return;
    await transaction(`committing to the ${namespace} read models`, async (client) => {
      if (conditions !== undefined && conditions.size > 0) {
        const projections = [...conditions.keys()];
        await lockCheckpoints(client, [namespace], projections);
        const stored = await client.query<{ projection: string; position: string }>(
          `SELECT projection, position::text AS position FROM ${checkpointTable} WHERE namespace = $1 AND projection = ANY($2::text[])`,
          [namespace, projections],
        );
        assertCheckpoints(namespace, new Map(stored.rows.map((row) => [row.projection, row.position])), conditions);
      }
      if (nothingToWrite) return;
      if (!synchronousCommit) await client.query('SET LOCAL synchronous_commit = off');
      for (const change of planned) {
        const { layout, physical } = change;
        const keyCount = change.deletes[0]?.length ?? 0;
        for (let start = 0; start < keyCount; start += deleteChunkKeys) {
          await client.query(
            `DELETE FROM ${physical.qualified} AS t USING unnest(${keyParameters(layout)}) AS k(${keyAliases(layout)}) WHERE ${keyJoin(layout, 't', 'k')}`,
            change.deletes.map((column) => column.slice(start, start + deleteChunkKeys)),
          );
        }
        if (change.upserts.length > 0) {
          const text = upsertSql(layout, physical);
          for (const document of change.upserts) await client.query(text, [document]);
        }
      }
      if (marks.length > 0) {
        await client.query(
          `INSERT INTO ${checkpointTable} (namespace, projection, position, version, updated_at)
           SELECT $1, p, pos, v, now() FROM unnest($2::text[], $3::bigint[], $4::bigint[]) AS u(p, pos, v)
           ON CONFLICT (namespace, projection) DO UPDATE SET position = EXCLUDED.position, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at`,
          [namespace, marks.map((mark) => mark.projection), marks.map((mark) => mark.position), marks.map((mark) => mark.version)],
        );
      }
    });
  };

  const reset = async (namespace: Namespace, specs: readonly TableSpec[], projections: readonly string[]): Promise<void> => {
    checkOpen();
    checkNamespace(namespace);
    const tables = layoutsOf(specs);
    const forgotten = projectionNames(projections);
    await ensurePrepared(namespace, tables);
    await ensureBase();
    const relations = tables.map((layout) => physicalNames(quotedSchema, layout.name, namespace)).sort((a, b) => (a.relation < b.relation ? -1 : 1));
    await transaction(`resetting the ${namespace} read models`, async (client) => {
      await client.query(ddlLock);
      await lockCheckpoints(client, [namespace], forgotten);
      if (relations.length > 0) await client.query(`TRUNCATE ${relations.map((physical) => physical.qualified).join(', ')}`);
      if (forgotten.length > 0) await client.query(`DELETE FROM ${checkpointTable} WHERE namespace = $1 AND projection = ANY($2::text[])`, [namespace, forgotten]);
    });
  };

  /**
   * Swaps the rebuilt copies in, in one transaction:
   *
   * 1. the read-model DDL advisory lock (prepare, reset and swap of every
   *    process take turns; commits do not take it), then the checkpoint
   *    locks of the projections (see `lockCheckpoints`), so a conditional
   *    commit that checked the old live checkpoints finishes first or
   *    finds them moved;
   * 2. `ACCESS EXCLUSIVE` on every live and rebuild table involved, in one
   *    `LOCK TABLE` listing them in relation-name order: the order every
   *    commit writes tables in (it sorts its changes by relation name) and
   *    every prepare creates them in, so two transactions never hold locks
   *    the other waits for; the checkpoint table comes last everywhere;
   * 3. drop each live table, rename its rebuild copy to the live name and
   *    the copy's primary key and indexes to the live names (or, when no
   *    copy exists, create the live table empty, as the reference does);
   * 4. replace the live checkpoints of the projections by the rebuilt ones.
   *
   * A reader's statement takes `ACCESS SHARE` on the table it reads, so it
   * either finishes before the swap gets its lock or waits for the swap to
   * commit. While the swap waits for a long-running reader, every new
   * reader queues behind the swap's pending request; so the lock waits are
   * bounded (`lock_timeout`, 250 ms) and a timed-out attempt rolls back,
   * lets the queue drain, and tries again (after 20 attempts it waits as
   * long as it takes). PostgreSQL resolves a table name again after waiting for its
   * lock when the catalog changed meanwhile, so the waiting statement then
   * reads the renamed copy: old rows or new rows, never a mix, never
   * "relation does not exist". The rebuilt rows were committed before the
   * swap, so any snapshot taken after it sees them.
   */
  const swap = async (specs: readonly TableSpec[], projections: readonly string[]): Promise<void> => {
    checkOpen();
    const tables = layoutsOf(specs);
    const moved = projectionNames(projections);
    await ensureBase();
    for (let attempt = 1; ; attempt += 1) {
      const patient = attempt > swapLockAttempts;
      try {
        await swapOnce(tables, moved, patient);
        break;
      } catch (error) {
        // The lock wait timed out: give the readers holding the tables a moment, and try again.
        if (patient || sqlCodeOf((error as { cause?: unknown }).cause) !== '55P03') throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * attempt)));
      }
    }
    for (const layout of tables) {
      prepared.live.set(layout.name, layout.signature);
      prepared.rebuild.delete(layout.name);
      described.delete(layout.name);
    }
    // A freshly swapped-in table has no planner statistics until autovacuum gets to it; plain SQL
    // run right after a rebuild (an analyst's) would be planned blind. Best effort: the swap is done.
    for (const layout of tables) {
      await pool.query(`ANALYZE ${physicalNames(quotedSchema, layout.name, 'live').qualified}`).catch(() => undefined);
    }
  };

  const swapOnce = async (tables: readonly TableLayout[], moved: readonly string[], patient: boolean): Promise<void> => {
    await transaction('swapping rebuilt read models in', async (client) => {
      await client.query(ddlLock);
      if (!patient) await client.query(`SET LOCAL lock_timeout = ${swapLockTimeoutMs}`);
      // A conditional commit that read the live checkpoints before the swap must not write after it.
      await lockCheckpoints(client, ['live', 'rebuild'], moved);
      const pairs = tables.map((layout) => ({ layout, live: physicalNames(quotedSchema, layout.name, 'live'), rebuild: physicalNames(quotedSchema, layout.name, 'rebuild') }));
      const existing = await describeTables(
        client,
        schema,
        pairs.flatMap(({ live, rebuild }) => [live.relation, rebuild.relation]),
      );
      for (const { layout, rebuild } of pairs) {
        const copy = existing.get(rebuild.relation);
        if (copy !== undefined && !sameShape(layout, copy)) {
          throw new ReadModelInputError(`the rebuild copy of ${layout.name} does not have the spec's columns: prepare the rebuild namespace with the same specs`);
        }
      }
      const locked = pairs.flatMap(({ live, rebuild }) => [live, rebuild]).filter((physical) => existing.has(physical.relation));
      locked.sort((a, b) => (a.relation < b.relation ? -1 : 1));
      const script: string[] = [];
      if (locked.length > 0) script.push(`LOCK TABLE ${locked.map((physical) => physical.qualified).join(', ')} IN ACCESS EXCLUSIVE MODE`);
      for (const { layout, live, rebuild } of pairs.sort((a, b) => (a.live.relation < b.live.relation ? -1 : 1))) {
        if (existing.has(live.relation)) script.push(`DROP TABLE ${live.qualified}`);
        const copy = existing.get(rebuild.relation);
        if (copy === undefined) {
          script.push(createTableSql(layout, live));
          continue;
        }
        script.push(`ALTER TABLE ${rebuild.qualified} RENAME TO ${pg.escapeIdentifier(live.relation)}`);
        if (copy.primaryKey !== null && copy.primaryKey !== live.primaryKey) {
          script.push(`ALTER TABLE ${live.qualified} RENAME CONSTRAINT ${pg.escapeIdentifier(copy.primaryKey)} TO ${pg.escapeIdentifier(live.primaryKey)}`);
        }
        for (const index of copy.indexes) {
          if (!index.startsWith(rebuild.indexPrefix)) continue;
          const liveName = live.indexPrefix + index.slice(rebuild.indexPrefix.length);
          script.push(`ALTER INDEX ${quotedSchema}.${pg.escapeIdentifier(index)} RENAME TO ${pg.escapeIdentifier(liveName)}`);
        }
      }
      if (moved.length > 0) {
        const list = `ARRAY[${moved.map((name) => pg.escapeLiteral(name)).join(', ')}]::text[]`;
        script.push(
          `DELETE FROM ${checkpointTable} WHERE namespace = 'live' AND projection = ANY(${list})`,
          `UPDATE ${checkpointTable} SET namespace = 'live', updated_at = now() WHERE namespace = 'rebuild' AND projection = ANY(${list})`,
        );
      }
      await client.query(script.join(';\n'));
    });
  };

  const fetch = async (namespace: Namespace, spec: TableSpec, keys: readonly KeyValue[]): Promise<readonly Row[]> => {
    checkOpen();
    checkNamespace(namespace);
    const layout = layoutOf(spec);
    if (!isList(keys)) throw new ReadModelInputError('keys must be a list');
    await ensurePrepared(namespace, [layout]);
    const columns = keyColumns(layout, keys, { distinct: false });
    if ((columns[0]?.length ?? 0) === 0) return [];
    const physical = physicalNames(quotedSchema, layout.name, namespace);
    // One statement for any number of keys; WITH ORDINALITY answers in the order asked, once per asked key, like the reference.
    return read<Row>(
      `SELECT t.* FROM unnest(${keyParameters(layout)}) WITH ORDINALITY AS k(${keyAliases(layout)}, ord)
       JOIN ${physical.qualified} AS t ON ${keyJoin(layout, 't', 'k')} ORDER BY k.ord`,
      columns,
      `fetching ${layout.name} rows`,
    );
  };

  const loadAll = async (namespace: Namespace, spec: TableSpec): Promise<readonly Row[]> => {
    checkOpen();
    checkNamespace(namespace);
    const layout = layoutOf(spec);
    await ensurePrepared(namespace, [layout]);
    const physical = physicalNames(quotedSchema, layout.name, namespace);
    return read<Row>(`SELECT * FROM ${physical.qualified} ORDER BY ${layout.key.map((column) => column.quoted).join(', ')}`, [], `loading ${layout.name}`);
  };

  const checkpoints = async (namespace: Namespace): Promise<readonly Checkpoint[]> => {
    checkOpen();
    checkNamespace(namespace);
    await ensureBase();
    const rows = await read<{ projection: string; position: string; version: number }>(
      `SELECT projection, position::text AS position, version FROM ${checkpointTable} WHERE namespace = $1 ORDER BY projection`,
      [namespace],
      'reading checkpoints',
    );
    return rows.map((row) => ({ projection: row.projection, position: row.position, version: row.version }));
  };

  /**
   * What the reader knows of a live table, from the catalog. `undefined`:
   * no such table, which reads as empty, as in the reference store (and is
   * looked up again next time). A description is trusted for
   * `catalogCacheMs`: this process's own `prepare` and `swap` forget it at
   * once, a reshape by another process is noticed when a query fails on
   * the old shape or, at the latest, when the description expires.
   */
  const describe = (table: string): Promise<TableInfo | undefined> => {
    const now = performance.now();
    const cached = described.get(table);
    if (cached !== undefined && now - cached.at <= catalogCacheMs) return cached.info;
    const info = (async () => {
      const found = (await describeTables(pool, schema, [table])).get(table);
      return found === undefined ? undefined : tableInfo(quotedSchema, found);
    })();
    const entry = { info, at: now };
    described.set(table, entry);
    const forget = (): void => {
      if (described.get(table) === entry) described.delete(table);
    };
    info.then((value) => {
      if (value === undefined) forget();
    }, forget);
    return info;
  };

  /** Runs a reader query against a table's description, describing it afresh once if the table changed shape under the cached one. */
  const withTable = async <T>(table: string, doing: string, run: (info: TableInfo) => Promise<T>, absent: T): Promise<T> => {
    checkOpen();
    if (typeof table !== 'string') return absent;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const info = await describe(table);
        return info === undefined ? absent : await run(info);
      } catch (error) {
        if (attempt === 1 && staleDescription.has(sqlCodeOf(error) ?? '')) {
          described.delete(table);
          continue;
        }
        throw toStoreError(error, server, doing);
      }
    }
  };

  const reader: ReadModelReader = {
    get: (table, key) =>
      withTable(
        table,
        `reading a ${String(table)} row`,
        async (info) => {
          if (info.key.length === 0 || !isList(key) || key.length !== info.key.length) return undefined;
          // A key part of the wrong type cannot match, as a lookup by `keyString` in the reference finds nothing.
          if (!info.key.every((column, index) => (column.type === 'text' || column.type === 'integer') && fitsKeyColumn({ ...column, type: column.type }, key[index]))) return undefined;
          const where = info.key.map((column, index) => `${column.quoted} = $${index + 1}::${column.type === 'integer' ? 'bigint' : 'text'}`).join(' AND ');
          const result = await pool.query<Row>({ text: `SELECT * FROM ${info.qualified} WHERE ${where}`, values: [...key], types: rowTypes });
          return result.rows[0];
        },
        undefined,
      ),
    scan: (table, query) =>
      withTable(
        table,
        `scanning ${String(table)}`,
        async (info) => {
          const plan = planScan(info, query);
          const result = await pool.query<Row>({ text: plan.text, values: plan.values, types: rowTypes });
          return plan.finish(result.rows);
        },
        [],
      ),
  };

  return {
    kind: 'postgres',
    schema,
    pool,
    prepare: async (namespace, specs) => {
      checkOpen();
      await prepare(namespace, specs);
    },
    reset,
    checkpoints,
    fetch,
    loadAll,
    commit,
    swap,
    reader: () => reader,
    close: () => {
      closed ??= ownsEvents ? events.close() : Promise.resolve();
      return closed;
    },
  };
}

/** The SQL types of the JSON-document columns `json_to_recordset` reads (the table's own types). */
const sqlType: Record<TableLayout['columns'][number]['type'], string> = {
  text: 'text',
  integer: 'bigint',
  real: 'double precision',
  boolean: 'boolean',
  json: 'jsonb',
};
