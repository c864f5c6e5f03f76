import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { StoreError, assertCheckpoints, isPosition } from '@eventcrm/runtime';
import type { Checkpoint, Namespace, Position, ReadModelStore, TableChanges } from '@eventcrm/runtime';
import { toStoreError } from '../errors.ts';
import type { SqliteEventStore } from '../store.ts';
import { decodeRows, encodeRow, isPossibleKey, rowDecoder } from './cells.ts';
import type { RowDecoder } from './cells.ts';
import { ReadModelInputError } from './errors.ts';
import {
  checkpointTableName,
  columnTypeOf,
  createTableSql,
  describeTable,
  isTableName,
  physicalName,
  quote,
  reconcileIndexes,
  reconcileTable,
  sameColumnsAndKey,
  tableLayout,
} from './layout.ts';
import type { TableLayout } from './layout.ts';
import { checkReadonlyReadModels, migrateReadModels } from './migrations.ts';
import { planScan } from './scanPlan.ts';
import type { ColumnInfo, TableInfo } from './scanPlan.ts';
import type { KeyValue, ReadModelReader, Row, TableSpec } from './types.ts';

/** How to open the SQLite read-model store. */
export interface SqliteReadModelStoreOptions {
  /**
   * The event store whose file and connection the read models share: its
   * connection, write transactions (`BEGIN IMMEDIATE`, serialised with
   * appends from every process) and error mapping are reused, and `close`
   * leaves it open.
   */
  readonly store: SqliteEventStore;
}

/** The read-model store on SQLite, in the file of an SQLite event store. */
export interface SqliteReadModelStore extends ReadModelStore {
  readonly kind: 'sqlite';
  /** The database file (the event store's). */
  readonly path: string;
}

/** The cached statements of one physical table, valid while the file's schema does not change. */
interface TableStatements {
  readonly layout: TableLayout;
  readonly upsert: Statement<unknown[]>;
  readonly remove: Statement<unknown[]>;
  readonly fetch: Statement<[string], unknown[]>;
  readonly all: Statement<[], unknown[]>;
  readonly decoder: RowDecoder;
  /** Reused for every row of every commit: the hot path allocates no argument arrays. */
  readonly args: (string | number | null)[];
  readonly keyArgs: (string | number)[];
}

/** A live table as the reader knows it, with its row decoder. */
type LiveTable = TableInfo & { readonly decoder: RowDecoder };

/** Reader statements cached at most; past it the cache starts over (scans built from user input could otherwise grow it without bound). */
const maxReaderStatements = 256;

const namespaces: ReadonlySet<unknown> = new Set<Namespace>(['live', 'rebuild']);

/** `Array.isArray` without its narrowing (which turns readonly typed lists into `any[]`): for checking untrusted input. */
const isList = (value: unknown): boolean => Array.isArray(value);

/** Synchronous work as the port's promise, with throws as rejections. */
const settle = <T>(work: () => T): Promise<T> => new Promise<T>((resolve) => resolve(work()));

/**
 * Creates the SQLite read-model store: the read-model port of
 * `@eventcrm/runtime`, keeping tables and checkpoints in the event store's
 * file, on its connection, so that a commit of read-model rows and
 * checkpoints is one `BEGIN IMMEDIATE` transaction serialised with appends
 * from every process. Synchronous (better-sqlite3 is): it records its own
 * schema (the checkpoint table) under the component `read-models` of
 * `schema_migrations` on first use. On a read-only event store it migrates
 * nothing and serves reads (the checkpoints read as none until a
 * read-write process has created their table).
 *
 * Layout: a table's live copy is named as its `TableSpec` says, the rebuild
 * copy `<name>__rebuild`; checkpoints are rows of
 * `projection_checkpoints(namespace, projection, position, version,
 * updated_at)`. Column types: text → `TEXT`, integer → `INTEGER`, real →
 * `REAL`, boolean → `BOOLEAN` (0/1, read back as booleans), json →
 * `JSON TEXT` (parsed on read). A single integer key is the rowid; any
 * other key makes a `WITHOUT ROWID` table clustered on it. Indexes are
 * created from the spec on both copies.
 */
export function createSqliteReadModelStore(options: SqliteReadModelStoreOptions): SqliteReadModelStore {
  return new SqliteReadModels(options);
}

class SqliteReadModels implements SqliteReadModelStore {
  readonly kind = 'sqlite' as const;
  readonly path: string;
  readonly #events: SqliteEventStore;
  readonly #database: SqliteDatabase;
  readonly #context: { readonly path: string; readonly busyTimeoutMs: number };
  readonly #schemaVersion: Statement<[], number>;
  readonly #readTransaction: <T>(work: () => T) => T;
  readonly #reader: ReadModelReader;
  /** Validated layouts by spec object: specs are module constants, so each is checked once. */
  readonly #layouts = new WeakMap<TableSpec, TableLayout>();
  /** Statements of physical tables known to exist with their layout's shape, at schema version `#epoch`. */
  readonly #tables = new Map<string, TableStatements>();
  /** Live tables as the reader knows them (`null`: no such table), at schema version `#epoch`. */
  readonly #liveTables = new Map<string, LiveTable | null>();
  readonly #readerStatements = new Map<string, Statement<unknown[], unknown[]>>();
  #checkpointStatements: CheckpointStatements | null | undefined;
  /** The file's schema version the caches were filled at; -1 when they must be refilled. */
  #epoch = -1;
  #closed = false;

  constructor(options: SqliteReadModelStoreOptions) {
    const events = options.store as Partial<SqliteEventStore> | undefined;
    if (events?.kind !== 'sqlite' || events.database === undefined || typeof events.transaction !== 'function') {
      throw new TypeError('createSqliteReadModelStore needs { store }: an SQLite event store from createSqliteEventStore');
    }
    this.#events = options.store;
    this.#database = options.store.database;
    this.path = options.store.path;
    if (!this.#database.open) throw new StoreError('STORE_UNAVAILABLE', `SQLite event store ${this.path} is closed`);
    const database = this.#database;
    try {
      this.#context = { path: this.path, busyTimeoutMs: Number(database.pragma('busy_timeout', { simple: true })) };
      if (database.readonly) checkReadonlyReadModels(database);
      else migrateReadModels(database);
      this.#schemaVersion = database.prepare<[], number>('PRAGMA schema_version').pluck();
    } catch (error) {
      throw toStoreError(error, { path: this.path, busyTimeoutMs: 0 });
    }
    // Deferred: a read takes no lock, and its first statement fixes the
    // snapshot every later statement of the same call reads (WAL).
    const transaction = database.transaction((work: () => unknown) => {
      this.#sync();
      return work();
    });
    this.#readTransaction = transaction as <T>(work: () => T) => T;
    this.#reader = {
      get: (table, key) => settle(() => this.#get(table, key)),
      scan: (table, query) => settle(() => this.#scan(table, query)),
    };
  }

  prepare(namespace: Namespace, tables: readonly TableSpec[]): Promise<void> {
    return settle(() => {
      this.#ensureOpen();
      checkNamespace(namespace);
      const layouts = this.#layoutList(tables);
      if (layouts.length === 0) return;
      this.#write(() => {
        for (const layout of layouts) {
          if (namespace === 'live' && this.#awaitingSwap(layout)) continue;
          reconcileTable(this.#database, layout, physicalName(layout.name, namespace));
        }
        this.#forget();
      });
    });
  }

  /**
   * True for a live table of another shape whose rebuild copy has the
   * spec's shape: `prepare('live')` leaves it alone rather than drop it,
   * because the runner prepares the live namespace just before it swaps
   * the copy in (and the swap replaces the table anyway); dropping it there
   * would show readers an empty table between the two calls. Writing to it
   * meanwhile fails loudly (`#writable`) instead of mixing shapes. The
   * PostgreSQL store makes the same exception.
   */
  #awaitingSwap(layout: TableLayout): boolean {
    const live = describeTable(this.#database, physicalName(layout.name, 'live'));
    if (live === undefined || sameColumnsAndKey(layout, live)) return false;
    const copy = describeTable(this.#database, physicalName(layout.name, 'rebuild'));
    return copy !== undefined && sameColumnsAndKey(layout, copy);
  }

  reset(namespace: Namespace, tables: readonly TableSpec[], projections: readonly string[]): Promise<void> {
    return settle(() => {
      this.#ensureOpen();
      checkNamespace(namespace);
      const layouts = this.#layoutList(tables);
      const names = projectionNames(projections);
      this.#write(() => {
        for (const layout of layouts) {
          const physical = physicalName(layout.name, namespace);
          // A table of another shape (an older version's leftover) is
          // recreated empty; DELETE without WHERE truncates the rest.
          if (!reconcileTable(this.#database, layout, physical)) this.#database.exec(`DELETE FROM ${quote(physical)}`);
        }
        this.#forget();
        const statements = this.#checkpoints();
        if (statements === null) throw missingCheckpointTable(this.path);
        for (const projection of names) statements.remove.run(namespace, projection);
      });
    });
  }

  checkpoints(namespace: Namespace): Promise<readonly Checkpoint[]> {
    return settle(() => {
      this.#ensureOpen();
      checkNamespace(namespace);
      return this.#read(() => {
        const statements = this.#checkpoints();
        if (statements === null) return [];
        return statements.list.all(namespace).map((row) => ({ projection: row.projection, position: row.position, version: row.version }));
      });
    });
  }

  fetch(namespace: Namespace, table: TableSpec, keys: readonly KeyValue[]): Promise<readonly Row[]> {
    return settle(() => {
      this.#ensureOpen();
      checkNamespace(namespace);
      const layout = this.#layout(table);
      if (!isList(keys)) throw new ReadModelInputError(`fetch from ${layout.name}: keys must be a list`);
      // Keys that cannot exist are left out here: SQLite would compare 5 with a text key '5' as equal.
      const possible = keys.filter((key) => isPossibleKey(layout.key, key));
      if (possible.length === 0) return [];
      // One statement for the whole list: the keys travel as one JSON array
      // (of values for a one-column key, of key arrays otherwise), joined to
      // the table's primary key (see `tableStatements`).
      const list = JSON.stringify(layout.key.length === 1 ? possible.map((key) => key[0]) : possible);
      return this.#read(() => {
        const statements = this.#readable(layout, namespace);
        return statements === undefined ? [] : decodeRows(statements.decoder, statements.fetch.all(list));
      });
    });
  }

  loadAll(namespace: Namespace, table: TableSpec): Promise<readonly Row[]> {
    return settle(() => {
      this.#ensureOpen();
      checkNamespace(namespace);
      const layout = this.#layout(table);
      return this.#read(() => {
        const statements = this.#readable(layout, namespace);
        return statements === undefined ? [] : decodeRows(statements.decoder, statements.all.all());
      });
    });
  }

  commit(namespace: Namespace, changes: readonly TableChanges[], checkpoints: readonly Checkpoint[], expected?: ReadonlyMap<string, Position | null>): Promise<void> {
    return settle(() => {
      this.#ensureOpen();
      checkNamespace(namespace);
      if (!isList(changes)) throw new ReadModelInputError('commit: changes must be a list');
      if (!isList(checkpoints)) throw new ReadModelInputError('commit: checkpoints must be a list');
      const work = changes.map((change) => {
        if (typeof change !== 'object' || (change as unknown) === null) throw new ReadModelInputError('commit: a change is not an object');
        const layout = this.#layout(change.table);
        if (!isList(change.upserts) || !isList(change.deletes)) throw new ReadModelInputError(`commit to ${layout.name}: upserts and deletes must be lists`);
        return { layout, upserts: change.upserts, deletes: change.deletes };
      });
      for (const checkpoint of checkpoints) checkCheckpoint(checkpoint);
      if (work.length === 0 && checkpoints.length === 0) return;
      this.#write(() => {
        if (expected !== undefined && expected.size > 0) {
          // Inside the write transaction: another process that committed since this runner read its checkpoints wins.
          const statements = this.#checkpoints();
          const stored = new Map((statements === null ? [] : statements.list.all(namespace)).map((row) => [row.projection, row.position] as const));
          assertCheckpoints(namespace, stored, expected);
        }
        for (const { layout, upserts, deletes } of work) {
          const statements = this.#writable(layout, namespace);
          const { remove, upsert, args, keyArgs, layout: known } = statements;
          const keyColumns = known.key;
          // Deletes first, then upserts, as the reference store applies a change.
          for (const key of deletes) {
            // A key that cannot exist deletes nothing (and must not reach SQLite's type conversions).
            if (!isPossibleKey(keyColumns, key)) continue;
            for (let index = 0; index < keyColumns.length; index += 1) keyArgs[index] = key[index]!;
            remove.run(keyArgs);
          }
          // An upsert per row: with no round trip, a cached statement per row
          // is as fast as any bulk form in SQLite (see the README's figures),
          // and a key given twice simply ends with the later row.
          for (const row of upserts) {
            encodeRow(known, row, args);
            upsert.run(args);
          }
        }
        if (checkpoints.length > 0) {
          const statements = this.#checkpoints();
          if (statements === null) throw missingCheckpointTable(this.path);
          for (const checkpoint of checkpoints) statements.upsert.run(namespace, checkpoint.projection, checkpoint.position, checkpoint.version);
        }
      });
    });
  }

  /**
   * The swap, in one write transaction: per table, drop the live copy and
   * rename the rebuild copy to the live name (its indexes follow it; see
   * `reconcileIndexes` for their names), then move the checkpoints. A
   * rename is a catalog change, so the swap costs the same whatever the
   * size of the tables (plus freeing the old copy's pages).
   *
   * Readers in other processes never see a half-swapped state, nor an
   * error: in WAL mode every read transaction works on the snapshot of the
   * last commit before it began, catalog included. A read that began
   * before the swap committed keeps reading the old tables (their pages
   * are not reused while a reader may still need them); one that begins
   * after sees the new tables under the old names. This store's reader
   * reads the catalog in the same snapshot as the rows (see `#read`), so it
   * never queries a table with a stale idea of its columns.
   */
  swap(tables: readonly TableSpec[], projections: readonly string[]): Promise<void> {
    return settle(() => {
      this.#ensureOpen();
      const layouts = this.#layoutList(tables);
      const names = projectionNames(projections);
      this.#write(() => {
        const database = this.#database;
        for (const layout of layouts) {
          const live = physicalName(layout.name, 'live');
          const rebuild = physicalName(layout.name, 'rebuild');
          const shape = describeTable(database, rebuild);
          if (shape !== undefined && !sameColumnsAndKey(layout, shape)) {
            throw new ReadModelInputError(`swap ${layout.name}: the rebuild copy does not have the spec's columns and key; prepare and rebuild it again`);
          }
          database.exec(`DROP TABLE IF EXISTS ${quote(live)}`);
          if (shape === undefined) {
            // Nothing was rebuilt: the live copy becomes empty, as in the reference store.
            database.exec(createTableSql(layout, live));
            reconcileIndexes(database, layout, live, undefined);
          } else {
            database.exec(`ALTER TABLE ${quote(rebuild)} RENAME TO ${quote(live)}`);
            reconcileIndexes(database, layout, live, describeTable(database, live));
          }
        }
        this.#forget();
        if (names.length === 0) return;
        const statements = this.#checkpoints();
        if (statements === null) throw missingCheckpointTable(this.path);
        for (const projection of names) {
          statements.remove.run('live', projection);
          statements.promote.run(projection);
        }
      });
    });
  }

  reader(): ReadModelReader {
    return this.#reader;
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#forget();
    this.#checkpointStatements = undefined;
    return Promise.resolve();
  }

  #get(table: string, key: KeyValue): Row | undefined {
    this.#ensureOpen();
    if (!isTableName(table)) return undefined;
    return this.#read(() => {
      const info = this.#liveTable(table);
      if (info === null || info.key.length === 0 || !isPossibleKey(info.key, key)) return undefined;
      const sql = `SELECT ${info.selectList} FROM ${info.quoted} WHERE ${info.key.map((column) => `${column.quoted} = ?`).join(' AND ')}`;
      const row = this.#readerStatement(sql).get(key);
      return row === undefined ? undefined : decodeRows(info.decoder, [row])[0];
    });
  }

  #scan(table: string, query: Parameters<ReadModelReader['scan']>[1]): Row[] {
    this.#ensureOpen();
    if (!isTableName(table)) return [];
    return this.#read(() => {
      const info = this.#liveTable(table);
      if (info === null) return [];
      const plan = planScan(info, query);
      if (plan.empty) return [];
      const rows = this.#readerStatement(plan.sql).all(plan.values);
      return plan.finish(decodeRows(info.decoder, rows));
    });
  }

  /** A live table as the catalog describes it, in the current snapshot. */
  #liveTable(name: string): LiveTable | null {
    let info = this.#liveTables.get(name);
    if (info === undefined) {
      const shape = describeTable(this.#database, name);
      if (shape === undefined) info = null;
      else {
        const columns = new Map<string, ColumnInfo>(shape.columns.map((column) => [column.name, { name: column.name, quoted: quote(column.name), type: columnTypeOf(column.declared) }]));
        info = {
          quoted: quote(name),
          columns,
          key: shape.key.map((column) => columns.get(column)!),
          selectList: [...columns.values()].map((column) => column.quoted).join(', '),
          decoder: rowDecoder(name, [...columns.values()]),
        };
      }
      this.#liveTables.set(name, info);
    }
    return info;
  }

  #readerStatement(sql: string): Statement<unknown[], unknown[]> {
    let statement = this.#readerStatements.get(sql);
    if (statement === undefined) {
      if (this.#readerStatements.size >= maxReaderStatements) this.#readerStatements.clear();
      statement = this.#database.prepare<unknown[], unknown[]>(sql).raw();
      this.#readerStatements.set(sql, statement);
    }
    return statement;
  }

  /** The statements of a table that exists with the layout's columns and key; `undefined` when it does not exist. */
  #readable(layout: TableLayout, namespace: Namespace): TableStatements | undefined {
    const physical = physicalName(layout.name, namespace);
    const known = this.#tables.get(physical);
    if (known?.layout.signature === layout.signature) return known;
    const shape = describeTable(this.#database, physical);
    if (shape === undefined) return undefined;
    if (!sameColumnsAndKey(layout, shape)) throw shapeMismatch(layout, physical);
    return this.#remember(layout, physical);
  }

  /** The statements of a table to write to, creating it when it does not exist yet (the reference store needs no `prepare` either). */
  #writable(layout: TableLayout, namespace: Namespace): TableStatements {
    const physical = physicalName(layout.name, namespace);
    const known = this.#tables.get(physical);
    if (known?.layout.signature === layout.signature) return known;
    const shape = describeTable(this.#database, physical);
    if (shape === undefined) {
      this.#database.exec(createTableSql(layout, physical));
      reconcileIndexes(this.#database, layout, physical, undefined);
      // Our own change: the other cached statements stay valid.
      this.#epoch = this.#schemaVersion.get() ?? -1;
      this.#liveTables.delete(physical);
    } else if (!sameColumnsAndKey(layout, shape)) {
      // Rows are never dropped by a commit: changing a table's shape is `prepare`'s job.
      throw shapeMismatch(layout, physical);
    }
    return this.#remember(layout, physical);
  }

  #remember(layout: TableLayout, physical: string): TableStatements {
    const statements = tableStatements(this.#database, layout, physical);
    this.#tables.set(physical, statements);
    return statements;
  }

  #checkpoints(): CheckpointStatements | null {
    if (this.#checkpointStatements === undefined || this.#checkpointStatements === null) {
      const exists = this.#database.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(checkpointTableName) !== undefined;
      this.#checkpointStatements = exists ? checkpointStatements(this.#database) : null;
    }
    return this.#checkpointStatements;
  }

  /**
   * Drops every cached description and statement when the file's schema
   * changed since they were made (a swap or `prepare` by this or another
   * process): statements would re-prepare themselves, but against tables
   * whose columns may now differ from what the caches say.
   */
  #sync(): void {
    const version = this.#schemaVersion.get() ?? -1;
    if (version === this.#epoch) return;
    this.#forget();
    this.#epoch = version;
  }

  #forget(): void {
    this.#tables.clear();
    this.#liveTables.clear();
    this.#readerStatements.clear();
    this.#epoch = -1;
  }

  /**
   * One read call in one snapshot: the catalog and the rows are read in
   * the same deferred transaction, so a swap committed by another process
   * in between can never pair a table with the wrong description.
   */
  #read<T>(work: () => T): T {
    try {
      return this.#readTransaction(work);
    } catch (error) {
      throw toStoreError(error, this.#context);
    }
  }

  /** One write call in one `BEGIN IMMEDIATE` transaction of the event store; a failure also drops the caches, which may describe rolled-back DDL. */
  #write(work: () => void): void {
    try {
      this.#events.transaction(() => {
        this.#sync();
        work();
      });
    } catch (error) {
      this.#forget();
      throw error;
    }
  }

  #layout(spec: TableSpec): TableLayout {
    const untrusted = spec as unknown;
    if (typeof untrusted !== 'object' || untrusted === null) throw new ReadModelInputError('a table spec is not an object');
    let layout = this.#layouts.get(spec);
    if (layout === undefined) {
      layout = tableLayout(spec);
      this.#layouts.set(spec, layout);
    }
    return layout;
  }

  /** Validated layouts of a table list, once per name; two different specs under one name are refused. */
  #layoutList(tables: readonly TableSpec[]): TableLayout[] {
    if (!isList(tables)) throw new ReadModelInputError('tables must be a list of table specs');
    const byName = new Map<string, TableLayout>();
    for (const spec of tables) {
      const layout = this.#layout(spec);
      const seen = byName.get(layout.name);
      if (seen !== undefined && seen.signature !== layout.signature) throw new ReadModelInputError(`two different specs for table ${layout.name}`);
      byName.set(layout.name, layout);
    }
    return [...byName.values()];
  }

  #ensureOpen(): void {
    if (this.#closed) throw new StoreError('STORE_UNAVAILABLE', `SQLite read models in ${this.path} are closed`);
    if (!this.#database.open) throw new StoreError('STORE_UNAVAILABLE', `SQLite event store ${this.path} is closed`);
  }
}

/**
 * The statements of one physical table.
 *
 * Upserts are `INSERT … ON CONFLICT (key) DO UPDATE`, which updates a row in
 * place (and touches only the indexes whose columns changed), where
 * `INSERT OR REPLACE` deletes and reinserts it.
 *
 * Fetches join a JSON array of keys (`json_each`) to the primary key:
 * one statement whatever the number of keys, with no chunking and no SQL
 * text per list length. `CROSS JOIN` makes the key list the outer loop, so
 * each key is one primary-key lookup. Composite keys are read from each
 * element with `->>` (typed: text stays text, integers integers).
 */
function tableStatements(database: SqliteDatabase, layout: TableLayout, physical: string): TableStatements {
  const table = quote(physical);
  const columns = layout.columns.map((column) => column.quoted);
  const keyNames = new Set(layout.key.map((column) => column.name));
  const updates = layout.columns.filter((column) => !keyNames.has(column.name)).map((column) => `${column.quoted} = excluded.${column.quoted}`);
  const conflict = `ON CONFLICT (${layout.key.map((column) => column.quoted).join(', ')}) ${updates.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${updates.join(', ')}`}`;
  const upsert = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ${conflict}`;
  const remove = `DELETE FROM ${table} WHERE ${layout.key.map((column) => `${column.quoted} = ?`).join(' AND ')}`;
  const keyMatch =
    layout.key.length === 1
      ? `row.${layout.key[0]!.quoted} = wanted.value`
      : layout.key.map((column, index) => `row.${column.quoted} = wanted.value ->> ${index}`).join(' AND ');
  const selected = layout.columns.map((column) => `row.${column.quoted}`).join(', ');
  const fetch = `SELECT ${selected} FROM json_each(?) AS wanted CROSS JOIN ${table} AS row WHERE ${keyMatch}`;
  return {
    layout,
    upsert: database.prepare(upsert),
    remove: database.prepare(remove),
    fetch: database.prepare<[string], unknown[]>(fetch).raw(),
    all: database.prepare<[], unknown[]>(`SELECT ${columns.join(', ')} FROM ${table}`).raw(),
    decoder: rowDecoder(layout.name, layout.columns),
    args: layout.columns.map(() => null),
    keyArgs: layout.key.map(() => 0),
  };
}

interface CheckpointStatements {
  readonly list: Statement<[string], { projection: string; position: string; version: number }>;
  readonly upsert: Statement<[string, string, string, number]>;
  readonly remove: Statement<[string, string]>;
  /** Moves a projection's rebuild checkpoint to live (the live one was removed first). */
  readonly promote: Statement<[string]>;
}

const now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

function checkpointStatements(database: SqliteDatabase): CheckpointStatements {
  const table = checkpointTableName;
  return {
    list: database.prepare(`SELECT projection, position, version FROM ${table} WHERE namespace = ? ORDER BY projection`),
    upsert: database.prepare(
      `INSERT INTO ${table} (namespace, projection, position, version, updated_at) VALUES (?, ?, ?, ?, ${now})
       ON CONFLICT (namespace, projection) DO UPDATE SET position = excluded.position, version = excluded.version, updated_at = excluded.updated_at`,
    ),
    remove: database.prepare(`DELETE FROM ${table} WHERE namespace = ? AND projection = ?`),
    promote: database.prepare(`UPDATE ${table} SET namespace = 'live', updated_at = ${now} WHERE namespace = 'rebuild' AND projection = ?`),
  };
}

function checkNamespace(namespace: unknown): void {
  if (!namespaces.has(namespace)) throw new ReadModelInputError(`unknown namespace ${JSON.stringify(namespace)}: live or rebuild`);
}

function projectionNames(projections: readonly string[]): readonly string[] {
  if (!isList(projections) || !projections.every((name) => typeof name === 'string' && name !== '')) {
    throw new ReadModelInputError('projections must be a list of non-empty names');
  }
  return projections;
}

function checkCheckpoint(checkpoint: Checkpoint): void {
  const untrusted = checkpoint as Partial<Record<keyof Checkpoint, unknown>> | null;
  if (typeof untrusted !== 'object' || untrusted === null) throw new ReadModelInputError('a checkpoint is not an object');
  if (typeof untrusted.projection !== 'string' || untrusted.projection === '') throw new ReadModelInputError('a checkpoint needs a projection name');
  if (!isPosition(untrusted.position)) throw new ReadModelInputError(`checkpoint of ${untrusted.projection}: ${JSON.stringify(untrusted.position)} is not a position`);
  if (typeof untrusted.version !== 'number' || !Number.isSafeInteger(untrusted.version)) {
    throw new ReadModelInputError(`checkpoint of ${untrusted.projection}: version ${String(untrusted.version)} is not an integer`);
  }
}

const shapeMismatch = (layout: TableLayout, physical: string): ReadModelInputError =>
  new ReadModelInputError(`table ${physical} exists with other columns or another key than the spec of ${layout.name}; prepare it first`);

const missingCheckpointTable = (path: string): StoreError =>
  new StoreError('STORE_UNAVAILABLE', `SQLite read models in ${path}: the checkpoint table is missing (a read-only store cannot create it)`);
