import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeOfSlug, problem, problemOfRejection, problemSlug, problemTypes, statusOf, type ProblemCode } from './problems.ts';

const codes = Object.keys(problemTypes) as ProblemCode[];

/** The README's status table: code → every status number in its row, in order. */
function readmeTable(): Map<string, number[]> {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Status codes'));
  const rows = new Map<string, number[]>();
  for (const match of section.matchAll(/^\| `([A-Z_]+)` \| ([^|]+) \|$/gm)) {
    rows.set(match[1]!, [...match[2]!.matchAll(/\b[1-5][0-9]{2}\b/g)].map((number) => Number(number[0])));
  }
  return rows;
}

describe('the status table', () => {
  it('is the README’s, row for row', () => {
    const expected = new Map(codes.map((code) => [code, [problemTypes[code].status, ...(problemTypes[code].actorStatus === undefined ? [] : [problemTypes[code].actorStatus])]]));
    expect(new Map([...readmeTable()].sort())).toEqual(new Map([...expected].sort()));
  });

  it('answers every input problem with a 4xx and only infrastructure faults with a 5xx', () => {
    for (const code of codes) {
      const { status } = problemTypes[code];
      expect(status >= 500, code).toBe(code === 'INTERNAL_ERROR' || code === 'STORE_UNAVAILABLE');
      expect(status >= 400 && status < 600, code).toBe(true);
    }
  });

  it('gives MEMBER_INACTIVE the actor status only when the deactivated member is the actor', () => {
    expect(statusOf('MEMBER_INACTIVE', { memberId: 'u-carol' }, 'u-carol')).toBe(403);
    expect(statusOf('MEMBER_INACTIVE', { memberId: 'u-carol' }, 'u-mia')).toBe(422);
    expect(statusOf('MEMBER_INACTIVE', { memberId: 'u-carol' })).toBe(422);
    expect(statusOf('FORBIDDEN', { memberId: 'u-carol' }, 'u-carol')).toBe(403);
  });
});

describe('problem documents', () => {
  it('carry the RFC 9457 members plus code, details and the command id', () => {
    const document = problemOfRejection({ code: 'DUPLICATE_CUSTOMER', message: 'phone 5550100 already belongs to cus-1', details: { existingCustomerId: 'cus-1', field: 'phone' } }, { commandId: 'cmd-2', actor: 'u-bob' });
    expect(document).toEqual({
      type: '/problems/duplicate-customer',
      title: problemTypes.DUPLICATE_CUSTOMER.title,
      status: 409,
      detail: 'phone 5550100 already belongs to cus-1',
      code: 'DUPLICATE_CUSTOMER',
      details: { existingCustomerId: 'cus-1', field: 'phone' },
      commandId: 'cmd-2',
    });
    expect(problem('ROUTE_NOT_FOUND', 'no endpoint GET /x')).toEqual({ type: '/problems/route-not-found', title: 'No such endpoint', status: 404, detail: 'no endpoint GET /x', code: 'ROUTE_NOT_FOUND', details: {} });
  });

  it('have type slugs that lead back to their code, and no other slug does', () => {
    for (const code of codes) expect(codeOfSlug(problemSlug(code))).toBe(code);
    expect(codeOfSlug('constructor')).toBeUndefined();
    expect(codeOfSlug('__proto__')).toBeUndefined();
    expect(codeOfSlug('not-a-problem')).toBeUndefined();
  });
});
