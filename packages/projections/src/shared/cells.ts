import type { JsonCell, Row } from '../framework/types.ts';

/**
 * Typed reads of row cells. Rows come back from databases as plain values;
 * these accessors say what a projection expects and fail loudly on a
 * mismatch instead of letting a wrong type flow into a report.
 */
export function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new TypeError(`${column}: expected text, got ${JSON.stringify(value)}`);
  return value;
}

/** A text cell that may be null. */
export function textOrNull(row: Row, column: string): string | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw new TypeError(`${column}: expected text or null, got ${JSON.stringify(value)}`);
  return value;
}

/** An integer cell (null reads as 0). */
export function int(row: Row, column: string): number {
  const value = row[column];
  if (value === null || value === undefined) return 0;
  if (typeof value !== 'number') throw new TypeError(`${column}: expected a number, got ${JSON.stringify(value)}`);
  return value;
}

/** A number cell that may be null. */
export function numberOrNull(row: Row, column: string): number | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number') throw new TypeError(`${column}: expected a number or null, got ${JSON.stringify(value)}`);
  return value;
}

/** A boolean cell (null reads as false). */
export function bool(row: Row, column: string): boolean {
  const value = row[column];
  if (value === null || value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`${column}: expected a boolean, got ${JSON.stringify(value)}`);
  return value;
}

/** A JSON cell, typed by the caller (null when empty). */
export function json<Value extends JsonCell>(row: Row, column: string): Value | null {
  const value = row[column];
  return value === undefined ? null : (value as Value);
}
