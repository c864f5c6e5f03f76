import type pg from 'pg';
import { ReadModelInputError } from './errors.ts';
import type { ColumnLayout, TableLayout } from './layout.ts';
import type { Cell, KeyValue, Row } from './types.ts';

/**
 * Text PostgreSQL cannot hold as it is: `\u0000` (refused in `text` and
 * `jsonb`) and lone surrogates (the driver would silently turn them into
 * U+FFFD, so the row read back would differ from the row written). With the
 * `u` flag, `\p{Cs}` matches only unpaired surrogates.
 */
const unstorableText = /\u0000|\p{Cs}/u;

/** True when a string round-trips through PostgreSQL unchanged. */
export const isStorableText = (text: string): boolean => !unstorableText.test(text);

/** Nesting beyond this in a JSON cell is refused (it also stops cycles). */
const maxJsonDepth = 256;

const refuse = (layout: TableLayout, column: string, why: string): ReadModelInputError =>
  new ReadModelInputError(`table ${layout.name}, column ${column}: ${why}`);

/** Throws unless `value` is plain JSON that PostgreSQL's jsonb stores and gives back unchanged. */
function checkJson(layout: TableLayout, column: string, value: unknown, depth: number): void {
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'string') {
    if (!isStorableText(value)) throw refuse(layout, column, 'a JSON string contains \\u0000 or a lone surrogate');
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw refuse(layout, column, `JSON holds the non-finite number ${String(value)}`);
    return;
  }
  if (depth >= maxJsonDepth) throw refuse(layout, column, `JSON nested deeper than ${maxJsonDepth} levels (or cyclic)`);
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      // A hole or `undefined` would come back as null.
      if (!(index in value) || value[index] === undefined) throw refuse(layout, column, 'a JSON array holds undefined or a hole');
      checkJson(layout, column, value[index], depth + 1);
    }
    return;
  }
  if (typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) throw refuse(layout, column, 'JSON holds an object that is not a plain object (a Date, Map, class instance, ...)');
    for (const [key, item] of Object.entries(value)) {
      if (!isStorableText(key)) throw refuse(layout, column, 'a JSON key contains \\u0000 or a lone surrogate');
      if (item === undefined) throw refuse(layout, column, `JSON property ${JSON.stringify(key)} is undefined`);
      checkJson(layout, column, item, depth + 1);
    }
    return;
  }
  throw refuse(layout, column, `JSON holds a ${typeof value}`);
}

/**
 * One cell as a JSON token for the bulk document, after checking that it
 * fits its column. Reals keep their sign at zero (`-0`), which
 * `JSON.stringify` would drop; `json_to_recordset` reads `json` tokens
 * verbatim, so `-0` reaches `double precision` intact.
 */
function encodeCell(layout: TableLayout, column: ColumnLayout, value: Cell | undefined): string {
  if (value === null || value === undefined) return 'null';
  switch (column.type) {
    case 'text':
      if (typeof value !== 'string') throw refuse(layout, column.name, `expected text, got ${typeof value}`);
      if (!isStorableText(value)) throw refuse(layout, column.name, 'text contains \\u0000 or a lone surrogate');
      return JSON.stringify(value);
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw refuse(layout, column.name, `expected a safe integer, got ${JSON.stringify(value) ?? typeof value}`);
      return String(value);
    case 'real':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw refuse(layout, column.name, `expected a finite number, got ${typeof value === 'number' ? String(value) : typeof value}`);
      return Object.is(value, -0) ? '-0' : String(value);
    case 'boolean':
      if (typeof value !== 'boolean') throw refuse(layout, column.name, `expected a boolean, got ${typeof value}`);
      return value ? 'true' : 'false';
    case 'json':
      checkJson(layout, column.name, value, 0);
      return JSON.stringify(value);
  }
}

/** The JSON-document aliases of the columns (`c0`, `c1`, ...): short, and never clash with a column name. */
export const columnAlias = (index: number): string => `c${index}`;

/** Upserts ready for `json_to_recordset`: deduplicated by key (the last row wins, as in the reference store). */
export interface EncodedUpserts {
  /** JSON arrays of row objects keyed by column alias, each small enough for one statement. */
  readonly documents: readonly string[];
  /** `keyString` of every upserted key. */
  readonly keys: ReadonlySet<string>;
}

/**
 * Checks and encodes upsert rows. Columns missing from a row are null (as
 * `completeRow` makes them); columns not in the spec are ignored. Throws
 * `ReadModelInputError` on the first bad cell, before anything is written.
 */
export function encodeUpserts(layout: TableLayout, rows: readonly Row[], maxRows: number, maxBytes: number): EncodedUpserts {
  const encoded = new Map<string, string>();
  for (const row of rows) {
    if (typeof row !== 'object' || (row as unknown) === null) throw new ReadModelInputError(`table ${layout.name}: an upsert is not a row object`);
    const key: (string | number)[] = [];
    for (const column of layout.key) {
      const value = row[column.name];
      if (value === null || value === undefined) throw refuse(layout, column.name, 'a key column is null');
      key.push(value as string | number);
    }
    let text = '{';
    layout.columns.forEach((column, index) => {
      text += `${index === 0 ? '' : ','}"${columnAlias(index)}":${encodeCell(layout, column, row[column.name])}`;
    });
    text += '}';
    const keyText = JSON.stringify(key);
    // Delete first so that the surviving entry sits where the last write came.
    encoded.delete(keyText);
    encoded.set(keyText, text);
  }
  const documents: string[] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const text of encoded.values()) {
    if (current.length > 0 && (current.length >= maxRows || bytes + text.length > maxBytes)) {
      documents.push(`[${current.join(',')}]`);
      current = [];
      bytes = 0;
    }
    current.push(text);
    bytes += text.length + 1;
  }
  if (current.length > 0) documents.push(`[${current.join(',')}]`);
  return { documents, keys: new Set(encoded.keys()) };
}

/**
 * Keys as one array per key column (for `unnest`), keeping only keys that
 * could exist: the right length, each part of its column's type. Anything
 * else cannot match a stored row, exactly as a lookup by `keyString` in the
 * reference store finds nothing. Duplicates are kept only when `distinct`
 * is false (a fetch answers once per asked key, like the reference).
 */
export function keyColumns(layout: TableLayout, keys: readonly KeyValue[], options: { readonly distinct: boolean; readonly except?: ReadonlySet<string> }): (string | number)[][] {
  const columns: (string | number)[][] = layout.key.map(() => []);
  const seen = new Set<string>();
  for (const key of keys) {
    if (!Array.isArray(key) || key.length !== layout.key.length) continue;
    if (!key.every((part, index) => fitsKeyColumn(layout.key[index]!, part))) continue;
    if (options.distinct || options.except !== undefined) {
      const text = JSON.stringify(key);
      if (options.except?.has(text) === true) continue;
      if (options.distinct) {
        if (seen.has(text)) continue;
        seen.add(text);
      }
    }
    key.forEach((part, index) => columns[index]!.push(part));
  }
  return columns;
}

/** True when a key part could be stored in this key column. */
export function fitsKeyColumn(column: ColumnLayout, part: unknown): part is string | number {
  return column.type === 'text' ? typeof part === 'string' && isStorableText(part) : typeof part === 'number' && Number.isSafeInteger(part);
}

const identity = (value: string): string => value;
/** Parsers by type OID for the column types of read models (and the counters the store selects). */
const parsers: ReadonlyMap<number, (value: string) => unknown> = new Map<number, (value: string) => unknown>([
  [16, (value) => value === 't'], // boolean
  [20, Number], // bigint: safe integers by contract
  [21, Number], // smallint
  [23, Number], // integer
  [701, Number], // double precision ('Infinity' and 'NaN' included)
  [114, (value) => JSON.parse(value) as unknown], // json
  [3802, (value) => JSON.parse(value) as unknown], // jsonb
]);

/**
 * The type parsers every read-model query uses, whatever parsers the pool's
 * owner installed globally: `bigint` as a number, JSON parsed here, text as
 * it is.
 */
export const rowTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number) => parsers.get(oid) ?? identity) as pg.CustomTypesConfig['getTypeParser'],
};
