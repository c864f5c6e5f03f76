import { describe, expect, it } from 'vitest';
import { checkIdentifier, readQuery } from './queryParams.ts';

describe('query strings', () => {
  it('reads declared parameters as single strings', () => {
    expect(readQuery({ period: '2026-Q1', metric: 'wonCount' }, { required: ['period', 'metric'], optional: ['currency'] })).toEqual({ ok: true, values: { period: '2026-Q1', metric: 'wonCount' } });
  });

  it('names every repeated, unknown and missing parameter in one INVALID_COMMAND', () => {
    const read = readQuery({ metric: ['a', 'b'], colour: 'red' }, { required: ['period', 'metric'] });
    expect(read).toEqual({
      ok: false,
      error: {
        code: 'INVALID_COMMAND',
        message: expect.stringContaining('metric: given more than once') as unknown,
        details: {
          issues: [
            { path: 'metric', message: 'given more than once' },
            { path: 'colour', message: 'unknown query parameter; allowed: period, metric' },
            { path: 'period', message: 'required' },
          ],
        },
      },
    });
  });

  it('passes any name on when asked, prefixing paths like the library call it feeds', () => {
    const query = JSON.parse('{"__proto__":"x","owner":"u-1","team":["a","b"]}') as unknown;
    const read = readQuery(query, { optional: 'any', pathPrefix: 'filters.' });
    expect(read).toMatchObject({ ok: false, error: { details: { issues: [{ path: 'filters.team', message: 'given more than once' }] } } });
    const fine = readQuery(JSON.parse('{"__proto__":"x","owner":"u-1"}'), { optional: 'any' });
    expect(fine.ok && Object.keys(fine.values)).toEqual(['__proto__', 'owner']);
    expect(fine.ok && Object.getPrototypeOf(fine.values)).toBe(Object.prototype);
  });

  it('checks identifiers like the domain does', () => {
    expect(checkIdentifier('cus-1.a:b_c', 'customerId')).toBeUndefined();
    expect(checkIdentifier('a b', 'customerId')).toMatchObject({ code: 'INVALID_COMMAND', details: { issues: [{ path: 'customerId' }] } });
    expect(checkIdentifier('x'.repeat(65), 'memberId')).toMatchObject({ details: { issues: [{ path: 'memberId' }] } });
  });
});
