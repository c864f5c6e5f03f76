import { StoreError } from '@eventcrm/runtime';
import { ReadModelInputError } from './errors.ts';
import type { ColumnLayout, TableLayout } from './layout.ts';
import type { ColumnType, KeyValue, Row } from './types.ts';

/*
 * Cells between JavaScript and SQLite. Writes check every cell against its
 * column, so a row always reads back equal to what was written (with the
 * one documented exception of negative zero), and a bad cell is refused
 * with a `ReadModelInputError` inside the commit's transaction, which then
 * rolls back as a whole.
 */

const loneSurrogate = /\p{Cs}/u;
const nativeWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;
const isWellFormed: (text: string) => boolean = nativeWellFormed === undefined ? (text) => !loneSurrogate.test(text) : (text) => nativeWellFormed.call(text);

/**
 * True when a string may be stored: no lone surrogate and no `\u0000`.
 * better-sqlite3 hands text to SQLite as UTF-8, where a lone surrogate has
 * no form: it would be stored as U+FFFD and read back different. SQLite
 * could keep `\u0000`, but PostgreSQL cannot, the domain rejects both at
 * the edge, and the reference store's `keyString` joins key parts with
 * `\u0000`: refusing it here (in text cells, JSON strings and JSON keys
 * alike) keeps a projection's rows acceptable to every store.
 */
export const isStorableText = (text: string): boolean => !text.includes('\u0000') && isWellFormed(text);

/** Nesting beyond this in a JSON cell is refused (it also stops cycles). */
const maxJsonDepth = 256;

const refuse = (layout: TableLayout, column: string, why: string): ReadModelInputError =>
  new ReadModelInputError(`table ${layout.name}, column ${column}: ${why}`);

/**
 * Throws unless `value` is plain JSON that `JSON.stringify` writes and
 * `JSON.parse` gives back unchanged: no `undefined`, functions, symbols,
 * bigints, non-finite numbers (which would become `null`), holes, or objects
 * other than plain ones (a `Date` would come back a string, a `Map` as `{}`),
 * and strings and keys that are storable text (see `isStorableText`).
 */
function checkJson(layout: TableLayout, column: string, value: unknown, depth: number): void {
  switch (typeof value) {
    case 'string':
      if (!isStorableText(value)) throw refuse(layout, column, 'a JSON string contains \\u0000 or a lone surrogate');
      return;
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw refuse(layout, column, `JSON holds the non-finite number ${String(value)}`);
      return;
    case 'object': {
      if (value === null) return;
      if (depth >= maxJsonDepth) throw refuse(layout, column, `JSON nested deeper than ${maxJsonDepth} levels (or cyclic)`);
      if (Array.isArray(value)) {
        for (let index = 0; index < value.length; index += 1) {
          if (!(index in value) || value[index] === undefined) throw refuse(layout, column, 'a JSON array holds undefined or a hole');
          checkJson(layout, column, value[index], depth + 1);
        }
        return;
      }
      const prototype = Object.getPrototypeOf(value) as unknown;
      if (prototype !== Object.prototype && prototype !== null) throw refuse(layout, column, 'JSON holds an object that is not a plain object (a Date, Map, class instance, ...)');
      for (const key in value) {
        if (!isStorableText(key)) throw refuse(layout, column, 'a JSON key contains \\u0000 or a lone surrogate');
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) throw refuse(layout, column, `JSON property ${JSON.stringify(key)} is undefined`);
        checkJson(layout, column, item, depth + 1);
      }
      return;
    }
    default:
      throw refuse(layout, column, `JSON holds a ${typeof value}`);
  }
}

/**
 * One cell as the value bound to SQLite, after checking that it fits its
 * column: text as it is, integers and reals as numbers, booleans as 1/0,
 * JSON as its `JSON.stringify` text (only JSON columns are stringified).
 * Missing cells are `null`, as `completeRow` makes them. Negative zero is
 * stored as zero: SQLite keeps integral reals as integers, which have no
 * sign at zero (`0 === -0`, and JSON, the format every API answers in, has
 * no negative zero either).
 */
export function encodeCell(layout: TableLayout, column: ColumnLayout, value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  switch (column.type) {
    case 'text':
      if (typeof value !== 'string') throw refuse(layout, column.name, `expected text, got ${typeof value}`);
      if (!isStorableText(value)) throw refuse(layout, column.name, 'text contains \\u0000 or a lone surrogate');
      return value;
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw refuse(layout, column.name, `expected a safe integer, got ${describe(value)}`);
      return value;
    case 'real':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw refuse(layout, column.name, `expected a finite number, got ${describe(value)}`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw refuse(layout, column.name, `expected a boolean, got ${typeof value}`);
      return value ? 1 : 0;
    case 'json':
      checkJson(layout, column.name, value, 0);
      return JSON.stringify(value);
  }
}

const describe = (value: unknown): string => (typeof value === 'number' ? String(value) : typeof value);

/**
 * Fills `into` with a row's cells in column order, ready to bind. The key
 * columns must be present. `into` is reused across the rows of a commit, so
 * the hot path allocates nothing per row beyond the JSON texts.
 */
export function encodeRow(layout: TableLayout, row: Row, into: (string | number | null)[]): void {
  if (typeof row !== 'object' || (row as unknown) === null) throw new ReadModelInputError(`table ${layout.name}: an upsert is not a row object`);
  const columns = layout.columns;
  for (let index = 0; index < columns.length; index += 1) {
    const column = columns[index]!;
    into[index] = encodeCell(layout, column, row[column.name]);
  }
  for (const column of layout.key) {
    const value = row[column.name];
    if (value === null || value === undefined) throw refuse(layout, column.name, 'a key column is null');
  }
}

/** True when a key part could be stored in a key column of this type. */
export const fitsKeyColumn = (type: ColumnType | undefined, part: unknown): part is string | number =>
  type === 'text' ? typeof part === 'string' && isStorableText(part) : type === 'integer' && typeof part === 'number' && Number.isSafeInteger(part);

/**
 * True when a key could name a stored row: the right length, each part of
 * its column's type. Anything else cannot match, exactly as a lookup by
 * `keyString` in the reference store finds nothing. (SQLite itself would
 * convert `5` to `'5'` when comparing with a text column, so the check must
 * come before the SQL.)
 */
export function isPossibleKey(key: readonly { readonly type: ColumnType | undefined }[], value: KeyValue): boolean {
  const untrusted = value as unknown;
  if (!Array.isArray(untrusted) || untrusted.length !== key.length) return false;
  for (let index = 0; index < key.length; index += 1) if (!fitsKeyColumn(key[index]!.type, untrusted[index])) return false;
  return true;
}

/** How to turn the cells SQLite returns into rows: the column names in select order, and which need decoding. */
export interface RowDecoder {
  readonly names: readonly string[];
  /** Positions of boolean columns (stored 0/1). */
  readonly booleans: readonly number[];
  /** Positions of JSON columns (stored as text). */
  readonly json: readonly number[];
  /** For error messages. */
  readonly table: string;
}

/** The decoder for columns of these types, in select order (columns of unknown type come back as they are). */
export function rowDecoder(table: string, columns: readonly { readonly name: string; readonly type: ColumnType | undefined }[]): RowDecoder {
  const positions = (type: ColumnType): number[] => columns.flatMap((column, index) => (column.type === type ? [index] : []));
  return { table, names: columns.map((column) => column.name), booleans: positions('boolean'), json: positions('json') };
}

/**
 * Rows from the cell arrays of a raw statement: 0/1 become booleans, JSON
 * texts are parsed. Raw arrays and plain object building are about a
 * quarter cheaper than better-sqlite3's row objects (see the README's
 * figures). A JSON text that does not parse was written behind the store's
 * back: `STORE_CORRUPTED`.
 */
export function decodeRows(decoder: RowDecoder, cells: readonly unknown[][]): Row[] {
  const { names, booleans, json } = decoder;
  const rows: Row[] = new Array<Row>(cells.length);
  for (let index = 0; index < cells.length; index += 1) {
    const values = cells[index]!;
    for (const position of booleans) {
      const value = values[position];
      if (value !== null) values[position] = value !== 0;
    }
    for (const position of json) {
      const value = values[position];
      if (typeof value !== 'string') continue;
      try {
        values[position] = JSON.parse(value);
      } catch (error) {
        throw new StoreError('STORE_CORRUPTED', `read model ${decoder.table}, column ${names[position]!}: the stored JSON does not parse (${(error as Error).message})`, {
          cause: error,
        });
      }
    }
    const row: Record<string, unknown> = {};
    for (let position = 0; position < names.length; position += 1) row[names[position]!] = values[position];
    rows[index] = row as Row;
  }
  return rows;
}
