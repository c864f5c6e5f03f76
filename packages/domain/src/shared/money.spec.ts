import { describe, expect, it } from 'vitest';
import { currencyDigits, formatMinor, formatMoney, minorOf, money, parseAmount, sameMoney } from './money.ts';

// domain.md §0 Money: a decimal string with at most the currency's ISO-4217
// minor digits, stored as integer minor units, never a float; the digits come
// from a maintained ISO-4217 package.

describe('currency minor digits (ISO-4217 table, not a hand-written one)', () => {
  it.each([
    ['USD', 2],
    ['EUR', 2],
    ['CNY', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['BHD', 3],
    ['TND', 3],
    ['CLF', 4],
  ])('%s has %i minor digits', (code, digits) => {
    expect(currencyDigits(code)).toBe(digits);
  });

  it.each(['XAU', 'XXX', 'XTS', 'XBA'])('%s (precious metal, test or "no currency" code) is not money', (code) => {
    expect(currencyDigits(code)).toBeUndefined();
  });

  it('knows no made-up code, and codes are upper-case', () => {
    expect(currencyDigits('XYZ')).toBeUndefined();
    expect(currencyDigits('usd')).toBeUndefined();
  });
});

describe('parseAmount: decimal string to integer minor units', () => {
  it.each([
    ['12500.50', 'USD', 1250050n],
    ['12500.5', 'USD', 1250050n],
    ['12500', 'USD', 1250000n],
    ['0', 'USD', 0n],
    ['0.01', 'USD', 1n],
    ['100', 'JPY', 100n],
    ['1.234', 'BHD', 1234n],
    ['1.2', 'BHD', 1200n],
    ['98765432109876543210.99', 'USD', 9876543210987654321099n],
  ])('%s %s is %s minor units', (amount, currency, minor) => {
    expect(parseAmount(amount, currency)).toEqual({ ok: true, minor });
  });

  it.each([
    ['100.5', 'JPY'],
    ['1.2345', 'BHD'],
    ['12500.505', 'USD'],
  ])('%s %s has more digits than the currency allows', (amount, currency) => {
    expect(parseAmount(amount, currency)).toMatchObject({ ok: false });
  });

  it.each(['-5', '1e3', '01', '1.', '.5', '1,000.00', ' 1', 'NaN', 'Infinity', '0x10', ''])('"%s" is not a non-negative decimal string', (amount) => {
    expect(parseAmount(amount, 'USD')).toMatchObject({ ok: false });
  });

  it('rejects an unknown currency', () => {
    expect(parseAmount('1.00', 'XYZ')).toEqual({ ok: false, message: 'unknown currency XYZ' });
  });
});

describe('formatting minor units back to the decimal string', () => {
  it.each([
    [1250050n, 'USD', '12500.50'],
    [5n, 'USD', '0.05'],
    [0n, 'USD', '0.00'],
    [100n, 'JPY', '100'],
    [1234n, 'BHD', '1.234'],
    [5n, 'BHD', '0.005'],
    [-5n, 'USD', '-0.05'],
    [9876543210987654321099n, 'USD', '98765432109876543210.99'],
  ])('%s %s is %s', (minor, currency, text) => {
    expect(formatMinor(minor, currency)).toBe(text);
  });

  it('round-trips through money values stored as strings (bigint-safe)', () => {
    const value = money('USD', 9007199254740993n); // beyond Number.MAX_SAFE_INTEGER
    expect(value).toEqual({ currency: 'USD', minor: '9007199254740993' });
    expect(minorOf(value)).toBe(9007199254740993n);
    expect(formatMoney(value)).toEqual({ amount: '90071992547409.93', currency: 'USD' });
  });

  it('sameMoney needs the same amount in the same currency', () => {
    expect(sameMoney(money('USD', 100n), money('USD', 100n))).toBe(true);
    expect(sameMoney(money('USD', 100n), money('EUR', 100n))).toBe(false);
    expect(sameMoney(money('USD', 100n), money('USD', 101n))).toBe(false);
  });
});
