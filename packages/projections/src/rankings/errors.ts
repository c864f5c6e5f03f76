import type { RankingMetric } from './metrics.ts';

/**
 * Why a rankings query could not be answered. Errors are values (never
 * exceptions) with a stable `UPPER_SNAKE` code a CLI script can match on,
 * shaped like the domain's rejections (`{ code, message, details }`).
 */
export type RankingsQueryError =
  | { readonly code: 'INVALID_PERIOD'; readonly message: string; readonly details: { readonly period: string } }
  | { readonly code: 'UNKNOWN_METRIC'; readonly message: string; readonly details: { readonly metric: string; readonly validMetrics: readonly RankingMetric[] } }
  | { readonly code: 'CURRENCY_REQUIRED'; readonly message: string; readonly details: { readonly metric: RankingMetric } }
  | { readonly code: 'UNKNOWN_CURRENCY'; readonly message: string; readonly details: { readonly currency: string } }
  | { readonly code: 'NOT_FOUND'; readonly message: string; readonly details: { readonly memberId: string } };

/** The codes of `RankingsQueryError`. */
export type RankingsQueryErrorCode = RankingsQueryError['code'];

const codes: ReadonlySet<string> = new Set<RankingsQueryErrorCode>(['INVALID_PERIOD', 'UNKNOWN_METRIC', 'CURRENCY_REQUIRED', 'UNKNOWN_CURRENCY', 'NOT_FOUND']);

/** True for a value shaped like a `RankingsQueryError`. */
export function isRankingsQueryError(value: unknown): value is RankingsQueryError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { code?: unknown; message?: unknown; details?: unknown };
  return typeof candidate.code === 'string' && codes.has(candidate.code) && typeof candidate.message === 'string' && typeof candidate.details === 'object';
}
