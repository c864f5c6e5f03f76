import type { CrmEvent } from '@eventcrm/domain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claimed, followUp, lost, memberRanking, moved, project, rated, registered, resolved, teamRanking, won } from './fixtures.test.ts';
import { rankingMetrics, type RankingMetric } from './metrics.ts';

/**
 * projections.md §3: a team's figures are the sums of its members' credited
 * facts, each attributed to the team the member was in when the fact
 * happened; ranks are a standard competition ranking of the values.
 */

const memberIds = ['m1', 'm2', 'm3', 'm4'] as const;
const teamNames = ['t1', 't2', 't3'] as const;

type Action =
  | { readonly kind: 'move'; readonly member: string; readonly team: string }
  | { readonly kind: 'win'; readonly member: string; readonly currency: 'USD' | 'EUR'; readonly minor: number }
  | { readonly kind: 'lose'; readonly member: string }
  | { readonly kind: 'followUp'; readonly member: string }
  | { readonly kind: 'claim'; readonly member: string }
  | { readonly kind: 'resolve'; readonly member: string; readonly hours: number; readonly met: boolean }
  | { readonly kind: 'rate'; readonly member: string; readonly score: number };

const member = fc.constantFrom(...memberIds);
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('move' as const), member, team: fc.constantFrom(...teamNames) }),
  fc.record({ kind: fc.constant('win' as const), member, currency: fc.constantFrom('USD' as const, 'EUR' as const), minor: fc.integer({ min: 0, max: 1_000_000 }) }),
  fc.record({ kind: fc.constant('lose' as const), member }),
  fc.record({ kind: fc.constant('followUp' as const), member }),
  fc.record({ kind: fc.constant('claim' as const), member }),
  fc.record({ kind: fc.constant('resolve' as const), member, hours: fc.integer({ min: 0, max: 200 }), met: fc.boolean() }),
  fc.record({ kind: fc.constant('rate' as const), member, score: fc.integer({ min: 1, max: 5 }) }),
);

/** The sums a team (or member) ranking row reports, as a model computes them from the facts. */
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

describe('rankings: team sums and ranks (property)', () => {
  it('sums members’ facts by team at fact time, and ranks are a valid competition ranking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom<string | null>(...teamNames, null), { minLength: memberIds.length, maxLength: memberIds.length }),
        fc.array(fc.tuple(action, fc.integer({ min: 1, max: 4 * 24 * 60 })), { maxLength: 60 }),
        fc.constantFrom('2026-01', '2026-Q1', '2026-Q2', '2026'),
        fc.constantFrom(...rankingMetrics),
        async (initialTeams, actions, period, metric: RankingMetric) => {
          const teamOf = new Map<string, string | null>(memberIds.map((id, index) => [id, initialTeams[index] ?? null]));
          const events: CrmEvent[] = memberIds.map((id) => registered(id, 'rep', teamOf.get(id) ?? null, '2025-12-01T00:00:00.000Z'));
          const byTeam = new Map<string, Sums>();
          const byMember = new Map<string, Sums>(memberIds.map((id) => [id, zero()]));
          const months: Record<string, readonly string[]> = {
            '2026-01': ['2026-01'],
            '2026-Q1': ['2026-01', '2026-02', '2026-03'],
            '2026-Q2': ['2026-04', '2026-05', '2026-06'],
            '2026': Array.from({ length: 12 }, (_, index) => `2026-${String(index + 1).padStart(2, '0')}`),
          };
          let clock = Date.parse('2026-01-01T00:00:00.000Z');
          actions.forEach(([next, gapMinutes], index) => {
            clock += gapMinutes * 60_000;
            const at = new Date(clock).toISOString();
            const credit = (change: (sums: Sums) => void): void => {
              if (!months[period]!.includes(at.slice(0, 7))) return;
              change(byMember.get(next.member)!);
              const team = teamOf.get(next.member) ?? null;
              if (team === null) return;
              const sums = byTeam.get(team) ?? zero();
              change(sums);
              byTeam.set(team, sums);
            };
            switch (next.kind) {
              case 'move':
                events.push(moved(next.member, teamOf.get(next.member) ?? null, next.team, at));
                teamOf.set(next.member, next.team);
                return;
              case 'win':
                events.push(won(`o-${index}`, next.member, next.currency, String(next.minor), at));
                credit((sums) => {
                  sums.wonCount += 1;
                  if (next.currency === 'USD') sums.usdMinor += BigInt(next.minor);
                });
                return;
              case 'lose':
                events.push(lost(`o-${index}`, next.member, at));
                credit((sums) => (sums.lost += 1));
                return;
              case 'followUp':
                events.push(followUp('cus-1', next.member, at));
                credit((sums) => (sums.followUps += 1));
                return;
              case 'claim':
                events.push(claimed(`cus-${index}`, next.member, at));
                credit((sums) => (sums.claims += 1));
                return;
              case 'resolve':
                events.push(resolved(`t-${index}`, next.member, new Date(clock - next.hours * 3_600_000).toISOString(), at, { firstResponseMet: next.met, resolutionMet: true }));
                credit((sums) => (sums.resolved += 1));
                return;
              case 'rate':
                events.push(rated(`t-${index}`, next.score, next.member, at));
                credit((sums) => {
                  sums.ratings += 1;
                  sums.ratingSum += next.score;
                });
                return;
            }
          });
          const reader = project(events);
          const query = { period, metric, currency: 'USD' };
          const members = await memberRanking(reader, query);
          const teams = await teamRanking(reader, query);

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
          const reported = (row: (typeof teams.rows)[number] | (typeof members.rows)[number]): ReturnType<typeof view> => ({
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
          for (const team of byTeam.keys()) expect(teams.rows.map((row) => row.team)).toContain(team);
          for (const row of teams.rows) expect(reported(row)).toEqual(view(byTeam.get(row.team) ?? zero()));
          for (const row of members.rows) expect(reported(row)).toEqual(view(byMember.get(row.memberId)!));
          expect(members.rows.map((row) => row.memberId).sort()).toEqual([...memberIds]);

          const ascending = metric === 'avgResolutionHours';
          expectCompetitionRanking(members.rows.map((row) => ({ rank: row.rank, value: row.value, id: row.memberId })), ascending);
          expectCompetitionRanking(teams.rows.map((row) => ({ rank: row.rank, value: row.value, id: row.team })), ascending);
        },
      ),
      { numRuns: 150 },
    );
  });
});
