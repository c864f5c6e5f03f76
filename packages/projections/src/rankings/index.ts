/**
 * Performance rankings (projections.md §3): the `rankings` projection, its
 * queries (`rankings`, `memberPerformance`) and the metric vocabulary.
 */
export { rankingsProjection } from './projection.ts';
export { competitionRanking, memberPerformance, rankings } from './queries.ts';
export type { MemberMetrics, MemberPerformance, MemberRankingRow, RankingsQuery, RankingsReport, TeamRankingRow } from './queries.ts';
export { divideMinorHalfUp, isRankingMetric, moneyMetrics, rankingMetrics } from './metrics.ts';
export type { Metrics, RankingMetric, RankingValue } from './metrics.ts';
export type { RankingsQueryError } from './errors.ts';
export { CLOSURES, CREDITS, MEMBER_HISTORY, MEMBERS, MONEY, rankingsTables, SUPERSEDED, TARGETS } from './tables.ts';
