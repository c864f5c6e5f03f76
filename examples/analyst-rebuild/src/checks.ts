import { isRejection, type Crm } from '@eventcrm/runtime';
import type { LongPeriods, OpenStage, TeamQuarterWins } from './analyses.ts';

/**
 * The SQL answers checked against the library's queries, which are the
 * contract (projections.md): `crm.rankings` for the team wins,
 * `crm.ownership` for the periods, `crm.funnel` for the open pipeline. The
 * library reads the same tables through its own code (the funnel even from
 * another table, the running per-currency tallies), so equal answers mean
 * the SQL reads the columns the way the library defines them.
 */

/** The outcome of one comparison: how many values were compared, and each difference in a sentence. */
export interface Check {
  readonly name: string;
  readonly library: string;
  readonly compared: number;
  readonly differences: readonly string[];
}

/** `"1234.50"` (a money value as the queries print it, in the currency's digits) in minor units; an absent currency is 0. */
const minorOf = (amount: string | undefined): bigint => (amount === undefined ? 0n : BigInt(amount.replace('.', '')));

const noQuery = { catchUp: false } as const;

const DAY_MS = 86_400_000;

/**
 * Team wins per quarter against `crm.rankings({ period, metric: 'wonAmount',
 * currency, teams: true })` for every quarter and currency the tables hold
 * anything for: each team's won amount in that currency, and its won count
 * (all currencies). Teams the library lists without wins must be absent from
 * the SQL (it keeps only rows with wins), and every SQL team must be listed.
 */
export async function checkTeamWins(crm: Crm, rows: readonly TeamQuarterWins[], quarters: readonly { readonly quarter: string; readonly currency: string }[]): Promise<Check> {
  const differences: string[] = [];
  let compared = 0;
  const sqlAmount = new Map(rows.map((row) => [`${row.quarter}|${row.team}|${row.currency}`, row.wonMinor]));
  const sqlCount = new Map<string, number>();
  for (const row of rows) sqlCount.set(`${row.quarter}|${row.team}`, (sqlCount.get(`${row.quarter}|${row.team}`) ?? 0) + row.wonCount);
  const listed = new Set<string>();
  for (const { quarter, currency } of quarters) {
    const ranking = await crm.rankings({ period: quarter, metric: 'wonAmount', currency, teams: true }, noQuery);
    if (isRejection(ranking)) {
      differences.push(`rankings ${quarter} ${currency}: ${ranking.code}: ${ranking.message}`);
      continue;
    }
    for (const row of ranking.rows) {
      const team = row.team ?? '';
      listed.add(`${quarter}|${team}|${currency}`);
      const library = minorOf(row.wonAmount[currency]);
      const sql = sqlAmount.get(`${quarter}|${team}|${currency}`) ?? 0n;
      const sqlWins = sqlCount.get(`${quarter}|${team}`) ?? 0;
      compared += 2;
      if (library !== sql) differences.push(`${quarter} ${team} ${currency}: won ${sql} minor units in SQL, ${library} in the rankings`);
      if (row.wonCount !== sqlWins) differences.push(`${quarter} ${team}: ${sqlWins} wins in SQL, ${row.wonCount} in the rankings`);
    }
  }
  for (const row of rows) {
    if (!listed.has(`${row.quarter}|${row.team}|${row.currency}`)) differences.push(`${row.quarter} ${row.team} ${row.currency}: in SQL, but no such team row in the rankings`);
  }
  return { name: 'won amount per team and quarter', library: 'crm.rankings({ period, metric: "wonAmount", currency, teams: true })', compared, differences };
}

/**
 * Long ownership periods against `crm.ownership(customerId)` for every
 * customer registered in the log (read from the event store, not from the
 * read model, so a customer missing from the tables would show): its ended
 * periods with an owner, longer than `minDays` days, summed per member.
 */
export async function checkLongPeriods(crm: Crm, rows: readonly LongPeriods[], minDays: number): Promise<Check> {
  const customers: string[] = [];
  for await (const batch of crm.store.readAll({ filter: { eventTypes: ['CustomerRegistered'] } })) {
    for (const event of batch) customers.push(event.stream.slice('customer-'.length));
  }
  const library = new Map<string, { periods: number; totalMs: number; longestMs: number }>();
  const differences: string[] = [];
  for (const customerId of customers) {
    const history = await crm.ownership(customerId, noQuery);
    if (isRejection(history)) {
      differences.push(`ownership of ${customerId}: ${history.code}: ${history.message}`);
      continue;
    }
    for (const period of history.periods) {
      if (period.owner === null || period.to === null) continue;
      const length = Date.parse(period.to) - Date.parse(period.from);
      if (length <= minDays * DAY_MS) continue;
      const sum = library.get(period.owner) ?? { periods: 0, totalMs: 0, longestMs: 0 };
      library.set(period.owner, { periods: sum.periods + 1, totalMs: sum.totalMs + length, longestMs: Math.max(sum.longestMs, length) });
    }
  }
  let compared = 0;
  const members = new Set([...library.keys(), ...rows.map((row) => row.memberId)]);
  for (const memberId of [...members].sort()) {
    const sql = rows.find((row) => row.memberId === memberId);
    const expected = library.get(memberId);
    compared += 3;
    const [sqlPeriods, sqlTotal, sqlLongest] = [sql?.periods ?? 0, sql?.totalMs ?? 0, sql?.longestMs ?? 0];
    const [periods, total, longest] = [expected?.periods ?? 0, expected?.totalMs ?? 0, expected?.longestMs ?? 0];
    if (sqlPeriods !== periods || sqlTotal !== total || sqlLongest !== longest) {
      differences.push(`${memberId}: SQL ${sqlPeriods} periods, ${sqlTotal} ms in all, longest ${sqlLongest} ms; the ownership histories ${periods}, ${total} ms, ${longest} ms`);
    }
  }
  return { name: `ownership periods longer than ${minDays} days per member`, library: `crm.ownership(customerId) for each of the ${customers.length} customers registered in the log`, compared, differences };
}

/**
 * The open pipeline against `crm.funnel({ currency })`'s `current` figures
 * per stage (count, amount, weighted amount) for every currency either side
 * has, and the unfiltered funnel's counts per stage against the SQL summed
 * over currencies. A stage in the SQL that the pipeline does not have is a
 * difference too: the funnel would not show those opportunities.
 */
export async function checkOpenPipeline(crm: Crm, rows: readonly OpenStage[]): Promise<Check> {
  const differences: string[] = [];
  let compared = 0;
  const all = await crm.funnel({}, noQuery);
  if (isRejection(all)) return { name: 'open pipeline per stage', library: 'crm.funnel', compared, differences: [`funnel: ${all.code}: ${all.message}`] };
  const pipeline = all.stages.map((stage) => stage.stage);
  for (const row of rows) if (!pipeline.includes(row.stage)) differences.push(`stage ${row.stage} (${row.currency}) is in SQL but not in the pipeline`);
  const currencies = new Set([...Object.keys(all.open.amount), ...rows.map((row) => row.currency)]);
  for (const currency of [...currencies].sort()) {
    const funnel = await crm.funnel({ currency }, noQuery);
    if (isRejection(funnel)) {
      differences.push(`funnel ${currency}: ${funnel.code}: ${funnel.message}`);
      continue;
    }
    for (const stage of funnel.stages) {
      const sql = rows.find((row) => row.stage === stage.stage && row.currency === currency);
      const expected = { count: stage.current.count, amount: minorOf(stage.current.amount[currency]), weighted: minorOf(stage.current.weighted[currency]) };
      const actual = { count: sql?.opportunities ?? 0, amount: sql?.amountMinor ?? 0n, weighted: sql?.weightedMinor ?? 0n };
      compared += 3;
      if (actual.count !== expected.count || actual.amount !== expected.amount || actual.weighted !== expected.weighted) {
        differences.push(
          `${stage.stage} ${currency}: SQL ${actual.count} open, ${actual.amount} minor units, weighted ${actual.weighted}; the funnel ${expected.count}, ${expected.amount}, weighted ${expected.weighted}`,
        );
      }
    }
  }
  for (const stage of all.stages) {
    const sqlCount = rows.filter((row) => row.stage === stage.stage).reduce((sum, row) => sum + row.opportunities, 0);
    compared += 1;
    if (sqlCount !== stage.current.count) differences.push(`${stage.stage}: SQL ${sqlCount} open in all currencies, the unfiltered funnel ${stage.current.count}`);
  }
  return { name: 'open pipeline per stage', library: 'crm.funnel({ currency }) and crm.funnel()', compared, differences };
}
