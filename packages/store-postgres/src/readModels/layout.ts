import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Namespace } from '@eventcrm/runtime';
import { ReadModelInputError } from './errors.ts';
import type { ColumnType, TableSpec } from './types.ts';

/** The identifiers `TableSpec` allows for tables and columns. */
const identifier = /^[a-z][a-z0-9_]*$/;

/**
 * Longest table name: the longest derived name (`<table>__rx_<8 hex>`, a
 * rebuild index) must fit PostgreSQL's 63-byte identifiers, which would
 * otherwise silently truncate it and make two names collide.
 */
export const maxTableNameLength = 50;

/** The table holding every projection's checkpoint, beside the read models. */
export const checkpointTableName = 'projection_checkpoints';

/**
 * Names already taken in the schema by the event store (its tables, sequence
 * and the indexes PostgreSQL named for them) and by the checkpoint table:
 * tables and indexes share one namespace per schema.
 */
const reservedNames: ReadonlySet<string> = new Set([
  'events',
  'events_pkey',
  'events_stream_revision_key',
  'commands',
  'commands_pkey',
  'reservations',
  'reservations_pkey',
  'encryption_keys',
  'encryption_keys_pkey',
  'schema_migrations',
  'schema_migrations_pkey',
  'event_positions',
  checkpointTableName,
  `${checkpointTableName}_pkey`,
]);

/** The SQL type of each column type. Text compares bytewise ("C"), the order JavaScript strings compare in (see `scanPlan.ts`). */
const sqlTypes: Record<ColumnType, string> = {
  text: 'text COLLATE "C"',
  integer: 'bigint',
  real: 'double precision',
  boolean: 'boolean',
  json: 'jsonb',
};

/** How the catalog (`format_type`) names each column type. */
export const catalogTypes: Record<ColumnType, string> = {
  text: 'text',
  integer: 'bigint',
  real: 'double precision',
  boolean: 'boolean',
  json: 'jsonb',
};

/** A column of a validated table. */
export interface ColumnLayout {
  readonly name: string;
  readonly quoted: string;
  readonly type: ColumnType;
}

/** A secondary index, identified by a hash of its columns so that its name says what it covers. */
export interface IndexLayout {
  readonly columns: readonly string[];
  readonly hash: string;
}

/**
 * A validated `TableSpec` with everything the SQL needs precomputed. The
 * signature identifies the physical shape (columns, types, key, indexes):
 * two specs with one signature need the same table.
 */
export interface TableLayout {
  readonly spec: TableSpec;
  readonly name: string;
  readonly columns: readonly ColumnLayout[];
  readonly byName: ReadonlyMap<string, ColumnLayout>;
  readonly key: readonly ColumnLayout[];
  readonly indexes: readonly IndexLayout[];
  readonly signature: string;
}

/** The names of a table's physical copy in one namespace. */
export interface PhysicalNames {
  /** The relation name (`<table>` live, `<table>__rebuild` for the rebuild copy). */
  readonly relation: string;
  /** Schema-qualified and quoted, ready for SQL. */
  readonly qualified: string;
  /** The primary key constraint (and its index). */
  readonly primaryKey: string;
  /** Prefix of the secondary index names; the index hash follows it. */
  readonly indexPrefix: string;
}

const columnTypes: ReadonlySet<string> = new Set(Object.keys(sqlTypes));

const invalid = (spec: unknown, why: string): ReadModelInputError => {
  const name = typeof spec === 'object' && spec !== null ? (spec as { name?: unknown }).name : undefined;
  return new ReadModelInputError(`invalid table spec ${typeof name === 'string' ? JSON.stringify(name) : '(unnamed)'}: ${why}`);
};

const checkColumnName = (spec: unknown, column: unknown, what: string): string => {
  if (typeof column !== 'string' || !identifier.test(column) || column.length > 63) {
    throw invalid(spec, `${what} ${JSON.stringify(column)} is not an identifier ([a-z][a-z0-9_]*, at most 63 characters)`);
  }
  return column;
};

/**
 * Validates a `TableSpec` (a definition bug surfaces here, before any SQL is
 * built) and derives its layout. Table names are `[a-z][a-z0-9_]*`, at most
 * 50 characters, without `__` (reserved for the derived names of rebuild
 * copies and indexes, so they can never collide with a table) and not one of
 * the event store's names.
 */
export function tableLayout(spec: TableSpec): TableLayout {
  const untrusted = spec as unknown;
  if (typeof untrusted !== 'object' || untrusted === null) throw invalid(spec, 'not an object');
  const name = spec.name as unknown;
  if (typeof name !== 'string' || !identifier.test(name)) throw invalid(spec, 'the name is not an identifier ([a-z][a-z0-9_]*)');
  if (name.length > maxTableNameLength) throw invalid(spec, `the name is longer than ${maxTableNameLength} characters`);
  if (name.includes('__')) throw invalid(spec, 'the name contains "__", which is reserved for rebuild copies and indexes');
  if (reservedNames.has(name)) throw invalid(spec, 'the name is taken by the event store or the checkpoint table');
  if (typeof spec.columns !== 'object' || (spec.columns as unknown) === null) throw invalid(spec, 'columns must be an object');
  const columns = Object.entries(spec.columns).map(([column, type]): ColumnLayout => {
    checkColumnName(spec, column, 'column');
    if (typeof type !== 'string' || !columnTypes.has(type)) throw invalid(spec, `column ${column} has the unknown type ${JSON.stringify(type)}`);
    return { name: column, quoted: pg.escapeIdentifier(column), type };
  });
  if (columns.length === 0) throw invalid(spec, 'no columns');
  const byName = new Map(columns.map((column) => [column.name, column]));
  const columnsOf = (list: unknown, what: string): ColumnLayout[] => {
    if (!Array.isArray(list) || list.length === 0) throw invalid(spec, `${what} must be a non-empty list of columns`);
    const found = list.map((column: unknown) => {
      const layout = byName.get(checkColumnName(spec, column, `${what} column`));
      if (layout === undefined) throw invalid(spec, `${what} names the unknown column ${String(column)}`);
      return layout;
    });
    if (new Set(found).size !== found.length) throw invalid(spec, `${what} names a column twice`);
    return found;
  };
  const key = columnsOf(spec.key, 'key');
  for (const column of key) {
    if (column.type !== 'text' && column.type !== 'integer') throw invalid(spec, `key column ${column.name} is ${column.type}; keys are text or integer`);
  }
  const indexList = (spec.indexes as unknown) ?? [];
  if (!Array.isArray(indexList)) throw invalid(spec, 'indexes must be a list of column lists');
  const indexes = new Map<string, IndexLayout>();
  for (const index of indexList) {
    const indexColumns = columnsOf(index, 'index').map((column) => column.name);
    const hash = createHash('sha256').update(indexColumns.join(',')).digest('hex').slice(0, 8);
    indexes.set(hash, { columns: indexColumns, hash });
  }
  const sortedIndexes = [...indexes.values()].sort((a, b) => (a.hash < b.hash ? -1 : 1));
  const signature = JSON.stringify({
    columns: columns.map((column) => [column.name, column.type]).sort(([a], [b]) => (a! < b! ? -1 : 1)),
    key: key.map((column) => column.name),
    indexes: sortedIndexes.map((index) => index.hash),
  });
  return { spec, name, columns, byName, key, indexes: sortedIndexes, signature };
}

/** The physical names of a table in a namespace of a schema. */
export function physicalNames(quotedSchema: string, table: string, namespace: Namespace): PhysicalNames {
  const relation = namespace === 'live' ? table : `${table}__rebuild`;
  return {
    relation,
    qualified: `${quotedSchema}.${pg.escapeIdentifier(relation)}`,
    primaryKey: namespace === 'live' ? `${table}__pk` : `${table}__rpk`,
    indexPrefix: namespace === 'live' ? `${table}__ix_` : `${table}__rx_`,
  };
}

/** `CREATE TABLE` plus its indexes, as one script. */
export function createTableSql(layout: TableLayout, names: PhysicalNames): string {
  const columns = layout.columns.map((column) => `${column.quoted} ${sqlTypes[column.type]}`);
  const key = layout.key.map((column) => column.quoted).join(', ');
  return [
    `CREATE TABLE ${names.qualified} (${columns.join(', ')}, CONSTRAINT ${pg.escapeIdentifier(names.primaryKey)} PRIMARY KEY (${key}))`,
    ...layout.indexes.map((index) => createIndexSql(layout, index, names)),
  ].join(';\n');
}

/** `CREATE INDEX` for one secondary index. */
export function createIndexSql(layout: TableLayout, index: IndexLayout, names: PhysicalNames): string {
  const columns = index.columns.map((column) => layout.byName.get(column)?.quoted ?? pg.escapeIdentifier(column)).join(', ');
  return `CREATE INDEX ${pg.escapeIdentifier(names.indexPrefix + index.hash)} ON ${names.qualified} (${columns})`;
}

/** The catalog's view of an existing table (see `catalog.ts`). */
export interface ExistingTable {
  readonly relation: string;
  /** Column name → [format_type, collation name or null]. */
  readonly columns: ReadonlyMap<string, readonly [type: string, collation: string | null]>;
  readonly key: readonly string[];
  readonly indexes: readonly string[];
  /** The primary key constraint (and index) name, `null` without one. */
  readonly primaryKey: string | null;
}

/**
 * True when an existing table has exactly the spec's columns (names, types,
 * bytewise collation for text) and key. Secondary indexes are reconciled
 * separately, without touching the rows.
 */
export function sameShape(layout: TableLayout, existing: ExistingTable): boolean {
  if (existing.columns.size !== layout.columns.length) return false;
  for (const column of layout.columns) {
    const found = existing.columns.get(column.name);
    if (found === undefined || found[0] !== catalogTypes[column.type]) return false;
    if (column.type === 'text' && found[1] !== 'C') return false;
  }
  return existing.key.length === layout.key.length && existing.key.every((name, index) => name === layout.key[index]?.name);
}
