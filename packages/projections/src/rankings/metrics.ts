import { formatMinor } from '@eventcrm/domain';
import { moneyReport, type MoneyReport } from '../shared/moneyTotals.ts';
import { HOUR_MS, mean2, ratio } from '../shared/numbers.ts';

/**
 * The metrics of projections.md §3 computed from sums. A member's figures and
 * a team's are both a `Tally` (a team's is the sum of its members' credit
 * rows), so ratios and means are always recomputed from sums, never averaged.
 */

/** Every metric a ranking can be ordered by, in the order of the spec's table. */
export const rankingMetrics = [
  'wonAmount',
  'wonCount',
  'winRate',
  'avgDealSize',
  'pipelineCreated',
  'followUps',
  'customersClaimed',
  'ticketsResolved',
  'avgResolutionHours',
  'slaMetRate',
  'csat',
  'targetAttainment',
] as const;

/** A metric name. */
export type RankingMetric = (typeof rankingMetrics)[number];

/** The metrics whose value is money: a ranking by them needs a currency. */
export const moneyMetrics: readonly RankingMetric[] = ['wonAmount', 'pipelineCreated', 'avgDealSize'];

/** True for a known metric name. */
export const isRankingMetric = (name: string): name is RankingMetric => (rankingMetrics as readonly string[]).includes(name);

/** Money won in one currency: how many wins and their sum in minor units. */
interface CurrencyWins {
  count: number;
  minor: bigint;
}

/** The sums behind every metric, for a member or a team, over a period. */
export interface Tally {
  /** Wins per currency. */
  readonly won: Map<string, CurrencyWins>;
  /** Pipeline opened per currency (minor units). */
  readonly opened: Map<string, bigint>;
  openedCount: number;
  /** Losses that count for the period (a loss superseded by a later closure within it does not). */
  lost: number;
  followUps: number;
  claims: number;
  resolved: number;
  resolutionMs: number;
  slaMet: number;
  ratingSum: number;
  ratingCount: number;
}

/** A tally of nothing. */
export const emptyTally = (): Tally => ({
  won: new Map(),
  opened: new Map(),
  openedCount: 0,
  lost: 0,
  followUps: 0,
  claims: 0,
  resolved: 0,
  resolutionMs: 0,
  slaMet: 0,
  ratingSum: 0,
  ratingCount: 0,
});

/** Adds wins in a currency to a tally. */
export function addWins(tally: Tally, currency: string, count: number, minor: bigint): void {
  const current = tally.won.get(currency);
  if (current === undefined) tally.won.set(currency, { count, minor });
  else {
    current.count += count;
    current.minor += minor;
  }
}

/** Adds opened pipeline in a currency to a tally. */
export function addOpened(tally: Tally, currency: string, count: number, minor: bigint): void {
  tally.opened.set(currency, (tally.opened.get(currency) ?? 0n) + minor);
  tally.openedCount += count;
}

/** Adds every sum of `other` into `tally` (in place). */
export function mergeTally(tally: Tally, other: Tally): Tally {
  for (const [currency, wins] of other.won) addWins(tally, currency, wins.count, wins.minor);
  for (const [currency, minor] of other.opened) addOpened(tally, currency, 0, minor);
  tally.openedCount += other.openedCount;
  tally.lost += other.lost;
  tally.followUps += other.followUps;
  tally.claims += other.claims;
  tally.resolved += other.resolved;
  tally.resolutionMs += other.resolutionMs;
  tally.slaMet += other.slaMet;
  tally.ratingSum += other.ratingSum;
  tally.ratingCount += other.ratingCount;
  return tally;
}

/** True when any fact counted by any metric falls in the tally: the member is *credited* in the period. */
export function isCredited(tally: Tally): boolean {
  let wins = 0;
  for (const { count } of tally.won.values()) wins += count;
  return wins + tally.openedCount + tally.lost + tally.followUps + tally.claims + tally.resolved + tally.ratingCount > 0;
}

/** A sales target: an amount in one currency. */
export interface Target {
  readonly currency: string;
  readonly minor: bigint;
}

/**
 * `numerator / denominator` in minor units, rounded half-up to a whole minor
 * unit (the currency's minor digits). Amounts are never negative, so half-up
 * and half-away-from-zero agree.
 */
export function divideMinorHalfUp(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  return remainder * 2n >= denominator ? quotient + 1n : quotient;
}

/** Average deal size per currency, in minor units: the currency's won sum over its number of wins. */
export function averageDeals(tally: Tally): Map<string, bigint> {
  const averages = new Map<string, bigint>();
  for (const [currency, wins] of tally.won) if (wins.count > 0) averages.set(currency, divideMinorHalfUp(wins.minor, BigInt(wins.count)));
  return averages;
}

/** The metrics of one ranking row, as the spec's JSON shows them (plus `lostCount` and `target`, to check the ratios against). */
export interface Metrics {
  readonly wonAmount: MoneyReport;
  readonly wonCount: number;
  readonly lostCount: number;
  readonly winRate: number | null;
  readonly avgDealSize: MoneyReport;
  readonly pipelineCreated: MoneyReport;
  readonly followUps: number;
  readonly customersClaimed: number;
  readonly ticketsResolved: number;
  readonly avgResolutionHours: number | null;
  readonly slaMetRate: number | null;
  readonly csat: number | null;
  readonly targetAttainment: number | null;
  /** The target the attainment was measured against (`{}` when none). */
  readonly target: MoneyReport;
}

const wonMinor = (tally: Tally): Map<string, bigint> => new Map([...tally.won].map(([currency, wins]) => [currency, wins.minor]));

/** Every metric of a tally, with the target in force (or none). */
export function metricsOf(tally: Tally, target: Target | null): Metrics {
  let wonCount = 0;
  for (const { count } of tally.won.values()) wonCount += count;
  const won = wonMinor(tally);
  return {
    wonAmount: moneyReport(won),
    wonCount,
    lostCount: tally.lost,
    winRate: ratio(wonCount, wonCount + tally.lost),
    avgDealSize: moneyReport(averageDeals(tally)),
    pipelineCreated: moneyReport(tally.opened),
    followUps: tally.followUps,
    customersClaimed: tally.claims,
    ticketsResolved: tally.resolved,
    avgResolutionHours: tally.resolved === 0 ? null : mean2(tally.resolutionMs / HOUR_MS, tally.resolved),
    slaMetRate: ratio(tally.slaMet, tally.resolved),
    csat: mean2(tally.ratingSum, tally.ratingCount),
    targetAttainment: target === null ? null : ratio(Number(won.get(target.currency) ?? 0n), Number(target.minor)),
    target: target === null ? {} : moneyReport(new Map([[target.currency, target.minor]])),
  };
}

/** A ranking value: money as the amount in the requested currency (compared in minor units), else a number or `null`. */
export type RankingValue = { readonly kind: 'money'; readonly minor: bigint; readonly text: string } | { readonly kind: 'number'; readonly value: number | null };

/** The value of a metric for a tally, in a currency for money metrics (`"0.00"` when there is none, never null). */
export function valueOf(metric: RankingMetric, tally: Tally, metrics: Metrics, currency: string | null): RankingValue {
  const money = (minor: bigint): RankingValue => ({ kind: 'money', minor, text: formatMinor(minor, currency ?? '') });
  switch (metric) {
    case 'wonAmount':
      return money(currency === null ? 0n : (tally.won.get(currency)?.minor ?? 0n));
    case 'pipelineCreated':
      return money(currency === null ? 0n : (tally.opened.get(currency) ?? 0n));
    case 'avgDealSize':
      return money(currency === null ? 0n : (averageDeals(tally).get(currency) ?? 0n));
    default:
      return { kind: 'number', value: metrics[metric] };
  }
}
