import type { Position, RunProgress, RunReport } from '@eventcrm/runtime';
import { longOwnershipPeriods, openPipeline, rankedQuarters, wonByTeamQuarter, type LongPeriods, type OpenStage, type TeamQuarterWins } from './analyses.ts';
import { checkLongPeriods, checkOpenPipeline, checkTeamWins, type Check } from './checks.ts';
import { connectSql, openCrm, schemaOf, type Target } from './postgres.ts';
import { rebuildWithProgress } from './rebuild.ts';
import { seedDemo, type DemoSize, type DemoSummary } from './seed.ts';

/** What to run: where, how big a demo history when the schema is empty, and the analyses' parameter. */
export interface AnalysisOptions {
  readonly target: Target;
  readonly size: DemoSize;
  /** Ownership periods longer than this many days count as long. */
  readonly minDays: number;
  /** Events per projection batch (progress comes after each batch; default the library's 5000). */
  readonly projectionBatchSize?: number;
  /** Where progress lines go (stderr in the program). */
  readonly print?: (line: string) => void;
}

/** The live tables' checkpoints: how far into the log the SQL's answers reach. */
export interface Freshness {
  readonly headPosition: Position | null;
  readonly checkpoints: readonly { readonly projection: string; readonly position: string; readonly version: number }[];
}

/** Everything one run did and found. */
export interface AnalysisResult {
  readonly schema: string;
  /** The demo written into an empty schema; `null` when the schema already held events (they are analysed as they are). */
  readonly seeded: DemoSummary | null;
  readonly rebuild: {
    readonly report: RunReport;
    readonly progress: readonly RunProgress[];
    /** `SELECT count(*) FROM funnel_opportunities` before the rebuild, and at each progress update: the live copy keeps answering. */
    readonly liveRowsBefore: number;
    readonly liveRowsDuring: readonly number[];
    /** `<table>__rebuild` copies left in the schema after the swap (none expected). */
    readonly leftoverCopies: readonly string[];
  };
  readonly freshness: Freshness;
  readonly answers: {
    readonly teamWins: readonly TeamQuarterWins[];
    readonly longPeriods: readonly LongPeriods[];
    readonly openPipeline: readonly OpenStage[];
  };
  readonly checks: readonly Check[];
  /** True when every SQL answer equals the library's. */
  readonly ok: boolean;
}

const liveRowsSql = 'SELECT count(*) AS n FROM funnel_opportunities';

/**
 * The analyst's session: fill the tenant's schema with the demo history if
 * it is empty (`eventcrm demo`), rebuild every projection with progress
 * (`crm.rebuild`), run the SQL analyses with a plain `pg` client, and check
 * each against the library's queries.
 */
export async function analyse(options: AnalysisOptions): Promise<AnalysisResult> {
  const { target } = options;
  const schema = schemaOf(target.tenant);
  const crm = openCrm(target, options.projectionBatchSize === undefined ? {} : { projectionBatchSize: options.projectionBatchSize });
  try {
    const seeded = (await crm.store.headPosition()) === null ? await seedDemo(target, options.size) : null;
    if (seeded !== null) options.print?.(`demo: ${seeded.commands} commands (${seeded.rejected} rejected), ${seeded.events} events written to schema ${schema}`);
    else options.print?.(`schema ${schema} already holds events: analysing them as they are`);

    const sql = await connectSql(target);
    try {
      const liveRowsBefore = await count(sql);
      const during: Promise<number>[] = [];
      const rebuild = await rebuildWithProgress(crm, {
        ...(options.print === undefined ? {} : { print: options.print }),
        // A query per update on another connection while the rebuild goes on: it reads the live copy, which is left alone until the swap.
        onProgress: () => during.push(count(sql)),
      });
      const liveRowsDuring = await Promise.all(during);
      const leftover = await sql.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE '%\\_\\_rebuild' ORDER BY table_name",
      );

      const checkpoints = await sql.query<{ projection: string; position: string; version: string }>(
        "SELECT projection, position::text AS position, version FROM projection_checkpoints WHERE namespace = 'live' ORDER BY projection",
      );
      const freshness = { headPosition: await crm.store.headPosition(), checkpoints: checkpoints.rows.map((row) => ({ projection: row.projection, position: row.position, version: Number(row.version) })) };

      const teamWins = await wonByTeamQuarter(sql);
      const longPeriods = await longOwnershipPeriods(sql, options.minDays);
      const pipeline = await openPipeline(sql);
      const checks = [await checkTeamWins(crm, teamWins, await rankedQuarters(sql)), await checkLongPeriods(crm, longPeriods, options.minDays), await checkOpenPipeline(crm, pipeline)];
      return {
        schema,
        seeded,
        rebuild: { ...rebuild, liveRowsBefore, liveRowsDuring, leftoverCopies: leftover.rows.map((row) => row.table_name) },
        freshness,
        answers: { teamWins, longPeriods, openPipeline: pipeline },
        checks,
        ok: checks.every((check) => check.differences.length === 0),
      };
    } finally {
      await sql.end();
    }
  } finally {
    await crm.close();
  }
}

async function count(sql: Awaited<ReturnType<typeof connectSql>>): Promise<number> {
  const { rows } = await sql.query<{ n: string }>(liveRowsSql);
  return Number(rows[0]?.n ?? 0);
}
