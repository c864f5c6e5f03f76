import { isStorableText } from './cells.ts';
import { matches, sortRows } from './reference.ts';
import type { ColumnType, Condition, Row, ScanQuery } from './types.ts';

/** A column as the reader knows it from the catalog. */
export interface ColumnInfo {
  readonly name: string;
  readonly quoted: string;
  /** `undefined` for a type no read-model store creates (a table made by hand): every condition on it is evaluated in JavaScript. */
  readonly type: ColumnType | undefined;
  /** Text compared bytewise (`COLLATE "C"`), so SQL order and ranges equal JavaScript's. */
  readonly bytewise: boolean;
}

/** A live table as the reader knows it. */
export interface TableInfo {
  readonly qualified: string;
  readonly columns: ReadonlyMap<string, ColumnInfo>;
  readonly key: readonly ColumnInfo[];
}

/** A scan as SQL, plus the part of it that runs on the rows SQL returns. */
export interface ScanPlan {
  readonly text: string;
  readonly values: unknown[];
  /** Applied to the rows in the order SQL returned them; identity when SQL did everything. */
  readonly finish: (rows: Row[]) => Row[];
}

/** `x >= bound` etc. with their SQL spelling. */
const bounds = [
  ['gte', '>='],
  ['gt', '>'],
  ['lte', '<='],
  ['lt', '<'],
] as const;

/** The largest magnitude a stored integer can have, plus one: clamping integer bounds here keeps them valid bigints without changing which safe integers they admit. */
const integerLimit = 2 ** 53;

/** The SQL spelling of a parameter of a column type (text is compared bytewise, like the column). */
const casts: Record<ColumnType, string> = {
  text: 'text COLLATE "C"',
  integer: 'bigint',
  real: 'double precision',
  boolean: 'boolean',
  json: 'jsonb',
};

/** What an equality value becomes in SQL: a parameter, or `null` when no stored cell of this type can equal it. */
function equalityParameter(type: ColumnType, value: unknown): string | number | boolean | null {
  switch (type) {
    case 'text':
      return typeof value === 'string' && isStorableText(value) ? value : null;
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value) ? value : null;
    case 'real':
      // NaN equals nothing in JavaScript (PostgreSQL would say NaN = NaN); no stored real is NaN anyway.
      return typeof value === 'number' && !Number.isNaN(value) ? String(value) : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'json':
      if (typeof value === 'string') return isStorableText(value) ? JSON.stringify(value) : null;
      if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : null;
      return typeof value === 'boolean' ? JSON.stringify(value) : null;
  }
}

/**
 * A range bound of a numeric column as JavaScript would compare against it:
 * a number cell against a string (or boolean, or null) bound compares with
 * `Number(bound)`. `undefined` when the bound is of a kind this does not
 * model (an object, say): the condition then runs in JavaScript.
 */
function numericBound(bound: unknown): number | undefined {
  if (typeof bound === 'number') return bound;
  if (typeof bound === 'string' || typeof bound === 'boolean' || bound === null) return Number(bound);
  return undefined;
}

/**
 * Plans a scan. Everything with an exact SQL equivalent runs in SQL with
 * parameters: equality (a value no cell of the column's type can equal, say
 * a number against a text column, becomes `FALSE`, as `===` would),
 * `null` as `IS NULL`, `in` as `= ANY(...)` over the values of the right type
 * (none: `FALSE`), `notNull`, ranges (integer bounds rounded inwards, since
 * integer cells are whole), `ORDER BY` with `NULLS FIRST` ascending and
 * `NULLS LAST` descending (the reference sorts nulls lowest) and `LIMIT`.
 * Ties are broken by the primary key, which is also the order of an
 * unordered scan, so equal sort keys come back in key order: what the
 * reference's stable sort gives over rows in key order.
 *
 * What SQL would answer differently runs in JavaScript on the rows SQL
 * returns, with the reference functions: conditions on unknown columns
 * (always `undefined`), ranges on JSON or boolean columns, ranges on text
 * with a non-string bound (JavaScript would compare numerically), ordering
 * by a JSON column, and a limit that is not a non-negative integer. Then
 * SQL does no `LIMIT` and the rows are sorted and cut here.
 *
 * Text order: text columns are `COLLATE "C"`, so PostgreSQL compares UTF-8
 * bytes, which is code point order; JavaScript compares UTF-16 code units.
 * The two agree except between a character above U+FFFF (an emoji, stored
 * as surrogates D800–DFFF in UTF-16) and one in U+E000–U+FFFF (private use,
 * CJK compatibility, half- and full-width forms): code point order puts the
 * emoji last, UTF-16 order first. Ordering and text ranges over such pairs
 * differ from the reference; nothing else does.
 */
export function planScan(table: TableInfo, query: ScanQuery = {}): ScanPlan {
  const values: unknown[] = [];
  const parameter = (value: unknown, cast: string): string => {
    values.push(value);
    return `$${values.length}::${cast}`;
  };
  const where: string[] = [];
  const residual: [string, Condition][] = [];

  for (const [name, condition] of Object.entries(query.where ?? {})) {
    const column = table.columns.get(name);
    const mark = values.length;
    const sql = column?.type === undefined ? undefined : conditionSql(column, column.type, condition, parameter);
    // A condition given up half-way (or found impossible) leaves no parameters behind.
    if (sql === undefined || sql === 'FALSE') values.length = mark;
    if (sql === undefined) residual.push([name, condition]);
    else where.push(sql);
  }

  const orderBy = query.orderBy ?? [];
  let sortInSql = true;
  const order: string[] = [];
  for (const entry of orderBy) {
    const [name, direction] = entry;
    const column = table.columns.get(name);
    // An unknown column is undefined in every row: all ties, so it orders nothing.
    if (column === undefined) continue;
    if (column.type === undefined || column.type === 'json' || (column.type === 'text' && !column.bytewise)) {
      sortInSql = false;
      break;
    }
    order.push(direction === 'asc' ? `${column.quoted} ASC NULLS FIRST` : `${column.quoted} DESC NULLS LAST`);
  }
  const keyOrder = table.key.map((column) => `${column.quoted} ASC`);
  const orderSql = (sortInSql ? [...order, ...keyOrder] : keyOrder).join(', ');

  const limit = query.limit;
  const limitInSql = residual.length === 0 && sortInSql && limit !== undefined && Number.isSafeInteger(limit) && limit >= 0;
  let text = `SELECT * FROM ${table.qualified}`;
  if (where.length > 0) text += ` WHERE ${where.join(' AND ')}`;
  // A table made by hand may have no primary key (and so no tie-break).
  if (orderSql !== '') text += ` ORDER BY ${orderSql}`;
  if (limitInSql) text += ` LIMIT ${String(limit)}`;

  const finish = (rows: Row[]): Row[] => {
    let selected = residual.length === 0 ? rows : rows.filter((row) => residual.every(([name, condition]) => matches(row[name], condition)));
    if (!sortInSql) selected = sortRows(selected, orderBy);
    return limit === undefined || limitInSql ? selected : selected.slice(0, limit);
  };
  return { text, values, finish };
}

/** One condition as SQL; `undefined` when SQL cannot say exactly what the reference says. */
function conditionSql(column: ColumnInfo, type: ColumnType, condition: Condition, parameter: (value: unknown, cast: string) => string): string | undefined {
  const name = column.quoted;
  if (condition === null) return `${name} IS NULL`;
  if (typeof condition !== 'object') {
    const value = equalityParameter(type, condition);
    return value === null ? 'FALSE' : `${name} = ${parameter(value, casts[type])}`;
  }
  if ('in' in condition) {
    const list = condition.in as unknown;
    if (!Array.isArray(list)) return undefined;
    // `includes` is SameValueZero: NaN would find NaN, but no stored cell is NaN.
    const kept = [...new Set(list.map((value) => equalityParameter(type, value)).filter((value) => value !== null))];
    return kept.length === 0 ? 'FALSE' : `${name} = ANY(${parameter(kept, `${casts[type].replace(' COLLATE "C"', '')}[]`)})`;
  }
  if ('notNull' in condition) return `${name} IS NOT NULL`;
  const range = condition as Record<string, unknown>;
  const parts: string[] = [`${name} IS NOT NULL`];
  for (const [bound, operator] of bounds) {
    const value = range[bound];
    if (value === undefined) continue;
    switch (type) {
      case 'text':
        if (typeof value !== 'string' || !isStorableText(value) || !column.bytewise) return undefined;
        parts.push(`${name} ${operator} ${parameter(value, casts.text)}`);
        break;
      case 'integer': {
        const number = numericBound(value);
        if (number === undefined) return undefined;
        if (Number.isNaN(number)) return 'FALSE';
        // Whole cells: x >= 1.5 is x >= 2, x > 1.5 is x > 1, x <= 1.5 is x <= 1, x < 1.5 is x < 2.
        const whole = bound === 'gte' || bound === 'lt' ? Math.ceil(number) : Math.floor(number);
        parts.push(`${name} ${operator} ${parameter(String(Math.min(integerLimit, Math.max(-integerLimit, whole))), casts.integer)}`);
        break;
      }
      case 'real': {
        const number = numericBound(value);
        if (number === undefined) return undefined;
        if (Number.isNaN(number)) return 'FALSE';
        parts.push(`${name} ${operator} ${parameter(String(number), casts.real)}`);
        break;
      }
      case 'boolean':
      case 'json':
        return undefined;
    }
  }
  return parts.join(' AND ');
}
