import { describe, expect, it } from 'vitest';
import { isDomainError } from '@eventcrm/domain';
import {
  assignedCustomer,
  claimed,
  deactivated,
  followUp,
  lost,
  memberRanking,
  moved,
  noCredit,
  opened,
  performance,
  project,
  rated,
  reassigned,
  registered,
  reopened,
  resolved,
  roleChanged,
  standings,
  targetSet,
  teamRanking,
  ticketReopened,
  won,
} from './fixtures.test.ts';
import { divideMinorHalfUp, rankingMetrics } from './metrics.ts';
import { memberPerformance, rankings } from './queries.ts';

describe('rankings: every metric of one member (projections.md §3)', () => {
  const reader = project([
    registered('u-alice', 'rep', 'north'),
    registered('u-mia', 'manager', 'north'),
    targetSet('u-alice', '2026-03', 'USD', '200000'),
    opened('o-4', 'u-alice', 'USD', '30000', '2026-02-15T10:00:00.000Z'),
    opened('o-1', 'u-alice', 'USD', '100000', '2026-03-02T10:00:00.000Z'),
    opened('o-2', 'u-alice', 'USD', '50000', '2026-03-03T10:00:00.000Z'),
    opened('o-3', 'u-alice', 'EUR', '20000', '2026-03-04T10:00:00.000Z'),
    won('o-1', 'u-alice', 'USD', '120000', '2026-03-10T10:00:00.000Z'),
    won('o-3', 'u-alice', 'EUR', '20000', '2026-03-11T10:00:00.000Z'),
    lost('o-2', 'u-alice', '2026-03-12T10:00:00.000Z', 'USD', '50000'),
    won('o-4', 'u-alice', 'USD', '30001', '2026-03-20T10:00:00.000Z'),
    followUp('cus-1', 'u-alice', '2026-03-05T09:00:00.000Z'),
    followUp('cus-2', 'u-alice', '2026-03-06T09:00:00.000Z'),
    followUp('cus-2', 'system', '2026-03-06T10:00:00.000Z', 'u-alice'),
    followUp('cus-3', 'u-mia', '2026-03-07T09:00:00.000Z', 'u-alice'),
    claimed('cus-4', 'u-alice', '2026-03-05T12:00:00.000Z'),
    assignedCustomer('cus-5', 'u-alice', '2026-03-05T13:00:00.000Z'),
    resolved('t-1', 'u-alice', '2026-03-01T00:00:00.000Z', '2026-03-01T10:00:00.000Z'),
    resolved('t-2', 'u-alice', '2026-03-02T00:00:00.000Z', '2026-03-03T02:30:00.000Z', { firstResponseMet: true, resolutionMet: false }),
    rated('t-1', 5, 'u-alice', '2026-03-02T00:00:00.000Z'),
    rated('t-2', 4, 'u-alice', '2026-03-04T00:00:00.000Z'),
  ]);

  it('computes each metric from its definition', async () => {
    // Wins in March: USD 1200.00 + 300.01, EUR 200.00; one loss. avgDealSize USD = 150001 / 2 = 75000.5 → half-up 75001.
    // Resolutions: 10 h and 26.5 h → 18.25; one met both targets → 0.5. Ratings 5 and 4 → 4.5.
    // Target USD 2000.00: 1500.01 / 2000.00 = 0.750005 → 0.75.
    expect(await performance(reader, 'u-alice', '2026-03')).toEqual({
      period: '2026-03',
      currency: null,
      memberId: 'u-alice',
      team: 'north',
      wonAmount: { EUR: '200.00', USD: '1500.01' },
      wonCount: 3,
      lostCount: 1,
      winRate: 0.75,
      avgDealSize: { EUR: '200.00', USD: '750.01' },
      pipelineCreated: { EUR: '200.00', USD: '1500.00' },
      followUps: 2,
      customersClaimed: 1,
      ticketsResolved: 2,
      avgResolutionHours: 18.25,
      slaMetRate: 0.5,
      csat: 4.5,
      targetAttainment: 0.75,
      target: { USD: '2000.00' },
    });
  });

  it('credits a follow-up to the member who logged it, not to the owner, and none to system', async () => {
    expect((await performance(reader, 'u-mia', '2026-03')).followUps).toBe(1);
  });

  it('credits pipeline to the month the opportunity was opened in', async () => {
    expect((await performance(reader, 'u-alice', '2026-02')).pipelineCreated).toEqual({ USD: '300.00' });
  });

  it('measures attainment only against a target in the requested currency', async () => {
    const inEuro = await performance(reader, 'u-alice', '2026-03', 'EUR');
    expect(inEuro.targetAttainment).toBeNull();
    expect(inEuro.target).toEqual({});
    expect((await performance(reader, 'u-alice', '2026-03', 'USD')).targetAttainment).toBe(0.75);
  });

  it('ranks with the whole row on every line and the value in the requested currency', async () => {
    const report = await memberRanking(reader, { period: '2026-03', metric: 'avgDealSize', currency: 'USD' });
    expect(report).toMatchObject({ period: '2026-03', metric: 'avgDealSize', currency: 'USD' });
    expect(report.rows).toEqual([
      expect.objectContaining({ rank: 1, memberId: 'u-alice', team: 'north', value: '750.01', wonCount: 3, csat: 4.5, targetAttainment: 0.75 }),
      { rank: 2, memberId: 'u-mia', team: 'north', value: '0.00', ...noCredit, followUps: 1, lostCount: 0, target: {} },
    ]);
  });
});

describe('rankings: money division', () => {
  it('rounds an average of minor units half-up', () => {
    expect(divideMinorHalfUp(5n, 2n)).toBe(3n);
    expect(divideMinorHalfUp(7n, 3n)).toBe(2n);
    expect(divideMinorHalfUp(8n, 3n)).toBe(3n);
    expect(divideMinorHalfUp(0n, 4n)).toBe(0n);
  });
});

describe('rankings: ties and competition ranking', () => {
  const at = (day: number, hour = 9): string => `2026-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`;
  const reader = project([
    registered('u-a', 'rep', 'north'),
    registered('u-b', 'rep', 'north'),
    registered('u-c', 'rep', 'south'),
    registered('u-d', 'rep', 'south'),
    registered('u-e', 'manager', 'south'),
    // follow-ups: d 3, b 2, c 2, a 1, e 0
    followUp('x', 'u-d', at(1)),
    followUp('x', 'u-d', at(2)),
    followUp('x', 'u-d', at(3)),
    followUp('x', 'u-c', at(1)),
    followUp('x', 'u-c', at(2)),
    followUp('x', 'u-b', at(1)),
    followUp('x', 'u-b', at(2)),
    followUp('x', 'u-a', at(1)),
  ]);

  it('gives tied values one rank, skips the next ranks (1, 2, 2, 4) and lists ties by member id', async () => {
    expect(standings(await memberRanking(reader, { period: '2026-03', metric: 'followUps' }))).toEqual([
      ['u-d', 1, 3],
      ['u-b', 2, 2],
      ['u-c', 2, 2],
      ['u-a', 4, 1],
      ['u-e', 5, 0],
    ]);
  });

  it('ties everyone at zero when nothing was credited', async () => {
    expect(standings(await memberRanking(reader, { period: '2026-04', metric: 'wonAmount', currency: 'USD' }))).toEqual([
      ['u-a', 1, '0.00'],
      ['u-b', 1, '0.00'],
      ['u-c', 1, '0.00'],
      ['u-d', 1, '0.00'],
      ['u-e', 1, '0.00'],
    ]);
  });
});

describe('rankings: null values', () => {
  const reader = project([
    registered('u-a', 'rep', 'north'),
    registered('u-b', 'rep', 'north'),
    registered('u-c', 'rep', 'north'),
    registered('u-d', 'rep', 'north'),
    won('o-1', 'u-a', 'USD', '100', '2026-03-01T00:00:00.000Z'),
    lost('o-2', 'u-a', '2026-03-02T00:00:00.000Z'),
    won('o-3', 'u-c', 'USD', '100', '2026-03-03T00:00:00.000Z'),
    resolved('t-1', 'u-a', '2026-03-01T00:00:00.000Z', '2026-03-01T02:00:00.000Z'),
    resolved('t-2', 'u-b', '2026-03-01T00:00:00.000Z', '2026-03-01T01:00:00.000Z'),
    resolved('t-3', 'u-d', '2026-03-01T00:00:00.000Z', '2026-03-01T01:00:00.000Z'),
  ]);

  it('lists members whose value is null last, unranked, by member id', async () => {
    expect(standings(await memberRanking(reader, { period: '2026-03', metric: 'winRate' }))).toEqual([
      ['u-c', 1, 1],
      ['u-a', 2, 0.5],
      ['u-b', null, null],
      ['u-d', null, null],
    ]);
  });

  it('ranks avgResolutionHours ascending, nulls still last', async () => {
    expect(standings(await memberRanking(reader, { period: '2026-03', metric: 'avgResolutionHours' }))).toEqual([
      ['u-b', 1, 1],
      ['u-d', 1, 1],
      ['u-a', 3, 2],
      ['u-c', null, null],
    ]);
  });

  it('ranks csat, slaMetRate and targetAttainment with nulls when nothing was measured', async () => {
    for (const metric of ['csat', 'targetAttainment'] as const) {
      expect(standings(await memberRanking(reader, { period: '2026-03', metric }))).toEqual([
        ['u-a', null, null],
        ['u-b', null, null],
        ['u-c', null, null],
        ['u-d', null, null],
      ]);
    }
    expect(standings(await memberRanking(reader, { period: '2026-03', metric: 'slaMetRate' }))).toEqual([
      ['u-a', 1, 1],
      ['u-b', 1, 1],
      ['u-d', 1, 1],
      ['u-c', null, null],
    ]);
  });
});

describe('rankings: a member who changed team mid-quarter', () => {
  const reader = project([
    registered('u-bob', 'rep', 'north'),
    registered('u-cara', 'rep', 'south'),
    registered('u-nils', 'rep', 'north'),
    won('o-1', 'u-bob', 'USD', '10000', '2026-01-20T00:00:00.000Z'),
    lost('o-2', 'u-bob', '2026-01-21T00:00:00.000Z'),
    moved('u-bob', 'north', 'south', '2026-02-15T00:00:00.000Z'),
    won('o-3', 'u-bob', 'USD', '30000', '2026-03-10T00:00:00.000Z'),
    won('o-4', 'u-cara', 'USD', '5000', '2026-02-01T00:00:00.000Z'),
    lost('o-5', 'u-cara', '2026-02-02T00:00:00.000Z'),
    lost('o-6', 'u-cara', '2026-02-03T00:00:00.000Z'),
  ]);

  it('shows the member once, with every credit and the team at the end of the period', async () => {
    expect(standings(await memberRanking(reader, { period: '2026-Q1', metric: 'wonAmount', currency: 'USD' }))).toEqual([
      ['u-bob', 1, '400.00'],
      ['u-cara', 2, '50.00'],
      ['u-nils', 3, '0.00'],
    ]);
    const report = await memberRanking(reader, { period: '2026-Q1', metric: 'wonAmount', currency: 'USD' });
    expect(report.rows[0]).toMatchObject({ memberId: 'u-bob', team: 'south', wonCount: 2, winRate: 0.6667 });
    const january = await memberRanking(reader, { period: '2026-01', metric: 'wonCount' });
    expect(january.rows[0]).toMatchObject({ memberId: 'u-bob', team: 'north' });
  });

  it('splits the credits between the teams at the time of each fact, recomputing ratios from the sums', async () => {
    // south: bob's March win + cara (1 won, 2 lost) → 2 / 4 = 0.5, not the mean of 1 and 0.3333.
    // north: bob's January win and loss → 0.5; nils has no credit but is listed, so north has a row anyway.
    const report = await teamRanking(reader, { period: '2026-Q1', metric: 'wonAmount', currency: 'USD' });
    expect(standings(report)).toEqual([
      ['south', 1, '350.00'],
      ['north', 2, '100.00'],
    ]);
    expect(report.rows[0]).toMatchObject({ team: 'south', wonCount: 2, lostCount: 2, winRate: 0.5, wonAmount: { USD: '350.00' }, avgDealSize: { USD: '175.00' } });
    expect(report.rows[1]).toMatchObject({ team: 'north', wonCount: 1, lostCount: 1, winRate: 0.5 });
    expect(report.rows[0]).not.toHaveProperty('memberId');
  });

  it('gives a team a row for each member listed, even without credit', async () => {
    const april = await teamRanking(reader, { period: '2026-04', metric: 'wonCount' });
    expect(standings(april)).toEqual([
      ['north', 1, 0],
      ['south', 1, 0],
    ]);
    expect(april.rows[0]).toMatchObject({ ...noCredit, team: 'north' });
  });
});

describe('rankings: tickets', () => {
  it('counts each resolution of a reopened ticket in the period of that resolution', async () => {
    const reader = project([
      registered('u-alice', 'rep', 'north'),
      resolved('t-1', 'u-alice', '2026-03-01T00:00:00.000Z', '2026-03-01T04:00:00.000Z'),
      ticketReopened('t-1', '2026-03-02T00:00:00.000Z'),
      resolved('t-1', 'u-alice', '2026-03-01T00:00:00.000Z', '2026-03-02T12:00:00.000Z', { firstResponseMet: true, resolutionMet: false }),
      ticketReopened('t-1', '2026-03-20T00:00:00.000Z'),
      resolved('t-1', 'u-alice', '2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z', { firstResponseMet: true, resolutionMet: false }),
    ]);
    // March: 4 h and 36 h → 20; one of two met both. April: 31 days = 744 h. Q1+Q2 (the year): (4 + 36 + 744) / 3 = 261.33.
    expect(await performance(reader, 'u-alice', '2026-03')).toMatchObject({ ticketsResolved: 2, avgResolutionHours: 20, slaMetRate: 0.5 });
    expect(await performance(reader, 'u-alice', '2026-04')).toMatchObject({ ticketsResolved: 1, avgResolutionHours: 744, slaMetRate: 0 });
    expect(await performance(reader, 'u-alice', '2026')).toMatchObject({ ticketsResolved: 3, avgResolutionHours: 261.33, slaMetRate: 0.3333 });
  });

  it('credits the resolver at resolving, and nobody for an unattributed resolution', async () => {
    const reader = project([
      registered('u-alice', 'rep', 'north'),
      registered('u-bob', 'rep', 'north'),
      resolved('t-1', 'u-alice', '2026-03-01T00:00:00.000Z', '2026-03-01T01:00:00.000Z'),
      ticketReopened('t-1', '2026-03-02T00:00:00.000Z'),
      resolved('t-1', 'u-bob', '2026-03-01T00:00:00.000Z', '2026-03-03T00:00:00.000Z'),
      resolved('t-2', null, '2026-03-01T00:00:00.000Z', '2026-03-03T00:00:00.000Z'),
    ]);
    expect(standings(await memberRanking(reader, { period: '2026-03', metric: 'ticketsResolved' }))).toEqual([
      ['u-alice', 1, 1],
      ['u-bob', 1, 1],
    ]);
  });

  it('counts a rating in the period it was given, for the member who resolved the ticket', async () => {
    const reader = project([
      registered('u-alice', 'rep', 'north'),
      registered('u-bob', 'rep', 'south'),
      resolved('t-1', 'u-bob', '2026-03-10T00:00:00.000Z', '2026-03-15T00:00:00.000Z'),
      resolved('t-2', 'u-alice', '2026-03-10T00:00:00.000Z', '2026-03-16T00:00:00.000Z'),
      deactivated('u-bob', '2026-03-20T00:00:00.000Z', 'rep', 'south'),
      rated('t-1', 5, 'u-bob', '2026-04-02T00:00:00.000Z'),
      rated('t-2', 2, 'u-alice', '2026-04-03T00:00:00.000Z'),
    ]);
    expect(await performance(reader, 'u-bob', '2026-03')).toMatchObject({ ticketsResolved: 1, csat: null });
    // April: bob is inactive all month but credited with the rating, so he is listed (and south gets a row).
    expect(standings(await memberRanking(reader, { period: '2026-04', metric: 'csat' }))).toEqual([
      ['u-bob', 1, 5],
      ['u-alice', 2, 2],
    ]);
    expect(await performance(reader, 'u-bob', '2026-04')).toMatchObject({ ticketsResolved: 0, csat: 5, avgResolutionHours: null });
    expect(standings(await teamRanking(reader, { period: '2026-04', metric: 'csat' }))).toEqual([
      ['south', 1, 5],
      ['north', 2, 2],
    ]);
  });
});

describe('rankings: win rate counts each opportunity closed in the period once, by its last closure', () => {
  const reader = project([
    registered('u-alice', 'rep', 'north'),
    registered('u-bob', 'rep', 'north'),
    lost('o-3', 'u-alice', '2025-12-20T00:00:00.000Z'),
    reopened('o-3', '2026-01-05T00:00:00.000Z'),
    won('o-3', 'u-alice', 'USD', '100', '2026-01-10T00:00:00.000Z'),
    lost('o-4', 'u-bob', '2026-01-11T00:00:00.000Z'),
    reopened('o-4', '2026-01-12T00:00:00.000Z'),
    reassigned('o-4', 'u-bob', 'u-alice', '2026-01-12T00:00:00.000Z'),
    won('o-4', 'u-alice', 'USD', '100', '2026-01-13T00:00:00.000Z'),
    lost('o-2', 'u-alice', '2026-02-10T00:00:00.000Z'),
    reopened('o-2', '2026-02-20T00:00:00.000Z'),
    won('o-2', 'u-alice', 'USD', '100', '2026-03-03T00:00:00.000Z'),
    lost('o-1', 'u-alice', '2026-03-05T00:00:00.000Z'),
    reopened('o-1', '2026-03-06T00:00:00.000Z'),
    lost('o-1', 'u-alice', '2026-03-07T00:00:00.000Z'),
    reopened('o-1', '2026-03-08T00:00:00.000Z'),
    won('o-1', 'u-alice', 'USD', '100', '2026-03-20T00:00:00.000Z'),
  ]);

  it('drops a loss the same opportunity later turned into a win within the period', async () => {
    expect(await performance(reader, 'u-alice', '2026-03')).toMatchObject({ wonCount: 2, lostCount: 0, winRate: 1 });
    expect(await performance(reader, 'u-alice', '2026-02')).toMatchObject({ wonCount: 0, lostCount: 1, winRate: 0 });
    expect(await performance(reader, 'u-alice', '2026-Q1')).toMatchObject({ wonCount: 4, lostCount: 0, winRate: 1 });
    expect(await performance(reader, 'u-alice', '2025')).toMatchObject({ wonCount: 0, lostCount: 1, winRate: 0 });
  });

  it('drops it from the member who lost it, even when another member won it', async () => {
    expect(await performance(reader, 'u-bob', '2026-01')).toMatchObject({ wonCount: 0, lostCount: 0, winRate: null });
    const team = await teamRanking(reader, { period: '2026-01', metric: 'winRate' });
    expect(team.rows).toEqual([expect.objectContaining({ team: 'north', rank: 1, value: 1, wonCount: 2, lostCount: 0 })]);
  });
});

describe('rankings: targets and attainment', () => {
  const reader = project([
    registered('u-alice', 'rep', 'north'),
    registered('u-bob', 'rep', 'north'),
    registered('u-carol', 'rep', 'south'),
    targetSet('u-alice', '2026-Q1', 'USD', '800000'),
    targetSet('u-alice', '2026-Q1', 'USD', '1000000', '2026-01-02T00:00:00.000Z'),
    targetSet('u-alice', '2026-04', 'USD', '100000'),
    targetSet('u-alice', '2026-05', 'USD', '100000'),
    targetSet('u-alice', '2026-06', 'USD', '100000'),
    targetSet('u-alice', '2026-Q3', 'EUR', '500000'),
    targetSet('u-bob', '2026-Q1', 'EUR', '100000'),
    ...['2026-Q1', '2026-Q2', '2026-Q3'].map((quarter) => targetSet('u-carol', quarter, 'USD', '100000')),
    ...['2026-10', '2026-11', '2026-12'].map((month) => targetSet('u-carol', month, 'USD', '10000')),
    won('o-1', 'u-alice', 'USD', '500000', '2026-02-01T00:00:00.000Z'),
    won('o-2', 'u-alice', 'USD', '150000', '2026-05-01T00:00:00.000Z'),
    won('o-3', 'u-bob', 'EUR', '100000', '2026-03-01T00:00:00.000Z'),
    won('o-4', 'u-carol', 'USD', '330000', '2026-12-01T00:00:00.000Z'),
  ]);

  it('uses the target set for the period (the latest one), else the sum of a complete set of its parts', async () => {
    expect(await performance(reader, 'u-alice', '2026-Q1')).toMatchObject({ targetAttainment: 0.5, target: { USD: '10000.00' } });
    expect(await performance(reader, 'u-alice', '2026-05')).toMatchObject({ targetAttainment: 1.5, target: { USD: '1000.00' } });
    expect(await performance(reader, 'u-alice', '2026-Q2')).toMatchObject({ targetAttainment: 0.5, target: { USD: '3000.00' } });
    // No month targets in Q1 → no month target; the quarter target does not apply to a month.
    expect(await performance(reader, 'u-alice', '2026-02')).toMatchObject({ targetAttainment: null, target: {} });
    // Q3 in EUR, Q4 missing → no year target.
    expect(await performance(reader, 'u-alice', '2026')).toMatchObject({ targetAttainment: null, target: {} });
    // Carol: Q1–Q3 USD 1000.00 each, Q4 from its months 3 × 100.00 → 3300.00.
    expect(await performance(reader, 'u-carol', '2026')).toMatchObject({ targetAttainment: 1, target: { USD: '3300.00' } });
  });

  it('prefers a year target when one is set', async () => {
    const withYear = project([registered('u-alice', 'rep', 'north'), targetSet('u-alice', '2026-Q1', 'USD', '100'), targetSet('u-alice', '2026', 'USD', '2000000'), won('o-1', 'u-alice', 'USD', '650000', '2026-02-01T00:00:00.000Z')]);
    expect(await performance(withYear, 'u-alice', '2026')).toMatchObject({ targetAttainment: 0.325, target: { USD: '20000.00' } });
  });

  it('ranks attainment in each member’s target currency, or only targets in the requested currency', async () => {
    expect(standings(await memberRanking(reader, { period: '2026-Q1', metric: 'targetAttainment' }))).toEqual([
      ['u-bob', 1, 1],
      ['u-alice', 2, 0.5],
      ['u-carol', 3, 0],
    ]);
    expect(standings(await memberRanking(reader, { period: '2026-Q1', metric: 'targetAttainment', currency: 'USD' }))).toEqual([
      ['u-alice', 1, 0.5],
      ['u-carol', 2, 0],
      ['u-bob', null, null],
    ]);
  });

  it('measures a team against the sum of its members’ targets in one currency', async () => {
    // north in USD: alice's target only (bob's is EUR): 5000.00 / 10000.00. Without a currency north mixes USD and EUR: no target.
    const inDollars = await teamRanking(reader, { period: '2026-Q1', metric: 'targetAttainment', currency: 'USD' });
    expect(inDollars.rows).toEqual([expect.objectContaining({ team: 'north', rank: 1, value: 0.5 }), expect.objectContaining({ team: 'south', rank: 2, value: 0 })]);
    const anyCurrency = await teamRanking(reader, { period: '2026-Q1', metric: 'targetAttainment' });
    expect(standings(anyCurrency)).toEqual([
      ['south', 1, 0],
      ['north', null, null],
    ]);
  });
});

describe('rankings: currencies', () => {
  const reader = project([
    registered('u-alice', 'rep', 'north'),
    registered('u-bob', 'rep', 'north'),
    registered('u-carol', 'rep', 'north'),
    won('o-1', 'u-alice', 'USD', '10000', '2026-03-01T00:00:00.000Z'),
    won('o-2', 'u-alice', 'EUR', '100000000', '2026-03-02T00:00:00.000Z'),
    won('o-3', 'u-bob', 'USD', '20000', '2026-03-03T00:00:00.000Z'),
    won('o-4', 'u-carol', 'JPY', '5000', '2026-03-04T00:00:00.000Z'),
    opened('o-5', 'u-carol', 'JPY', '7000', '2026-03-05T00:00:00.000Z'),
  ]);

  it('ranks wonAmount in USD ignoring EUR and JPY wins', async () => {
    expect(standings(await memberRanking(reader, { period: '2026-03', metric: 'wonAmount', currency: 'USD' }))).toEqual([
      ['u-bob', 1, '200.00'],
      ['u-alice', 2, '100.00'],
      ['u-carol', 3, '0.00'],
    ]);
  });

  it('formats values with the currency’s own minor digits', async () => {
    expect(standings(await memberRanking(reader, { period: '2026-03', metric: 'pipelineCreated', currency: 'JPY' }))).toEqual([
      ['u-carol', 1, '7000'],
      ['u-alice', 2, '0'],
      ['u-bob', 2, '0'],
    ]);
    const report = await memberRanking(reader, { period: '2026-03', metric: 'wonCount' });
    expect(report.rows.find((row) => row.memberId === 'u-alice')).toMatchObject({ wonAmount: { EUR: '1000000.00', USD: '100.00' }, wonCount: 2 });
  });

  it('requires a currency for money metrics, and a known one', async () => {
    for (const metric of ['wonAmount', 'pipelineCreated', 'avgDealSize']) {
      expect(await rankings(reader, { period: '2026-03', metric })).toEqual({
        code: 'INVALID_COMMAND',
        message: `currency: required to rank by ${metric} (money is never added across currencies)`,
        details: { issues: [{ path: 'currency', message: `required to rank by ${metric} (money is never added across currencies)` }], metric },
      });
    }
    expect(await rankings(reader, { period: '2026-03', metric: 'wonAmount', currency: 'XYZ' })).toMatchObject({ code: 'INVALID_COMMAND', details: { issues: [{ path: 'currency' }] } });
    expect(isDomainError(await rankings(reader, { period: '2026-03', metric: 'winRate' }))).toBe(false);
  });
});

describe('rankings: query errors', () => {
  const reader = project([registered('u-alice', 'rep', 'north')]);

  it('names the valid metrics when the metric is unknown', async () => {
    const result = await rankings(reader, { period: '2026-03', metric: 'revenue' });
    expect(isDomainError(result)).toBe(true);
    expect(result).toMatchObject({ code: 'INVALID_COMMAND', details: { issues: [{ path: 'metric' }], metric: 'revenue', validMetrics: [...rankingMetrics] } });
    expect(rankingMetrics).toHaveLength(12);
  });

  it('rejects a malformed period', async () => {
    for (const period of ['2026-13', '2026-Q5', 'march', '']) {
      expect(await rankings(reader, { period, metric: 'wonCount' })).toMatchObject({ code: 'INVALID_COMMAND', details: { issues: [{ path: 'period' }] } });
      expect(await memberPerformance(reader, 'u-alice', period)).toMatchObject({ code: 'INVALID_COMMAND', details: { issues: [{ path: 'period' }] } });
    }
  });

  it('reports an unknown member as NOT_FOUND, a known one without credit with zeros and nulls', async () => {
    expect(await memberPerformance(reader, 'u-ghost', '2026-03')).toMatchObject({ code: 'NOT_FOUND', details: { memberId: 'u-ghost' } });
    expect(await performance(reader, 'u-alice', '2026-03')).toEqual({ period: '2026-03', currency: null, memberId: 'u-alice', team: 'north', ...noCredit, lostCount: 0, target: {} });
  });
});

describe('rankings: month, quarter and year', () => {
  const reader = project([
    registered('u-alice', 'rep', 'north', '2025-06-01T00:00:00.000Z'),
    followUp('x', 'u-alice', '2025-12-31T23:59:59.999Z'),
    followUp('x', 'u-alice', '2026-01-01T00:00:00.000Z'),
    followUp('x', 'u-alice', '2026-01-31T23:59:59.999Z'),
    followUp('x', 'u-alice', '2026-02-01T00:00:00.000Z'),
    followUp('x', 'u-alice', '2026-04-01T00:00:00.000Z'),
    claimed('c-1', 'u-alice', '2026-03-31T23:59:59.999Z'),
    claimed('c-2', 'u-alice', '2026-12-31T23:59:59.999Z'),
  ]);

  it('sums the months of a quarter and the quarters of a year (UTC, half-open)', async () => {
    const counts = async (period: string): Promise<[number, number]> => {
      const result = await performance(reader, 'u-alice', period);
      return [result.followUps, result.customersClaimed];
    };
    expect(await counts('2025-12')).toEqual([1, 0]);
    expect(await counts('2025')).toEqual([1, 0]);
    expect(await counts('2026-01')).toEqual([2, 0]);
    expect(await counts('2026-02')).toEqual([1, 0]);
    expect(await counts('2026-03')).toEqual([0, 1]);
    expect(await counts('2026-Q1')).toEqual([3, 1]);
    expect(await counts('2026-Q2')).toEqual([1, 0]);
    expect(await counts('2026-Q4')).toEqual([0, 1]);
    expect(await counts('2026')).toEqual([4, 2]);
  });
});

describe('rankings: which members get a row', () => {
  const reader = project([
    registered('u-active', 'rep', 'north', '2025-01-01T00:00:00.000Z'),
    registered('u-manager', 'manager', 'north', '2025-01-01T00:00:00.000Z'),
    registered('u-admin', 'admin', null, '2025-01-01T00:00:00.000Z'),
    registered('u-admin-credited', 'admin', 'west', '2025-01-01T00:00:00.000Z'),
    registered('u-left-jan', 'rep', 'north', '2025-01-01T00:00:00.000Z'),
    registered('u-left-at-start', 'rep', 'north', '2025-01-01T00:00:00.000Z'),
    registered('u-left-mid', 'rep', 'north', '2025-01-01T00:00:00.000Z'),
    registered('u-promoted', 'admin', 'east', '2025-01-01T00:00:00.000Z'),
    registered('u-became-admin', 'rep', 'north', '2025-01-01T00:00:00.000Z'),
    registered('u-joined-at-end', 'rep', 'north', '2026-04-01T00:00:00.000Z'),
    registered('u-joined-mid', 'rep', 'south', '2026-03-15T00:00:00.000Z'),
    deactivated('u-left-jan', '2026-01-20T00:00:00.000Z'),
    deactivated('u-left-at-start', '2026-03-01T00:00:00.000Z'),
    deactivated('u-left-mid', '2026-03-10T00:00:00.000Z'),
    roleChanged('u-promoted', 'admin', 'rep', '2026-03-31T23:00:00.000Z'),
    roleChanged('u-became-admin', 'rep', 'admin', '2026-02-01T00:00:00.000Z'),
    followUp('x', 'u-admin-credited', '2026-03-05T00:00:00.000Z'),
  ]);

  it('lists active reps and managers at any time of the period, plus credited members', async () => {
    const march = await memberRanking(reader, { period: '2026-03', metric: 'followUps' });
    expect(standings(march)).toEqual([
      ['u-admin-credited', 1, 1],
      ['u-active', 2, 0],
      ['u-joined-mid', 2, 0],
      ['u-left-mid', 2, 0],
      ['u-manager', 2, 0],
      ['u-promoted', 2, 0],
    ]);
    expect(march.rows.find((row) => row.memberId === 'u-active')).toEqual({ rank: 2, value: 0, memberId: 'u-active', team: 'north', ...noCredit, lostCount: 0, target: {} });
  });

  it('keeps a member deactivated before the period out unless credited, and in for periods it was active in', async () => {
    const quarter = await memberRanking(reader, { period: '2026-Q1', metric: 'followUps' });
    expect(quarter.rows.map((row) => row.memberId)).toEqual([
      'u-admin-credited',
      'u-active',
      'u-became-admin',
      'u-joined-mid',
      'u-left-at-start',
      'u-left-jan',
      'u-left-mid',
      'u-manager',
      'u-promoted',
    ]);
    const late = project([registered('u-gone', 'rep', 'north'), deactivated('u-gone', '2026-02-01T00:00:00.000Z'), rated('t-1', 3, 'u-gone', '2026-03-02T00:00:00.000Z')]);
    expect(standings(await memberRanking(late, { period: '2026-03', metric: 'csat' }))).toEqual([['u-gone', 1, 3]]);
    expect(standings(await memberRanking(late, { period: '2026-04', metric: 'csat' }))).toEqual([]);
  });

  it('gives every team of a listed member a row; members without a team add none', async () => {
    expect(standings(await teamRanking(reader, { period: '2026-03', metric: 'followUps' }))).toEqual([
      ['west', 1, 1],
      ['east', 2, 0],
      ['north', 2, 0],
      ['south', 2, 0],
    ]);
  });

  it('leaves credits of a member without a team out of every team row', async () => {
    const solo = project([
      registered('u-solo', 'rep', null),
      registered('u-a', 'rep', 'north'),
      followUp('x', 'u-solo', '2026-03-02T00:00:00.000Z'),
      followUp('x', 'u-a', '2026-03-02T00:00:00.000Z'),
      followUp('x', 'u-a', '2026-03-03T00:00:00.000Z'),
    ]);
    const members = await memberRanking(solo, { period: '2026-03', metric: 'followUps' });
    expect(members.rows.map((row) => [row.memberId, row.team, row.rank])).toEqual([
      ['u-a', 'north', 1],
      ['u-solo', null, 2],
    ]);
    expect(standings(await teamRanking(solo, { period: '2026-03', metric: 'followUps' }))).toEqual([['north', 1, 2]]);
  });
});
