import { defaultConfig, funnelStages, type CrmConfig } from '@eventcrm/domain';
import * as E from 'fp-ts/lib/Either.js';
import type { Condition, ReadModelReader } from '../framework/types.ts';
import { int, json, text } from '../shared/cells.ts';
import { moneyReport, type MoneyReport } from '../shared/moneyTotals.ts';
import { DAY_MS, mean2, ratio } from '../shared/numbers.ts';
import { FunnelFilterError, parseFunnelFilters, type FunnelFilters } from './filters.ts';
import { FUNNEL_CONFIG, FUNNEL_LIFECYCLE, FUNNEL_MEMBERS, FUNNEL_OPPORTUNITIES, FUNNEL_TOTALS } from './tables.ts';
import { TallySum, tallyCell } from './tally.ts';

/** Count, amount and weighted amount of a set of open opportunities (money per currency). */
export interface OpenFigures {
  readonly count: number;
  readonly amount: MoneyReport;
  readonly weighted: MoneyReport;
}

/** One pipeline stage of the sales funnel (projections.md §1). */
export interface SalesFunnelStage {
  readonly stage: string;
  /** Opportunities whose furthest stage is this one or beyond (every won one included). */
  readonly reached: number;
  /** reached(next) / reached(this), or won / reached(last) for the last stage; null when reached is 0. */
  readonly conversion: number | null;
  /** Open opportunities in the stage now. */
  readonly current: OpenFigures;
  /** Mean cumulative days over ended stays, among opportunities with one; null when none. */
  readonly avgDaysInStage: number | null;
}

/** The sales funnel, exactly the JSON shape of projections.md §1. */
export interface SalesFunnel {
  readonly filters: FunnelFilters;
  readonly stages: readonly SalesFunnelStage[];
  readonly won: { readonly count: number; readonly amount: MoneyReport };
  readonly lost: { readonly count: number; readonly amount: MoneyReport; readonly byReason: { readonly [reason: string]: number } };
  readonly open: OpenFigures;
  readonly winRate: number | null;
  readonly avgCycleDays: number | null;
  readonly forecast: { readonly [month: string]: MoneyReport };
}

/** One stage of the customer lifecycle funnel. */
export interface LifecycleFunnelStage {
  readonly stage: string;
  readonly current: number;
  readonly reached: number;
  readonly conversion: number | null;
}

/** The customer lifecycle funnel (projections.md §1). */
export interface LifecycleFunnel {
  readonly stages: readonly LifecycleFunnelStage[];
  readonly dormant: number;
}

/**
 * The pipeline in force now: the latest configuration change's (changes
 * are recorded in time order), else the defaults.
 */
async function pipelineNow(reader: ReadModelReader): Promise<readonly string[]> {
  const [latest] = await reader.scan(FUNNEL_CONFIG, { orderBy: [['position', 'desc']], limit: 1 });
  const config = latest === undefined ? defaultConfig : (json(latest, 'config') as unknown as CrmConfig | null) ?? defaultConfig;
  return config.pipeline.stages.map((stage) => stage.id);
}

const count = (value: bigint): number => Number(value);

/** Renders summed contributions along a pipeline. */
function render(filters: FunnelFilters, pipeline: readonly string[], sum: TallySum): SalesFunnel {
  const won = count(sum.total('won', '', 0));
  const lost = count(sum.total('lost', '', 0));
  const position = new Map(pipeline.map((stage, index) => [stage, index]));
  // Open and lost opportunities by their furthest stage in today's pipeline; stages that left it rank nowhere.
  const atFurthest = pipeline.map(() => 0);
  for (const path of sum.keys('paths')) {
    let furthest = -1;
    for (const stage of path.split(',')) furthest = Math.max(furthest, position.get(stage) ?? -1);
    if (furthest >= 0) atFurthest[furthest] = (atFurthest[furthest] ?? 0) + count(sum.total('paths', path, 0));
  }
  const reached: number[] = pipeline.map(() => 0);
  let beyond = won;
  for (let index = pipeline.length - 1; index >= 0; index -= 1) {
    beyond += atFurthest[index] ?? 0;
    reached[index] = beyond;
  }
  const stages = pipeline.map((stage, index): SalesFunnelStage => {
    const here = reached[index] ?? 0;
    const next = index + 1 < pipeline.length ? (reached[index + 1] ?? 0) : won;
    const stayed = count(sum.total('stays', stage, 0));
    return {
      stage,
      reached: here,
      conversion: ratio(next, here),
      current: {
        count: count(sum.total('current', stage, 0)),
        amount: moneyReport(sum.money('current', stage, 1)),
        weighted: moneyReport(sum.money('current', stage, 2)),
      },
      avgDaysInStage: mean2(Number(sum.total('stays', stage, 1)) / DAY_MS, stayed),
    };
  });
  const byReason = Object.fromEntries(
    sum
      .keys('reasons')
      .map((reason) => [reason, count(sum.total('reasons', reason, 0))] as const)
      .filter(([, reasonCount]) => reasonCount !== 0)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  const forecast = Object.fromEntries(
    sum
      .keys('forecast')
      .sort()
      .map((month) => [month, moneyReport(sum.money('forecast', month, 0))] as const)
      .filter(([, amounts]) => Object.keys(amounts).length > 0),
  );
  return {
    filters,
    stages,
    won: { count: won, amount: moneyReport(sum.money('won', '', 1)) },
    lost: { count: lost, amount: moneyReport(sum.money('lost', '', 1)), byReason },
    open: {
      count: count(sum.total('open', '', 0)),
      amount: moneyReport(sum.money('open', '', 1)),
      weighted: moneyReport(sum.money('open', '', 2)),
    },
    winRate: ratio(won, won + lost),
    avgCycleDays: mean2(Number(sum.total('won', '', 2)) / DAY_MS, won),
    forecast,
  };
}

/**
 * The sales funnel (projections.md §1) for the opportunities passing the
 * filters. Without an owner, team or cohort filter it reads the running
 * per-currency tallies (one row per currency, whatever the number of
 * opportunities); otherwise it scans the opportunity rows through the
 * (owner, opened_at) or (currency) index and sums the same contributions.
 * Filters that match nothing give zeros and nulls; malformed filters throw
 * a `FunnelFilterError` (`INVALID_COMMAND`).
 */
export async function salesFunnel(reader: ReadModelReader, filters: FunnelFilters = {}): Promise<SalesFunnel> {
  const parsed = parseFunnelFilters(filters);
  if (E.isLeft(parsed)) throw new FunnelFilterError(parsed.left);
  const { echo, owner, team, openedFrom, openedTo, currency } = parsed.right;
  const pipeline = await pipelineNow(reader);
  const sum = new TallySum();

  if (owner === undefined && team === undefined && openedFrom === undefined && openedTo === undefined) {
    const totals = currency === undefined ? await reader.scan(FUNNEL_TOTALS) : [await reader.get(FUNNEL_TOTALS, [currency])];
    for (const row of totals) if (row !== undefined) sum.addCell(text(row, 'currency'), tallyCell(row));
    return render(echo, pipeline, sum);
  }

  const where: { [column: string]: Condition } = {};
  if (team !== undefined) {
    const members = await reader.scan(FUNNEL_MEMBERS, { where: { team } });
    const owners = members.map((member) => text(member, 'member_id')).filter((id) => owner === undefined || id === owner);
    if (owners.length === 0) return render(echo, pipeline, sum);
    where['owner'] = owners.length === 1 ? owners[0]! : { in: owners };
  } else if (owner !== undefined) {
    where['owner'] = owner;
  }
  if (openedFrom !== undefined || openedTo !== undefined) {
    where['opened_at'] = { ...(openedFrom === undefined ? {} : { gte: openedFrom }), ...(openedTo === undefined ? {} : { lt: openedTo }) };
  }
  if (currency !== undefined) where['currency'] = currency;
  for (const row of await reader.scan(FUNNEL_OPPORTUNITIES, { where })) sum.addOpportunity(row);
  return render(echo, pipeline, sum);
}

/**
 * The customer lifecycle funnel (projections.md §1): customers per stage
 * now and reached counts along potential → intent → customer → vip, with
 * dormant customers reported apart (they still count as having reached
 * their furthest stage). Merged duplicates and erased customers are not
 * counted.
 */
export async function lifecycleFunnel(reader: ReadModelReader): Promise<LifecycleFunnel> {
  const rows = new Map((await reader.scan(FUNNEL_LIFECYCLE)).map((row) => [text(row, 'stage'), row]));
  const figure = (stage: string, column: 'current' | 'furthest'): number => {
    const row = rows.get(stage);
    return row === undefined ? 0 : int(row, column);
  };
  const reached: number[] = funnelStages.map(() => 0);
  let beyond = 0;
  for (let index = funnelStages.length - 1; index >= 0; index -= 1) {
    beyond += figure(funnelStages[index]!, 'furthest');
    reached[index] = beyond;
  }
  return {
    stages: funnelStages.map((stage, index) => ({
      stage,
      current: figure(stage, 'current'),
      reached: reached[index] ?? 0,
      conversion: index + 1 < funnelStages.length ? ratio(reached[index + 1] ?? 0, reached[index] ?? 0) : null,
    })),
    dormant: figure('dormant', 'current'),
  };
}
