import { Crm, createInMemoryEventStore } from '@eventcrm/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliExpect, csvOf, expectErrorReport, jsonOf, temporaryDirectory, type CliRun } from './cli.ts';
import { asOf, scenario, scenarioNdjson, sweepAt } from './scenario.ts';
import { postgresAvailable, postgresTarget, sqliteTarget, storeNames, type StoreTarget } from './stores.ts';

/**
 * Every query of cli.md over the hand-written scenario, on SQLite and
 * PostgreSQL. `--json` answers must equal what the library API gives for the
 * same commands (the CLI is a thin shell over it; cli.md) and carry the
 * fields of projections.md; spot values are checked by hand so that an
 * answer that is empty everywhere cannot pass. CSV and human forms are
 * checked on SQLite (the printing does not depend on the store).
 */

const directory = temporaryDirectory();
const sqlite = sqliteTarget(directory.path, 'scenario.db');
const postgres: StoreTarget | undefined = postgresAvailable ? postgresTarget() : undefined;
const targetOf = (name: StoreTarget['name']): StoreTarget => (name === 'sqlite' ? sqlite : postgres!);
const on = (target: StoreTarget, args: readonly string[]): Promise<CliRun> => cli([...target.args, ...args], { cwd: directory.path });

/** Event ids are random per store; everything else must agree across stores and with the library. */
function withoutEventIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEventIds);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'eventId').map(([key, inner]) => [key, withoutEventIds(inner)]));
  return value;
}
/** Through JSON, as the CLI prints it (drops undefined fields the way stdout does). */
const asJson = (value: unknown): unknown => withoutEventIds(JSON.parse(JSON.stringify(value)));

/** The same commands through the library API, in memory: what every store's CLI answers must equal. */
let library: Crm;
beforeAll(async () => {
  library = new Crm({ store: createInMemoryEventStore() });
  const outcomes = await library.executeBatch(scenario);
  expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([]);
  await Promise.all(
    [sqlite, ...(postgres === undefined ? [] : [postgres])].map(async (target) => {
      const result = await cli([...target.args, 'exec', '-'], { cwd: directory.path, input: scenarioNdjson() });
      expect(result.code, result.stdout).toBe(0);
      // Caught up once here, so the specs below may query in parallel: racing first catch-ups are concurrency.e2e.spec.ts's subject.
      const project = await cli([...target.args, 'project'], { cwd: directory.path });
      expect(project.code, project.stderr).toBe(0);
    }),
  );
});
afterAll(async () => {
  await library.close();
  await postgres?.dispose();
  directory.remove();
});

describe.each(storeNames)('queries with --json on %s: one JSON document, equal to the library answer', (storeName) => {
  const json = async (args: readonly string[]): Promise<unknown> => {
    const run = await on(targetOf(storeName), [...args, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    return withoutEventIds(jsonOf(run));
  };

  it('funnel, unfiltered and with each filter (owner, team, opened-from, opened-to, currency, all at once)', async () => {
    const cases: [readonly string[], Parameters<Crm['funnel']>[0]][] = [
      [[], {}],
      [['--owner', 'u-alice'], { owner: 'u-alice' }],
      [['--team', 'south'], { team: 'south' }],
      [['--opened-from', '2025-02-01'], { openedFrom: '2025-02-01' }],
      [['--opened-to', '2025-02-01T00:00:00+01:00'], { openedTo: '2025-02-01T00:00:00+01:00' }],
      [['--currency', 'EUR'], { currency: 'EUR' }],
      [['--owner', 'u-alice', '--team', 'north', '--opened-from', '2025-01-01', '--opened-to', '2025-02-01', '--currency', 'USD'], { owner: 'u-alice', team: 'north', openedFrom: '2025-01-01', openedTo: '2025-02-01', currency: 'USD' }],
      [['--owner', 'u-nobody'], { owner: 'u-nobody' }],
    ];
    const answers = await Promise.all(cases.map(([args]) => json(['funnel', ...args])));
    for (const [index, [args, filters]] of cases.entries()) {
      expect(answers[index], `funnel ${args.join(' ')}`).toEqual(asJson(await library.funnel(filters)));
    }
    const [all, alice, south, , openedBefore, euro, combined, nobody] = answers as Funnel[];
    expect(all).toMatchObject({
      filters: {},
      won: { count: 1, amount: { USD: '12000.00' } },
      lost: { count: 1, amount: { USD: '5000.00' }, byReason: { price: 1 } },
      open: { count: 2, amount: { EUR: '8000.00', USD: '2000.00' }, weighted: { EUR: '3200.00', USD: '200.00' } },
      winRate: 0.5,
      forecast: { '2025-02': { EUR: '3200.00' }, '2025-06': { USD: '200.00' } },
    });
    expect(all!.stages.map((stage) => [stage.stage, stage.reached])).toEqual([
      ['prospecting', 4],
      ['qualification', 2],
      ['needs_analysis', 2],
      ['proposal', 1],
      ['negotiation', 1],
    ]);
    for (const stage of all!.stages) expect(Object.keys(stage).sort()).toEqual(['avgDaysInStage', 'conversion', 'current', 'reached', 'stage']);
    expect(alice!.won.count + alice!.open.count).toBe(2);
    expect(south!.open.amount).toEqual({ EUR: '8000.00' });
    expect(openedBefore!.filters).toEqual({ openedTo: '2025-01-31T23:00:00.000Z' });
    expect(euro!.won.count).toBe(0);
    expect(combined!.won).toEqual({ count: 1, amount: { USD: '12000.00' } });
    expect(nobody, 'a filter that matches nothing is a funnel of zeros, not NOT_FOUND').toMatchObject({ won: { count: 0, amount: {} }, winRate: null, avgCycleDays: null, forecast: {} });
  });

  it('lifecycle', async () => {
    const answer = await json(['lifecycle']);
    expect(answer).toEqual(asJson(await library.lifecycle()));
    expect(answer).toEqual({
      stages: [
        { stage: 'potential', current: 4, reached: 5, conversion: 0.2 },
        { stage: 'intent', current: 0, reached: 1, conversion: 1 },
        { stage: 'customer', current: 1, reached: 1, conversion: 0 },
        { stage: 'vip', current: 0, reached: 0, conversion: null },
      ],
      dormant: 0,
    });
  });

  it('ownership: the periods, and --as-of between changes and at the exact instant of one', async () => {
    const [history, inPool, atClaim] = await Promise.all([
      json(['ownership', 'cus-2']),
      json(['ownership', 'cus-2', '--as-of', '2025-03-01T09:30:00Z']),
      json(['ownership', 'cus-2', '--as-of', '2025-03-01T11:00:00+01:00']),
    ]);
    expect(history).toEqual(asJson(await library.ownership('cus-2')));
    expect(history).toMatchObject({
      customerId: 'cus-2',
      currentOwner: 'u-carol',
      periods: [
        { owner: 'u-bob', from: '2025-01-06T10:00:00.000Z', to: '2025-03-01T09:00:00.000Z', start: { reason: 'registered', actor: 'u-bob' }, end: { reason: 'released', detail: 'departure', actor: 'system' } },
        { owner: null, from: '2025-03-01T09:00:00.000Z', to: '2025-03-01T10:00:00.000Z', start: { reason: 'released', detail: 'departure' }, end: { reason: 'claimed', actor: 'u-carol' } },
        { owner: 'u-carol', from: '2025-03-01T10:00:00.000Z', to: null, start: { reason: 'claimed', actor: 'u-carol' }, end: null },
      ],
    });
    expect(inPool).toEqual({ customerId: 'cus-2', asOf: '2025-03-01T09:30:00.000Z', owner: null });
    expect(atClaim, 'at the instant of a change the new owner is the owner').toEqual({ customerId: 'cus-2', asOf: '2025-03-01T10:00:00.000Z', owner: 'u-carol' });
  });

  it('portfolio, at a time and now', async () => {
    const [carol, bobBefore, bobNow] = await Promise.all([json(['portfolio', 'u-carol', '--as-of', asOf]), json(['portfolio', 'u-bob', '--as-of', '2025-02-01T00:00:00Z']), json(['portfolio', 'u-bob'])]);
    expect(carol).toEqual(asJson(await library.portfolio('u-carol', asOf)));
    expect(carol).toEqual({ memberId: 'u-carol', asOf, customers: ['cus-2', 'cus-3'] });
    expect(bobBefore).toEqual({ memberId: 'u-bob', asOf: '2025-02-01T00:00:00.000Z', customers: ['cus-2', 'cus-4'] });
    expect(bobNow).toMatchObject({ memberId: 'u-bob', customers: [] });
    expect(Date.now() - Date.parse((bobNow as { asOf: string }).asOf), 'default as of: now').toBeLessThan(120_000);
  });

  it('stats for a period', async () => {
    const [carol, bob] = await Promise.all([json(['stats', 'u-carol', '--period', '2025-Q1']), json(['stats', 'u-bob', '--period', '2025-03'])]);
    expect(carol).toEqual(asJson(await library.ownershipStats('u-carol', '2025-Q1')));
    expect(carol).toEqual({ memberId: 'u-carol', period: '2025-Q1', claims: 2, assigned: 0, transfersIn: 0, transfersOut: 0, releases: 0, recycles: 0 });
    expect(bob).toMatchObject({ memberId: 'u-bob', period: '2025-03', claims: 0, releases: 2 });
  });

  it('rankings: a money metric with its currency, a count, an ascending metric, and teams', async () => {
    const queries = [
      { args: ['--period', '2025-Q1', '--currency', 'USD'], query: { period: '2025-Q1', metric: 'wonAmount', currency: 'USD' } },
      { args: ['--period', '2025-02', '--metric', 'wonCount'], query: { period: '2025-02', metric: 'wonCount' } },
      { args: ['--period', '2025', '--metric', 'avgResolutionHours'], query: { period: '2025', metric: 'avgResolutionHours' } },
      { args: ['--period', '2025-Q1', '--metric', 'wonAmount', '--currency', 'USD', '--teams'], query: { period: '2025-Q1', metric: 'wonAmount', currency: 'USD', teams: true } },
    ];
    const answers = await Promise.all(queries.map(({ args }) => json(['rankings', ...args])));
    for (const [index, { query }] of queries.entries()) expect(answers[index]).toEqual(asJson(await library.rankings(query)));
    const [money, count, hours, teams] = answers as Rankings[];
    expect(money).toMatchObject({ period: '2025-Q1', metric: 'wonAmount', currency: 'USD' });
    expect(money!.rows.map((row) => [row.rank, row.memberId, row.value])).toEqual([
      [1, 'u-alice', '12000.00'],
      [2, 'u-bob', '0.00'],
      [2, 'u-carol', '0.00'],
      [2, 'u-dan', '0.00'],
      [2, 'u-mia', '0.00'],
    ]);
    expect(money!.rows[0]).toMatchObject({ team: 'north', wonAmount: { USD: '12000.00' }, wonCount: 1, winRate: 1, ticketsResolved: 1, csat: 5, targetAttainment: 0.6 });
    expect(count!.rows[0]).toMatchObject({ rank: 1, memberId: 'u-alice', value: 1 });
    expect(hours!.rows[0]).toMatchObject({ rank: 1, memberId: 'u-alice', value: 24 });
    expect(hours!.rows.slice(1).every((row) => row.rank === null && row.value === null), 'members without a value come last, unranked').toBe(true);
    expect(teams!.rows.map((row) => [row.rank, row.team, row.value])).toEqual([
      [1, 'north', '12000.00'],
      [2, 'south', '0.00'],
    ]);
  });

  it('reminders for everyone and for one member', async () => {
    const [everyone, alice] = await Promise.all([json(['reminders', '--as-of', asOf]), json(['reminders', '--as-of', asOf, '--member', 'u-alice'])]);
    expect(everyone).toEqual(asJson(await library.reminders({ asOf })));
    expect(alice).toEqual(asJson(await library.reminders({ asOf, memberId: 'u-alice' })));
    const items = (everyone as { asOf: string; items: { kind: string; memberId: string; subjectId: string; dueAt: string }[] }).items;
    expect((everyone as { asOf: string }).asOf).toBe(asOf);
    expect(items.map((item) => [item.dueAt, item.kind, item.memberId, item.subjectId])).toEqual([
      ['2025-02-06T09:00:00.000Z', 'recycle_due', 'u-carol', 'cus-3'],
      ['2025-02-21T00:00:00.000Z', 'opportunity_overdue', 'u-carol', 'opp-3'],
      ['2025-02-24T09:00:00.000Z', 'recycle_due', 'u-alice', 'cus-5'],
      ['2025-03-01T09:00:00.000Z', 'follow_up', 'u-alice', 'cus-1'],
      ['2025-03-07T00:00:00.000Z', 'birthday', 'u-alice', 'cus-1'],
    ]);
    expect((alice as { items: { memberId: string }[] }).items.map((item) => item.memberId)).toEqual(['u-alice', 'u-alice', 'u-alice']);
  });
});

interface Funnel {
  filters: Record<string, string>;
  stages: { stage: string; reached: number; conversion: number | null; current: { count: number }; avgDaysInStage: number | null }[];
  won: { count: number; amount: Record<string, string> };
  open: { count: number; amount: Record<string, string> };
}
interface Rankings {
  rows: { rank: number | null; memberId?: string; team?: string; value: unknown }[];
}

describe('queries in CSV and human form (SQLite)', () => {
  const run = async (args: readonly string[]): Promise<CliRun> => {
    const result = await on(sqlite, args);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    return result;
  };

  it('--csv prints a header and one row per item for each tabular answer', async () => {
    const [funnel, lifecycle, ownership, ownerAt, portfolio, stats, rankings, teams, reminders] = await Promise.all([
      run(['funnel', '--csv']),
      run(['lifecycle', '--csv']),
      run(['ownership', 'cus-2', '--csv']),
      run(['ownership', 'cus-2', '--as-of', '2025-03-01T09:30:00Z', '--csv']),
      run(['portfolio', 'u-carol', '--as-of', asOf, '--csv']),
      run(['stats', 'u-carol', '--period', '2025-Q1', '--csv']),
      run(['rankings', '--period', '2025-Q1', '--currency', 'USD', '--csv']),
      run(['rankings', '--period', '2025-Q1', '--currency', 'USD', '--teams', '--csv']),
      run(['reminders', '--as-of', asOf, '--csv']),
    ]);
    expect(csvOf(funnel)[0]).toEqual(['stage', 'reached', 'conversion', 'open now', 'amount', 'weighted', 'avg days']);
    expect(csvOf(funnel).slice(1).map((row) => row.slice(0, 2))).toEqual([
      ['prospecting', '4'],
      ['qualification', '2'],
      ['needs_analysis', '2'],
      ['proposal', '1'],
      ['negotiation', '1'],
    ]);
    expect(csvOf(lifecycle)).toEqual([
      ['stage', 'current', 'reached', 'conversion'],
      ['potential', '4', '5', '20.0%'],
      ['intent', '0', '1', '100.0%'],
      ['customer', '1', '1', '0.0%'],
      ['vip', '0', '0', '-'],
      ['dormant', '0', '', ''],
    ]);
    expect(csvOf(ownership).map((row) => row.slice(0, 3))).toEqual([
      ['owner', 'from', 'to'],
      ['u-bob', '2025-01-06T10:00:00.000Z', '2025-03-01T09:00:00.000Z'],
      ['(pool)', '2025-03-01T09:00:00.000Z', '2025-03-01T10:00:00.000Z'],
      ['u-carol', '2025-03-01T10:00:00.000Z', '(now)'],
    ]);
    expect(csvOf(ownerAt)).toEqual([
      ['customer', 'as of', 'owner'],
      ['cus-2', '2025-03-01T09:30:00.000Z', '(pool)'],
    ]);
    expect(csvOf(portfolio)).toEqual([['customer'], ['cus-2'], ['cus-3']]);
    expect(csvOf(stats)).toEqual([
      ['memberId', 'period', 'claims', 'assigned', 'transfersIn', 'transfersOut', 'releases', 'recycles'],
      ['u-carol', '2025-Q1', '2', '0', '0', '0', '0', '0'],
    ]);
    expect(csvOf(rankings)[0]!.slice(0, 3)).toEqual(['rank', 'member', 'wonAmount']);
    expect(csvOf(rankings).slice(1).map((row) => row.slice(0, 3))).toEqual([
      ['1', 'u-alice', '12000.00'],
      ['2', 'u-bob', '0.00'],
      ['2', 'u-carol', '0.00'],
      ['2', 'u-dan', '0.00'],
      ['2', 'u-mia', '0.00'],
    ]);
    expect(csvOf(teams).map((row) => row.slice(0, 3))).toEqual([
      ['rank', 'team', 'wonAmount'],
      ['1', 'north', '12000.00'],
      ['2', 'south', '0.00'],
    ]);
    expect(csvOf(reminders)[0]).toEqual(['due', 'kind', 'member', 'subject', 'detail']);
    expect(csvOf(reminders).slice(1).map((row) => row[1])).toEqual(['recycle_due', 'opportunity_overdue', 'recycle_due', 'follow_up', 'birthday']);
    for (const row of csvOf(reminders).slice(1)) expect(row[4], `every reminder says something in its detail column: ${row.join(',')}`).not.toBe('');
  });

  it('prints aligned tables and summaries by default, without colour when stdout is not a terminal', async () => {
    const [funnel, ownership, portfolio, rankings, reminders] = await Promise.all([
      run(['funnel']),
      run(['ownership', 'cus-2']),
      run(['portfolio', 'u-carol', '--as-of', asOf]),
      run(['rankings', '--period', '2025-Q1', '--currency', 'USD']),
      run(['reminders', '--as-of', asOf, '--member', 'u-alice']),
    ]);
    expect(funnel.stdout).toMatch(/^Sales funnel\n┌/);
    expect(funnel.stdout).toMatch(/│ prospecting +│ 4 +│ 50\.0% +│/);
    expect(funnel.stdout).toMatch(/won 1 \(USD 12000\.00\) · lost 1 \(USD 5000\.00\)/);
    expect(funnel.stdout).toMatch(/win rate 50\.0%/);
    expect(ownership.stdout).toMatch(/^cus-2 current owner: u-carol\n/);
    expect(ownership.stdout).toMatch(/released\/departure by system/);
    expect(portfolio.stdout).toBe(`u-carol owned 2 customers at ${asOf}: cus-2, cus-3\n`);
    expect(rankings.stdout).toMatch(/│ 1 +│ u-alice +│ 12000\.00 +│/);
    expect(reminders.stdout).toMatch(/│ 2025-03-07T00:00:00\.000Z │ birthday +│ u-alice/);
    for (const output of [funnel, ownership, portfolio, rankings, reminders]) {
      expect(output.stdout).not.toMatch(/\u001b\[/);
      // Every line of a table has the same width: the columns line up.
      const table = output.stdout.split('\n').filter((line) => /^[┌│├└]/.test(line));
      expect(new Set(table.map((line) => line.length)).size).toBeLessThanOrEqual(1);
    }
  });
});

describe('rejections of queries (SQLite)', () => {
  it('NOT_FOUND exits 1 with one line on stderr, and with --json the error document alone on stdout', async () => {
    const cases = [
      ['ownership', 'cus-404'],
      ['ownership', 'cus-2', '--as-of', '2024-12-31T00:00:00Z'],
      ['portfolio', 'u-nobody'],
      ['stats', 'u-nobody', '--period', '2025-Q1'],
      ['reminders', '--member', 'u-nobody', '--as-of', asOf],
      ['audit', 'cus-404'],
    ];
    const runs = await Promise.all(cases.flatMap((args) => [on(sqlite, args), on(sqlite, [...args, '--json'])]));
    for (const [index, args] of cases.entries()) {
      const [human, json] = [runs[index * 2]!, runs[index * 2 + 1]!];
      expect(human.code, args.join(' ')).toBe(1);
      expectErrorReport(human, 'NOT_FOUND');
      expect(json.code, args.join(' ')).toBe(1);
      expectErrorReport(json, 'NOT_FOUND', { json: true });
    }
  });

  it('bad arguments exit 2: bad periods, times, metrics and filters, a money metric without its currency, missing arguments', async () => {
    const invalid = [
      ['rankings', '--period', '2025-Q5'],
      ['rankings', '--period', '2025-Q1', '--metric', 'charisma'],
      ['rankings', '--period', '2025-Q1', '--metric', 'pipelineCreated'],
      ['rankings', '--period', '2025-Q1', '--teams'],
      ['stats', 'u-carol', '--period', 'last-year'],
      ['ownership', 'cus-2', '--as-of', 'yesterday'],
      ['portfolio', 'u-carol', '--as-of', '2025-13-01T00:00:00Z'],
      ['reminders', '--as-of', 'tomorrow'],
      ['funnel', '--opened-from', '01/02/2025'],
      ['pool', 'sweep', '--as-of', 'soon'],
    ];
    const usage = [['rankings'], ['rankings', '--period'], ['stats', 'u-carol'], ['ownership'], ['pool', 'sweep'], ['funnel', '--colour'], ['rebuild', '--projection', 'everything'], ['lifecycle', 'extra']];
    const runs = await Promise.all([...invalid, ...usage].map((args) => on(sqlite, [...args, '--json'])));
    for (const [index, args] of [...invalid, ...usage].entries()) {
      const run = runs[index]!;
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expectErrorReport(run, index < invalid.length ? 'INVALID_COMMAND' : 'USAGE', { json: true });
    }
    expect(runs[2]!.stderr, 'a money metric needs its currency').toMatch(/currency/);
    expect(runs[3]!.stderr, 'the default metric, wonAmount, is money too').toMatch(/currency/);
    expect(runs[invalid.length]!.stderr).toMatch(/--period/);
  });
});

describe.each(storeNames)('pool sweep on %s', (storeName) => {
  it('--dry-run lists the recycles without making them; the real sweep makes them, once', async () => {
    const target = targetOf(storeName);
    const dryRun = jsonOf(await cliExpect(0, [...target.args, 'pool', 'sweep', '--as-of', sweepAt, '--dry-run', '--json'], { cwd: directory.path }));
    const expectedPlan = await library.sweepPool(sweepAt, { dryRun: true });
    expect(expectedPlan.ok).toBe(true);
    expect(dryRun).toEqual(asJson(expectedPlan.ok ? expectedPlan.report : undefined));
    expect(dryRun).toEqual({
      asOf: sweepAt,
      dryRun: true,
      recycles: [
        { customerId: 'cus-3', owner: 'u-carol', rule: 'no_follow_up', idleDays: 61 },
        { customerId: 'cus-5', owner: 'u-alice', rule: 'no_follow_up', idleDays: 43 },
      ],
      skipped: [],
    });
    const untouched = jsonOf<{ owner: string | null }>(await cliExpect(0, [...target.args, 'ownership', 'cus-3', '--as-of', sweepAt, '--json'], { cwd: directory.path }));
    expect(untouched.owner, 'a dry run changes nothing').toBe('u-carol');

    const human = await cliExpect(0, [...target.args, 'pool', 'sweep', '--as-of', sweepAt], { cwd: directory.path });
    expect(human.stdout).toMatch(/^Recycled 2 customers as of 2025-03-10T00:00:00\.000Z\n/);
    expect(human.stdout).toMatch(/│ cus-3 +│ u-carol +│ no_follow_up │ 61 +│/);
    const after = jsonOf<{ periods: { owner: string | null; start: { reason: string; detail?: string } }[] }>(await cliExpect(0, [...target.args, 'ownership', 'cus-3', '--json'], { cwd: directory.path }));
    expect(after.periods.at(-1)).toMatchObject({ owner: null, from: sweepAt, start: { reason: 'recycled', detail: 'no_follow_up', actor: 'system' } });

    const again = jsonOf(await cliExpect(0, [...target.args, 'pool', 'sweep', '--as-of', sweepAt, '--json'], { cwd: directory.path }));
    expect(again, 'sweeping the same instant again recycles nothing new').toEqual({ asOf: sweepAt, dryRun: false, recycles: [], skipped: [] });
    const csv = await cliExpect(0, [...target.args, 'pool', 'sweep', '--as-of', sweepAt, '--dry-run', '--csv'], { cwd: directory.path });
    expect(csvOf(csv)).toEqual([['customer', 'owner', 'rule', 'idle days']]);
  });
});
