import { randomBytes } from 'node:crypto';
import { dropSchemas, postgresAvailableForTests, postgresTestUrl } from '@eventcrm/store-postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyse, checkLongPeriods, checkOpenPipeline, checkTeamWins, openCrm, schemaOf, type AnalysisResult, type DemoSize, type Target } from '../src/index.ts';

/**
 * The analyst's session at a small size on the test server, in a fresh
 * tenant schema dropped afterwards: the demo, a rebuild with progress, the
 * SQL analyses, and every SQL answer equal to the library's.
 */
const postgresAvailable = await postgresAvailableForTests();

const size: DemoSize = { customers: 60, members: 8, months: 6, seed: 7, end: '2026-06-30' };
const minDays = 20;

describe.runIf(postgresAvailable)('the analyst session on PostgreSQL', () => {
  const target: Target = { url: postgresTestUrl(), tenant: `analyst_${randomBytes(5).toString('hex')}` };
  const printed: string[] = [];
  let result: AnalysisResult;

  beforeAll(async () => {
    result = await analyse({ target, size, minDays, projectionBatchSize: 200, print: (line) => printed.push(line) });
  }, 120_000);
  afterAll(() => dropSchemas(target.url, [schemaOf(target.tenant)]));

  it('fills the empty tenant schema with the demo history through the CLI', () => {
    expect(result.schema).toBe(`eventcrm_${target.tenant}`);
    expect(result.seeded?.events).toBeGreaterThan(500);
    expect(printed[0]).toBe(`demo: ${result.seeded?.commands} commands (${result.seeded?.rejected} rejected), ${result.seeded?.events} events written to schema ${result.schema}`);
  });

  it('rebuilds every projection over the whole log, reporting events done, events/s and the time left after each batch', () => {
    const { report, progress } = result.rebuild;
    expect(report.projections).toEqual(['funnel', 'ownership', 'rankings', 'reminders']);
    expect(report.events).toBe(result.seeded?.events);
    expect(progress.length).toBeGreaterThanOrEqual(Math.floor(report.events / 200));
    expect(progress.map((update) => update.eventsDone)).toEqual([...progress.map((update) => update.eventsDone)].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ eventsDone: report.events, fraction: 1, etaSeconds: 0 });
    for (const update of progress) {
      expect(update.eventsPerSecond).toBeGreaterThan(0);
      expect(update.etaSeconds).not.toBeNull();
    }
    const lines = printed.filter((line) => line.startsWith('rebuild: '));
    expect(lines.at(-1)).toMatch(new RegExp(`^rebuild: ${report.events} events \\(100\\.0%\\), \\d+ events/s, ETA 0\\.0 s$`));
  });

  it('keeps the live tables answering during the rebuild and leaves no copy behind; the checkpoints reach the head of the log', () => {
    expect(result.rebuild.liveRowsBefore).toBeGreaterThan(0);
    expect(result.rebuild.liveRowsDuring.length).toBe(result.rebuild.progress.length);
    expect(new Set(result.rebuild.liveRowsDuring)).toEqual(new Set([result.rebuild.liveRowsBefore]));
    expect(result.rebuild.leftoverCopies).toEqual([]);
    expect(result.freshness.checkpoints.map((checkpoint) => [checkpoint.projection, checkpoint.position])).toEqual(
      ['funnel', 'ownership', 'rankings', 'reminders'].map((projection) => [projection, result.freshness.headPosition]),
    );
  });

  it('answers each question in SQL with something to compare, and every answer equals the library query', () => {
    expect(result.answers.teamWins.length).toBeGreaterThan(0);
    expect(new Set(result.answers.teamWins.map((row) => row.currency))).toEqual(new Set(['USD', 'EUR']));
    expect(result.answers.longPeriods.length).toBeGreaterThan(0);
    expect(result.answers.openPipeline.length).toBeGreaterThan(0);
    for (const check of result.checks) {
      expect(check.differences, check.name).toEqual([]);
      expect(check.compared, check.name).toBeGreaterThan(0);
    }
    expect(result.ok).toBe(true);
  });

  it('the checks catch a wrong SQL answer', async () => {
    const crm = openCrm(target);
    try {
      const [firstWin, ...otherWins] = result.answers.teamWins;
      if (firstWin === undefined) throw new Error('no wins');
      const quarters = [...new Map(result.answers.teamWins.map((row) => [`${row.quarter}|${row.currency}`, { quarter: row.quarter, currency: row.currency }])).values()];
      const wins = await checkTeamWins(crm, [{ ...firstWin, wonMinor: firstWin.wonMinor + 1n }, ...otherWins], quarters);
      expect(wins.differences).toEqual([expect.stringContaining(`${firstWin.quarter} ${firstWin.team} ${firstWin.currency}: won ${firstWin.wonMinor + 1n} minor units in SQL`)]);

      const periods = await checkLongPeriods(crm, result.answers.longPeriods.slice(1), minDays);
      expect(periods.differences).toEqual([expect.stringContaining(`${result.answers.longPeriods[0]?.memberId}: SQL 0 periods`)]);

      const [firstStage, ...otherStages] = result.answers.openPipeline;
      if (firstStage === undefined) throw new Error('no open pipeline');
      const pipeline = await checkOpenPipeline(crm, [{ ...firstStage, weightedMinor: firstStage.weightedMinor - 1n }, ...otherStages]);
      expect(pipeline.differences).toEqual([expect.stringContaining(`${firstStage.stage} ${firstStage.currency}: SQL`)]);
    } finally {
      await crm.close();
    }
  });

  it('an aborted rebuild leaves the live tables as they were, and the next rebuild resumes where it stopped', async () => {
    const crm = openCrm(target, { projectionBatchSize: 200 });
    try {
      const before = await crm.readModels.checkpoints('live');
      const funnelBefore = await crm.funnel({}, { catchUp: false });
      const controller = new AbortController();
      const aborted = await crm.rebuild({ signal: controller.signal, onProgress: () => controller.abort() });
      expect(aborted.events).toBeLessThan(result.rebuild.report.events);
      expect(await crm.readModels.checkpoints('live')).toEqual(before);
      expect(await crm.funnel({}, { catchUp: false })).toEqual(funnelBefore);

      const again = await crm.rebuild();
      expect(aborted.events + again.events).toBe(result.rebuild.report.events);
      expect(await crm.funnel({}, { catchUp: false })).toEqual(funnelBefore);
    } finally {
      await crm.close();
    }
  });

  it('a second run analyses the schema as it is, without a new demo', async () => {
    const again = await analyse({ target, size, minDays });
    expect(again.seeded).toBeNull();
    expect(again.rebuild.report.events).toBe(result.rebuild.report.events);
    expect(again.answers).toEqual(result.answers);
    expect(again.ok).toBe(true);
  }, 60_000);
});
