/**
 * Performance rankings (projections.md §3): the `rankings` projection, its
 * queries (`rankings`, `memberPerformance`), the metric vocabulary and the
 * table specs (for stores that create tables up front).
 */
export { rankingsProjection } from './projection.ts';
export { memberPerformance, rankings } from './queries.ts';
export type { MemberMetrics, MemberPerformance, MemberRankingRow, RankingsQuery, RankingsReport, TeamRankingRow } from './queries.ts';
export { isRankingMetric, moneyMetrics, rankingMetrics } from './metrics.ts';
export type { Metrics, RankingMetric } from './metrics.ts';
export type { RankingsQueryError } from './errors.ts';
export { rankingsTables } from './tables.ts';
