import { currencyDigits, parsePeriod, type Period } from '@eventcrm/domain';
import type { ReadModelReader, Row } from '../framework/types.ts';
import { bool, int, text, textOrNull } from '../shared/cells.ts';
import { currencyRequired, invalidPeriod, memberNotFound, unknownCurrency, unknownMetric, type RankingsQueryError } from './errors.ts';
import {
  addOpened,
  addWins,
  emptyTally,
  isCredited,
  isRankingMetric,
  mergeTally,
  metricsOf,
  moneyMetrics,
  valueOf,
  type Metrics,
  type RankingMetric,
  type RankingValue,
  type Tally,
  type Target,
} from './metrics.ts';
import { partsOf, targetLabelsOf } from './periods.ts';
import { CREDITS, MEMBER_HISTORY, MONEY, SUPERSEDED, TARGETS } from './tables.ts';

/** What to rank: a period label, a metric, the currency of money metrics, and members or teams. */
export interface RankingsQuery {
  /** `2026-03`, `2026-Q1` or `2026` (UTC). */
  readonly period: string;
  /** One of `rankingMetrics`. */
  readonly metric: string;
  /** Required for `wonAmount`, `pipelineCreated` and `avgDealSize`; also picks the target currency of `targetAttainment`. */
  readonly currency?: string;
  /** Rank teams (team at the time of each credited fact) instead of members. */
  readonly teams?: boolean;
}

/** One member's metrics for a period. `team` is the member's team at the end of the period (or when it was last seen in it). */
export type MemberMetrics = { readonly memberId: string; readonly team: string | null } & Metrics;

/** A row of a member ranking (projections.md §3). */
export type MemberRankingRow = { readonly rank: number | null; readonly value: string | number | null } & MemberMetrics;

/** A row of a team ranking: `team` in place of `memberId`, sums of the team's credits, ratios recomputed from them. */
export type TeamRankingRow = { readonly rank: number | null; readonly team: string; readonly value: string | number | null } & Metrics;

/** A ranking, as the spec's JSON shows it. */
export interface RankingsReport<RowType = MemberRankingRow | TeamRankingRow> {
  readonly period: string;
  readonly metric: RankingMetric;
  readonly currency: string | null;
  readonly teams: boolean;
  readonly rows: readonly RowType[];
}

/** One member's performance for a period (`memberPerformance`). */
export type MemberPerformance = { readonly period: string; readonly currency: string | null } & MemberMetrics;

/** A member's state from one member event on (see `MEMBER_HISTORY`). */
interface Snapshot {
  readonly position: number;
  readonly at: string;
  readonly role: string | null;
  readonly team: string | null;
  readonly active: boolean;
}

/** What a period's queries need, read once. */
interface PeriodData {
  /** Tallies by member, then by team at the time of the facts (`''`: no team). */
  readonly credits: Map<string, Map<string, Tally>>;
  /** Each member's snapshots in log order. */
  readonly history: Map<string, Snapshot[]>;
  /** Each member's targets by period label. */
  readonly targets: Map<string, Map<string, Target>>;
}

function tallyFor(credits: Map<string, Map<string, Tally>>, memberId: string, team: string): Tally {
  let byTeam = credits.get(memberId);
  if (byTeam === undefined) {
    byTeam = new Map();
    credits.set(memberId, byTeam);
  }
  let tally = byTeam.get(team);
  if (tally === undefined) {
    tally = emptyTally();
    byTeam.set(team, tally);
  }
  return tally;
}

async function loadPeriod(reader: ReadModelReader, period: Period, memberId: string | null): Promise<PeriodData> {
  const only = memberId === null ? {} : { member_id: memberId };
  const inPeriod = { ...only, month: { in: period.months } };
  const [creditRows, moneyRows, supersededRows, historyRows, targetRows] = await Promise.all([
    reader.scan(CREDITS, { where: inPeriod }),
    reader.scan(MONEY, { where: inPeriod }),
    reader.scan(SUPERSEDED, { where: { ...only, period: period.label } }),
    reader.scan(MEMBER_HISTORY, { where: only }),
    reader.scan(TARGETS, { where: { ...only, period: { in: [...targetLabelsOf(period)] } } }),
  ]);
  const credits = new Map<string, Map<string, Tally>>();
  const tallyOf = (row: Row): Tally => tallyFor(credits, text(row, 'member_id'), text(row, 'team'));
  for (const row of creditRows) {
    const tally = tallyOf(row);
    tally.lost += int(row, 'lost_count');
    tally.followUps += int(row, 'follow_ups');
    tally.claims += int(row, 'claims');
    tally.resolved += int(row, 'resolved');
    tally.resolutionMs += int(row, 'resolution_ms');
    tally.slaMet += int(row, 'sla_met');
    tally.ratingSum += int(row, 'rating_sum');
    tally.ratingCount += int(row, 'rating_count');
  }
  for (const row of moneyRows) {
    const tally = tallyOf(row);
    const currency = text(row, 'currency');
    addWins(tally, currency, int(row, 'won_count'), BigInt(textOrNull(row, 'won_minor') ?? '0'));
    addOpened(tally, currency, int(row, 'opened_count'), BigInt(textOrNull(row, 'opened_minor') ?? '0'));
  }
  for (const row of supersededRows) tallyOf(row).lost -= 1;

  const history = new Map<string, Snapshot[]>();
  for (const row of historyRows) {
    const snapshots = history.get(text(row, 'member_id')) ?? [];
    snapshots.push({ position: int(row, 'position'), at: text(row, 'at'), role: textOrNull(row, 'role'), team: textOrNull(row, 'team'), active: bool(row, 'active') });
    history.set(text(row, 'member_id'), snapshots);
  }
  for (const snapshots of history.values()) snapshots.sort((a, b) => a.position - b.position);

  const targets = new Map<string, Map<string, Target>>();
  for (const row of targetRows) {
    const byLabel = targets.get(text(row, 'member_id')) ?? new Map<string, Target>();
    byLabel.set(text(row, 'period'), { currency: text(row, 'currency'), minor: BigInt(text(row, 'minor')) });
    targets.set(text(row, 'member_id'), byLabel);
  }
  return { credits, history, targets };
}

/** The spans `[from, to)` of a member's snapshots that overlap a period (empty spans never do). */
function spansIn(snapshots: readonly Snapshot[], period: Period): Snapshot[] {
  return snapshots.filter((snapshot, index) => {
    const end = snapshots[index + 1]?.at ?? null;
    return snapshot.at < period.to && (end === null || (end > period.from && end > snapshot.at));
  });
}

/** True when the member was an active rep or manager at some instant of the period. */
const rankedByRole = (snapshots: readonly Snapshot[], period: Period): boolean =>
  spansIn(snapshots, period).some((span) => span.active && (span.role === 'rep' || span.role === 'manager'));

/** The member's team at the end of the period (the last state that began before its end), `null` when none. */
function teamAtEnd(snapshots: readonly Snapshot[], period: Period): string | null {
  let team: string | null = null;
  for (const snapshot of snapshots) if (snapshot.at < period.to) team = snapshot.team;
  return team;
}

/**
 * The target of a period in a currency (any currency when `null`): the
 * target set for that very period; else, for a quarter or a year, the sum of
 * its parts' targets (a year's quarters, each its own target or the sum of its
 * months) when every part has one and all are in the same currency; else none.
 */
function targetOf(byLabel: ReadonlyMap<string, Target> | undefined, period: Period, currency: string | null): Target | null {
  if (byLabel === undefined) return null;
  const explicit = byLabel.get(period.label);
  if (explicit !== undefined) return currency === null || explicit.currency === currency ? explicit : null;
  const parts = partsOf(period);
  if (parts.length === 0) return null;
  let sum = null as Target | null;
  for (const part of parts) {
    const target = targetOf(byLabel, part, currency);
    if (target === null || (sum !== null && sum.currency !== target.currency)) return null;
    sum = { currency: target.currency, minor: (sum?.minor ?? 0n) + target.minor };
  }
  return sum;
}

/** The sum of several targets when they are all in one currency, else none. */
function sumTargets(targets: readonly (Target | null)[]): Target | null {
  let sum = null as Target | null;
  for (const target of targets) {
    if (target === null) continue;
    if (sum !== null && sum.currency !== target.currency) return null;
    sum = { currency: target.currency, minor: (sum?.minor ?? 0n) + target.minor };
  }
  return sum;
}

interface MemberEntry {
  readonly memberId: string;
  readonly team: string | null;
  readonly tally: Tally;
  readonly target: Target | null;
}

function memberEntry(data: PeriodData, memberId: string, period: Period, currency: string | null): MemberEntry {
  const tally = emptyTally();
  for (const teamTally of data.credits.get(memberId)?.values() ?? []) mergeTally(tally, teamTally);
  return { memberId, team: teamAtEnd(data.history.get(memberId) ?? [], period), tally, target: targetOf(data.targets.get(memberId), period, currency) };
}

/** The rows rule: every active rep or manager at any time of the period, plus every member credited in it. */
function listedMembers(data: PeriodData, period: Period): string[] {
  const listed = new Set<string>();
  for (const [memberId, snapshots] of data.history) if (rankedByRole(snapshots, period)) listed.add(memberId);
  for (const [memberId, byTeam] of data.credits) if ([...byTeam.values()].some(isCredited)) listed.add(memberId);
  return [...listed].sort(byId);
}

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareValues(a: RankingValue, b: RankingValue, ascending: boolean): number {
  let order = 0;
  if (a.kind === 'money' && b.kind === 'money') order = a.minor === b.minor ? 0 : a.minor > b.minor ? -1 : 1;
  else if (a.kind === 'number' && b.kind === 'number' && a.value !== null && b.value !== null) order = a.value === b.value ? 0 : a.value > b.value ? -1 : 1;
  return ascending ? -order : order;
}

const isNull = (value: RankingValue): boolean => value.kind === 'number' && value.value === null;
const jsonValue = (value: RankingValue): string | number | null => (value.kind === 'money' ? value.text : value.value);

/**
 * Orders entries by value (descending; ascending for `avgResolutionHours`),
 * ties by id, `null` values last by id, and gives standard competition ranks
 * (1, 2, 2, 4) to the non-null ones. Ties are decided on the reported
 * (rounded) values, so equal-looking values always share a rank.
 */
export function competitionRanking<Entry>(entries: readonly Entry[], id: (entry: Entry) => string, value: (entry: Entry) => RankingValue, ascending: boolean): { entry: Entry; rank: number | null }[] {
  const sorted = [...entries].sort((a, b) => {
    const nullA = isNull(value(a));
    const nullB = isNull(value(b));
    if (nullA !== nullB) return nullA ? 1 : -1;
    return compareValues(value(a), value(b), ascending) || byId(id(a), id(b));
  });
  const ranked: { entry: Entry; rank: number | null }[] = [];
  sorted.forEach((entry, index) => {
    if (isNull(value(entry))) {
      ranked.push({ entry, rank: null });
      return;
    }
    const previous = ranked[index - 1];
    const tied = previous !== undefined && previous.rank !== null && compareValues(value(previous.entry), value(entry), ascending) === 0;
    ranked.push({ entry, rank: tied ? previous.rank : index + 1 });
  });
  return ranked;
}

interface Validated {
  readonly period: Period;
  readonly currency: string | null;
}

function validate(periodLabel: string, currency: string | undefined): Validated | RankingsQueryError {
  const period = parsePeriod(periodLabel);
  if (period === undefined) return invalidPeriod();
  if (currency !== undefined && currencyDigits(currency) === undefined) return unknownCurrency(currency);
  return { period, currency: currency ?? null };
}

const isError = (value: Validated | RankingsQueryError): value is RankingsQueryError => 'code' in value;

/**
 * Ranks the members (or, with `teams: true`, the teams) of a period by one
 * metric (projections.md §3). Every row carries every metric. Money metrics
 * need a `currency`; their value is the amount in it (`"0.00"` when none).
 * Answers a `DomainError` value instead for a malformed period, an unknown
 * metric (`details.validMetrics` lists the valid ones) or a missing or
 * unknown currency (`INVALID_COMMAND` with the path of the argument).
 */
export async function rankings(reader: ReadModelReader, query: RankingsQuery): Promise<RankingsReport | RankingsQueryError> {
  const validated = validate(query.period, query.currency);
  if (isError(validated)) return validated;
  const { metric } = query;
  if (!isRankingMetric(metric)) return unknownMetric(metric);
  const { period, currency } = validated;
  if (currency === null && moneyMetrics.includes(metric)) return currencyRequired(metric);
  const data = await loadPeriod(reader, period, null);
  const members = listedMembers(data, period).map((memberId) => memberEntry(data, memberId, period, currency));
  const ascending = metric === 'avgResolutionHours';
  const teams = query.teams === true;
  const header = { period: period.label, metric, currency, teams };
  if (!teams) {
    const scored = members.map((entry) => {
      const metrics = metricsOf(entry.tally, entry.target);
      return { entry, metrics, value: valueOf(metric, entry.tally, metrics, currency) };
    });
    const rows = competitionRanking(scored, (item) => item.entry.memberId, (item) => item.value, ascending).map(
      ({ entry: item, rank }): MemberRankingRow => ({ rank, memberId: item.entry.memberId, team: item.entry.team, value: jsonValue(item.value), ...item.metrics }),
    );
    return { ...header, rows };
  }
  const scored = teamEntries(data, members, period).map((entry) => {
    const metrics = metricsOf(entry.tally, entry.target);
    return { team: entry.team, metrics, value: valueOf(metric, entry.tally, metrics, currency) };
  });
  const rows = competitionRanking(scored, (item) => item.team, (item) => item.value, ascending).map(
    ({ entry: item, rank }): TeamRankingRow => ({ rank, team: item.team, value: jsonValue(item.value), ...item.metrics }),
  );
  return { ...header, rows };
}

/**
 * The teams of a team ranking: every team a listed member belonged to while
 * active in the period (or at its end), plus every team credited in it. A
 * team's tally sums its members' credit rows by team at the time of the fact;
 * its target is the sum of the targets of the listed members whose team at
 * the end of the period it is (when they are in one currency).
 */
function teamEntries(data: PeriodData, members: readonly MemberEntry[], period: Period): { team: string; tally: Tally; target: Target | null }[] {
  const teams = new Map<string, Tally>();
  const teamTally = (team: string): Tally => {
    let tally = teams.get(team);
    if (tally === undefined) {
      tally = emptyTally();
      teams.set(team, tally);
    }
    return tally;
  };
  for (const member of members) {
    if (member.team !== null) teamTally(member.team);
    for (const span of spansIn(data.history.get(member.memberId) ?? [], period)) if (span.active && span.team !== null) teamTally(span.team);
    for (const [team, tally] of data.credits.get(member.memberId) ?? []) if (team !== '' && isCredited(tally)) mergeTally(teamTally(team), tally);
  }
  return [...teams].map(([team, tally]) => ({
    team,
    tally,
    target: sumTargets(members.filter((member) => member.team === team).map((member) => member.target)),
  }));
}

/**
 * One member's metrics for a period (every metric of projections.md §3, with
 * `targetAttainment` against the target in `currency`, or in the target's own
 * currency when none is given). `NOT_FOUND` when the member was never
 * registered and has no credit in the period.
 */
export async function memberPerformance(
  reader: ReadModelReader,
  memberId: string,
  period: string,
  options: { readonly currency?: string } = {},
): Promise<MemberPerformance | RankingsQueryError> {
  const validated = validate(period, options.currency);
  if (isError(validated)) return validated;
  const data = await loadPeriod(reader, validated.period, memberId);
  if (!data.history.has(memberId) && !data.credits.has(memberId)) return memberNotFound(memberId);
  const entry = memberEntry(data, memberId, validated.period, validated.currency);
  return { period: validated.period.label, currency: validated.currency, memberId, team: entry.team, ...metricsOf(entry.tally, entry.target) };
}
