import { isStoreError } from '@eventcrm/runtime';
import { describe, expect, it } from 'vitest';
import {
  actualRevisionFromServer,
  fromPositionAfter,
  isAfter,
  parseAfter,
  positionFromServer,
  revisionFromServer,
  revisionToServer,
  satisfiesExpectation,
  streamStateFor,
} from './positions.ts';

const codeOf = (action: () => unknown): unknown => {
  try {
    action();
  } catch (error) {
    return isStoreError(error) ? error.code : error instanceof Error ? error.name : error;
  }
  return 'no error';
};

describe('revisions', () => {
  it('maps KurrentDB bigint revisions to numbers up to 2^53 - 1', () => {
    expect(revisionFromServer(0n, 'here')).toBe(0);
    expect(revisionFromServer(41n, 'here')).toBe(41);
    expect(revisionFromServer(BigInt(Number.MAX_SAFE_INTEGER), 'here')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses revisions the port cannot represent as STORE_CORRUPTED', () => {
    expect(codeOf(() => revisionFromServer(BigInt(Number.MAX_SAFE_INTEGER) + 1n, 'here'))).toBe('STORE_CORRUPTED');
    expect(codeOf(() => revisionFromServer(2n ** 64n - 1n, 'here'))).toBe('STORE_CORRUPTED');
    expect(codeOf(() => revisionFromServer(-1n, 'here'))).toBe('STORE_CORRUPTED');
  });

  it('maps port revisions to bigints and refuses anything but non-negative safe integers', () => {
    expect(revisionToServer(0)).toBe(0n);
    expect(revisionToServer(Number.MAX_SAFE_INTEGER)).toBe(BigInt(Number.MAX_SAFE_INTEGER));
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1]) {
      expect(codeOf(() => revisionToServer(bad)), String(bad)).toBe('RangeError');
    }
  });

  it('reads an actual state from the server as the port actual revision', () => {
    expect(actualRevisionFromServer('no_stream', 's')).toBeNull();
    expect(actualRevisionFromServer(undefined, 's')).toBeNull();
    expect(actualRevisionFromServer(7n, 's')).toBe(7);
    // Consistency violations report deleted (-5) and tombstoned (-6) streams.
    expect(actualRevisionFromServer(-5n, 's')).toBeNull();
    expect(actualRevisionFromServer(-6n, 's')).toBeNull();
  });
});

describe('expected revisions', () => {
  it.each([
    ['any', null, true],
    ['any', 3, true],
    ['no_stream', null, true],
    ['no_stream', 0, false],
    ['exists', null, false],
    ['exists', 0, true],
    [2, 2, true],
    [2, 3, false],
    [2, null, false],
    [0, null, false],
  ] as const)('expected %s with the stream at %s: %s', (expected, actual, holds) => {
    expect(satisfiesExpectation(expected, actual)).toBe(holds);
  });

  it('always sends the exact state it read: no_stream, or the revision as a bigint', () => {
    expect(streamStateFor(null)).toBe('no_stream');
    expect(streamStateFor(0)).toBe(0n);
    expect(streamStateFor(12)).toBe(12n);
  });
});

describe('positions', () => {
  it('uses the commit position, in decimal, beyond 2^53 without losing digits', () => {
    expect(positionFromServer({ commit: 0n }, 'here')).toBe('0');
    expect(positionFromServer({ commit: 18446744073709551615n }, 'here')).toBe('18446744073709551615');
    expect(positionFromServer({ commit: 2n ** 53n + 1n }, 'here')).toBe('9007199254740993');
  });

  it('fails clearly when the server reports no position (servers before 22.6) or a negative one', () => {
    expect(codeOf(() => positionFromServer(undefined, 'here'))).toBe('STORE_UNAVAILABLE');
    expect(codeOf(() => positionFromServer({ commit: -1n }, 'here'))).toBe('STORE_CORRUPTED');
  });

  it('parses `after` exactly, and refuses malformed positions', () => {
    expect(parseAfter(undefined)).toBeUndefined();
    expect(parseAfter('0')).toBe(0n);
    expect(parseAfter('18446744073709551615')).toBe(18446744073709551615n);
    for (const bad of ['', '-1', '01', '1.5', 'abc', ' 1']) expect(codeOf(() => parseAfter(bad)), JSON.stringify(bad)).toBe('RangeError');
  });

  it('maps `after` to a fromPosition with commit = prepare, and 0 or nothing to the start', () => {
    expect(fromPositionAfter(undefined)).toBe('start');
    expect(fromPositionAfter(0n)).toBe('start');
    expect(fromPositionAfter(2n ** 60n)).toEqual({ commit: 2n ** 60n, prepare: 2n ** 60n });
  });

  it('keeps only events strictly after the cursor, since a forwards read includes its start', () => {
    expect(isAfter(5n, undefined)).toBe(true);
    expect(isAfter(5n, 4n)).toBe(true);
    expect(isAfter(5n, 5n)).toBe(false);
    expect(isAfter(5n, 6n)).toBe(false);
  });
});
