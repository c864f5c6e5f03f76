import type { Cell, Condition, DraftRow, KeyValue, Row, RowWriter, ScanQuery, TableSpec } from './types.ts';

/** The key of a row of a table, from its key columns. */
export function keyOf(table: TableSpec, row: Row): KeyValue {
  return table.key.map((column) => {
    const value = row[column];
    return typeof value === 'number' ? value : typeof value === 'string' ? value : JSON.stringify(value ?? null);
  });
}

/**
 * A key as one string, for maps. A table's key has a fixed arity and fixed
 * column types, so joining the parts with NUL (which no stored text can hold:
 * commands reject it at the edge) is unambiguous within a table. A single
 * text part, the common case, is used as it is, with no allocation.
 */
export const keyString = (key: KeyValue): string => {
  if (key.length === 1) {
    const part = key[0]!;
    return typeof part === 'string' ? part : `#${part}`;
  }
  let text = '';
  for (let index = 0; index < key.length; index += 1) {
    const part = key[index]!;
    text += (index === 0 ? '' : '\u0000') + (typeof part === 'string' ? part : `#${part}`);
  }
  return text;
};

const isRange = (condition: Condition): condition is { gte?: string | number; gt?: string | number; lte?: string | number; lt?: string | number } =>
  typeof condition === 'object' && condition !== null && !('in' in condition) && !('notNull' in condition);

/** True when a cell satisfies a condition (the reference semantics every store's scan must follow). */
export function matches(value: unknown, condition: Condition): boolean {
  if (condition === null) return value === null || value === undefined;
  if (typeof condition !== 'object') return value === condition;
  if ('in' in condition) return condition.in.includes(value as string | number);
  if ('notNull' in condition) return value !== null && value !== undefined;
  if (!isRange(condition) || value === null || value === undefined) return false;
  const cell = value as string | number;
  return (
    (condition.gte === undefined || cell >= condition.gte) &&
    (condition.gt === undefined || cell > condition.gt) &&
    (condition.lte === undefined || cell <= condition.lte) &&
    (condition.lt === undefined || cell < condition.lt)
  );
}

/** Compares two cells for ordering: nulls first, then numbers/strings by value. */
export function compareCells(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return (a as string | number) < (b as string | number) ? -1 : 1;
}

/** Runs a scan over rows in memory: the reference semantics of `ReadModelReader.scan`. */
export function scanRows(rows: Iterable<Row>, query: ScanQuery = {}): Row[] {
  const where = Object.entries(query.where ?? {});
  const selected = [...rows].filter((row) => where.every(([column, condition]) => matches(row[column], condition)));
  const order = query.orderBy ?? [];
  if (order.length > 0) {
    selected.sort((a, b) => {
      for (const [column, direction] of order) {
        const compared = compareCells(a[column], b[column]);
        if (compared !== 0) return direction === 'asc' ? compared : -compared;
      }
      return 0;
    });
  }
  return query.limit === undefined ? selected : selected.slice(0, query.limit);
}

/** A row with every column of the table: missing columns become `null`. */
export function completeRow(table: TableSpec, row: Row): Row {
  const complete: Record<string, unknown> = {};
  for (const column of Object.keys(table.columns)) complete[column] = row[column] ?? null;
  return complete as Row;
}

/** A JSON cell copied deeply (plain objects and arrays; anything else is shared, being immutable). */
export function cloneCell(value: Cell): Cell {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return (value as readonly Cell[]).map(cloneCell);
  const copy: Record<string, Cell> = {};
  for (const key of Object.keys(value)) copy[key] = cloneCell((value as { readonly [key: string]: Cell })[key]!);
  return copy;
}

/** A row copied as a draft: its own object, and its own copies of nested JSON values. */
export function cloneRow(row: Row): DraftRow {
  const copy: DraftRow = { ...row };
  for (const column in copy) {
    const value = copy[column];
    if (value !== null && typeof value === 'object') copy[column] = cloneCell(value);
  }
  return copy;
}

/**
 * The row with this key as a draft to change in place and hand back with
 * `put` (see `RowWriter.draft`), or `undefined` when there is none. Writers
 * without drafts (the test helper) get a copy, so the same projection code
 * runs on both.
 */
export function draftRow(rows: RowWriter, table: string, key: KeyValue): DraftRow | undefined {
  if (rows.draft !== undefined) return rows.draft(table, key);
  const row = rows.get(table, key);
  return row === undefined ? undefined : cloneRow(row);
}
