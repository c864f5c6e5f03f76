import type { Condition, Row, ScanQuery } from './types.ts';

/*
 * The reference scan semantics, `matches` and `compareCells` from
 * `@eventcrm/projections` (`framework/rows.ts`), copied verbatim because this
 * package does not depend on that one. The SQLite reader translates what it
 * can into SQL and hands the rest (conditions SQL cannot express with the
 * same meaning, such as a range over a JSON column) to these, so every
 * answer is the reference's answer. `scan.property.spec.ts` compares the
 * two on random rows and queries, against the runtime's in-memory store
 * (which runs the original `scanRows`).
 */

const isRange = (condition: Condition): condition is { gte?: string | number; gt?: string | number; lte?: string | number; lt?: string | number } =>
  typeof condition === 'object' && condition !== null && !('in' in condition) && !('notNull' in condition);

/** True when a cell satisfies a condition (the reference semantics). */
export function matches(value: unknown, condition: Condition): boolean {
  if (condition === null) return value === null || value === undefined;
  if (typeof condition !== 'object') return value === condition;
  if ('in' in condition) return condition.in.includes(value as string | number);
  if ('notNull' in condition) return value !== null && value !== undefined;
  if (!isRange(condition) || value === null || value === undefined) return false;
  const cell = value as string | number;
  return (
    (condition.gte === undefined || cell >= condition.gte) &&
    (condition.gt === undefined || cell > condition.gt) &&
    (condition.lte === undefined || cell <= condition.lte) &&
    (condition.lt === undefined || cell < condition.lt)
  );
}

/** Compares two cells for ordering: nulls first, then numbers/strings by value (the reference semantics). */
export function compareCells(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return (a as string | number) < (b as string | number) ? -1 : 1;
}

/** A stable sort of rows by `orderBy`, as the reference `scanRows` sorts. */
export function sortRows(rows: Row[], orderBy: NonNullable<ScanQuery['orderBy']>): Row[] {
  if (orderBy.length === 0) return rows;
  return rows.sort((a, b) => {
    for (const [column, direction] of orderBy) {
      const compared = compareCells(a[column], b[column]);
      if (compared !== 0) return direction === 'asc' ? compared : -compared;
    }
    return 0;
  });
}
