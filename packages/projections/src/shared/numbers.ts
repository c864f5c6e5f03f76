/**
 * Rounding of report numbers (projections.md): ratios to 4 decimals; day and
 * hour counts and means of ratings to 2 decimals. Half away from zero, done
 * in decimal (exponent shifting) so 1.005 rounds to 1.01, not 1.
 */
function roundTo(value: number, decimals: number): number {
  if (!Number.isFinite(value)) return value;
  const sign = value < 0 ? -1 : 1;
  const shifted = Math.round(Number(`${Math.abs(value)}e${decimals}`));
  return sign * Number(`${shifted}e-${decimals}`) || 0;
}

/** A ratio rounded to 4 decimals, `null` when the denominator is 0. */
export const ratio = (numerator: number, denominator: number): number | null => (denominator === 0 ? null : roundTo(numerator / denominator, 4));

/** A day/hour count or a mean rating rounded to 2 decimals. */
export const round2 = (value: number): number => roundTo(value, 2);

/** A mean rounded to 2 decimals, `null` over nothing. */
export const mean2 = (sum: number, count: number): number | null => (count === 0 ? null : roundTo(sum / count, 2));

/** Milliseconds in a day and an hour, for durations in reports. */
export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
