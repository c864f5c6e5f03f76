/**
 * @eventcrm/example-analyst-rebuild: the demo history in a PostgreSQL
 * schema, every projection rebuilt with progress (`crm.rebuild`), and three
 * analyses in plain SQL over the read-model tables, each checked against the
 * library's query (`crm.rankings`, `crm.ownership`, `crm.funnel`).
 */
export { analyse } from './analyse.ts';
export type { AnalysisOptions, AnalysisResult, Freshness } from './analyse.ts';
export {
  longOwnershipPeriods,
  longOwnershipPeriodsSql,
  openPipeline,
  openPipelineSql,
  rankedQuarters,
  rankedQuartersSql,
  wonByTeamQuarter,
  wonByTeamQuarterSql,
} from './analyses.ts';
export type { LongPeriods, OpenStage, TeamQuarterWins } from './analyses.ts';
export { checkLongPeriods, checkOpenPipeline, checkTeamWins } from './checks.ts';
export type { Check } from './checks.ts';
export { connectSql, openCrm, schemaOf } from './postgres.ts';
export type { Target } from './postgres.ts';
export { progressLine, rebuildWithProgress } from './rebuild.ts';
export type { RebuildOutcome } from './rebuild.ts';
export { formatMinor, renderResult, table } from './render.ts';
export { DemoFailedError, seedDemo } from './seed.ts';
export type { DemoSize, DemoSummary } from './seed.ts';
