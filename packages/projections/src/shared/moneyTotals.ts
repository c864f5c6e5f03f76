import { formatMinor, type Money } from '@eventcrm/domain';

/** Per-currency sums of integer minor units. Reports never add different currencies. */
export type MoneyTotals = Map<string, bigint>;

/** A money map as reports print it: `{ "USD": "1234.50" }`, only non-zero sums, currencies sorted; `{}` when none. */
export type MoneyReport = { readonly [currency: string]: string };

/** An empty set of totals. */
export const noMoney = (): MoneyTotals => new Map();

/** Adds minor units of a currency to totals (in place) and returns them. */
export function addMoney(totals: MoneyTotals, currency: string, minor: bigint): MoneyTotals {
  totals.set(currency, (totals.get(currency) ?? 0n) + minor);
  return totals;
}

/** Adds a money value (stored form) to totals. */
export const addStoredMoney = (totals: MoneyTotals, money: Money): MoneyTotals => addMoney(totals, money.currency, BigInt(money.minor));

/** Adds every currency of `other` into `totals`. */
export function mergeMoney(totals: MoneyTotals, other: ReadonlyMap<string, bigint>): MoneyTotals {
  for (const [currency, minor] of other) addMoney(totals, currency, minor);
  return totals;
}

/** The report form of totals: non-zero currencies only, sorted, as decimal strings. */
export function moneyReport(totals: ReadonlyMap<string, bigint>): MoneyReport {
  const entries = [...totals.entries()].filter(([, minor]) => minor !== 0n).sort(([a], [b]) => (a < b ? -1 : 1));
  return Object.fromEntries(entries.map(([currency, minor]) => [currency, formatMinor(minor, currency)]));
}

/** Totals as a JSON cell (`{ "USD": "1250050" }` minor units), for storing in rows. */
export const totalsToCell = (totals: ReadonlyMap<string, bigint>): { readonly [currency: string]: string } =>
  Object.fromEntries([...totals.entries()].filter(([, minor]) => minor !== 0n).map(([currency, minor]) => [currency, minor.toString()]));

/** Totals from a JSON cell written by `totalsToCell` (null or `{}` is empty). */
export function totalsFromCell(cell: unknown): MoneyTotals {
  const totals = noMoney();
  if (cell === null || typeof cell !== 'object' || Array.isArray(cell)) return totals;
  for (const [currency, minor] of Object.entries(cell as Record<string, unknown>)) {
    if (typeof minor === 'string' && /^-?\d+$/.test(minor)) totals.set(currency, BigInt(minor));
  }
  return totals;
}

/**
 * `amount × probability / 100` in minor units, rounded half-up (projections.md:
 * weighted amounts are computed per opportunity in minor units, then summed).
 * Probabilities may have decimals (a revised override), so the product is
 * taken in hundredths of a percent to stay exact.
 */
export function weightedMinor(amountMinor: bigint, probability: number): bigint {
  const basisPoints = BigInt(Math.round(probability * 100));
  const product = amountMinor * basisPoints;
  const divisor = 10_000n;
  const quotient = product / divisor;
  const remainder = product % divisor;
  return remainder * 2n >= divisor ? quotient + 1n : quotient;
}
