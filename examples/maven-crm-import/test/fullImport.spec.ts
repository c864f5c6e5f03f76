import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Crm, ManualClock, createInMemoryEventStore, isRejection } from '@eventcrm/runtime';
import { createSqliteEventStore, createSqliteReadModelStore } from '@eventcrm/store-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMavenDataDirectory, importMavenDataset, mavenDataPresent, type DatasetImport } from '../src/index.ts';
import {
  competitionRanking,
  dollarsOf,
  funnelFigures,
  inPeriod,
  openDayOf,
  periodFigures,
  readRawDataset,
  roundTo,
  type RawDataset,
  type RawPipelineRow,
} from './csvFigures.ts';

/**
 * The whole real dataset imported, then every read model checked against
 * figures computed straight from the CSV files (`csvFigures.ts`: plain
 * reduces, no eventcrm code). Once into the in-memory store, once into a
 * SQLite file with its read models beside the events (as the CLI keeps
 * them), so both read-model stores face the same real data.
 */
const dataDirectory = process.env.MAVEN_CRM_DATA ?? defaultMavenDataDirectory;
const available = mavenDataPresent(dataDirectory);
if (!available) {
  const message = `the Maven CRM dataset is not at ${dataDirectory}`;
  if (process.env.CI === 'true') throw new Error(`${message}: the full-import checks cannot run under CI=true`);
  console.warn(`\n!!!!!!!!!!\n!!! ${message}.\n!!! SKIPPING the full Maven CRM import checks. Set MAVEN_CRM_DATA to the folder to run them.\n!!!!!!!!!!\n`);
}

/** A query answer that is not a rejection (a rejection fails the test with its message). */
function answer<Value>(result: Value): Exclude<Value, { code: string; message: string }> {
  if (isRejection(result)) throw new Error(`${result.code}: ${result.message}`);
  return result as Exclude<Value, { code: string; message: string }>;
}

const money = (cents: number) => (cents === 0 ? {} : { USD: dollarsOf(cents) });

const clock = () => new ManualClock('2018-01-01T00:00:00.000Z');
const stores: readonly { readonly name: string; readonly open: () => { crm: Crm; dispose: () => void } }[] = [
  { name: 'the in-memory store', open: () => ({ crm: new Crm({ store: createInMemoryEventStore(), clock: clock() }), dispose: () => undefined }) },
  {
    name: 'a SQLite file',
    open: () => {
      const directory = mkdtempSync(join(tmpdir(), 'maven-crm-'));
      const store = createSqliteEventStore({ path: join(directory, 'maven.db') });
      return { crm: new Crm({ store, readModels: createSqliteReadModelStore({ store }), clock: clock() }), dispose: () => rmSync(directory, { recursive: true, force: true }) };
    },
  },
];

describe.runIf(available).each(stores)('the Maven CRM dataset imported into $name', ({ name, open }) => {
  let crm: Crm;
  let dispose: () => void = () => undefined;
  let imported: DatasetImport;
  let data: RawDataset;
  const memberId = (name: string): string => {
    const id = imported.conversion.ids.members.get(name);
    if (id === undefined) throw new Error(`no member id for ${name}`);
    return id;
  };
  const managerOf = (agent: string): string => data.teams.find((row) => row.sales_agent === agent)!.manager;
  const sellers = (): string[] => [...new Set(data.teams.flatMap((row) => [row.sales_agent, row.manager]))];

  beforeAll(async () => {
    data = readRawDataset(dataDirectory);
    ({ crm, dispose } = open());
    imported = await importMavenDataset(crm, { directory: dataDirectory });
    const { report } = imported;
    const caughtUp = await crm.catchUp();
    console.log(
      `Maven CRM import into ${name}: ${report.commands} commands, ${report.events} events (${report.policyCommands} from the deal-won policy) ` +
        `in ${(report.elapsedMs / 1000).toFixed(2)} s = ${report.commandsPerSecond} commands/s, ${report.eventsPerSecond} events/s; ` +
        `projections caught up with ${caughtUp.events} events in ${caughtUp.seconds.toFixed(2)} s = ${Math.round(caughtUp.eventsPerSecond)} events/s`,
    );
  }, 300_000);

  afterAll(async () => {
    await crm.close();
    dispose();
  });

  describe('the import', () => {
    it('converts every one of the 8,800 rows and skips none', () => {
      expect(data.pipeline).toHaveLength(8800);
      expect(imported.conversion.skipped).toEqual([]);
      expect(imported.conversion.summary.opportunities).toEqual({
        rows: 8800,
        imported: 8800,
        won: data.pipeline.filter((row) => row.deal_stage === 'Won').length,
        lost: data.pipeline.filter((row) => row.deal_stage === 'Lost').length,
        open: data.pipeline.filter((row) => row.deal_stage === 'Engaging' || row.deal_stage === 'Prospecting').length,
        openedAtSetup: data.pipeline.filter((row) => row.engage_date === '').length,
        withoutAccount: data.pipeline.filter((row) => row.account === '').length,
      });
    });

    it('has the dataset\'s people, and corrects its two known naming flaws', () => {
      const { summary } = imported.conversion;
      expect(summary.members).toMatchObject({ admins: 1, managers: 6, agents: 35 });
      const withDeals = new Set(data.pipeline.map((row) => row.sales_agent));
      expect(summary.members.agentsWithoutOpportunities).toEqual(data.teams.map((row) => row.sales_agent).filter((agent) => !withDeals.has(agent)));
      expect(summary.teams).toHaveLength(6);
      expect(summary.customers).toEqual({
        accounts: 85,
        owned: new Set(data.pipeline.map((row) => row.account).filter((account) => account !== '')).size,
        inPool: 85 - new Set(data.pipeline.map((row) => row.account).filter((account) => account !== '')).size,
        unknownAccount: new Set(data.pipeline.filter((row) => row.account === '').map((row) => row.sales_agent)).size,
      });
      expect(summary.corrections.productNames).toEqual({ GTXPro: { product: 'GTX Pro', rows: data.pipeline.filter((row) => row.product === 'GTXPro').length } });
      expect(summary.corrections.sectors).toEqual({ technolgy: { industry: 'technology', accounts: expect.any(Number) as number } });
    });

    it('executes every command: nothing rejected, one event per command plus one deal-won policy event per account that won a deal', () => {
      const { report } = imported;
      expect(report.rejected).toEqual([]);
      expect(report.accepted).toBe(report.commands);
      const accountsWithWins = new Set(data.pipeline.filter((row) => row.deal_stage === 'Won').map((row) => row.account)).size;
      expect(report.policyCommands).toBe(accountsWithWins);
      expect(report.events).toBe(report.commands + accountsWithWins);
    });
  });

  describe('the sales funnel', () => {
    it('has the CSV\'s won, lost and open counts and amounts, win rate and cycle', async () => {
      const funnel = answer(await crm.funnel());
      const expected = funnelFigures(data, data.pipeline);
      expect(funnel.won).toEqual({ count: expected.wonCount, amount: money(expected.wonCents) });
      expect(funnel.lost).toEqual({ count: expected.lostCount, amount: money(expected.lostCents), byReason: { other: expected.lostCount } });
      expect(funnel.open).toEqual({ count: expected.openCount, amount: money(expected.openCents), weighted: money(expected.openWeightedCents) });
      expect(funnel.winRate).toBe(roundTo(expected.winRate!, 4));
      expect(funnel.avgCycleDays).toBe(roundTo(expected.avgCycleDays!, 2));
      expect([expected.wonCount, expected.lostCount, expected.openCount]).toEqual([4238, 2473, 2089]);
    });

    it('has the CSV\'s stages: everything reached prospecting, all but the Prospecting rows reached engaging', async () => {
      const funnel = answer(await crm.funnel());
      const expected = funnelFigures(data, data.pipeline);
      expect(funnel.stages).toEqual([
        {
          stage: 'prospecting',
          reached: 8800,
          conversion: roundTo(expected.reachedEngaging / 8800, 4),
          current: { count: expected.prospecting.count, amount: money(expected.prospecting.cents), weighted: money(expected.prospecting.weightedCents) },
          avgDaysInStage: null,
        },
        {
          stage: 'engaging',
          reached: expected.reachedEngaging,
          conversion: roundTo(expected.wonCount / expected.reachedEngaging, 4),
          current: { count: expected.engaging.count, amount: money(expected.engaging.cents), weighted: money(expected.engaging.weightedCents) },
          avgDaysInStage: roundTo(expected.avgDaysEngaging!, 2),
        },
      ]);
    });

    it('forecasts the open weighted amount by expected close month', async () => {
      const funnel = answer(await crm.funnel());
      const expected = funnelFigures(data, data.pipeline);
      expect(funnel.forecast).toEqual(Object.fromEntries([...expected.forecast].sort(([a], [b]) => (a < b ? -1 : 1)).map(([month, cents]) => [month, money(cents)])));
    });

    it('sums per currency: USD only, the same funnel under a USD filter, nothing in EUR', async () => {
      const all = answer(await crm.funnel());
      const usd = answer(await crm.funnel({ currency: 'USD' }));
      expect({ ...usd, filters: {} }).toEqual({ ...all, filters: {} });
      expect(Object.keys(all.won.amount)).toEqual(['USD']);
      expect(Object.keys(all.lost.amount)).toEqual(['USD']);
      const eur = answer(await crm.funnel({ currency: 'EUR' }));
      expect(eur.won).toEqual({ count: 0, amount: {} });
      expect(eur.lost).toEqual({ count: 0, amount: {}, byReason: {} });
      expect(eur.open.count).toBe(0);
      expect(eur.winRate).toBeNull();
    });

    it('per agent (owner filter): each agent\'s won, lost and open figures', async () => {
      for (const agent of data.teams.map((row) => row.sales_agent)) {
        const funnel = answer(await crm.funnel({ owner: memberId(agent) }));
        const expected = funnelFigures(
          data,
          data.pipeline.filter((row) => row.sales_agent === agent),
        );
        expect({ agent, won: funnel.won, lostCount: funnel.lost.count, lostAmount: funnel.lost.amount, open: funnel.open.count, winRate: funnel.winRate }).toEqual({
          agent,
          won: { count: expected.wonCount, amount: money(expected.wonCents) },
          lostCount: expected.lostCount,
          lostAmount: money(expected.lostCents),
          open: expected.openCount,
          winRate: expected.winRate === null ? null : roundTo(expected.winRate, 4),
        });
      }
    });

    it('per team (the manager\'s): won and lost figures', async () => {
      for (const [manager, team] of imported.conversion.ids.teams) {
        const funnel = answer(await crm.funnel({ team }));
        const expected = funnelFigures(
          data,
          data.pipeline.filter((row) => managerOf(row.sales_agent) === manager),
        );
        expect({ team, won: funnel.won, lost: funnel.lost.count, open: funnel.open.count }).toEqual({
          team,
          won: { count: expected.wonCount, amount: money(expected.wonCents) },
          lost: expected.lostCount,
          open: expected.openCount,
        });
      }
    });

    it('by opening cohort: the deals engaged in the first half of 2017', async () => {
      const funnel = answer(await crm.funnel({ openedFrom: '2017-01-01T00:00:00.000Z', openedTo: '2017-07-01T00:00:00.000Z' }));
      const cohort = data.pipeline.filter((row: RawPipelineRow) => openDayOf(row) >= '2017-01-01' && openDayOf(row) < '2017-07-01');
      const expected = funnelFigures(data, cohort);
      expect({ won: funnel.won, lost: funnel.lost.count, open: funnel.open.count }).toEqual({
        won: { count: expected.wonCount, amount: money(expected.wonCents) },
        lost: expected.lostCount,
        open: expected.openCount,
      });
    });
  });

  describe('the rankings', () => {
    const periods = ['2017', '2017-Q1', '2017-Q2', '2017-Q3', '2017-Q4', '2017-03', '2017-12'];

    it.each(periods)('%s by wonAmount: every rep and manager, with the CSV\'s won amount, count, win rate and rank', async (period) => {
      const figures = periodFigures(data, period, (row) => memberId(row.sales_agent));
      const values = new Map(sellers().map((name) => [memberId(name), figures.get(memberId(name))?.wonCents ?? 0]));
      const expected = competitionRanking(values);
      const ranking = answer(await crm.rankings({ period, metric: 'wonAmount', currency: 'USD' }));
      expect(ranking.rows.map((row) => ('memberId' in row ? row.memberId : row.team))).toEqual(expected.map((row) => row.id));
      for (const [index, row] of ranking.rows.entries()) {
        const id = expected[index]!.id;
        const own = figures.get(id) ?? { wonCount: 0, wonCents: 0, lostCount: 0, pipelineCents: 0 };
        expect({ id, rank: row.rank, value: row.value, wonCount: row.wonCount, wonAmount: row.wonAmount, avgDealSize: row.avgDealSize, lostCount: row.lostCount, winRate: row.winRate }).toEqual({
          id,
          rank: expected[index]!.rank,
          value: dollarsOf(own.wonCents),
          wonCount: own.wonCount,
          wonAmount: money(own.wonCents),
          avgDealSize: own.wonCount === 0 ? {} : money(Math.floor(own.wonCents / own.wonCount + 0.5)),
          lostCount: own.lostCount,
          winRate: own.wonCount + own.lostCount === 0 ? null : roundTo(own.wonCount / (own.wonCount + own.lostCount), 4),
        });
      }
    });

    it.each(['2016-Q4', '2017-Q1', '2017-Q3', '2017'])('%s by pipelineCreated: the list price of the deals each agent opened', async (period) => {
      const figures = periodFigures(data, period, (row) => memberId(row.sales_agent));
      const values = new Map(sellers().map((name) => [memberId(name), figures.get(memberId(name))?.pipelineCents ?? 0]));
      const ranking = answer(await crm.rankings({ period, metric: 'pipelineCreated', currency: 'USD' }));
      expect(ranking.rows.map((row) => ({ id: 'memberId' in row ? row.memberId : row.team, rank: row.rank, value: row.value }))).toEqual(
        competitionRanking(values).map(({ id, rank, value }) => ({ id, rank, value: dollarsOf(value) })),
      );
    });

    it.each(periods)('%s by team: each manager\'s team sums its agents\' wins', async (period) => {
      const teamOf = (agent: string) => imported.conversion.ids.teams.get(managerOf(agent))!;
      const figures = periodFigures(data, period, (row) => teamOf(row.sales_agent));
      const values = new Map([...imported.conversion.ids.teams.values()].map((team) => [team, figures.get(team)?.wonCents ?? 0]));
      const ranking = answer(await crm.rankings({ period, metric: 'wonAmount', currency: 'USD', teams: true }));
      expect(ranking.rows.map((row) => ({ team: row.team, rank: row.rank, value: row.value, wonCount: row.wonCount }))).toEqual(
        competitionRanking(values).map(({ id, rank, value }) => ({ id, rank, value: dollarsOf(value), wonCount: figures.get(id)?.wonCount ?? 0 })).map(({ id, ...rest }) => ({ team: id, ...rest })),
      );
    });

    it('credits nothing won or lost before 2017 (the first close is in March 2017)', async () => {
      const ranking = answer(await crm.rankings({ period: '2016', metric: 'wonCount' }));
      expect(data.pipeline.some((row) => inPeriod(row.close_date, '2016'))).toBe(false);
      expect(ranking.rows.every((row) => row.wonCount === 0 && row.lostCount === 0)).toBe(true);
    });
  });

  describe('customers', () => {
    it('lifecycle: the accounts that won a deal became customers through the deal-won policy; the rest stay potential', async () => {
      const lifecycle = await crm.lifecycle();
      const accountsWithWins = new Set(data.pipeline.filter((row) => row.deal_stage === 'Won').map((row) => row.account)).size;
      const standIns = new Set(data.pipeline.filter((row) => row.account === '').map((row) => row.sales_agent)).size;
      const current = Object.fromEntries(lifecycle.stages.map((stage) => [stage.stage, stage.current]));
      expect(current).toEqual({ potential: 85 - accountsWithWins + standIns, intent: 0, customer: accountsWithWins, vip: 0 });
      const reached = Object.fromEntries(lifecycle.stages.map((stage) => [stage.stage, stage.reached]));
      // Skipping intent on the way to customer still counts as having reached it.
      expect(reached).toEqual({ potential: 85 + standIns, intent: accountsWithWins, customer: accountsWithWins, vip: 0 });
      expect(lifecycle.dormant).toBe(0);
    });

    it('ownership: each account belongs to the agent with the most opportunities on it (ties: the lowest member id)', async () => {
      const counts = new Map<string, Map<string, number>>();
      for (const row of data.pipeline) {
        if (row.account === '') continue;
        const perAgent = counts.get(row.account) ?? new Map<string, number>();
        perAgent.set(memberId(row.sales_agent), (perAgent.get(memberId(row.sales_agent)) ?? 0) + 1);
        counts.set(row.account, perAgent);
      }
      for (const [account, perAgent] of counts) {
        const [expectedOwner] = [...perAgent].sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : 1))[0]!;
        const customerId = imported.conversion.ids.accounts.get(account)!;
        expect({ account, owner: answer(await crm.ownerAsOf(customerId, '2017-12-31T00:00:00.000Z')).owner }).toEqual({ account, owner: expectedOwner });
      }
    });
  });

  describe('audit', () => {
    it('the auditor\'s replay of every customer\'s stream agrees with the ownership read model', async () => {
      const customers = [...imported.conversion.ids.accounts.values(), ...imported.conversion.ids.unknownAccounts.values()];
      expect(customers).toHaveLength(imported.conversion.summary.customers.accounts + imported.conversion.summary.customers.unknownAccount);
      await crm.catchUp();
      for (const customerId of customers) {
        const audit = answer(await crm.audit(customerId, { catchUp: false }));
        expect({ customerId, consistent: audit.consistent, differences: audit.differences }).toEqual({ customerId, consistent: true, differences: [] });
      }
    });
  });

  describe('reminders', () => {
    it('lists each agent\'s open deals past their expected close date (45 days after opening) as overdue', async () => {
      const asOf = '2017-12-31T00:00:00.000Z';
      const reminders = answer(await crm.reminders({ asOf }));
      const overdue = reminders.items.filter((item) => item.kind === 'opportunity_overdue');
      const expected = data.pipeline.filter((row) => {
        if (row.deal_stage !== 'Engaging' && row.deal_stage !== 'Prospecting') return false;
        const dueAt = Date.parse(`${openDayOf(row)}T00:00:00Z`) + 46 * 86_400_000; // the start of the day after the expected close date
        return dueAt <= Date.parse(asOf);
      });
      expect(overdue.map((item) => item.subjectId).sort()).toEqual(expected.map((row) => row.opportunity_id).sort());
      const byMember = (ids: readonly string[]) => Object.fromEntries([...new Set(ids)].sort().map((id) => [id, ids.filter((other) => other === id).length]));
      expect(byMember(overdue.map((item) => item.memberId!))).toEqual(byMember(expected.map((row) => memberId(row.sales_agent))));
    });
  });

  describe('idempotency, integrity and rebuild', () => {
    it('the imported log verifies: every hash chain intact, every event decodes', async () => {
      const verification = await crm.verify();
      expect(verification).toMatchObject({ eventsChecked: imported.report.events, breaks: [], undecodable: [], intact: true });
    });

    it('rebuilding the read models from the log gives the same funnel and rankings', async () => {
      const funnelBefore = answer(await crm.funnel());
      const rankingBefore = answer(await crm.rankings({ period: '2017', metric: 'wonAmount', currency: 'USD' }));
      await crm.rebuild();
      expect(answer(await crm.funnel({}, { catchUp: false }))).toEqual(funnelBefore);
      expect(answer(await crm.rankings({ period: '2017', metric: 'wonAmount', currency: 'USD' }, { catchUp: false }))).toEqual(rankingBefore);
    });

    it('importing the same files again appends nothing: every outcome is a duplicate', async () => {
      const head = await crm.store.headPosition();
      const again = await importMavenDataset(crm, { directory: dataDirectory });
      console.log(`Maven CRM re-import: ${again.report.commands} duplicates recognised in ${(again.report.elapsedMs / 1000).toFixed(2)} s = ${again.report.commandsPerSecond} commands/s`);
      expect(again.report).toMatchObject({ accepted: 0, duplicates: again.report.commands, events: 0, policyCommands: 0, rejected: [] });
      expect(await crm.store.headPosition()).toBe(head);
    });
  });
});
