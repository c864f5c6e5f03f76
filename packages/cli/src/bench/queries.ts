import { rankingMetrics } from '@eventcrm/projections';
import { isRejection, type Crm } from '@eventcrm/runtime';
import { percentile } from './measure.ts';
import { seededRandom, type QuerySubjects } from './workload.ts';

/** The query kinds of spec/bench.md, in report order. */
export const queryKinds = ['funnel', 'funnel_owner_cohort', 'ownership_as_of', 'portfolio_as_of', 'rankings_quarter', 'reminders_member'] as const;

/** A query kind. */
export type QueryKind = (typeof queryKinds)[number];

/** Latencies of one kind. */
export interface QueryFigures {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Answers that were rejections (`NOT_FOUND`, say a customer asked about before it was registered): counted, still timed. */
  readonly rejected: number;
}

const DAY = 86_400_000;
const isoDate = (millis: number): string => new Date(millis).toISOString().slice(0, 10);
const isoInstant = (millis: number): string => new Date(Math.floor(millis / 1000) * 1000).toISOString();

/** Warm-up queries per kind, not timed: the first calls pay for compiling code paths and preparing statements. */
const warmUpQueries = 10;

/**
 * One query of each kind with arguments drawn from the workload (seeded, so
 * every run and every store asks the same questions): reps as owners and
 * portfolio holders, sampled customers at instants after their registration,
 * opened-cohorts of one to three months, every quarter of the history and
 * every ranking metric, reminders as of the history's last month.
 */
function queryMaker(subjects: QuerySubjects, seed: number): (kind: QueryKind) => (crm: Crm) => Promise<unknown> {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) throw new Error('bench queries: the workload has nothing to ask about');
    return items[Math.floor(random() * items.length)]!;
  };
  const reps = subjects.members.filter((member) => member.role === 'rep');
  const people = reps.length > 0 ? reps : subjects.members;
  const between = (from: number, to: number): number => from + random() * Math.max(0, to - from);
  const quarters: string[] = [];
  for (let month = new Date(subjects.startMs); month.getTime() < subjects.endMs; month = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 3, 1))) {
    quarters.push(`${month.getUTCFullYear()}-Q${Math.floor(month.getUTCMonth() / 3) + 1}`);
  }
  const noFilter = {};
  return (kind) => {
    const options = { catchUp: false } as const;
    switch (kind) {
      case 'funnel':
        return (crm) => crm.funnel(noFilter, options);
      case 'funnel_owner_cohort': {
        const owner = pick(people).memberId;
        const from = between(subjects.startMs, subjects.endMs - 30 * DAY);
        const to = Math.min(subjects.endMs, from + (30 + Math.floor(random() * 60)) * DAY);
        const filters = { owner, openedFrom: isoDate(from), openedTo: isoDate(to) };
        return (crm) => crm.funnel(filters, options);
      }
      case 'ownership_as_of': {
        const customer = pick(subjects.customers);
        const asOf = isoInstant(between(customer.registeredMs, subjects.endMs));
        return (crm) => crm.ownerAsOf(customer.customerId, asOf, options);
      }
      case 'portfolio_as_of': {
        const member = pick(people).memberId;
        const asOf = isoInstant(between(subjects.startMs, subjects.endMs));
        return (crm) => crm.portfolio(member, asOf, options);
      }
      case 'rankings_quarter': {
        const query = { period: pick(quarters), metric: pick(rankingMetrics), currency: pick(subjects.currencies) };
        return (crm) => crm.rankings(query, options);
      }
      case 'reminders_member': {
        const memberId = pick(people).memberId;
        const asOf = isoInstant(between(subjects.endMs - 30 * DAY, subjects.endMs));
        return (crm) => crm.reminders({ asOf, memberId }, options);
      }
    }
  };
}

/**
 * Runs `count` queries of every kind on built read models, one at a time,
 * without catching up first (the read models are current: this measures the
 * query, not the log check), and returns their latency percentiles.
 */
export async function runQueries(crm: Crm, subjects: QuerySubjects, count: number, seed: number): Promise<Record<QueryKind, QueryFigures>> {
  const make = queryMaker(subjects, seed);
  const figures = {} as Record<QueryKind, QueryFigures>;
  for (const kind of queryKinds) {
    for (let index = 0; index < warmUpQueries; index += 1) await make(kind)(crm);
    const queries = Array.from({ length: count }, () => make(kind));
    const latencies: number[] = [];
    let rejected = 0;
    for (const query of queries) {
      const started = performance.now();
      const answer = await query(crm);
      latencies.push(performance.now() - started);
      if (isRejection(answer)) rejected += 1;
    }
    figures[kind] = { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxMs: percentile(latencies, 100), rejected };
  }
  return figures;
}

/**
 * The cost a query pays by default (`catchUp: true`) on top of the query
 * itself when nothing is new: reading the checkpoints and finding no event
 * after them.
 */
export async function runCatchUps(crm: Crm, count: number): Promise<QueryFigures> {
  for (let index = 0; index < warmUpQueries; index += 1) await crm.catchUp();
  const latencies: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const started = performance.now();
    await crm.catchUp();
    latencies.push(performance.now() - started);
  }
  return { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxMs: percentile(latencies, 100), rejected: 0 };
}
