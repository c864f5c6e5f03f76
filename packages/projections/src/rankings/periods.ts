import { parsePeriod, type Period } from '@eventcrm/domain';

/**
 * Period labels of the rankings: a UTC month `2026-03`, quarter `2026-Q1` or
 * year `2026` (domain.md §0). Facts are stored by month; these give the
 * coarser labels a fact also belongs to.
 */

/** The quarter label of a month label or timestamp (`2026-03…` → `2026-Q1`). */
export function quarterOf(monthOrTimestamp: string): string {
  const month = Number(monthOrTimestamp.slice(5, 7));
  return `${monthOrTimestamp.slice(0, 4)}-Q${Math.ceil(month / 3)}`;
}

/** The three labels (month, quarter, year) of the UTC periods a timestamp falls in. */
export function labelsOf(timestamp: string): readonly [month: string, quarter: string, year: string] {
  return [timestamp.slice(0, 7), quarterOf(timestamp), timestamp.slice(0, 4)];
}

/** The periods one level finer that make up a period: a year's quarters, a quarter's months; none for a month. */
export function partsOf(period: Period): readonly Period[] {
  if (period.kind === 'month') return [];
  const labels = period.kind === 'year' ? [1, 2, 3, 4].map((quarter) => `${period.label}-Q${quarter}`) : period.months;
  return labels.map((label) => parsePeriod(label)).filter((part): part is Period => part !== undefined);
}

/** Every label a target may be set under that can count for a period: itself and its parts, recursively. */
export function targetLabelsOf(period: Period): readonly string[] {
  return [period.label, ...partsOf(period).flatMap(targetLabelsOf)];
}
