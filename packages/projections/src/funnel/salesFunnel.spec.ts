import type { CrmEvent } from '@eventcrm/domain';
import { inLog, projectEvents } from '@eventcrm/projections/testing';
import { describe, expect, it } from 'vitest';
import { day, eur, jpy, lost, member, moved, opened, pipeline, reassigned, reopened, revised, teamMove, usd, won } from './funnelEvents.test.ts';
import { isFunnelFilterError } from './filters.ts';
import { funnelProjection } from './projection.ts';
import { salesFunnel, type SalesFunnel, type SalesFunnelStage } from './queries.ts';
import type { FunnelFilters } from './filters.ts';

/**
 * The sales funnel of projections.md §1, from the spec's definitions with
 * expectations computed by hand (the arithmetic is in the comments).
 */

const funnelOf = (events: readonly CrmEvent[], filters: FunnelFilters = {}): Promise<SalesFunnel> =>
  salesFunnel(projectEvents([funnelProjection], inLog(events)), filters);

const defaultStages = ['prospecting', 'qualification', 'needs_analysis', 'proposal', 'negotiation'];
const none = { count: 0, amount: {}, weighted: {} };
const stage = (name: string, reached: number, conversion: number | null, current = none, avgDaysInStage: number | null = null): SalesFunnelStage => ({
  stage: name,
  reached,
  conversion,
  current,
  avgDaysInStage,
});
const emptyFunnel = (filters: FunnelFilters = {}, stages = defaultStages): SalesFunnel => ({
  filters,
  stages: stages.map((name) => stage(name, 0, null)),
  won: { count: 0, amount: {} },
  lost: { count: 0, amount: {}, byReason: {} },
  open: none,
  winRate: null,
  avgCycleDays: null,
  forecast: {},
});

/**
 * The shared history (default pipeline: prospecting 10, qualification 20,
 * needs_analysis 40, proposal 60, negotiation 80). Days after 2026-01-01.
 *
 * o1 alice USD 1000.00: prospecting d0 → qualification d2 → proposal d5 (skips needs_analysis)
 *    → qualification d6 → proposal d10 → won d11 at 1200.00.
 *    Ended stays: prospecting 2, qualification 3+4 = 7, proposal 1+1 = 2. Cycle 11 days.
 * o2 bob USD 500.00: opened in qualification d1 → needs_analysis d4 → lost (price) d8.
 *    Ended stays: qualification 3, needs_analysis 4. Furthest needs_analysis.
 * o3 alice EUR 2000.00 prospecting d2, probability revised to 25 on d3, open.
 *    Weighted 2000.00 × 25% = 500.00. First stay only.
 * o4 carol USD 333.33 opened in negotiation d3, open. Weighted 33333 × 0.8 = 26666.4 → 266.66.
 * o5 bob USD 12.35 prospecting d4 → qualification d5.5, open. Weighted 1235 × 0.2 = 247 → 2.47.
 *    Ended stays: prospecting 1.5.
 * o6 alice USD 800.00 prospecting d4 → qualification d6 → lost (competitor) d9 → reopened in
 *    proposal d12, open. Weighted 80000 × 0.6 = 48000 → 480.00. Ended stays: prospecting 2, qualification 3.
 * o7 bob USD 250.00 prospecting d7 → lost (price) d7.5. Ended stays: prospecting 0.5.
 */
const members = [member('u-alice', 'north'), member('u-bob', 'south'), member('u-carol', 'north')];
const history: CrmEvent[] = [
  ...members,
  opened('o1', 0, { owner: 'u-alice', amount: usd(100000), close: '2026-03-15' }),
  opened('o2', 1, { owner: 'u-bob', amount: usd(50000), stage: 'qualification', close: '2026-02-20' }),
  moved('o1', 'prospecting', 'qualification', 2),
  opened('o3', 2, { owner: 'u-alice', amount: eur(200000), close: '2026-02-10' }),
  revised('o3', { probability: 25 }, 3),
  opened('o4', 3, { owner: 'u-carol', amount: usd(33333), stage: 'negotiation', close: '2026-03-01' }),
  moved('o2', 'qualification', 'needs_analysis', 4),
  opened('o5', 4, { owner: 'u-bob', amount: usd(1235), close: '2026-04-05' }),
  opened('o6', 4, { owner: 'u-alice', amount: usd(80000), close: '2026-02-28' }),
  moved('o1', 'qualification', 'proposal', 5),
  moved('o5', 'prospecting', 'qualification', 5.5),
  moved('o1', 'proposal', 'qualification', 6),
  moved('o6', 'prospecting', 'qualification', 6),
  opened('o7', 7, { owner: 'u-bob', amount: usd(25000), close: '2026-02-15' }),
  lost('o7', 'price', usd(25000), 'prospecting', 7.5, 'u-bob'),
  lost('o2', 'price', usd(50000), 'needs_analysis', 8, 'u-bob'),
  lost('o6', 'competitor', usd(80000), 'qualification', 9),
  moved('o1', 'qualification', 'proposal', 10),
  won('o1', usd(120000), 'proposal', 11),
  reopened('o6', 'proposal', 12),
];

describe('sales funnel: the whole shape', () => {
  it('an empty log gives zeros and nulls along the default pipeline', async () => {
    expect(await funnelOf([])).toEqual(emptyFunnel());
  });

  it('computes every definition over the shared history', async () => {
    // Furthest stages of the non-won: o2 needs_analysis, o3 prospecting, o4 negotiation,
    // o5 qualification, o6 proposal, o7 prospecting; o1 (won) reached them all.
    // reached: negotiation 1+1 = 2, proposal 3, needs_analysis 4, qualification 5, prospecting 7.
    expect(await funnelOf(history)).toEqual({
      filters: {},
      stages: [
        // 5/7 = 0.714285… ; stays o1 2, o5 1.5, o6 2, o7 0.5 → 6/4 = 1.5 (o3 still in its first stay)
        stage('prospecting', 7, 0.7143, { count: 1, amount: { EUR: '2000.00' }, weighted: { EUR: '500.00' } }, 1.5),
        // 4/5; stays o1 7, o2 3, o6 3 → 13/3 = 4.333… (o5 still in its first stay)
        stage('qualification', 5, 0.8, { count: 1, amount: { USD: '12.35' }, weighted: { USD: '2.47' } }, 4.33),
        // 3/4; o2 4 days (o1 skipped it)
        stage('needs_analysis', 4, 0.75, none, 4),
        // 2/3; o1 1+1 = 2 (o6 in its first stay since the reopening)
        stage('proposal', 3, 0.6667, { count: 1, amount: { USD: '800.00' }, weighted: { USD: '480.00' } }, 2),
        // won / reached(last) = 1/2; o4 still in its first stay
        stage('negotiation', 2, 0.5, { count: 1, amount: { USD: '333.33' }, weighted: { USD: '266.66' } }, null),
      ],
      won: { count: 1, amount: { USD: '1200.00' } },
      // o6's loss no longer counts: it was reopened and counts by its latest state.
      lost: { count: 2, amount: { USD: '750.00' }, byReason: { price: 2 } },
      // USD 333.33 + 12.35 + 800.00 = 1145.68; weighted 266.66 + 2.47 + 480.00 = 749.13
      open: { count: 4, amount: { EUR: '2000.00', USD: '1145.68' }, weighted: { EUR: '500.00', USD: '749.13' } },
      winRate: 0.3333,
      avgCycleDays: 11,
      forecast: {
        '2026-02': { EUR: '500.00', USD: '480.00' },
        '2026-03': { USD: '266.66' },
        '2026-04': { USD: '2.47' },
      },
    });
  });

  it('answers the same from the running tallies and from the rows (a cohort filter that takes everything)', async () => {
    const viaTallies = await funnelOf(history);
    const viaRows = await funnelOf(history, { openedFrom: '2000-01-01' });
    expect({ ...viaRows, filters: {} }).toEqual(viaTallies);
  });
});

describe('sales funnel: reached and conversion', () => {
  it('skipped stages count as reached once a later one is reached, and opening past the first stage skips the earlier ones', async () => {
    const funnel = await funnelOf([opened('x', 0, { stage: 'proposal' }), opened('y', 0), moved('y', 'prospecting', 'needs_analysis', 1)]);
    // x furthest proposal (3), y furthest needs_analysis (2).
    expect(funnel.stages.map((s) => [s.stage, s.reached, s.conversion])).toEqual([
      ['prospecting', 2, 1],
      ['qualification', 2, 1],
      ['needs_analysis', 2, 0.5],
      ['proposal', 1, 0],
      ['negotiation', 0, null],
    ]);
  });

  it('reached is by the furthest stage, not the current one: moving back keeps what was reached', async () => {
    const funnel = await funnelOf([opened('x', 0), moved('x', 'prospecting', 'negotiation', 1), moved('x', 'negotiation', 'qualification', 2)]);
    expect(funnel.stages.map((s) => s.reached)).toEqual([1, 1, 1, 1, 1]);
    expect(funnel.stages.map((s) => s.current.count)).toEqual([0, 1, 0, 0, 0]);
    // The last stage's conversion is won / reached(last) = 0/1.
    expect(funnel.stages[4]!.conversion).toBe(0);
  });

  it('a won opportunity reached every stage, wherever it was won; a lost one the furthest stage it was in', async () => {
    const funnel = await funnelOf([
      opened('w', 0),
      won('w', usd(100000), 'prospecting', 1),
      opened('l', 0),
      moved('l', 'prospecting', 'proposal', 1),
      moved('l', 'proposal', 'qualification', 2),
      lost('l', 'timing', usd(100000), 'qualification', 3),
    ]);
    // w: all five; l: up to proposal.
    expect(funnel.stages.map((s) => s.reached)).toEqual([2, 2, 2, 2, 1]);
    expect(funnel.stages.map((s) => s.conversion)).toEqual([1, 1, 1, 0.5, 1]);
    expect(funnel.winRate).toBe(0.5);
    expect(funnel.lost.byReason).toEqual({ timing: 1 });
  });

  it('uses the order of the pipeline in force now; stages that left it are not listed and rank nowhere', async () => {
    // Now: qualification, prospecting, proposal, negotiation (needs_analysis removed, the first two swapped).
    const reordered = pipeline(
      [
        { id: 'qualification', probability: 20 },
        { id: 'prospecting', probability: 10 },
        { id: 'proposal', probability: 60 },
        { id: 'negotiation', probability: 80 },
      ],
      20,
    );
    const funnel = await funnelOf([...history, reordered]);
    // Furthest now: o2 {qualification, needs_analysis} → qualification; o3, o5, o7 → prospecting;
    // o6 → proposal; o4 → negotiation; o1 won. reached: negotiation 2, proposal 3, prospecting 6, qualification 7.
    expect(funnel.stages.map((s) => [s.stage, s.reached, s.conversion, s.current.count, s.avgDaysInStage])).toEqual([
      ['qualification', 7, 0.8571, 1, 4.33],
      ['prospecting', 6, 0.5, 1, 1.5],
      ['proposal', 3, 0.6667, 1, 2],
      ['negotiation', 2, 0.5, 1, null],
    ]);
    // The totals do not depend on the pipeline.
    expect(funnel.lost).toEqual({ count: 2, amount: { USD: '750.00' }, byReason: { price: 2 } });
  });

  it('a lost opportunity whose stages all left the pipeline counts as lost but reaches no stage; a won one still reaches all', async () => {
    const funnel = await funnelOf([
      pipeline([{ id: 'alpha', probability: 30 }, { id: 'beta', probability: 70 }], 0),
      opened('l', 1, { stage: 'alpha', probability: 30 }),
      moved('l', 'alpha', 'beta', 2, 70),
      lost('l', 'no_budget', usd(100000), 'beta', 3),
      opened('w', 1, { stage: 'alpha', probability: 30 }),
      won('w', usd(5000), 'alpha', 4),
      pipeline([{ id: 'gamma', probability: 50 }, { id: 'delta', probability: 90 }], 5),
    ]);
    expect(funnel.stages).toEqual([
      stage('gamma', 1, 1),
      stage('delta', 1, 1),
    ]);
    expect(funnel.lost).toEqual({ count: 1, amount: { USD: '1000.00' }, byReason: { no_budget: 1 } });
    expect(funnel.winRate).toBe(0.5);
  });
});

describe('sales funnel: days in stage', () => {
  it('adds re-entries up, leaves out first stays and skipped stages, and counts a zero-length stay', async () => {
    const funnel = await funnelOf([
      // a: prospecting 0 days (moved at the opening instant), qualification 1, then back in prospecting (open).
      opened('a', 0),
      moved('a', 'prospecting', 'qualification', 0),
      moved('a', 'qualification', 'prospecting', 1),
      // b: prospecting 3 days, proposal 0.25 then lost, reopened in proposal 2 days later and moved on after 0.5:
      //    proposal 0.25 + 0.5 = 0.75; negotiation is its current first stay.
      opened('b', 0),
      moved('b', 'prospecting', 'proposal', 3),
      lost('b', 'other', usd(100000), 'proposal', 3.25),
      reopened('b', 'proposal', 5.25),
      moved('b', 'proposal', 'negotiation', 5.75),
      // c: qualification 2 days, proposal, back to qualification (second stay, open: only the ended 2 days count).
      opened('c', 0, { stage: 'qualification' }),
      moved('c', 'qualification', 'proposal', 2),
      moved('c', 'proposal', 'qualification', 2.5),
    ]);
    expect(funnel.stages.map((s) => [s.stage, s.avgDaysInStage])).toEqual([
      ['prospecting', 1.5], // a 0, b 3
      ['qualification', 1.5], // a 1, c 2
      ['needs_analysis', null], // skipped by all
      ['proposal', 0.63], // b 0.75, c 0.5 → 0.625 → 0.63 (half away from zero)
      ['negotiation', null], // b is in its first stay
    ]);
  });

  it('a win and a loss end the stay; days are exact elapsed time, to 2 decimals', async () => {
    const funnel = await funnelOf([
      opened('a', 0),
      won('a', usd(100000), 'prospecting', 1 / 3),
      opened('b', 0),
      lost('b', 'price', usd(100000), 'prospecting', 1),
    ]);
    // (1/3 + 1) / 2 = 0.6666… → 0.67
    expect(funnel.stages[0]!.avgDaysInStage).toBe(0.67);
  });
});

describe('sales funnel: won, lost, open, cycle, forecast', () => {
  it('avgCycleDays is the mean of won time − open time, from the first opening even when reopened in between', async () => {
    const funnel = await funnelOf([
      opened('a', 0),
      won('a', usd(100), 'prospecting', 11),
      opened('b', 1),
      lost('b', 'price', usd(100), 'prospecting', 2),
      reopened('b', 'qualification', 3),
      won('b', usd(100), 'qualification', 3.5),
      opened('c', 5),
      won('c', usd(100), 'prospecting', 5 + 2 / 3),
    ]);
    // a 11, b 2.5, c 0.6666… → 14.1666…/3 = 4.7222… → 4.72
    expect(funnel.avgCycleDays).toBe(4.72);
    expect(funnel.won).toEqual({ count: 3, amount: { USD: '3.00' } });
    expect(funnel.lost).toEqual({ count: 0, amount: {}, byReason: {} });
    expect(funnel.winRate).toBe(1);
  });

  it('won counts the final amount, lost the amount when lost; byReason lists only reasons that still count', async () => {
    const funnel = await funnelOf([
      opened('a', 0, { amount: usd(100000) }),
      won('a', usd(125050), 'prospecting', 1),
      opened('b', 0, { amount: usd(40000) }),
      revised('b', { amount: usd(45000) }, 1),
      lost('b', 'competitor', usd(45000), 'prospecting', 2),
      opened('c', 0, { amount: usd(1000) }),
      lost('c', 'price', usd(1000), 'prospecting', 2),
      reopened('c', 'prospecting', 3),
    ]);
    expect(funnel.won).toEqual({ count: 1, amount: { USD: '1250.50' } });
    expect(funnel.lost).toEqual({ count: 1, amount: { USD: '450.00' }, byReason: { competitor: 1 } });
    expect(funnel.open).toEqual({ count: 1, amount: { USD: '10.00' }, weighted: { USD: '1.00' } });
    expect(funnel.winRate).toBe(0.5);
  });

  it('a reopened opportunity counts by its latest state: lost, reopened, lost again for another reason', async () => {
    const funnel = await funnelOf([
      opened('a', 0, { amount: usd(1000) }),
      lost('a', 'price', usd(1000), 'prospecting', 1),
      reopened('a', 'proposal', 2),
      revised('a', { amount: usd(3000) }, 3),
      lost('a', 'timing', usd(3000), 'proposal', 4),
    ]);
    expect(funnel.lost).toEqual({ count: 1, amount: { USD: '30.00' }, byReason: { timing: 1 } });
    expect(funnel.open).toEqual(none);
    expect(funnel.stages.map((s) => s.reached)).toEqual([1, 1, 1, 1, 0]);
    // prospecting 1 day; proposal 2 days (the stay from the reopening to the second loss)
    expect(funnel.stages.map((s) => s.avgDaysInStage)).toEqual([1, null, null, 2, null]);
  });

  it('forecast groups open weighted amounts by expected close month, in month order, leaving out closed ones', async () => {
    const funnel = await funnelOf([
      opened('a', 0, { amount: usd(10000), close: '2026-05-31' }), // 10% → 10.00
      opened('b', 0, { amount: usd(20000), close: '2026-05-01' }), // 10% → 20.00
      opened('c', 0, { amount: eur(5000), close: '2026-02-14' }), // 10% → 5.00
      opened('d', 0, { amount: usd(99900), close: '2026-02-14' }),
      won('d', usd(99900), 'prospecting', 1),
      opened('e', 0, { amount: usd(100), close: '2027-01-01', stage: 'negotiation' }), // 80% → 0.80
    ]);
    expect(funnel.forecast).toEqual({ '2026-02': { EUR: '5.00' }, '2026-05': { USD: '30.00' }, '2027-01': { USD: '0.80' } });
    expect(Object.keys(funnel.forecast)).toEqual(['2026-02', '2026-05', '2027-01']);
  });
});

describe('sales funnel: revisions, probabilities and money', () => {
  const revisions = [
    opened('a', 0, { amount: usd(10000), close: '2026-02-01' }),
    revised('a', { probability: 55 }, 1),
    revised('a', { amount: usd(15000) }, 2),
    revised('a', { expectedCloseDate: '2026-05-10' }, 3),
    moved('a', 'prospecting', 'qualification', 4),
  ];

  it('weights with the override while revised, with the new amount and month, and with the stage again after a move', async () => {
    // 100.00 × 55% = 55.00
    expect((await funnelOf(revisions.slice(0, 2))).open.weighted).toEqual({ USD: '55.00' });
    // 150.00 × 55% = 82.50, still in February
    const amountRevised = await funnelOf(revisions.slice(0, 3));
    expect(amountRevised.stages[0]!.current).toEqual({ count: 1, amount: { USD: '150.00' }, weighted: { USD: '82.50' } });
    expect(amountRevised.forecast).toEqual({ '2026-02': { USD: '82.50' } });
    // the month moves to May
    expect((await funnelOf(revisions.slice(0, 4))).forecast).toEqual({ '2026-05': { USD: '82.50' } });
    // the move ends the override: 150.00 × 20% = 30.00
    const afterMove = await funnelOf(revisions);
    expect(afterMove.stages[1]!.current).toEqual({ count: 1, amount: { USD: '150.00' }, weighted: { USD: '30.00' } });
    expect(afterMove.forecast).toEqual({ '2026-05': { USD: '30.00' } });
  });

  it('rounds weighted amounts half-up per opportunity, then sums (never round the sum)', async () => {
    const funnel = await funnelOf([
      opened('a', 0, { amount: usd(1235) }), // 123.5 → 124
      opened('b', 0, { amount: usd(125) }), // 12.5 → 13
      opened('c', 0, { amount: usd(3) }),
      revised('c', { probability: 50 }, 1), // 1.5 → 2
      opened('d', 0, { amount: usd(1001) }),
      revised('d', { probability: 12.5 }, 1), // 125.125 → 125
      opened('e', 0, { amount: jpy(1005) }), // JPY has no minor digits: 100.5 → 101
    ]);
    // USD 124 + 13 + 2 + 125 = 264 minor (rounding the sum 1235+125 at 10% would give 136, not 137)
    expect(funnel.open.weighted).toEqual({ JPY: '101', USD: '2.64' });
    expect(funnel.open.amount).toEqual({ JPY: '1005', USD: '23.64' });
  });

  it('never adds two currencies; a revision into another currency moves the opportunity to it', async () => {
    const events = [
      opened('a', 0, { amount: usd(1000) }),
      opened('b', 0, { amount: eur(2000) }),
      opened('c', 0, { amount: usd(500) }),
      revised('c', { amount: eur(700) }, 1),
      won('c', eur(900), 'prospecting', 2),
    ];
    const all = await funnelOf(events);
    expect(all.open).toEqual({ count: 2, amount: { EUR: '20.00', USD: '10.00' }, weighted: { EUR: '2.00', USD: '1.00' } });
    expect(all.won).toEqual({ count: 1, amount: { EUR: '9.00' } });
    const usdOnly = await funnelOf(events, { currency: 'USD' });
    expect(usdOnly.won).toEqual({ count: 0, amount: {} });
    expect(usdOnly.open.count).toBe(1);
    expect(usdOnly.stages[0]!.reached).toBe(1);
    const eurOnly = await funnelOf(events, { currency: 'EUR' });
    expect(eurOnly.won).toEqual({ count: 1, amount: { EUR: '9.00' } });
    expect(eurOnly.stages[0]!.reached).toBe(2);
  });

  it('a zero amount or a zero probability leaves money maps empty ({}), not zero-valued', async () => {
    const funnel = await funnelOf([opened('a', 0, { amount: usd(0) }), opened('b', 0, { amount: usd(500) }), revised('b', { probability: 0 }, 1)]);
    expect(funnel.open).toEqual({ count: 2, amount: { USD: '5.00' }, weighted: {} });
    expect(funnel.forecast).toEqual({});
  });
});

describe('sales funnel: filters', () => {
  const aliceOnly = {
    filters: { owner: 'u-alice' },
    stages: [
      // o1 won, o3 prospecting, o6 proposal: reached 3, 2, 2, 2, 1
      stage('prospecting', 3, 0.6667, { count: 1, amount: { EUR: '2000.00' }, weighted: { EUR: '500.00' } }, 2), // o1 2, o6 2
      stage('qualification', 2, 1, none, 5), // o1 7, o6 3
      stage('needs_analysis', 2, 1, none, null),
      stage('proposal', 2, 0.5, { count: 1, amount: { USD: '800.00' }, weighted: { USD: '480.00' } }, 2),
      stage('negotiation', 1, 1, none, null),
    ],
    won: { count: 1, amount: { USD: '1200.00' } },
    lost: { count: 0, amount: {}, byReason: {} },
    open: { count: 2, amount: { EUR: '2000.00', USD: '800.00' }, weighted: { EUR: '500.00', USD: '480.00' } },
    winRate: 1,
    avgCycleDays: 11,
    forecast: { '2026-02': { EUR: '500.00', USD: '480.00' } },
  };

  it('owner: the current owner', async () => {
    expect(await funnelOf(history, { owner: 'u-alice' })).toEqual(aliceOnly);
    // Reassigning o1 to bob takes it (and its win) out of alice's funnel.
    const reassignedAway = await funnelOf([...history, reassigned('o1', 'u-alice', 'u-bob', 13)], { owner: 'u-alice' });
    expect(reassignedAway.won.count).toBe(0);
    expect((await funnelOf([...history, reassigned('o1', 'u-alice', 'u-bob', 13)], { owner: 'u-bob' })).won.count).toBe(1);
  });

  it("team: the current owner's current team", async () => {
    // north = alice + carol: o1, o3, o4, o6
    const north = await funnelOf(history, { team: 'north' });
    expect(north.open.count).toBe(3);
    expect(north.won.count).toBe(1);
    // carol moves to south: north is alice alone, o4 counts for south
    const moved = [...history, teamMove('u-carol', 'north', 'south', 20)];
    expect(await funnelOf(moved, { team: 'north' })).toEqual({ ...aliceOnly, filters: { team: 'north' } });
    expect((await funnelOf(moved, { team: 'south' })).open.count).toBe(2); // o4, o5
    // o4 reassigned to alice: back in north
    const back = await funnelOf([...moved, reassigned('o4', 'u-carol', 'u-alice', 21)], { team: 'north' });
    expect(back.open.count).toBe(3);
    expect(back.stages[4]!.current).toEqual({ count: 1, amount: { USD: '333.33' }, weighted: { USD: '266.66' } });
  });

  it('team and owner together: the owner must be in the team', async () => {
    expect((await funnelOf(history, { team: 'north', owner: 'u-alice' })).open.count).toBe(2);
    expect(await funnelOf(history, { team: 'south', owner: 'u-alice' })).toEqual(emptyFunnel({ team: 'south', owner: 'u-alice' }));
  });

  it('cohort: open time in [from, to), dates as midnight UTC or instants with any offset', async () => {
    // [2026-01-03, 2026-01-05): o3 (d2) and o4 (d3); o5 and o6 opened at exactly 2026-01-05T00:00Z are out.
    const byDates = await funnelOf(history, { openedFrom: '2026-01-03', openedTo: '2026-01-05' });
    expect(byDates.filters).toEqual({ openedFrom: '2026-01-03', openedTo: '2026-01-05' });
    expect(byDates.open).toEqual({ count: 2, amount: { EUR: '2000.00', USD: '333.33' }, weighted: { EUR: '500.00', USD: '266.66' } });
    expect(byDates.stages.map((s) => s.reached)).toEqual([2, 1, 1, 1, 1]);
    const byInstants = await funnelOf(history, { openedFrom: '2026-01-03T00:00:00Z', openedTo: '2026-01-05T08:00:00+08:00' });
    expect(byInstants).toEqual({ ...byDates, filters: { openedFrom: '2026-01-03T00:00:00.000Z', openedTo: '2026-01-05T00:00:00.000Z' } });
    // one millisecond later the upper bound takes in o5 and o6
    expect((await funnelOf(history, { openedFrom: '2026-01-03', openedTo: '2026-01-05T00:00:00.001Z' })).open.count).toBe(4);
    // only a lower bound, only an upper bound
    expect((await funnelOf(history, { openedFrom: day(7) })).lost.count).toBe(1); // o7
    expect((await funnelOf(history, { openedTo: '2026-01-02' })).won.count).toBe(1); // o1
  });

  it('currency alone', async () => {
    expect(await funnelOf(history, { currency: 'EUR' })).toEqual({
      ...emptyFunnel({ currency: 'EUR' }),
      stages: [
        // o3 alone: reached 1 at prospecting, 0 beyond (0/1 = 0), nulls after
        stage('prospecting', 1, 0, { count: 1, amount: { EUR: '2000.00' }, weighted: { EUR: '500.00' } }),
        ...defaultStages.slice(1).map((name) => stage(name, 0, null)),
      ],
      open: { count: 1, amount: { EUR: '2000.00' }, weighted: { EUR: '500.00' } },
      forecast: { '2026-02': { EUR: '500.00' } },
    });
  });

  it('every filter combined', async () => {
    // alice, opened in [2026-01-01, 2026-01-04), USD: o1 only
    const funnel = await funnelOf(history, { owner: 'u-alice', team: 'north', openedFrom: '2026-01-01', openedTo: '2026-01-04', currency: 'USD' });
    expect(funnel).toEqual({
      filters: { owner: 'u-alice', team: 'north', openedFrom: '2026-01-01', openedTo: '2026-01-04', currency: 'USD' },
      stages: [
        stage('prospecting', 1, 1, none, 2),
        stage('qualification', 1, 1, none, 7),
        stage('needs_analysis', 1, 1, none, null),
        stage('proposal', 1, 1, none, 2),
        stage('negotiation', 1, 1, none, null),
      ],
      won: { count: 1, amount: { USD: '1200.00' } },
      lost: { count: 0, amount: {}, byReason: {} },
      open: none,
      winRate: 1,
      avgCycleDays: 11,
      forecast: {},
    });
  });

  it('filters that match nothing give zeros and nulls, not an error', async () => {
    for (const filters of [
      { owner: 'u-nobody' },
      { team: 'west' },
      { currency: 'GBP' },
      { owner: 'u-bob', currency: 'EUR' },
      { openedFrom: '2026-01-05', openedTo: '2026-01-05' },
      { openedFrom: '2027-01-01', openedTo: '2026-01-01' },
    ] satisfies FunnelFilters[]) {
      expect(await funnelOf(history, filters)).toEqual(emptyFunnel(filters));
    }
  });

  it('malformed filters are INVALID_COMMAND with the path of every bad one', async () => {
    const reader = projectEvents([funnelProjection], inLog(history));
    const failure = await salesFunnel(reader, { openedFrom: 'yesterday', owner: '  ', region: 'x' } as FunnelFilters).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isFunnelFilterError(failure)).toBe(true);
    if (!isFunnelFilterError(failure)) return;
    expect(failure.code).toBe('INVALID_COMMAND');
    expect((failure.error.details?.['issues'] as { path: string }[]).map((issue) => issue.path).sort()).toEqual([
      'filters.openedFrom',
      'filters.owner',
      'filters.region',
    ]);
    await expect(salesFunnel(reader, { openedTo: '2026-02-30' })).rejects.toThrow(/openedTo/);
  });
});
