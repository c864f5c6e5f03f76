import { lossReasons, type CrmEvent, type LifecycleStage, type Money, type PipelineStage } from '@eventcrm/domain';
import { inLog, projectEvents } from '@eventcrm/projections/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mean2, ratio } from '../shared/numbers.ts';
import type { FunnelFilters } from './filters.ts';
import { lost, member, moved, opened, pipeline, reassigned, registered, reopened, revised, stageChanged, teamMove, won, merged, erased } from './funnelEvents.test.ts';
import { funnelProjection } from './projection.ts';
import { lifecycleFunnel, salesFunnel, type LifecycleFunnel, type SalesFunnel } from './queries.ts';

/**
 * Property: for random valid opportunity histories and random filters, the
 * funnel the projection answers equals a straightforward recomputation from
 * the events (the oracle below, written from projections.md §1 without the
 * projection's tallies: fold each opportunity's history, filter, count).
 * Only the report rounding rules (numbers.ts) are shared.
 */

const DAY = 86_400_000;
const BASE = Date.parse('2026-01-01T00:00:00.000Z');
const toDays = (ms: number): number => (ms - BASE) / DAY;
// `constructor` is a valid stage id, and a trap for code that indexes plain objects.
const STAGE_POOL = ['s1', 's2', 's3', 's4', 'constructor'];
const MEMBERS = ['u-a', 'u-b', 'u-c', 'u-d'];
const TEAMS = ['t1', 't2', 't3'];
const CURRENCIES = ['USD', 'EUR', 'JPY'];
const DIGITS: { readonly [currency: string]: number } = { USD: 2, EUR: 2, JPY: 0 };

// ---------------------------------------------------------------- generated histories

const probabilityArb = fc.integer({ min: 0, max: 200 }).map((halves) => halves / 2);
const pipelineArb: fc.Arbitrary<PipelineStage[]> = fc
  .shuffledSubarray(STAGE_POOL, { minLength: 1 })
  .chain((ids) => fc.array(probabilityArb, { minLength: ids.length, maxLength: ids.length }).map((probabilities) => ids.map((id, index) => ({ id, probability: probabilities[index]! }))));
const amountArb = fc.oneof(fc.bigInt({ min: 0n, max: 10_000n }), fc.bigInt({ min: 0n, max: 10n ** 12n }));
const dtArb = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 6 * DAY }));

const actionArb = fc.record({
  kind: fc.constantFrom('move', 'move', 'revise', 'reassign', 'win', 'lose', 'reopen'),
  pick: fc.nat(),
  dt: dtArb,
  amount: fc.option(amountArb),
  switchCurrency: fc.boolean(),
  probability: fc.option(probabilityArb),
  closeMonth: fc.option(fc.integer({ min: 1, max: 12 })),
  reason: fc.constantFrom(...lossReasons),
});

const opportunityArb = fc.record({
  ownerPick: fc.nat(),
  openAt: fc.integer({ min: 0, max: 40 * DAY }),
  currency: fc.constantFrom(...CURRENCIES),
  amount: amountArb,
  stagePick: fc.nat(),
  closeMonth: fc.integer({ min: 1, max: 12 }),
  actions: fc.array(actionArb, { maxLength: 8 }),
});

const scenarioArb = fc.record({
  teams: fc.array(fc.option(fc.constantFrom(...TEAMS)), { minLength: MEMBERS.length, maxLength: MEMBERS.length }),
  teamMoves: fc.array(fc.record({ memberPick: fc.nat(), team: fc.constantFrom(...TEAMS), at: fc.integer({ min: 0, max: 80 * DAY }) }), { maxLength: 4 }),
  first: pipelineArb,
  later: fc.option(pipelineArb),
  opportunities: fc.array(opportunityArb, { maxLength: 14 }),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer Value> ? Value : never;

const pick = <Value>(values: readonly Value[], index: number): Value => values[index % values.length]!;
const money = (currency: string, minor: bigint): Money => ({ currency, minor: minor.toString() });
const closeDate = (month: number): string => `2026-${String(month).padStart(2, '0')}-15`;

/** Builds a valid log from a scenario: commands that would be rejected in the state reached are skipped. */
function historyOf(scenario: Scenario): CrmEvent[] {
  const timeline: { at: number; event: CrmEvent }[] = [];
  const stages = scenario.first;
  const probabilityOf = (stage: string): number => stages.find((candidate) => candidate.id === stage)?.probability ?? 0;
  const openAtEnd = new Set<string>();
  let last = BASE;
  scenario.opportunities.forEach((spec, index) => {
    const id = `o${index}`;
    let at = BASE + spec.openAt;
    let owner = pick(MEMBERS, spec.ownerPick);
    let currency = spec.currency;
    let amount = spec.amount;
    let stage = pick(stages, spec.stagePick).id;
    let status: 'open' | 'won' | 'lost' = 'open';
    const push = (event: CrmEvent): void => {
      timeline.push({ at, event });
    };
    push(opened(id, toDays(at), { owner, amount: money(currency, amount), stage, probability: probabilityOf(stage), close: closeDate(spec.closeMonth) }));
    for (const action of spec.actions) {
      at += action.dt;
      const day = toDays(at);
      if (action.kind === 'reopen') {
        if (status !== 'lost') continue;
        stage = pick(stages, action.pick).id;
        status = 'open';
        push(reopened(id, stage, day, probabilityOf(stage)));
        continue;
      }
      if (status !== 'open') continue;
      switch (action.kind) {
        case 'move': {
          const to = pick(stages, action.pick).id;
          if (to === stage) continue;
          push(moved(id, stage, to, day, probabilityOf(to)));
          stage = to;
          break;
        }
        case 'revise': {
          const changes: { amount?: Money; expectedCloseDate?: string; probability?: number } = {};
          if (action.amount !== null) {
            if (action.switchCurrency) currency = pick(CURRENCIES.filter((other) => other !== currency), action.pick);
            amount = action.amount;
            changes.amount = money(currency, amount);
          }
          if (action.closeMonth !== null) changes.expectedCloseDate = closeDate(action.closeMonth);
          if (action.probability !== null) changes.probability = action.probability;
          if (Object.keys(changes).length === 0) continue;
          push(revised(id, changes, day));
          break;
        }
        case 'reassign': {
          const to = pick(MEMBERS, action.pick);
          if (to === owner) continue;
          push(reassigned(id, owner, to, day));
          owner = to;
          break;
        }
        case 'win':
          if (action.amount !== null) amount = action.amount;
          push(won(id, money(currency, amount), stage, day, owner));
          status = 'won';
          break;
        case 'lose':
          push(lost(id, action.reason, money(currency, amount), stage, day, owner));
          status = 'lost';
          break;
      }
    }
    if (status === 'open') openAtEnd.add(stage);
    last = Math.max(last, at);
  });
  for (const move of scenario.teamMoves) {
    const memberId = pick(MEMBERS, move.memberPick);
    timeline.push({ at: BASE + move.at, event: teamMove(memberId, null, move.team, toDays(BASE + move.at)) });
    last = Math.max(last, BASE + move.at);
  }
  // Stable by time: each stream stays in its own order.
  timeline.sort((a, b) => a.at - b.at);
  const prelude = [...MEMBERS.map((id, index) => member(id, scenario.teams[index] ?? null, -1)), pipeline(stages, -1)];
  const later = scenario.later;
  // A later pipeline may reorder, add or drop stages, but not drop a stage open opportunities are in.
  const finale =
    later === null
      ? []
      : [pipeline([...later, ...[...openAtEnd].filter((stage) => !later.some((kept) => kept.id === stage)).map((id) => ({ id, probability: 50 }))], toDays(last) + 1)];
  return [...prelude, ...timeline.map((entry) => entry.event), ...finale];
}

// ---------------------------------------------------------------- the oracle

interface Deal {
  owner: string;
  openedAt: number;
  currency: string;
  amount: bigint;
  status: 'open' | 'won' | 'lost';
  stage: string;
  stageProbability: number;
  override: number | null;
  close: string;
  visited: Set<string>;
  ended: Map<string, number>;
  stayStart: number;
  reason: string | null;
  wonAt: number;
}

const formatMinor = (minor: bigint, currency: string): string => {
  const digits = DIGITS[currency] ?? 2;
  if (digits === 0) return minor.toString();
  const text = minor.toString().padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
};

class PerCurrency {
  readonly sums = new Map<string, bigint>();
  add(currency: string, minor: bigint): void {
    this.sums.set(currency, (this.sums.get(currency) ?? 0n) + minor);
  }
  report(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [currency, minor] of [...this.sums].sort(([a], [b]) => a.localeCompare(b))) if (minor !== 0n) out[currency] = formatMinor(minor, currency);
    return out;
  }
}

/** amount × probability / 100, half-up, in minor units (probabilities are multiples of 0.5 here). */
const weighted = (deal: Deal): bigint => {
  const probabilityTimes100 = BigInt(Math.round((deal.override ?? deal.stageProbability) * 100));
  return (2n * deal.amount * probabilityTimes100 + 10_000n) / 20_000n;
};

function oracle(events: readonly CrmEvent[], filters: FunnelFilters): SalesFunnel {
  const teams = new Map<string, string | null>();
  const deals = new Map<string, Deal>();
  let stages: readonly string[] = ['prospecting', 'qualification', 'needs_analysis', 'proposal', 'negotiation'];
  for (const event of events) {
    const at = Date.parse(event.metadata.at);
    const endStay = (deal: Deal): void => {
      deal.ended.set(deal.stage, (deal.ended.get(deal.stage) ?? 0) + (at - deal.stayStart));
    };
    switch (event.type) {
      case 'MemberRegistered':
        teams.set(event.data.memberId, event.data.team);
        break;
      case 'MemberMovedToTeam':
        teams.set(event.data.memberId, event.data.to);
        break;
      case 'ConfigurationChanged':
        stages = event.data.config.pipeline.stages.map((stage) => stage.id);
        break;
      case 'OpportunityOpened':
        deals.set(event.data.opportunityId, {
          owner: event.data.owner,
          openedAt: at,
          currency: event.data.amount.currency,
          amount: BigInt(event.data.amount.minor),
          status: 'open',
          stage: event.data.stage,
          stageProbability: event.data.probability,
          override: null,
          close: event.data.expectedCloseDate,
          visited: new Set([event.data.stage]),
          ended: new Map(),
          stayStart: at,
          reason: null,
          wonAt: 0,
        });
        break;
      case 'OpportunityStageMoved': {
        const deal = deals.get(event.data.opportunityId)!;
        endStay(deal);
        Object.assign(deal, { stage: event.data.to, stageProbability: event.data.probability, override: null, stayStart: at });
        deal.visited.add(event.data.to);
        break;
      }
      case 'OpportunityRevised': {
        const deal = deals.get(event.data.opportunityId)!;
        const { amount, expectedCloseDate, probability } = event.data.changes;
        if (amount !== undefined) Object.assign(deal, { amount: BigInt(amount.minor), currency: amount.currency });
        if (expectedCloseDate !== undefined) deal.close = expectedCloseDate;
        if (probability !== undefined) deal.override = probability;
        break;
      }
      case 'OpportunityReassigned':
        deals.get(event.data.opportunityId)!.owner = event.data.to;
        break;
      case 'OpportunityWon': {
        const deal = deals.get(event.data.opportunityId)!;
        endStay(deal);
        Object.assign(deal, { status: 'won', amount: BigInt(event.data.amount.minor), wonAt: at });
        break;
      }
      case 'OpportunityLost': {
        const deal = deals.get(event.data.opportunityId)!;
        endStay(deal);
        Object.assign(deal, { status: 'lost', amount: BigInt(event.data.amount.minor), reason: event.data.reason });
        break;
      }
      case 'OpportunityReopened': {
        const deal = deals.get(event.data.opportunityId)!;
        Object.assign(deal, { status: 'open', stage: event.data.stage, stageProbability: event.data.probability, override: null, stayStart: at, reason: null });
        deal.visited.add(event.data.stage);
        break;
      }
      default:
        break;
    }
  }

  const bound = (value: string | undefined): number | undefined =>
    value === undefined ? undefined : Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00.000Z` : value);
  const from = bound(filters.openedFrom);
  const to = bound(filters.openedTo);
  const selected = [...deals.values()].filter(
    (deal) =>
      (filters.owner === undefined || deal.owner === filters.owner) &&
      (filters.team === undefined || teams.get(deal.owner) === filters.team) &&
      (from === undefined || deal.openedAt >= from) &&
      (to === undefined || deal.openedAt < to) &&
      (filters.currency === undefined || deal.currency === filters.currency),
  );
  const wonDeals = selected.filter((deal) => deal.status === 'won');
  const lostDeals = selected.filter((deal) => deal.status === 'lost');
  const openDeals = selected.filter((deal) => deal.status === 'open');
  const furthest = (deal: Deal): number => (deal.status === 'won' ? stages.length : Math.max(-1, ...[...deal.visited].map((stage) => stages.indexOf(stage))));
  const reached = stages.map((_, index) => selected.filter((deal) => furthest(deal) >= index).length);

  const openFigures = (deals: readonly Deal[]) => {
    const amount = new PerCurrency();
    const weightedAmount = new PerCurrency();
    for (const deal of deals) {
      amount.add(deal.currency, deal.amount);
      weightedAmount.add(deal.currency, weighted(deal));
    }
    return { count: deals.length, amount: amount.report(), weighted: weightedAmount.report() };
  };
  const sumOf = (deals: readonly Deal[]): Record<string, string> => {
    const totals = new PerCurrency();
    for (const deal of deals) totals.add(deal.currency, deal.amount);
    return totals.report();
  };
  const byReason: Record<string, number> = {};
  for (const deal of lostDeals) byReason[deal.reason!] = (byReason[deal.reason!] ?? 0) + 1;
  const months = new Map<string, PerCurrency>();
  for (const deal of openDeals) {
    const month = deal.close.slice(0, 7);
    if (!months.has(month)) months.set(month, new PerCurrency());
    months.get(month)!.add(deal.currency, weighted(deal));
  }
  const forecast: Record<string, Record<string, string>> = {};
  for (const [month, totals] of months) if (Object.keys(totals.report()).length > 0) forecast[month] = totals.report();
  const echo: Record<string, string> = {};
  for (const [key, value] of Object.entries(filters) as [string, string | undefined][]) if (value !== undefined) echo[key] = value;

  return {
    filters: echo,
    stages: stages.map((stage, index) => {
      const stayed = selected.filter((deal) => deal.ended.has(stage));
      const days = stayed.reduce((sum, deal) => sum + (deal.ended.get(stage) ?? 0), 0);
      return {
        stage,
        reached: reached[index]!,
        conversion: ratio(index + 1 < stages.length ? reached[index + 1]! : wonDeals.length, reached[index]!),
        current: openFigures(openDeals.filter((deal) => deal.stage === stage)),
        avgDaysInStage: mean2(days / DAY, stayed.length),
      };
    }),
    won: { count: wonDeals.length, amount: sumOf(wonDeals) },
    lost: { count: lostDeals.length, amount: sumOf(lostDeals), byReason },
    open: openFigures(openDeals),
    winRate: ratio(wonDeals.length, wonDeals.length + lostDeals.length),
    avgCycleDays: mean2(wonDeals.reduce((sum, deal) => sum + (deal.wonAt - deal.openedAt), 0) / DAY, wonDeals.length),
    forecast,
  };
}

// ---------------------------------------------------------------- random filters

const instantArb = fc.integer({ min: -2 * DAY, max: 60 * DAY }).map((offset) => new Date(BASE + offset).toISOString());
const dateArb = fc.integer({ min: -2, max: 60 }).map((offset) => new Date(BASE + offset * DAY).toISOString().slice(0, 10));
const filtersArb: fc.Arbitrary<FunnelFilters> = fc
  .record(
    {
      owner: fc.constantFrom(...MEMBERS, 'u-nobody'),
      team: fc.constantFrom(...TEAMS),
      openedFrom: fc.oneof(dateArb, instantArb),
      openedTo: fc.oneof(dateArb, instantArb),
      currency: fc.constantFrom(...CURRENCIES, 'GBP'),
    },
    { requiredKeys: [] },
  )
  .map((filters) => filters as FunnelFilters);

describe('sales funnel property', () => {
  it('equals a recomputation from the events, for random histories and random filters', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, fc.array(filtersArb, { minLength: 1, maxLength: 4 }), async (scenario, filterSets) => {
        const events = historyOf(scenario);
        const reader = projectEvents([funnelProjection], inLog(events));
        for (const filters of [{}, ...filterSets]) expect(await salesFunnel(reader, filters)).toEqual(oracle(events, filters));
        // The running tallies and a scan of every row agree.
        const everything = await salesFunnel(reader, { openedFrom: '2000-01-01' });
        expect({ ...everything, filters: {} }).toEqual(await salesFunnel(reader, {}));
      }),
      { numRuns: 150 },
    );
  });
});

// ---------------------------------------------------------------- lifecycle

const LIFECYCLE: readonly LifecycleStage[] = ['potential', 'intent', 'customer', 'vip', 'dormant'];
const customerStepArb = fc.record({ kind: fc.constantFrom('stage', 'stage', 'stage', 'merge', 'erase'), stage: fc.constantFrom(...LIFECYCLE) });
const customersArb = fc.array(fc.record({ stage: fc.constantFrom(...LIFECYCLE), steps: fc.array(customerStepArb, { maxLength: 6 }) }), { maxLength: 12 });

function lifecycleOracle(customers: readonly { readonly stages: readonly LifecycleStage[]; readonly counted: boolean }[]): LifecycleFunnel {
  const funnel = ['potential', 'intent', 'customer', 'vip'];
  const counted = customers.filter((customer) => customer.counted);
  const furthest = (stages: readonly LifecycleStage[]): number => Math.max(0, ...stages.map((stage) => funnel.indexOf(stage)));
  const reached = funnel.map((_, index) => counted.filter((customer) => furthest(customer.stages) >= index).length);
  return {
    stages: funnel.map((stage, index) => ({
      stage,
      current: counted.filter((customer) => customer.stages.at(-1) === stage).length,
      reached: reached[index]!,
      conversion: index + 1 < funnel.length ? ratio(reached[index + 1]!, reached[index]!) : null,
    })),
    dormant: counted.filter((customer) => customer.stages.at(-1) === 'dormant').length,
  };
}

describe('customer lifecycle funnel property', () => {
  it('equals a recomputation from each customer’s stages, leaving out merged and erased customers', async () => {
    await fc.assert(
      fc.asyncProperty(customersArb, async (specs) => {
        const events: CrmEvent[] = [];
        const histories = specs.map((spec, index) => {
          const id = `c${index}`;
          const stages: LifecycleStage[] = [spec.stage];
          let counted = true;
          events.push(registered(id, spec.stage, index));
          spec.steps.forEach((step, stepIndex) => {
            const at = index + (stepIndex + 1) / 10;
            if (!counted) return;
            if (step.kind === 'merge') {
              events.push(merged(id, 'c-survivor', at));
              counted = false;
            } else if (step.kind === 'erase') {
              events.push(erased(id, at));
              counted = false;
            } else if (step.stage !== stages.at(-1)) {
              events.push(stageChanged(id, stages.at(-1)!, step.stage, at));
              stages.push(step.stage);
            }
          });
          return { stages, counted };
        });
        expect(await lifecycleFunnel(projectEvents([funnelProjection], inLog(events)))).toEqual(lifecycleOracle(histories));
      }),
      { numRuns: 200 },
    );
  });
});
