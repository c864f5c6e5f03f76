import type { Database } from 'better-sqlite3';
import type { Namespace } from '@eventcrm/runtime';
import { ReadModelInputError } from './errors.ts';
import type { ColumnType, TableSpec } from './types.ts';

/** The identifiers `TableSpec` allows for tables and columns. */
const identifier = /^[a-z][a-z0-9_]*$/;

/** Longest table or column name: generous for humans, short enough for every derived name to stay readable. */
export const maxNameLength = 64;

/** The table holding every projection's checkpoint, beside the read models. */
export const checkpointTableName = 'projection_checkpoints';

/** The suffix of a table's rebuild copy. */
export const rebuildSuffix = '__rebuild';

/**
 * Names already taken in the file by the event store and the checkpoint
 * table. Tables and indexes share one namespace in SQLite, and names
 * beginning with `sqlite_` are SQLite's own.
 */
const reservedNames: ReadonlySet<string> = new Set(['events', 'command_records', 'reservations', 'encryption_keys', 'schema_migrations', 'sqlite_sequence', checkpointTableName]);

/**
 * The declared SQL type of each column type. The declared type is what
 * `PRAGMA table_info` reports, so it doubles as the catalog a reader in any
 * process learns a table's column types from: the file describes itself and
 * no side table can drift from the tables. Affinities: `TEXT` and
 * `JSON TEXT` are TEXT, `INTEGER` INTEGER, `REAL` REAL, and `BOOLEAN`
 * NUMERIC, under which the stored 0 and 1 stay integers.
 */
export const declaredTypes: Readonly<Record<ColumnType, string>> = {
  text: 'TEXT',
  integer: 'INTEGER',
  real: 'REAL',
  boolean: 'BOOLEAN',
  json: 'JSON TEXT',
};

const typesByDeclaration: ReadonlyMap<string, ColumnType> = new Map(Object.entries(declaredTypes).map(([type, declared]) => [declared, type as ColumnType]));

/** The column type a declared SQL type stands for; `undefined` for a type no read-model store creates (a table made by hand). */
export const columnTypeOf = (declared: string): ColumnType | undefined => typesByDeclaration.get(declared.toUpperCase());

/** An identifier in double quotes. Names are validated first; the quoting keeps SQL keywords (`order`, `group`) usable as column names. */
export const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** A column of a validated table. */
export interface ColumnLayout {
  readonly name: string;
  readonly quoted: string;
  readonly type: ColumnType;
}

/**
 * A validated `TableSpec` with everything the SQL needs precomputed. The
 * signature identifies the physical shape (columns, types, key, indexes).
 */
export interface TableLayout {
  readonly spec: TableSpec;
  readonly name: string;
  readonly columns: readonly ColumnLayout[];
  readonly byName: ReadonlyMap<string, ColumnLayout>;
  readonly key: readonly ColumnLayout[];
  /** Secondary indexes as column lists, duplicates removed. */
  readonly indexes: readonly (readonly string[])[];
  /**
   * A single integer key becomes the rowid (`INTEGER PRIMARY KEY`), the
   * fastest table SQLite has. Any other key makes a `WITHOUT ROWID` table,
   * clustered on the key: a rowid table would need a second b-tree for the
   * key, and every fetch and upsert two lookups instead of one.
   */
  readonly rowid: boolean;
  readonly signature: string;
}

const columnTypes: ReadonlySet<unknown> = new Set(Object.keys(declaredTypes));

const invalid = (spec: unknown, why: string): ReadModelInputError => {
  const name = typeof spec === 'object' && spec !== null ? (spec as { name?: unknown }).name : undefined;
  return new ReadModelInputError(`invalid table spec ${typeof name === 'string' ? JSON.stringify(name) : '(unnamed)'}: ${why}`);
};

const checkColumnName = (spec: unknown, column: unknown, what: string): string => {
  if (typeof column !== 'string' || !identifier.test(column) || column.length > maxNameLength) {
    throw invalid(spec, `${what} ${JSON.stringify(column)} is not an identifier ([a-z][a-z0-9_]*, at most ${maxNameLength} characters)`);
  }
  return column;
};

/** True for a string that can name a read-model table. */
export const isTableName = (name: unknown): name is string =>
  typeof name === 'string' && identifier.test(name) && name.length <= maxNameLength && !name.includes('__') && !reservedNames.has(name) && !name.startsWith('sqlite_');

/**
 * Validates a `TableSpec` (a definition bug surfaces here, before any SQL is
 * built) and derives its layout. Table names are `[a-z][a-z0-9_]*`, at most
 * 64 characters, without `__` (reserved for the derived names of rebuild
 * copies and indexes, so they can never collide with a table), not starting
 * with `sqlite_` and not one of the event store's tables. Keys are non-empty
 * lists of distinct text or integer columns.
 */
export function tableLayout(spec: TableSpec): TableLayout {
  const untrusted = spec as unknown;
  if (typeof untrusted !== 'object' || untrusted === null) throw new ReadModelInputError('a table spec is not an object');
  const name: unknown = spec.name;
  if (!isTableName(name)) {
    throw invalid(
      spec,
      `the name must match [a-z][a-z0-9_]*, have at most ${maxNameLength} characters, contain no "__", not start with "sqlite_" and not be one of ${[...reservedNames].join(', ')}`,
    );
  }
  const declared = spec.columns as unknown;
  if (typeof declared !== 'object' || declared === null || Array.isArray(declared)) throw invalid(spec, 'columns is not an object');
  const columns: ColumnLayout[] = [];
  for (const [column, type] of Object.entries(declared as Record<string, unknown>)) {
    checkColumnName(spec, column, 'column');
    if (!columnTypes.has(type)) throw invalid(spec, `column ${column} has type ${JSON.stringify(type)}; expected one of ${[...columnTypes].join(', ')}`);
    columns.push({ name: column, quoted: quote(column), type: type as ColumnType });
  }
  if (columns.length === 0) throw invalid(spec, 'a table needs at least one column');
  const byName = new Map(columns.map((column) => [column.name, column]));

  const keyList = spec.key as unknown;
  if (!Array.isArray(keyList) || keyList.length === 0) throw invalid(spec, 'key must be a non-empty list of columns');
  const key = keyList.map((column: unknown) => {
    const layout = byName.get(checkColumnName(spec, column, 'key column'));
    if (layout === undefined) throw invalid(spec, `key column ${String(column)} is not a column`);
    if (layout.type !== 'text' && layout.type !== 'integer') throw invalid(spec, `key column ${layout.name} is ${layout.type}; keys are text or integer`);
    return layout;
  });
  if (new Set(key).size !== key.length) throw invalid(spec, 'a key column is listed twice');

  const indexList = (spec.indexes ?? []) as unknown;
  if (!Array.isArray(indexList)) throw invalid(spec, 'indexes must be a list of column lists');
  const indexes: string[][] = [];
  const seen = new Set<string>();
  for (const index of indexList as unknown[]) {
    if (!Array.isArray(index) || index.length === 0) throw invalid(spec, 'an index must be a non-empty list of columns');
    const names = index.map((column: unknown) => {
      const checked = checkColumnName(spec, column, 'index column');
      if (!byName.has(checked)) throw invalid(spec, `index column ${checked} is not a column`);
      return checked;
    });
    if (new Set(names).size !== names.length) throw invalid(spec, `index (${names.join(', ')}) lists a column twice`);
    const text = names.join(',');
    if (seen.has(text)) continue;
    seen.add(text);
    indexes.push(names);
  }

  const rowid = key.length === 1 && key[0]?.type === 'integer';
  const signature = JSON.stringify([columns.map((column) => [column.name, column.type]), key.map((column) => column.name), indexes]);
  return { spec, name, columns, byName, key, indexes, rowid, signature };
}

/** The physical table of a read-model table in a namespace: the spec's name live, `<name>__rebuild` for the rebuild copy. */
export const physicalName = (name: string, namespace: Namespace): string => (namespace === 'live' ? name : `${name}${rebuildSuffix}`);

/**
 * `CREATE TABLE` for a layout. Key columns are `NOT NULL` (a rowid table
 * would otherwise accept a NULL key, an old SQLite quirk).
 */
export function createTableSql(layout: TableLayout, physical: string): string {
  const keyNames = new Set(layout.key.map((column) => column.name));
  const columns = layout.columns.map((column) => `${column.quoted} ${declaredTypes[column.type]}${keyNames.has(column.name) ? ' NOT NULL' : ''}`);
  const primaryKey = `PRIMARY KEY (${layout.key.map((column) => column.quoted).join(', ')})`;
  return `CREATE TABLE ${quote(physical)} (${[...columns, primaryKey].join(', ')})${layout.rowid ? '' : ' WITHOUT ROWID'}`;
}

/** A table as the file describes it. */
export interface StoredShape {
  /** Columns in table order with their declared types. */
  readonly columns: readonly { readonly name: string; readonly declared: string }[];
  /** Primary key columns in key order (a rowid-only table has none). */
  readonly key: readonly string[];
  /** Indexes made with `CREATE INDEX` (not the primary key's). */
  readonly indexes: readonly { readonly name: string; readonly columns: readonly string[] }[];
}

/** Reads a table's shape from the catalog; `undefined` when there is no such table. */
export function describeTable(database: Database, physical: string): StoredShape | undefined {
  const columns = database
    .prepare<[string], { name: string; type: string; pk: number }>('SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid')
    .all(physical);
  if (columns.length === 0) return undefined;
  const key = columns
    .filter((column) => column.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((column) => column.name);
  const indexRows = database
    .prepare<[string], { index: string; column: string | null }>(
      `SELECT list.name AS "index", info.name AS "column" FROM pragma_index_list(?) AS list, pragma_index_info(list.name) AS info
       WHERE list.origin = 'c' ORDER BY list.name, info.seqno`,
    )
    .all(physical);
  const indexes = new Map<string, string[]>();
  for (const row of indexRows) {
    const list = indexes.get(row.index) ?? [];
    // An expression index has no column name; it never equals a spec index.
    list.push(row.column ?? '(expression)');
    indexes.set(row.index, list);
  }
  return {
    columns: columns.map((column) => ({ name: column.name, declared: column.type })),
    key,
    indexes: [...indexes].map(([name, list]) => ({ name, columns: list })),
  };
}

/** True when a stored table has exactly the spec's columns (names and types) and key; indexes aside. */
export function sameColumnsAndKey(layout: TableLayout, shape: StoredShape): boolean {
  if (shape.columns.length !== layout.columns.length) return false;
  for (const stored of shape.columns) {
    const column = layout.byName.get(stored.name);
    if (column === undefined || columnTypeOf(stored.declared) !== column.type || stored.declared !== declaredTypes[column.type]) return false;
  }
  return shape.key.length === layout.key.length && shape.key.every((name, index) => layout.key[index]?.name === name);
}

/**
 * Makes a table's indexes those of the spec: drops the others, creates the
 * missing ones. Index names are `<table>__ix<n>`, with a `_<k>` suffix when
 * the name is taken, which happens exactly when the other copy of the
 * table holds it: a rebuild copy renamed to the live name keeps its index
 * names (SQLite cannot rename an index), so the two copies alternate
 * between free names and no index is ever rebuilt by a swap.
 */
export function reconcileIndexes(database: Database, layout: TableLayout, physical: string, shape: StoredShape | undefined): void {
  const wanted = new Map(layout.indexes.map((columns, position) => [columns.join(','), position]));
  for (const index of shape?.indexes ?? []) {
    const text = index.columns.join(',');
    if (wanted.has(text)) wanted.delete(text);
    else database.exec(`DROP INDEX ${quote(index.name)}`);
  }
  if (wanted.size === 0) return;
  const taken = new Set(database.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'index'").pluck().all());
  for (const [text, position] of wanted) {
    const base = `${layout.name}__ix${position}`;
    let name = base;
    for (let attempt = 1; taken.has(name); attempt += 1) name = `${base}_${attempt}`;
    taken.add(name);
    const columns = text.split(',').map(quote).join(', ');
    database.exec(`CREATE INDEX ${quote(name)} ON ${quote(physical)} (${columns})`);
  }
}

/**
 * Brings one physical table to the spec's shape: creates it when missing,
 * drops and recreates it when its columns or key differ (a projection
 * version changed its tables; the rows are derived and are rebuilt), and
 * reconciles its indexes. Returns whether the table was (re)created.
 */
export function reconcileTable(database: Database, layout: TableLayout, physical: string): boolean {
  const shape = describeTable(database, physical);
  if (shape !== undefined && sameColumnsAndKey(layout, shape)) {
    reconcileIndexes(database, layout, physical, shape);
    return false;
  }
  if (shape !== undefined) database.exec(`DROP TABLE ${quote(physical)}`);
  database.exec(createTableSql(layout, physical));
  reconcileIndexes(database, layout, physical, undefined);
  return true;
}
