import { describe, expect, it } from 'vitest';
import { assigned, claimed, memberRegistered, merged, project, recycled, registered, released, transferred } from './fixtures.test.ts';
import { memberOwnershipStats, ownerAsOf, portfolioAsOf } from './queries.ts';

describe('owner as of T (projections.md §2)', () => {
  // The spec's example: u-alice from registration, the pool from the recycle, u-bob from the claim.
  const { reader } = project([
    memberRegistered('u-alice'),
    memberRegistered('u-bob'),
    registered('cus-1', 'u-alice', { at: '2026-01-05T09:00:00.000Z', actor: 'u-alice' }),
    recycled('cus-1', 'u-alice', 'no_follow_up', '2026-02-10T00:00:00.000Z'),
    claimed('cus-1', 'u-bob', '2026-02-11T08:00:00.000Z'),
  ]);

  it('is NOT_FOUND before registration, naming the registration time', async () => {
    expect(await ownerAsOf(reader, 'cus-1', '2026-01-05T08:59:59.999Z')).toEqual({
      code: 'NOT_FOUND',
      message: 'customer cus-1 was not registered yet at 2026-01-05T08:59:59.999Z',
      details: { customerId: 'cus-1', asOf: '2026-01-05T08:59:59.999Z', registeredAt: '2026-01-05T09:00:00.000Z' },
    });
  });

  it('is the first owner from the exact instant of registration', async () => {
    expect(await ownerAsOf(reader, 'cus-1', '2026-01-05T09:00:00.000Z')).toEqual({ customerId: 'cus-1', asOf: '2026-01-05T09:00:00.000Z', owner: 'u-alice' });
  });

  it('is the old owner just before a change and the new one at its exact instant', async () => {
    expect(await ownerAsOf(reader, 'cus-1', '2026-02-09T23:59:59.999Z')).toEqual({ customerId: 'cus-1', asOf: '2026-02-09T23:59:59.999Z', owner: 'u-alice' });
    expect(await ownerAsOf(reader, 'cus-1', '2026-02-10T00:00:00.000Z')).toEqual({ customerId: 'cus-1', asOf: '2026-02-10T00:00:00.000Z', owner: null });
    expect(await ownerAsOf(reader, 'cus-1', '2026-02-11T07:59:59.999Z')).toEqual({ customerId: 'cus-1', asOf: '2026-02-11T07:59:59.999Z', owner: null });
    expect(await ownerAsOf(reader, 'cus-1', '2026-02-11T08:00:00.000Z')).toEqual({ customerId: 'cus-1', asOf: '2026-02-11T08:00:00.000Z', owner: 'u-bob' });
  });

  it('is the current owner long after the last change', async () => {
    expect(await ownerAsOf(reader, 'cus-1', '2030-01-01T00:00:00.000Z')).toEqual({ customerId: 'cus-1', asOf: '2030-01-01T00:00:00.000Z', owner: 'u-bob' });
  });

  it('reads T with any UTC offset and answers in canonical UTC', async () => {
    expect(await ownerAsOf(reader, 'cus-1', '2026-02-11T09:00:00+01:00')).toEqual({ customerId: 'cus-1', asOf: '2026-02-11T08:00:00.000Z', owner: 'u-bob' });
    expect(await ownerAsOf(reader, 'cus-1', '2026-02-11T08:59:59.999+01:00')).toEqual({ customerId: 'cus-1', asOf: '2026-02-11T07:59:59.999Z', owner: null });
  });

  it('is INVALID_COMMAND for a T that is not an instant, and NOT_FOUND for an unknown customer', async () => {
    expect(await ownerAsOf(reader, 'cus-1', '2026-02-30T00:00:00Z')).toMatchObject({ code: 'INVALID_COMMAND', details: { issues: [{ path: 'asOf' }] } });
    expect(await ownerAsOf(reader, 'cus-1', '2026-02-11')).toMatchObject({ code: 'INVALID_COMMAND' });
    expect(await ownerAsOf(reader, 'cus-x', '2026-02-11T08:00:00.000Z')).toEqual({ code: 'NOT_FOUND', message: 'customer cus-x does not exist', details: { customerId: 'cus-x' } });
  });

  it('takes the last change at an instant with several: zero-length periods own no instant', async () => {
    const at = '2026-02-01T12:00:00.000Z';
    const zero = project([
      registered('cus-4', 'u-alice', { at: '2026-01-05T09:00:00.000Z', actor: 'u-alice' }),
      released('cus-4', 'u-alice', 'voluntary', { at, actor: 'u-alice' }),
      claimed('cus-4', 'u-bob', at),
      transferred('cus-4', 'u-bob', 'u-carol', 'rebalance', { at, actor: 'u-mgr' }),
      released('cus-4', 'u-carol', 'voluntary', { at: '2026-03-01T00:00:00.000Z', actor: 'u-carol' }),
    ]).reader;
    // u-carol's period is closed now, so T = `at` is answered from the period rows.
    expect(await ownerAsOf(zero, 'cus-4', at)).toEqual({ customerId: 'cus-4', asOf: at, owner: 'u-carol' });
    expect(await ownerAsOf(zero, 'cus-4', '2026-02-01T11:59:59.999Z')).toMatchObject({ owner: 'u-alice' });
    expect(await ownerAsOf(zero, 'cus-4', '2026-03-01T00:00:00.000Z')).toMatchObject({ owner: null });
  });

  it('is the last owner before a merge and NOT_FOUND naming the survivor from the merge instant on', async () => {
    const mergedAway = project([
      registered('cus-5', 'u-alice', { at: '2026-01-05T09:00:00.000Z', actor: 'u-alice' }),
      merged('cus-5', 'cus-1', 'u-alice', { at: '2026-03-01T00:00:00.000Z', actor: 'u-mgr' }),
    ]).reader;
    expect(await ownerAsOf(mergedAway, 'cus-5', '2026-02-28T23:59:59.999Z')).toEqual({ customerId: 'cus-5', asOf: '2026-02-28T23:59:59.999Z', owner: 'u-alice' });
    for (const asOf of ['2026-03-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']) {
      expect(await ownerAsOf(mergedAway, 'cus-5', asOf)).toEqual({
        code: 'NOT_FOUND',
        message: 'customer cus-5 was merged into cus-1 at 2026-03-01T00:00:00.000Z',
        details: { customerId: 'cus-5', asOf, mergedInto: 'cus-1', mergedAt: '2026-03-01T00:00:00.000Z' },
      });
    }
  });
});

describe('portfolio as of T (projections.md §2)', () => {
  const { reader } = project([
    memberRegistered('u-alice'),
    memberRegistered('u-bob'),
    memberRegistered('u-idle'),
    // cus-1: u-alice from Jan 5, released Feb 1, claimed by u-bob Feb 3.
    registered('cus-1', 'u-alice', { at: '2026-01-05T09:00:00.000Z', actor: 'u-alice' }),
    // cus-2: the pool from Jan 6, claimed by u-alice Jan 10 (still hers).
    registered('cus-2', null, { at: '2026-01-06T09:00:00.000Z', actor: 'system' }),
    // cus-3: u-bob from Jan 7, transferred to u-alice Mar 1.
    registered('cus-3', 'u-bob', { at: '2026-01-07T09:00:00.000Z', actor: 'u-bob' }),
    // cus-4: u-alice from Jan 8, merged into cus-1 Feb 15.
    registered('cus-4', 'u-alice', { at: '2026-01-08T09:00:00.000Z', actor: 'u-alice' }),
    claimed('cus-2', 'u-alice', '2026-01-10T09:00:00.000Z'),
    released('cus-1', 'u-alice', 'voluntary', { at: '2026-02-01T00:00:00.000Z', actor: 'u-alice' }),
    claimed('cus-1', 'u-bob', '2026-02-03T00:00:00.000Z'),
    merged('cus-4', 'cus-1', 'u-alice', { at: '2026-02-15T00:00:00.000Z', actor: 'u-mgr' }),
    transferred('cus-3', 'u-bob', 'u-alice', 'rebalance', { at: '2026-03-01T00:00:00.000Z', actor: 'u-mgr' }),
  ]);
  const portfolio = async (memberId: string, asOf: string): Promise<unknown> => portfolioAsOf(reader, memberId, asOf);

  it('lists what the member owned at T across claims, releases, merges and transfers, sorted', async () => {
    expect(await portfolio('u-alice', '2026-01-01T00:00:00.000Z')).toEqual({ memberId: 'u-alice', asOf: '2026-01-01T00:00:00.000Z', customers: [] });
    expect(await portfolio('u-alice', '2026-01-05T09:00:00.000Z')).toEqual({ memberId: 'u-alice', asOf: '2026-01-05T09:00:00.000Z', customers: ['cus-1'] });
    expect(await portfolio('u-alice', '2026-01-09T00:00:00.000Z')).toEqual({ memberId: 'u-alice', asOf: '2026-01-09T00:00:00.000Z', customers: ['cus-1', 'cus-4'] });
    expect(await portfolio('u-alice', '2026-01-10T09:00:00.000Z')).toEqual({ memberId: 'u-alice', asOf: '2026-01-10T09:00:00.000Z', customers: ['cus-1', 'cus-2', 'cus-4'] });
    expect(await portfolio('u-alice', '2026-01-31T23:59:59.999Z')).toEqual({ memberId: 'u-alice', asOf: '2026-01-31T23:59:59.999Z', customers: ['cus-1', 'cus-2', 'cus-4'] });
    expect(await portfolio('u-alice', '2026-02-01T00:00:00.000Z')).toEqual({ memberId: 'u-alice', asOf: '2026-02-01T00:00:00.000Z', customers: ['cus-2', 'cus-4'] });
    expect(await portfolio('u-alice', '2026-02-15T00:00:00.000Z')).toEqual({ memberId: 'u-alice', asOf: '2026-02-15T00:00:00.000Z', customers: ['cus-2'] });
    expect(await portfolio('u-alice', '2026-03-01T00:00:00.000Z')).toEqual({ memberId: 'u-alice', asOf: '2026-03-01T00:00:00.000Z', customers: ['cus-2', 'cus-3'] });
  });

  it('gives the other member its own portfolio at the same instants', async () => {
    expect(await portfolio('u-bob', '2026-01-07T09:00:00.000Z')).toMatchObject({ customers: ['cus-3'] });
    expect(await portfolio('u-bob', '2026-02-02T00:00:00.000Z')).toMatchObject({ customers: ['cus-3'] });
    expect(await portfolio('u-bob', '2026-02-03T00:00:00.000Z')).toMatchObject({ customers: ['cus-1', 'cus-3'] });
    expect(await portfolio('u-bob', '2026-03-01T00:00:00.000Z')).toMatchObject({ customers: ['cus-1'] });
    expect(await portfolio('u-idle', '2026-03-01T00:00:00.000Z')).toEqual({ memberId: 'u-idle', asOf: '2026-03-01T00:00:00.000Z', customers: [] });
  });

  it('leaves out a zero-length period at its instant', async () => {
    const at = '2026-02-01T12:00:00.000Z';
    const zero = project([
      memberRegistered('u-alice'),
      memberRegistered('u-bob'),
      registered('cus-4', 'u-alice', { at: '2026-01-05T09:00:00.000Z', actor: 'u-alice' }),
      released('cus-4', 'u-alice', 'voluntary', { at, actor: 'u-alice' }),
      claimed('cus-4', 'u-bob', at),
      transferred('cus-4', 'u-bob', 'u-alice', 'request', { at, actor: 'u-mgr' }),
    ]).reader;
    expect(await portfolioAsOf(zero, 'u-bob', at)).toMatchObject({ customers: [] });
    expect(await portfolioAsOf(zero, 'u-alice', at)).toMatchObject({ customers: ['cus-4'] });
  });

  it('is NOT_FOUND for an unknown member and INVALID_COMMAND for a bad T', async () => {
    expect(await portfolio('u-nobody', '2026-03-01T00:00:00.000Z')).toEqual({ code: 'NOT_FOUND', message: 'member u-nobody does not exist', details: { memberId: 'u-nobody' } });
    expect(await portfolio('u-alice', 'yesterday')).toMatchObject({ code: 'INVALID_COMMAND', details: { issues: [{ path: 'asOf' }] } });
  });
});

describe('member ownership stats (projections.md §2)', () => {
  const mgr = { actor: 'u-mgr' };
  const { reader } = project([
    memberRegistered('u-alice'),
    memberRegistered('u-bob'),
    registered('cus-a', null, { at: '2026-01-02T00:00:00.000Z', actor: 'system' }),
    registered('cus-b', null, { at: '2026-01-02T00:00:00.000Z', actor: 'system' }),
    registered('cus-c', null, { at: '2026-01-02T00:00:00.000Z', actor: 'system' }),
    registered('cus-d', 'u-bob', { at: '2026-01-02T00:00:00.000Z', actor: 'u-bob' }),
    registered('cus-e', null, { at: '2026-01-02T00:00:00.000Z', actor: 'system' }),
    registered('cus-f', null, { at: '2026-01-02T00:00:00.000Z', actor: 'system' }),
    registered('cus-g', 'u-alice', { at: '2026-01-03T00:00:00.000Z', actor: 'u-alice' }),
    claimed('cus-a', 'u-alice', '2026-01-10T00:00:00.000Z'),
    claimed('cus-b', 'u-alice', '2026-01-20T00:00:00.000Z'),
    assigned('cus-c', 'u-alice', { at: '2026-02-05T00:00:00.000Z', ...mgr }),
    transferred('cus-d', 'u-bob', 'u-alice', 'request', { at: '2026-02-28T23:59:59.999Z', ...mgr }),
    transferred('cus-a', 'u-alice', 'u-bob', 'rebalance', { at: '2026-03-01T00:00:00.000Z', ...mgr }),
    released('cus-b', 'u-alice', 'voluntary', { at: '2026-03-15T00:00:00.000Z', ...mgr }),
    recycled('cus-c', 'u-alice', 'no_follow_up', '2026-04-01T00:00:00.000Z'),
    released('cus-g', 'u-alice', 'departure', { at: '2026-06-30T23:59:59.999Z', actor: 'system' }),
    claimed('cus-e', 'u-alice', '2026-12-31T23:59:59.999Z'),
    claimed('cus-f', 'u-alice', '2027-01-01T00:00:00.000Z'),
  ]);
  const zero = { claims: 0, assigned: 0, transfersIn: 0, transfersOut: 0, releases: 0, recycles: 0 };

  it('counts a month from its own facts only', async () => {
    expect(await memberOwnershipStats(reader, 'u-alice', '2026-01')).toEqual({ memberId: 'u-alice', period: '2026-01', ...zero, claims: 2 });
    expect(await memberOwnershipStats(reader, 'u-alice', '2026-02')).toEqual({ memberId: 'u-alice', period: '2026-02', ...zero, assigned: 1, transfersIn: 1 });
    expect(await memberOwnershipStats(reader, 'u-alice', '2026-03')).toEqual({ memberId: 'u-alice', period: '2026-03', ...zero, transfersOut: 1, releases: 1 });
    expect(await memberOwnershipStats(reader, 'u-alice', '2026-05')).toEqual({ memberId: 'u-alice', period: '2026-05', ...zero });
  });

  it('adds up the months of a quarter and of a year, at their UTC boundaries', async () => {
    expect(await memberOwnershipStats(reader, 'u-alice', '2026-Q1')).toEqual({
      memberId: 'u-alice', period: '2026-Q1', claims: 2, assigned: 1, transfersIn: 1, transfersOut: 1, releases: 1, recycles: 0,
    });
    expect(await memberOwnershipStats(reader, 'u-alice', '2026-Q2')).toEqual({ memberId: 'u-alice', period: '2026-Q2', ...zero, releases: 1, recycles: 1 });
    expect(await memberOwnershipStats(reader, 'u-alice', '2026-Q4')).toEqual({ memberId: 'u-alice', period: '2026-Q4', ...zero, claims: 1 });
    expect(await memberOwnershipStats(reader, 'u-alice', '2026')).toEqual({
      memberId: 'u-alice', period: '2026', claims: 3, assigned: 1, transfersIn: 1, transfersOut: 1, releases: 2, recycles: 1,
    });
    expect(await memberOwnershipStats(reader, 'u-alice', '2027')).toEqual({ memberId: 'u-alice', period: '2027', ...zero, claims: 1 });
    expect(await memberOwnershipStats(reader, 'u-alice', '2025')).toEqual({ memberId: 'u-alice', period: '2025', ...zero });
  });

  it('counts a transfer on both sides and never counts a registration', async () => {
    expect(await memberOwnershipStats(reader, 'u-bob', '2026-Q1')).toEqual({ memberId: 'u-bob', period: '2026-Q1', ...zero, transfersIn: 1, transfersOut: 1 });
    expect(await memberOwnershipStats(reader, 'u-bob', '2026-01')).toEqual({ memberId: 'u-bob', period: '2026-01', ...zero });
  });

  it('is INVALID_COMMAND for a period it cannot read and NOT_FOUND for an unknown member', async () => {
    for (const period of ['2026-13', '2026-Q5', '26', 'Q1-2026']) {
      expect(await memberOwnershipStats(reader, 'u-alice', period)).toMatchObject({ code: 'INVALID_COMMAND', details: { issues: [{ path: 'period' }] } });
    }
    expect(await memberOwnershipStats(reader, 'u-carol', '2026')).toEqual({ code: 'NOT_FOUND', message: 'member u-carol does not exist', details: { memberId: 'u-carol' } });
  });
});
