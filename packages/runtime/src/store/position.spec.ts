import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comparePositions, isPosition, toPosition } from './position.ts';

describe('isPosition', () => {
  it('accepts non-negative decimal integer strings of any size', () => {
    for (const value of ['0', '1', '42', '9007199254740993', '18446744073709551615', '1'.repeat(40)]) {
      expect(isPosition(value), value).toBe(true);
    }
  });

  it('rejects everything else', () => {
    for (const value of ['', '01', '00', '-1', '+1', '1.0', '1e3', ' 1', '1 ', '0x10', 'NaN', '١']) {
      expect(isPosition(value), JSON.stringify(value)).toBe(false);
    }
    for (const value of [1, 0n, null, undefined, {}, ['1']]) {
      expect(isPosition(value), String(value)).toBe(false);
    }
  });
});

describe('comparePositions', () => {
  it('orders numerically, not as strings', () => {
    expect(comparePositions('9', '10')).toBeLessThan(0);
    expect(comparePositions('10', '9')).toBeGreaterThan(0);
    expect(comparePositions('100', '99')).toBeGreaterThan(0);
    expect(comparePositions('0', '1')).toBeLessThan(0);
  });

  it('returns 0 for equal positions', () => {
    expect(comparePositions('0', '0')).toBe(0);
    expect(comparePositions('18446744073709551615', '18446744073709551615')).toBe(0);
  });

  it('orders positions beyond 2^53 exactly', () => {
    // These two are the same JavaScript number, but different positions.
    expect(comparePositions('9007199254740992', '9007199254740993')).toBeLessThan(0);
    expect(comparePositions('18446744073709551615', '18446744073709551614')).toBeGreaterThan(0);
  });

  it('agrees with bigint order (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 80n }), fc.bigInt({ min: 0n, max: 2n ** 80n }), (a, b) => {
        expect(Math.sign(comparePositions(toPosition(a), toPosition(b)))).toBe(a < b ? -1 : a > b ? 1 : 0);
      }),
    );
  });
});

describe('toPosition', () => {
  it('writes bigints and safe integers as decimal positions', () => {
    expect(toPosition(0)).toBe('0');
    expect(toPosition(42)).toBe('42');
    expect(toPosition(2n ** 64n - 1n)).toBe('18446744073709551615');
    expect(isPosition(toPosition(Number.MAX_SAFE_INTEGER))).toBe(true);
  });

  it('round-trips through BigInt (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 80n }), (value) => {
        const position = toPosition(value);
        expect(isPosition(position)).toBe(true);
        expect(BigInt(position)).toBe(value);
      }),
    );
  });

  it('refuses a number that is not an integer', () => {
    expect(() => toPosition(1.5)).toThrow(RangeError);
  });
});
