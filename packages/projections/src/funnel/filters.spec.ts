import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { parseFunnelFilters } from './filters.ts';

describe('funnel filters', () => {
  it('normalises: dates stay dates (midnight UTC bounds), instants become canonical UTC, strings are trimmed', () => {
    const parsed = parseFunnelFilters({ owner: ' u-alice ', openedFrom: '2026-01-03', openedTo: '2026-01-05T08:30:00+08:00', currency: 'USD' });
    expect(parsed).toEqual(
      E.right({
        echo: { owner: 'u-alice', openedFrom: '2026-01-03', openedTo: '2026-01-05T00:30:00.000Z', currency: 'USD' },
        owner: 'u-alice',
        team: undefined,
        openedFrom: '2026-01-03T00:00:00.000Z',
        openedTo: '2026-01-05T00:30:00.000Z',
        currency: 'USD',
      }),
    );
  });

  it('undefined and null mean "not given" (the echo leaves them out); so does no filters object at all', () => {
    const empty = { echo: {}, owner: undefined, team: undefined, openedFrom: undefined, openedTo: undefined, currency: undefined };
    expect(parseFunnelFilters({ owner: undefined, team: null })).toEqual(E.right(empty));
    expect(parseFunnelFilters(undefined)).toEqual(E.right(empty));
  });

  it('rejects with INVALID_COMMAND and the path of every bad filter', () => {
    const parsed = parseFunnelFilters({ openedFrom: '2026-13-01', openedTo: 20260101, team: '', colour: 'red' });
    expect(E.isLeft(parsed) && parsed.left.code).toBe('INVALID_COMMAND');
    const issues = E.isLeft(parsed) ? (parsed.left.details?.['issues'] as { path: string }[]) : [];
    expect(issues.map((issue) => issue.path).sort()).toEqual(['filters.colour', 'filters.openedFrom', 'filters.openedTo', 'filters.team']);
    expect(E.isLeft(parseFunnelFilters(['owner']))).toBe(true);
  });
});
