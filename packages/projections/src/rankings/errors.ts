import { domainError, invalidCommand, type DomainError } from '@eventcrm/domain';
import { rankingMetrics, type RankingMetric } from './metrics.ts';

/**
 * Why a rankings query could not be answered: a `DomainError` value, like the
 * other read models' queries, so the CLI prints it like any rejection
 * (`isDomainError` tells it from an answer). Bad arguments are
 * `INVALID_COMMAND` with the path of each (`period`, `metric`, `currency`);
 * an unknown member is `NOT_FOUND`.
 */
export type RankingsQueryError = DomainError & { readonly code: 'INVALID_COMMAND' | 'NOT_FOUND' };

/** An unknown metric: the issue names it, and `details.validMetrics` lists the valid ones. */
export function unknownMetric(metric: string): RankingsQueryError {
  const base = invalidCommand([{ path: 'metric', message: `unknown metric ${JSON.stringify(metric)}; valid metrics: ${rankingMetrics.join(', ')}` }]);
  return { ...base, code: 'INVALID_COMMAND', details: { ...base.details, metric, validMetrics: rankingMetrics } };
}

/** A ranking by a money metric without a currency. */
export function currencyRequired(metric: RankingMetric): RankingsQueryError {
  const base = invalidCommand([{ path: 'currency', message: `required to rank by ${metric} (money is never added across currencies)` }]);
  return { ...base, code: 'INVALID_COMMAND', details: { ...base.details, metric } };
}

/** A currency that is not an ISO-4217 code. */
export const unknownCurrency = (currency: string): RankingsQueryError =>
  ({ ...invalidCommand([{ path: 'currency', message: `must be an ISO-4217 currency code such as USD, got ${JSON.stringify(currency)}` }]), code: 'INVALID_COMMAND' });

/** A period that is not `YYYY`, `YYYY-Qn` or `YYYY-MM`. */
export const invalidPeriod = (): RankingsQueryError => ({ ...invalidCommand([{ path: 'period', message: 'must be a period: YYYY, YYYY-Qn or YYYY-MM' }]), code: 'INVALID_COMMAND' });

/** A member never registered and never credited. */
export const memberNotFound = (memberId: string): RankingsQueryError => ({ ...domainError('NOT_FOUND', `member ${memberId} does not exist`, { memberId }), code: 'NOT_FOUND' });
