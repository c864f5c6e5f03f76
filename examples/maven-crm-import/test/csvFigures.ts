import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

/**
 * The reference figures, computed straight from the CSV files with plain
 * reduces: no eventcrm code and not the example's own reader or converter,
 * so a mistake in either shows up as a difference. Only the README's
 * documented mapping decisions are repeated here (list price for open and
 * lost deals with `GTXPro` read as `GTX Pro`; Prospecting rows opened at
 * 2016-10-01; stage probabilities 10 / 60; expected close 45 days after
 * opening). Money is in cents (the data has whole dollars).
 */

/** A pipeline row as csv-parse gives it, keyed by header. */
export interface RawPipelineRow {
  readonly opportunity_id: string;
  readonly sales_agent: string;
  readonly product: string;
  readonly account: string;
  readonly deal_stage: string;
  readonly engage_date: string;
  readonly close_date: string;
  readonly close_value: string;
}

/** A sales team row as csv-parse gives it. */
export interface RawTeamRow {
  readonly sales_agent: string;
  readonly manager: string;
  readonly regional_office: string;
}

/** The dataset, straight from csv-parse. */
export interface RawDataset {
  readonly pipeline: readonly RawPipelineRow[];
  readonly teams: readonly RawTeamRow[];
  /** Product name → list price in cents. */
  readonly listPrice: ReadonlyMap<string, number>;
}

const readCsv = <Row>(directory: string, file: string): Row[] => parse<Row>(readFileSync(join(directory, file), 'utf8'), { columns: true, bom: true });

/** Reads the three files the figures need. */
export function readRawDataset(directory: string): RawDataset {
  const products = readCsv<{ product: string; sales_price: string }>(directory, 'products.csv');
  return {
    pipeline: readCsv<RawPipelineRow>(directory, 'sales_pipeline.csv'),
    teams: readCsv<RawTeamRow>(directory, 'sales_teams.csv'),
    listPrice: new Map(products.map((row) => [row.product, Math.round(Number(row.sales_price) * 100)])),
  };
}

/** The list price of a pipeline row's product; the pipeline writes `GTX Pro` as `GTXPro`. */
export function listPriceCents(data: RawDataset, product: string): number {
  const price = data.listPrice.get(product) ?? data.listPrice.get(product === 'GTXPro' ? 'GTX Pro' : product);
  if (price === undefined) throw new Error(`no list price for ${product}`);
  return price;
}

const isWon = (row: RawPipelineRow) => row.deal_stage === 'Won';
const isLost = (row: RawPipelineRow) => row.deal_stage === 'Lost';
const isOpen = (row: RawPipelineRow) => row.deal_stage === 'Engaging' || row.deal_stage === 'Prospecting';
const dayOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/** The stage probability the import configures (10 % prospecting, 60 % engaging). */
export const probabilityOf = (row: RawPipelineRow): number => (row.deal_stage === 'Prospecting' ? 10 : 60);

/** The day an opportunity opens: its engage date, or 2016-10-01 for undated Prospecting rows. */
export const openDayOf = (row: RawPipelineRow): string => row.engage_date || '2016-10-01';

/** Funnel figures of a set of rows. */
export interface FunnelFigures {
  readonly wonCount: number;
  readonly wonCents: number;
  readonly lostCount: number;
  readonly lostCents: number;
  readonly openCount: number;
  readonly openCents: number;
  readonly openWeightedCents: number;
  readonly prospecting: { readonly count: number; readonly cents: number; readonly weightedCents: number };
  readonly engaging: { readonly count: number; readonly cents: number; readonly weightedCents: number };
  /** Rows that reached engaging: everything but Prospecting. */
  readonly reachedEngaging: number;
  readonly winRate: number | null;
  /** Mean of close − engage over won rows, days. */
  readonly avgCycleDays: number | null;
  /** Mean of close − engage over won and lost rows: the ended stays in engaging. */
  readonly avgDaysEngaging: number | null;
  /** Open weighted cents by expected close month (open day + 45 days). */
  readonly forecast: ReadonlyMap<string, number>;
}

/** The weighted amount of one open row, in cents (probability 10 or 60 of whole cents is exact). */
const weightedCents = (data: RawDataset, row: RawPipelineRow) => (listPriceCents(data, row.product) * probabilityOf(row)) / 100;

/** The funnel's figures over the given rows. */
export function funnelFigures(data: RawDataset, rows: readonly RawPipelineRow[]): FunnelFigures {
  const won = rows.filter(isWon);
  const lost = rows.filter(isLost);
  const open = rows.filter(isOpen);
  const stage = (name: string) => {
    const inStage = open.filter((row) => row.deal_stage === name);
    return { count: inStage.length, cents: sum(inStage.map((row) => listPriceCents(data, row.product))), weightedCents: sum(inStage.map((row) => weightedCents(data, row))) };
  };
  const cycle = (row: RawPipelineRow) => dayOf(row.close_date) - dayOf(row.engage_date);
  const forecast = new Map<string, number>();
  for (const row of open) {
    const month = new Date(Date.parse(`${openDayOf(row)}T00:00:00Z`) + 45 * 86_400_000).toISOString().slice(0, 7);
    forecast.set(month, (forecast.get(month) ?? 0) + weightedCents(data, row));
  }
  return {
    wonCount: won.length,
    wonCents: sum(won.map((row) => Math.round(Number(row.close_value) * 100))),
    lostCount: lost.length,
    lostCents: sum(lost.map((row) => listPriceCents(data, row.product))),
    openCount: open.length,
    openCents: sum(open.map((row) => listPriceCents(data, row.product))),
    openWeightedCents: sum(open.map((row) => weightedCents(data, row))),
    prospecting: stage('Prospecting'),
    engaging: stage('Engaging'),
    reachedEngaging: rows.filter((row) => row.deal_stage !== 'Prospecting').length,
    winRate: won.length + lost.length === 0 ? null : won.length / (won.length + lost.length),
    avgCycleDays: won.length === 0 ? null : sum(won.map(cycle)) / won.length,
    avgDaysEngaging: won.length + lost.length === 0 ? null : sum([...won, ...lost].map(cycle)) / (won.length + lost.length),
    forecast,
  };
}

/** `2017`, `2017-Q3` or `2017-08` contains the date `2017-08-14`. */
export function inPeriod(date: string, period: string): boolean {
  if (date === '') return false;
  if (/^\d{4}$/.test(period)) return date.startsWith(period);
  const quarter = /^(\d{4})-Q([1-4])$/.exec(period);
  if (quarter !== null) return date.startsWith(quarter[1]!) && Math.ceil(Number(date.slice(5, 7)) / 3) === Number(quarter[2]);
  return date.startsWith(period);
}

/** One seller's (or team's) figures for a period, keyed as the caller groups rows. */
export interface PeriodFigures {
  wonCount: number;
  wonCents: number;
  lostCount: number;
  /** List price of the opportunities opened in the period. */
  pipelineCents: number;
}

/** Per-key figures for a period: wins and losses by close date, pipeline created by open day. */
export function periodFigures(data: RawDataset, period: string, keyOf: (row: RawPipelineRow) => string): Map<string, PeriodFigures> {
  const figures = new Map<string, PeriodFigures>();
  const entry = (key: string): PeriodFigures => {
    let found = figures.get(key);
    if (found === undefined) {
      found = { wonCount: 0, wonCents: 0, lostCount: 0, pipelineCents: 0 };
      figures.set(key, found);
    }
    return found;
  };
  for (const row of data.pipeline) {
    if (isWon(row) && inPeriod(row.close_date, period)) {
      entry(keyOf(row)).wonCount += 1;
      entry(keyOf(row)).wonCents += Math.round(Number(row.close_value) * 100);
    }
    if (isLost(row) && inPeriod(row.close_date, period)) entry(keyOf(row)).lostCount += 1;
    if (inPeriod(openDayOf(row), period)) entry(keyOf(row)).pipelineCents += listPriceCents(data, row.product);
  }
  return figures;
}

/** Cents as the read models print dollars: `1234.50`. */
export const dollarsOf = (cents: number): string => {
  if (!Number.isInteger(cents)) throw new Error(`not whole cents: ${cents}`);
  return `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
};

/** Rounds half away from zero to `decimals`, in decimal (as the spec rounds ratios and means). */
export const roundTo = (value: number, decimals: number): number => Number(`${Math.round(Number(`${value}e${decimals}`))}e-${decimals}`);

/**
 * Standard competition ranking (1, 2, 2, 4) by value descending, ties listed
 * by id: the order projections.md §3 prescribes.
 */
export function competitionRanking(values: ReadonlyMap<string, number>): { readonly id: string; readonly rank: number; readonly value: number }[] {
  const sorted = [...values].sort(([idA, a], [idB, b]) => b - a || (idA < idB ? -1 : idA > idB ? 1 : 0));
  return sorted.map(([id, value]) => ({ id, rank: sorted.findIndex(([, other]) => other === value) + 1, value }));
}
