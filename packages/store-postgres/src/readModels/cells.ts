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

/** Any NUL or surrogate code unit: a cheap first look (no `u` flag) before the exact test. */
const suspectText = /[\u0000\ud800-\udfff]/;

/** True when a string round-trips through PostgreSQL unchanged. */
export const isStorableText = (text: string): boolean => !suspectText.test(text) || !unstorableText.test(text);

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
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (!isStorableText(key)) throw refuse(layout, column, 'a JSON key contains \\u0000 or a lone surrogate');
      if (item === undefined) throw refuse(layout, column, `JSON property ${JSON.stringify(key)} is undefined`);
      checkJson(layout, column, item, depth + 1);
    }
    return;
  }
  throw refuse(layout, column, `JSON holds a ${typeof value}`);
}

/**
 * Throws unless a cell fits its column; returns true for a real `-0`, which
 * needs the careful encoding (`JSON.stringify` writes it as `0`).
 */
function checkCell(layout: TableLayout, column: ColumnLayout, value: Cell | undefined): boolean {
  if (value === null || value === undefined) return false;
  switch (column.type) {
    case 'text':
      if (typeof value !== 'string') throw refuse(layout, column.name, `expected text, got ${typeof value}`);
      if (!isStorableText(value)) throw refuse(layout, column.name, 'text contains \\u0000 or a lone surrogate');
      return false;
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw refuse(layout, column.name, `expected a safe integer, got ${typeof value === 'number' ? String(value) : typeof value}`);
      return false;
    case 'real':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw refuse(layout, column.name, `expected a finite number, got ${typeof value === 'number' ? String(value) : typeof value}`);
      return Object.is(value, -0);
    case 'boolean':
      if (typeof value !== 'boolean') throw refuse(layout, column.name, `expected a boolean, got ${typeof value}`);
      return false;
    case 'json':
      checkJson(layout, column.name, value, 0);
      return false;
  }
}

/** True when the native `JSON.stringify` of the row is exactly its document form: a plain object holding only its columns. */
function stringifiable(layout: TableLayout, row: Row): boolean {
  const prototype = Object.getPrototypeOf(row) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return false;
  const own = Object.keys(row);
  return own.length <= layout.columns.length && own.every((name) => layout.byName.has(name));
}

/**
 * A checked row as a JSON object keyed by column name, cell by cell: for
 * rows the native `JSON.stringify` would get wrong, those with properties
 * beyond their columns (left out here) or a real `-0` (kept: `json_to_recordset`
 * reads `json` number tokens verbatim, so `-0` reaches `double precision`
 * intact, where `JSON.stringify` writes `0`).
 */
function encodeRow(layout: TableLayout, row: Row): string {
  let text = '{';
  for (const column of layout.columns) {
    const value = row[column.name];
    const token = value === null || value === undefined ? 'null' : Object.is(value, -0) ? '-0' : JSON.stringify(value);
    text += `${text.length === 1 ? '' : ','}"${column.name}":${token}`;
  }
  return `${text}}`;
}

/** A key as one string, for deduplicating (a cheaper spelling than JSON for the usual one-column key). */
const keyIdentity = (key: readonly unknown[]): string =>
  key.length === 1 ? (typeof key[0] === 'string' ? `s${key[0]}` : `n${String(key[0])}`) : JSON.stringify(key);

/** Upserts ready for `json_to_recordset`: deduplicated by key (the last row wins, as in the reference store). */
export interface EncodedUpserts {
  /** JSON arrays of row objects keyed by column name, each small enough for one statement. */
  readonly documents: readonly string[];
  /** Every upserted key, spelled by `keyIdentity`. */
  readonly keys: ReadonlySet<string>;
}

/**
 * Checks and encodes upsert rows. Columns missing from a row are null (as
 * `completeRow` makes them); columns not in the spec are ignored. Throws
 * `ReadModelInputError` on the first bad cell, before anything is written.
 * A chunk of ordinary rows becomes its document in one native
 * `JSON.stringify` (measured about twice as fast as building it row by row);
 * a chunk with a row that needs care is built row by row.
 */
export function encodeUpserts(layout: TableLayout, rows: readonly Row[], maxRows: number, maxBytes: number): EncodedUpserts {
  const latest = new Map<string, Row>();
  const careful = new Set<Row>();
  for (const row of rows) {
    if (typeof row !== 'object' || (row as unknown) === null) throw new ReadModelInputError(`table ${layout.name}: an upsert is not a row object`);
    const key: (string | number)[] = [];
    for (const column of layout.key) {
      const value = row[column.name];
      if (value === null || value === undefined) throw refuse(layout, column.name, 'a key column is null');
      key.push(value as string | number);
    }
    let negativeZero = false;
    for (const column of layout.columns) if (checkCell(layout, column, row[column.name])) negativeZero = true;
    if (negativeZero || !stringifiable(layout, row)) careful.add(row);
    const identity = keyIdentity(key);
    // Delete first so that the surviving entry sits where the last write came.
    latest.delete(identity);
    latest.set(identity, row);
  }
  const documents: string[] = [];
  const encode = (chunk: readonly Row[]): void => {
    const document = chunk.some((row) => careful.has(row)) ? `[${chunk.map((row) => (careful.has(row) ? encodeRow(layout, row) : JSON.stringify(row))).join(',')}]` : JSON.stringify(chunk);
    if (document.length <= maxBytes || chunk.length === 1) {
      documents.push(document);
      return;
    }
    const half = Math.ceil(chunk.length / 2);
    encode(chunk.slice(0, half));
    encode(chunk.slice(half));
  };
  const unique = [...latest.values()];
  for (let start = 0; start < unique.length; start += maxRows) encode(unique.slice(start, start + maxRows));
  return { documents, keys: new Set(latest.keys()) };
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
      const text = keyIdentity(key);
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
