import * as currencyCodes from 'currency-codes';
import { z } from 'zod';

/**
 * Money is an integer count of the currency's minor units, never a float.
 * In events it is `{ currency, minor }` with `minor` a decimal integer string
 * (JSON has no bigint); arithmetic uses `bigint`. Minor digits come from the
 * ISO-4217 table of the `currency-codes` package.
 */
export interface Money {
  readonly currency: string;
  /** Integer minor units as a decimal string, e.g. `"1250050"` for USD 12500.50. */
  readonly minor: string;
}

/** Currency codes that are not money (precious metals, bond units, test and "no currency" codes). */
const nonMonetary = (record: { readonly countries: readonly string[] }): boolean =>
  record.countries.length > 0 && record.countries.every((country) => country.startsWith('Zz'));

/** Minor digits by currency code, built once from the ISO-4217 table. */
const digitsByCode: ReadonlyMap<string, number> = new Map(
  currencyCodes.data.filter((record) => !nonMonetary(record)).map((record) => [record.code, record.digits] as const),
);

/** The minor digits of an ISO-4217 currency (upper-case code), or `undefined` when it is not a usable currency. */
export const currencyDigits = (currency: string): number | undefined => digitsByCode.get(currency);

const amountPattern = /^(0|[1-9][0-9]{0,30})(?:\.([0-9]+))?$/;

/** Parses a decimal amount string in a currency into integer minor units, or explains why not. */
export function parseAmount(amount: string, currency: string): { ok: true; minor: bigint } | { ok: false; message: string } {
  const digits = currencyDigits(currency);
  if (digits === undefined) return { ok: false, message: `unknown currency ${currency}` };
  const match = amountPattern.exec(amount);
  if (match === null) return { ok: false, message: 'must be a non-negative decimal string such as "12500.50"' };
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return { ok: false, message: `${currency} has ${digits} minor digits` };
  return { ok: true, minor: BigInt(whole + fraction.padEnd(digits, '0')) };
}

/** Formats integer minor units as the decimal string of the currency (`"12500.50"`). */
export function formatMinor(minor: bigint, currency: string): string {
  const digits = currencyDigits(currency) ?? 2;
  const negative = minor < 0n;
  const text = (negative ? -minor : minor).toString().padStart(digits + 1, '0');
  const whole = digits === 0 ? text : text.slice(0, -digits);
  const body = digits === 0 ? whole : `${whole}.${text.slice(-digits)}`;
  return negative ? `-${body}` : body;
}

/** Money from integer minor units. */
export const money = (currency: string, minor: bigint): Money => ({ currency, minor: minor.toString() });

/** The minor units of a money value as a bigint. */
export const minorOf = (value: Money): bigint => BigInt(value.minor);

/** The decimal form of a money value (`{ amount: "12500.50", currency: "USD" }`). */
export const formatMoney = (value: Money): { readonly amount: string; readonly currency: string } => ({
  amount: formatMinor(minorOf(value), value.currency),
  currency: value.currency,
});

/** True when two money values are the same amount in the same currency. */
export const sameMoney = (a: Money, b: Money): boolean => a.currency === b.currency && a.minor === b.minor;

/**
 * Zod schema for money input `{ "amount": "12500.50", "currency": "USD" }`:
 * a non-negative decimal string with at most the currency's minor digits.
 */
export const moneyInputSchema = z
  .strictObject({
    amount: z.string().trim(),
    currency: z.string().trim().refine((code) => currencyDigits(code) !== undefined, { message: 'must be an ISO-4217 currency code such as USD' }),
  })
  .transform((input, ctx): Money => {
    const parsed = parseAmount(input.amount, input.currency);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: parsed.message });
      return z.NEVER;
    }
    return money(input.currency, parsed.minor);
  });

/** Zod schema for money as stored in events. */
export const storedMoneySchema = z.strictObject({
  currency: z.string(),
  minor: z.string().regex(/^-?(0|[1-9][0-9]*)$/),
});
