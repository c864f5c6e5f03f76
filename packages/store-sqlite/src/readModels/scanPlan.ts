import { isStorableText } from './cells.ts';
import { matches, sortRows } from './reference.ts';
import type { ColumnType, Condition, Row, ScanQuery } from './types.ts';

/** A column as the reader knows it from the catalog. */
export interface ColumnInfo {
  readonly name: string;
  readonly quoted: string;
  /** `undefined` for a type no read-model store creates (a table made by hand): every condition on it is evaluated in JavaScript. */
  readonly type: ColumnType | undefined;
}

/** A live table as the reader knows it. */
export interface TableInfo {
  readonly quoted: string;
  readonly columns: ReadonlyMap<string, ColumnInfo>;
  readonly key: readonly ColumnInfo[];
  /** `SELECT` list of every column, in table order. */
  readonly selectList: string;
}

/** A scan as SQL, plus the part of it that runs on the rows SQL returns. */
export type ScanPlan =
  | { readonly empty: true }
  | {
      readonly empty: false;
      readonly sql: string;
      readonly values: unknown[];
      /** Applied to the decoded rows in the order SQL returned them; identity when SQL did everything. */
      readonly finish: (rows: Row[]) => Row[];
    };

/** `x >= bound` etc. with their SQL spelling. */
const bounds = [
  ['gte', '>='],
  ['gt', '>'],
  ['lte', '<='],
  ['lt', '<'],
] as const;

/** Real values in one `IN (?, ...)` list at most; longer lists are filtered in JavaScript (SQLite allows 32766 parameters per statement). */
const maxRealList = 10_000;

/** What an equality value becomes in SQL: a parameter, or `undefined` when no stored cell of this type can equal it (`===`). */
function equalityParameter(type: ColumnType, value: unknown): string | number | undefined {
  switch (type) {
    case 'text':
      return typeof value === 'string' && isStorableText(value) ? value : undefined;
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
    case 'real':
      // Stored reals are finite; NaN equals nothing in JavaScript (SQLite would bind it as NULL).
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? (value ? 1 : 0) : undefined;
    case 'json':
      // A JSON cell equals a primitive only when it is that primitive, and a
      // stored JSON text is `JSON.stringify` of the cell: compare the texts.
      if (typeof value === 'string') return JSON.stringify(value);
      if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : undefined;
      return typeof value === 'boolean' ? JSON.stringify(value) : undefined;
  }
}

/**
 * A range bound of a numeric column as JavaScript compares it: a number
 * cell against a string (or boolean, or null) bound compares with
 * `Number(bound)`. `undefined` when the bound is of a kind this does not
 * model (an object, say): the condition then runs in JavaScript.
 */
function numericBound(bound: unknown): number | undefined {
  if (typeof bound === 'number') return bound;
  if (typeof bound === 'string' || typeof bound === 'boolean' || bound === null) return Number(bound);
  return undefined;
}

/** A condition as SQL: a fragment with its parameters, `false` when no row can match, or `undefined` when SQL cannot say what the reference says. */
type ConditionSql = { readonly sql: string; readonly values: readonly unknown[] } | false | undefined;

/** One condition on a known column as SQL. */
function conditionSql(column: ColumnInfo, type: ColumnType, condition: Condition): ConditionSql {
  const name = column.quoted;
  if (condition === null) return { sql: `${name} IS NULL`, values: [] };
  if (typeof condition !== 'object') {
    const value = equalityParameter(type, condition);
    return value === undefined ? false : { sql: `${name} = ?`, values: [value] };
  }
  if ('in' in condition) {
    const list = condition.in as unknown;
    if (!Array.isArray(list)) return undefined;
    const kept = [...new Set(list.map((value: unknown) => equalityParameter(type, value)).filter((value) => value !== undefined))];
    if (kept.length === 0) return false;
    if (type === 'real') {
      // Bound as doubles: a JSON list would go through SQLite's own decimal parser.
      if (kept.length > maxRealList) return undefined;
      return { sql: `${name} IN (${kept.map(() => '?').join(', ')})`, values: kept };
    }
    // One parameter whatever the length: the SQL text (and its cached statement) stays the same.
    return { sql: `${name} IN (SELECT value FROM json_each(?))`, values: [JSON.stringify(kept)] };
  }
  if ('notNull' in condition) return { sql: `${name} IS NOT NULL`, values: [] };
  const range = condition as Record<string, unknown>;
  const parts = [`${name} IS NOT NULL`];
  const values: unknown[] = [];
  for (const [bound, operator] of bounds) {
    const value = range[bound];
    if (value === undefined) continue;
    switch (type) {
      case 'text':
        // A number bound would compare numerically in JavaScript.
        if (typeof value !== 'string' || !isStorableText(value)) return undefined;
        values.push(value);
        break;
      case 'integer':
      case 'real': {
        const number = numericBound(value);
        if (number === undefined) return undefined;
        if (Number.isNaN(number)) return false;
        // SQLite compares integers with doubles exactly, so fractional and infinite bounds need no rounding.
        values.push(number);
        break;
      }
      case 'boolean':
      case 'json':
        return undefined;
    }
    parts.push(`${name} ${operator} ?`);
  }
  return { sql: parts.join(' AND '), values };
}

/**
 * Plans a scan. Everything with an exact SQL equivalent runs in SQL with
 * parameters: equality (a value no cell of the column's type can equal,
 * say a number against a text column, matches nothing, as `===` would),
 * `null` as `IS NULL`, `in` over the values of the right type (none: no
 * rows), `notNull`, ranges, `ORDER BY` with `NULLS FIRST` ascending and
 * `NULLS LAST` descending (the reference sorts nulls lowest) and `LIMIT`.
 * Ties are broken by the primary key, which is also the order of an
 * unordered scan, so equal sort keys come back in key order: what the
 * reference's stable sort gives over rows in key order.
 *
 * What SQL would answer differently runs in JavaScript on the rows SQL
 * returns, with the reference functions: ranges on JSON or boolean columns,
 * ranges on text with a non-string bound (JavaScript compares
 * numerically), conditions on columns of unknown type, ordering by a JSON
 * column, and a limit that is not a non-negative integer. Then SQL does no
 * `LIMIT` and the rows are sorted and cut here. A condition on a column
 * the table does not have is decided once, as on a cell that is
 * `undefined` in every row.
 *
 * Text compares in SQLite's BINARY collation, by UTF-8 bytes, which is
 * Unicode code point order; JavaScript compares UTF-16 code units. The two
 * agree except between a character above U+FFFF and one in
 * U+E000–U+FFFF (see the package README). This store keeps code point
 * order, for ranges and ordering alike, as PostgreSQL's "C" collation does.
 */
export function planScan(table: TableInfo, query: ScanQuery = {}): ScanPlan {
  const values: unknown[] = [];
  const where: string[] = [];
  const residual: [string, Condition][] = [];

  for (const [name, condition] of Object.entries(query.where ?? {})) {
    const column = table.columns.get(name);
    if (column === undefined) {
      if (matches(undefined, condition)) continue;
      return { empty: true };
    }
    const sql = column.type === undefined ? undefined : conditionSql(column, column.type, condition);
    if (sql === false) return { empty: true };
    if (sql === undefined) residual.push([name, condition]);
    else {
      where.push(sql.sql);
      values.push(...sql.values);
    }
  }

  const orderBy = query.orderBy ?? [];
  let sortInSql = true;
  const order: string[] = [];
  for (const [name, direction] of orderBy) {
    const column = table.columns.get(name);
    // An unknown column is undefined in every row: all ties, so it orders nothing.
    if (column === undefined) continue;
    if (column.type === undefined || column.type === 'json') {
      sortInSql = false;
      break;
    }
    // The reference negates the comparison for anything but 'asc'.
    order.push(direction === 'asc' ? `${column.quoted} ASC NULLS FIRST` : `${column.quoted} DESC NULLS LAST`);
  }
  const keyOrder = table.key.map((column) => `${column.quoted} ASC`);
  const orderSql = (sortInSql ? [...order, ...keyOrder] : keyOrder).join(', ');

  const limit = query.limit;
  const limitInSql = residual.length === 0 && sortInSql && limit !== undefined && Number.isSafeInteger(limit) && limit >= 0;
  let sql = `SELECT ${table.selectList} FROM ${table.quoted}`;
  if (where.length > 0) sql += ` WHERE ${where.join(' AND ')}`;
  // A table made by hand may have no primary key (and so no tie-break).
  if (orderSql !== '') sql += ` ORDER BY ${orderSql}`;
  if (limitInSql) {
    sql += ' LIMIT ?';
    values.push(limit);
  }

  const finish = (rows: Row[]): Row[] => {
    let selected = residual.length === 0 ? rows : rows.filter((row) => residual.every(([name, condition]) => matches(row[name], condition)));
    if (!sortInSql) selected = sortRows(selected, orderBy);
    return limit === undefined || limitInSql ? selected : selected.slice(0, limit);
  };
  return { empty: false, sql, values, finish };
}
