import type { CrmEvent } from '@eventcrm/domain';
import { inLog } from '@eventcrm/projections/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyOf, keyString } from '../framework/rows.ts';
import type { KeyValue, ProjectedEvent, Row, RowWriter, TableSpec } from '../framework/types.ts';
import { claimed, followUp, lost, memberRanking, moved, project, rated, registered, reopened, resolved, teamRanking, won } from './fixtures.test.ts';
import { rankingMetrics, type RankingMetric } from './metrics.ts';
import { rankingsProjection } from './projection.ts';

/**
 * projections.md §3: a team's figures are the sums of its members' credited
 * facts, each attributed to the team the member was in when the fact
 * happened; ranks are a standard competition ranking of the values. And, as
 * for every projection, any split of the log into batches gives the same rows.
 */

const memberIds = ['m1', 'm2', 'm3', 'm4'] as const;
const teamNames = ['t1', 't2', 't3'] as const;

type Action =
  | { readonly kind: 'move'; readonly member: string; readonly team: string }
  | { readonly kind: 'win'; readonly member: string; readonly currency: 'USD' | 'EUR'; readonly minor: number }
  | { readonly kind: 'lose'; readonly member: string }
  /** Lost by `member`, reopened, then won by `winner` `laterMinutes` after the loss. */
  | { readonly kind: 'loseThenWin'; readonly member: string; readonly winner: string; readonly laterMinutes: number }
  | { readonly kind: 'followUp'; readonly member: string }
  | { readonly kind: 'claim'; readonly member: string }
  | { readonly kind: 'resolve'; readonly member: string; readonly hours: number; readonly met: boolean }
  | { readonly kind: 'rate'; readonly member: string; readonly score: number };

const member = fc.constantFrom(...memberIds);
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('move' as const), member, team: fc.constantFrom(...teamNames) }),
  fc.record({ kind: fc.constant('win' as const), member, currency: fc.constantFrom('USD' as const, 'EUR' as const), minor: fc.integer({ min: 0, max: 1_000_000 }) }),
  fc.record({ kind: fc.constant('lose' as const), member }),
  fc.record({ kind: fc.constant('loseThenWin' as const), member, winner: member, laterMinutes: fc.integer({ min: 1, max: 60 * 24 * 45 }) }),
  fc.record({ kind: fc.constant('followUp' as const), member }),
  fc.record({ kind: fc.constant('claim' as const), member }),
  fc.record({ kind: fc.constant('resolve' as const), member, hours: fc.integer({ min: 0, max: 200 }), met: fc.boolean() }),
  fc.record({ kind: fc.constant('rate' as const), member, score: fc.integer({ min: 1, max: 5 }) }),
);
const initialTeams = fc.array(fc.constantFrom<string | null>(...teamNames, null), { minLength: memberIds.length, maxLength: memberIds.length });
const actions = fc.array(fc.tuple(action, fc.integer({ min: 1, max: 4 * 24 * 60 })), { maxLength: 60 });

/** The sums a ranking row reports, as a model computes them from the facts. */
interface Sums {
  wonCount: number;
  usdMinor: bigint;
  lost: number;
  followUps: number;
  claims: number;
  resolved: number;
  ratings: number;
  ratingSum: number;
}

const zero = (): Sums => ({ wonCount: 0, usdMinor: 0n, lost: 0, followUps: 0, claims: 0, resolved: 0, ratings: 0, ratingSum: 0 });

const monthsOf: Record<string, readonly string[]> = {
  '2026-01': ['2026-01'],
  '2026-Q1': ['2026-01', '2026-02', '2026-03'],
  '2026-Q2': ['2026-04', '2026-05', '2026-06'],
  '2026': Array.from({ length: 12 }, (_, index) => `2026-${String(index + 1).padStart(2, '0')}`),
};

/** The events of a scenario, and the model's sums for a period by member and by team at the time of each fact. */
function scenario(teams: readonly (string | null)[], steps: readonly (readonly [Action, number])[], period: string): { events: CrmEvent[]; byMember: Map<string, Sums>; byTeam: Map<string, Sums> } {
  const teamOf = new Map<string, string | null>(memberIds.map((id, index) => [id, teams[index] ?? null]));
  const events: CrmEvent[] = memberIds.map((id) => registered(id, 'rep', teamOf.get(id) ?? null, '2025-12-01T00:00:00.000Z'));
  const byTeam = new Map<string, Sums>();
  const byMember = new Map<string, Sums>(memberIds.map((id) => [id, zero()]));
  const inPeriod = (at: string): boolean => monthsOf[period]!.includes(at.slice(0, 7));
  const credit = (memberId: string, at: string, change: (sums: Sums) => void): void => {
    if (!inPeriod(at)) return;
    change(byMember.get(memberId)!);
    const team = teamOf.get(memberId) ?? null;
    if (team === null) return;
    const sums = byTeam.get(team) ?? zero();
    change(sums);
    byTeam.set(team, sums);
  };
  let clock = Date.parse('2026-01-01T00:00:00.000Z');
  steps.forEach(([next, gapMinutes], index) => {
    clock += gapMinutes * 60_000;
    const at = new Date(clock).toISOString();
    switch (next.kind) {
      case 'move':
        events.push(moved(next.member, teamOf.get(next.member) ?? null, next.team, at));
        teamOf.set(next.member, next.team);
        return;
      case 'win':
        events.push(won(`o-${index}`, next.member, next.currency, String(next.minor), at));
        credit(next.member, at, (sums) => {
          sums.wonCount += 1;
          if (next.currency === 'USD') sums.usdMinor += BigInt(next.minor);
        });
        return;
      case 'lose':
        events.push(lost(`o-${index}`, next.member, at));
        credit(next.member, at, (sums) => (sums.lost += 1));
        return;
      case 'loseThenWin': {
        clock += next.laterMinutes * 60_000;
        const wonAt = new Date(clock).toISOString();
        events.push(lost(`o-${index}`, next.member, at), reopened(`o-${index}`, at), won(`o-${index}`, next.winner, 'USD', '100', wonAt));
        // The loss counts only when the win falls outside the period (the opportunity's last closure in it is then the loss).
        if (!inPeriod(wonAt)) credit(next.member, at, (sums) => (sums.lost += 1));
        credit(next.winner, wonAt, (sums) => {
          sums.wonCount += 1;
          sums.usdMinor += 100n;
        });
        return;
      }
      case 'followUp':
        events.push(followUp('cus-1', next.member, at));
        credit(next.member, at, (sums) => (sums.followUps += 1));
        return;
      case 'claim':
        events.push(claimed(`cus-${index}`, next.member, at));
        credit(next.member, at, (sums) => (sums.claims += 1));
        return;
      case 'resolve':
        events.push(resolved(`t-${index}`, next.member, new Date(clock - next.hours * 3_600_000).toISOString(), at, { firstResponseMet: next.met, resolutionMet: true }));
        credit(next.member, at, (sums) => (sums.resolved += 1));
        return;
      case 'rate':
        events.push(rated(`t-${index}`, next.score, next.member, at));
        credit(next.member, at, (sums) => {
          sums.ratings += 1;
          sums.ratingSum += next.score;
        });
        return;
    }
  });
  return { events, byMember, byTeam };
}

const minorOf = (value: string): bigint => BigInt(value.replace('.', ''));

/** Checks a ranking's rows: ordered, standard competition ranks of the values, nulls last and unranked, ties by id. */
function expectCompetitionRanking(rows: readonly { rank: number | null; value: string | number | null; id: string }[], ascending: boolean): void {
  const score = (value: string | number): number | bigint => (typeof value === 'string' ? minorOf(value) : value);
  const better = (a: string | number, b: string | number): boolean => (ascending ? score(a) < score(b) : score(a) > score(b));
  const ranked = rows.filter((row) => row.value !== null);
  const unranked = rows.filter((row) => row.value === null);
  expect(rows).toEqual([...ranked, ...unranked]);
  for (const row of unranked) expect(row.rank).toBeNull();
  expect(unranked.map((row) => row.id)).toEqual(unranked.map((row) => row.id).sort());
  ranked.forEach((row, index) => {
    expect(row.rank).toBe(1 + ranked.filter((other) => better(other.value!, row.value!)).length);
    const next = ranked[index + 1];
    if (next !== undefined) {
      expect(better(next.value!, row.value!)).toBe(false);
      if (!better(row.value!, next.value!)) expect(row.id < next.id).toBe(true);
    }
  });
}

/**
 * Projects the way the runner does (runtime `ProjectionRunner.applyBatch`):
 * per batch, the rows every event declares against the resident tables as
 * they were before the batch, then, per event, any row it declares now that
 * was not fetched yet. Reading a non-resident row never declared fails.
 */
function projectInBatches(events: readonly ProjectedEvent[], batchSizes: readonly number[]): Map<string, Map<string, Row>> {
  const specs = new Map<string, TableSpec>(rankingsProjection.tables.map((spec) => [spec.name, spec]));
  const tables = new Map<string, Map<string, Row>>(rankingsProjection.tables.map((spec) => [spec.name, new Map()]));
  const fetched = new Set<string>();
  const ref = (table: string, key: KeyValue): string => `${table} ${keyString(key)}`;
  const writer: RowWriter = {
    get(table, key) {
      if (specs.get(table)!.resident !== true && !fetched.has(ref(table, key))) throw new Error(`undeclared read ${ref(table, key)}`);
      return tables.get(table)!.get(keyString(key));
    },
    put(table, row) {
      const key = keyOf(specs.get(table)!, row);
      fetched.add(ref(table, key));
      tables.get(table)!.set(keyString(key), row);
    },
    delete(table, key) {
      tables.get(table)!.delete(keyString(key));
    },
    all: (table) => [...tables.get(table)!.values()],
  };
  let start = 0;
  let turn = 0;
  while (start < events.length) {
    const size = Math.max(1, batchSizes[turn % Math.max(1, batchSizes.length)] ?? 1);
    const batch = events.slice(start, start + size).filter((event) => rankingsProjection.eventTypes.includes(event.type));
    fetched.clear();
    for (const event of batch) for (const needed of rankingsProjection.rowsNeeded(event, writer)) fetched.add(ref(needed.table, needed.key));
    for (const event of batch) {
      for (const needed of rankingsProjection.rowsNeeded(event, writer)) fetched.add(ref(needed.table, needed.key));
      rankingsProjection.apply(event, writer);
    }
    start += size;
    turn += 1;
  }
  return tables;
}

describe('rankings: properties', () => {
  it('sums members’ facts by team at fact time, and ranks are a valid competition ranking', async () => {
    await fc.assert(
      fc.asyncProperty(initialTeams, actions, fc.constantFrom('2026-01', '2026-Q1', '2026-Q2', '2026'), fc.constantFrom(...rankingMetrics), async (teams, steps, period, metric: RankingMetric) => {
        const { events, byMember, byTeam } = scenario(teams, steps, period);
        const reader = project(events);
        const query = { period, metric, currency: 'USD' };
        const members = await memberRanking(reader, query);
        const teamRows = await teamRanking(reader, query);

        const ratio = (part: number, whole: number, digits: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 10 ** digits) / 10 ** digits);
        const view = (sums: Sums) => ({
          wonCount: sums.wonCount,
          usdMinor: sums.usdMinor,
          lostCount: sums.lost,
          followUps: sums.followUps,
          customersClaimed: sums.claims,
          ticketsResolved: sums.resolved,
          winRate: ratio(sums.wonCount, sums.wonCount + sums.lost, 4),
          csat: ratio(sums.ratingSum, sums.ratings, 2),
        });
        const reported = (row: (typeof teamRows.rows)[number] | (typeof members.rows)[number]): ReturnType<typeof view> => ({
          wonCount: row.wonCount,
          usdMinor: minorOf(row.wonAmount['USD'] ?? '0'),
          lostCount: row.lostCount,
          followUps: row.followUps,
          customersClaimed: row.customersClaimed,
          ticketsResolved: row.ticketsResolved,
          winRate: row.winRate,
          csat: row.csat,
        });

        // Every team credited has a row; every row's sums are its members' facts by team at fact time.
        for (const team of byTeam.keys()) expect(teamRows.rows.map((row) => row.team)).toContain(team);
        for (const row of teamRows.rows) expect(reported(row)).toEqual(view(byTeam.get(row.team) ?? zero()));
        for (const row of members.rows) expect(reported(row)).toEqual(view(byMember.get(row.memberId)!));
        expect(members.rows.map((row) => row.memberId).sort()).toEqual([...memberIds]);

        const ascending = metric === 'avgResolutionHours';
        expectCompetitionRanking(members.rows.map((row) => ({ rank: row.rank, value: row.value, id: row.memberId })), ascending);
        expectCompetitionRanking(teamRows.rows.map((row) => ({ rank: row.rank, value: row.value, id: row.team })), ascending);
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same rows whatever the split of the log into batches', () => {
    fc.assert(
      fc.property(initialTeams, actions, fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 8 }), (teams, steps, batchSizes) => {
        const log = inLog(scenario(teams, steps, '2026').events);
        expect(projectInBatches(log, batchSizes)).toEqual(projectInBatches(log, [log.length]));
        expect(projectInBatches(log, [1])).toEqual(projectInBatches(log, [log.length]));
      }),
      { numRuns: 100 },
    );
  });
});
