import { compareCells, matches } from '@eventcrm/runtime';
import type { Row, ScanQuery } from './types.ts';

/*
 * The reference scan semantics (`matches`, `compareCells`) come from the
 * runtime, which re-exports them from `@eventcrm/projections`. The reader
 * translates what it can into SQL and hands the rest (conditions SQL cannot
 * express with the same meaning, such as a range over a JSON column) to
 * these, so every answer is the reference's answer.
 */
export { compareCells, matches };

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
