import type { Position } from './port.ts';

const decimal = /^(0|[1-9][0-9]*)$/;

/** True when the value is a well-formed position (a non-negative decimal integer string). */
export const isPosition = (value: unknown): value is Position => typeof value === 'string' && decimal.test(value);

/** Orders two positions numerically (they may exceed 2^53). */
export function comparePositions(a: Position, b: Position): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A position from a bigint or a safe integer. */
export const toPosition = (value: bigint | number): Position => BigInt(value).toString(10);
