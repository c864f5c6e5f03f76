import { describe, expect, it } from 'vitest';
import { keyString } from '../framework/rows.ts';
import { assigned, claimed, followUp, memberRegistered, merged, project, recycled, registered, released, specShape, transferred } from './fixtures.test.ts';
import { ownershipHistory } from './queries.ts';

describe('ownership history (projections.md §2)', () => {
  it('gives the example of the spec, verbatim', async () => {
    const { reader } = project([
      memberRegistered('u-alice'),
      memberRegistered('u-bob'),
      registered('cus-1', 'u-alice', { at: '2026-01-05T09:00:00.000Z', actor: 'u-alice' }),
      recycled('cus-1', 'u-alice', 'no_follow_up', '2026-02-10T00:00:00.000Z'),
      claimed('cus-1', 'u-bob', '2026-02-11T08:00:00.000Z'),
    ]);
    const history = await ownershipHistory(reader, 'cus-1');
    expect(specShape(history)).toEqual({
      customerId: 'cus-1',
      currentOwner: 'u-bob',
      periods: [
        {
          owner: 'u-alice',
          from: '2026-01-05T09:00:00.000Z',
          to: '2026-02-10T00:00:00.000Z',
          start: { reason: 'registered', actor: 'u-alice' },
          end: { reason: 'recycled', detail: 'no_follow_up', actor: 'system' },
        },
        {
          owner: null,
          from: '2026-02-10T00:00:00.000Z',
          to: '2026-02-11T08:00:00.000Z',
          start: { reason: 'recycled', detail: 'no_follow_up', actor: 'system' },
          end: { reason: 'claimed', actor: 'u-bob' },
        },
        { owner: 'u-bob', from: '2026-02-11T08:00:00.000Z', to: null, start: { reason: 'claimed', actor: 'u-bob' }, end: null },
      ],
    });
  });

  it('names the event that started each period (id and global position) and says the customer is not merged', async () => {
    const { reader } = project([
      memberRegistered('u-alice'),
      memberRegistered('u-bob'),
      registered('cus-1', 'u-alice', { at: '2026-01-05T09:00:00.000Z', actor: 'u-alice' }),
      recycled('cus-1', 'u-alice', 'no_follow_up', '2026-02-10T00:00:00.000Z'),
      claimed('cus-1', 'u-bob', '2026-02-11T08:00:00.000Z'),
    ]);
    const history = await ownershipHistory(reader, 'cus-1');
    expect(history).toMatchObject({
      mergedInto: null,
      periods: [
        { eventId: 'e-3', position: '3' },
        { eventId: 'e-4', position: '4' },
        { eventId: 'e-5', position: '5' },
      ],
    });
  });

  it('records every start and end reason with its detail, and ends a merged customer with merged and nothing after', async () => {
    const mgr = 'u-mgr';
    const { reader } = project([
      registered('cus-1', 'u-alice', { at: '2026-01-05T09:00:00.000Z', actor: 'u-alice' }),
      transferred('cus-1', 'u-alice', 'u-bob', 'rebalance', { at: '2026-01-10T10:00:00.000Z', actor: mgr }),
      transferred('cus-1', 'u-bob', 'u-carol', 'request', { at: '2026-01-15T10:00:00.000Z', actor: mgr }),
      released('cus-1', 'u-carol', 'voluntary', { at: '2026-01-20T10:00:00.000Z', actor: 'u-carol' }),
      assigned('cus-1', 'u-dave', { at: '2026-01-21T10:00:00.000Z', actor: mgr }),
      recycled('cus-1', 'u-dave', 'no_deal', '2026-04-21T10:00:00.000Z'),
      claimed('cus-1', 'u-erin', '2026-04-22T10:00:00.000Z'),
      transferred('cus-1', 'u-erin', 'u-frank', 'departure', { at: '2026-05-01T10:00:00.000Z', actor: 'system' }),
      released('cus-1', 'u-frank', 'departure', { at: '2026-06-01T10:00:00.000Z', actor: 'system' }),
      claimed('cus-1', 'u-alice', '2026-06-02T10:00:00.000Z'),
      followUp('cus-1', 'u-alice', '2026-06-03T10:00:00.000Z'),
      recycled('cus-1', 'u-alice', 'no_follow_up', '2026-07-02T10:00:00.000Z'),
      assigned('cus-1', 'u-bob', { at: '2026-07-03T10:00:00.000Z', actor: mgr }),
      merged('cus-1', 'cus-9', 'u-bob', { at: '2026-07-04T10:00:00.000Z', actor: mgr }),
    ]);
    expect(specShape(await ownershipHistory(reader, 'cus-1'))).toEqual({
      customerId: 'cus-1',
      currentOwner: null,
      periods: [
        {
          owner: 'u-alice', from: '2026-01-05T09:00:00.000Z', to: '2026-01-10T10:00:00.000Z',
          start: { reason: 'registered', actor: 'u-alice' },
          end: { reason: 'transferred', detail: 'rebalance', actor: mgr },
        },
        {
          owner: 'u-bob', from: '2026-01-10T10:00:00.000Z', to: '2026-01-15T10:00:00.000Z',
          start: { reason: 'transferred', detail: 'rebalance', actor: mgr },
          end: { reason: 'transferred', detail: 'request', actor: mgr },
        },
        {
          owner: 'u-carol', from: '2026-01-15T10:00:00.000Z', to: '2026-01-20T10:00:00.000Z',
          start: { reason: 'transferred', detail: 'request', actor: mgr },
          end: { reason: 'released', detail: 'voluntary', actor: 'u-carol' },
        },
        {
          owner: null, from: '2026-01-20T10:00:00.000Z', to: '2026-01-21T10:00:00.000Z',
          start: { reason: 'released', detail: 'voluntary', actor: 'u-carol' },
          end: { reason: 'assigned', actor: mgr },
        },
        {
          owner: 'u-dave', from: '2026-01-21T10:00:00.000Z', to: '2026-04-21T10:00:00.000Z',
          start: { reason: 'assigned', actor: mgr },
          end: { reason: 'recycled', detail: 'no_deal', actor: 'system' },
        },
        {
          owner: null, from: '2026-04-21T10:00:00.000Z', to: '2026-04-22T10:00:00.000Z',
          start: { reason: 'recycled', detail: 'no_deal', actor: 'system' },
          end: { reason: 'claimed', actor: 'u-erin' },
        },
        {
          owner: 'u-erin', from: '2026-04-22T10:00:00.000Z', to: '2026-05-01T10:00:00.000Z',
          start: { reason: 'claimed', actor: 'u-erin' },
          end: { reason: 'transferred', detail: 'departure', actor: 'system' },
        },
        {
          owner: 'u-frank', from: '2026-05-01T10:00:00.000Z', to: '2026-06-01T10:00:00.000Z',
          start: { reason: 'transferred', detail: 'departure', actor: 'system' },
          end: { reason: 'released', detail: 'departure', actor: 'system' },
        },
        {
          owner: null, from: '2026-06-01T10:00:00.000Z', to: '2026-06-02T10:00:00.000Z',
          start: { reason: 'released', detail: 'departure', actor: 'system' },
          end: { reason: 'claimed', actor: 'u-alice' },
        },
        {
          owner: 'u-alice', from: '2026-06-02T10:00:00.000Z', to: '2026-07-02T10:00:00.000Z',
          start: { reason: 'claimed', actor: 'u-alice' },
          end: { reason: 'recycled', detail: 'no_follow_up', actor: 'system' },
        },
        {
          owner: null, from: '2026-07-02T10:00:00.000Z', to: '2026-07-03T10:00:00.000Z',
          start: { reason: 'recycled', detail: 'no_follow_up', actor: 'system' },
          end: { reason: 'assigned', actor: mgr },
        },
        {
          owner: 'u-bob', from: '2026-07-03T10:00:00.000Z', to: '2026-07-04T10:00:00.000Z',
          start: { reason: 'assigned', actor: mgr },
          end: { reason: 'merged', detail: 'cus-9', actor: mgr },
        },
      ],
    });
    expect(await ownershipHistory(reader, 'cus-1')).toMatchObject({ mergedInto: 'cus-9', currentOwner: null });
  });

  it('starts with a pool period when the customer is registered straight into the pool', async () => {
    const { reader } = project([
      registered('cus-2', null, { at: '2026-03-01T08:00:00.000Z', actor: 'system' }),
      claimed('cus-2', 'u-bob', '2026-03-02T09:30:00.000Z'),
    ]);
    expect(specShape(await ownershipHistory(reader, 'cus-2'))).toEqual({
      customerId: 'cus-2',
      currentOwner: 'u-bob',
      periods: [
        {
          owner: null, from: '2026-03-01T08:00:00.000Z', to: '2026-03-02T09:30:00.000Z',
          start: { reason: 'registered', actor: 'system' },
          end: { reason: 'claimed', actor: 'u-bob' },
        },
        { owner: 'u-bob', from: '2026-03-02T09:30:00.000Z', to: null, start: { reason: 'claimed', actor: 'u-bob' }, end: null },
      ],
    });
  });

  it('keeps a pool customer that was never owned in one open pool period, its current owner null', async () => {
    const { reader } = project([registered('cus-2', null, { at: '2026-03-01T08:00:00.000Z', actor: 'u-mgr' })]);
    expect(specShape(await ownershipHistory(reader, 'cus-2'))).toEqual({
      customerId: 'cus-2',
      currentOwner: null,
      periods: [{ owner: null, from: '2026-03-01T08:00:00.000Z', to: null, start: { reason: 'registered', actor: 'u-mgr' }, end: null }],
    });
  });

  it('ends a pool period with merged when a pool customer is merged away', async () => {
    const { reader } = project([
      registered('cus-3', null, { at: '2026-03-01T08:00:00.000Z', actor: 'system' }),
      merged('cus-3', 'cus-1', null, { at: '2026-03-05T08:00:00.000Z', actor: 'u-mgr' }),
    ]);
    expect(specShape(await ownershipHistory(reader, 'cus-3'))).toEqual({
      customerId: 'cus-3',
      currentOwner: null,
      periods: [
        {
          owner: null, from: '2026-03-01T08:00:00.000Z', to: '2026-03-05T08:00:00.000Z',
          start: { reason: 'registered', actor: 'system' },
          end: { reason: 'merged', detail: 'cus-1', actor: 'u-mgr' },
        },
      ],
    });
  });

  it('keeps zero-length periods when two ownership events happen at the same instant', async () => {
    const at = '2026-02-01T12:00:00.000Z';
    const { reader } = project([
      registered('cus-4', 'u-alice', { at: '2026-01-05T09:00:00.000Z', actor: 'u-alice' }),
      released('cus-4', 'u-alice', 'voluntary', { at, actor: 'u-alice' }),
      claimed('cus-4', 'u-bob', at),
      transferred('cus-4', 'u-bob', 'u-carol', 'rebalance', { at, actor: 'u-mgr' }),
    ]);
    expect(specShape(await ownershipHistory(reader, 'cus-4'))).toEqual({
      customerId: 'cus-4',
      currentOwner: 'u-carol',
      periods: [
        {
          owner: 'u-alice', from: '2026-01-05T09:00:00.000Z', to: at,
          start: { reason: 'registered', actor: 'u-alice' },
          end: { reason: 'released', detail: 'voluntary', actor: 'u-alice' },
        },
        { owner: null, from: at, to: at, start: { reason: 'released', detail: 'voluntary', actor: 'u-alice' }, end: { reason: 'claimed', actor: 'u-bob' } },
        { owner: 'u-bob', from: at, to: at, start: { reason: 'claimed', actor: 'u-bob' }, end: { reason: 'transferred', detail: 'rebalance', actor: 'u-mgr' } },
        { owner: 'u-carol', from: at, to: null, start: { reason: 'transferred', detail: 'rebalance', actor: 'u-mgr' }, end: null },
      ],
    });
  });

  it('keeps each customer to its own history when their events interleave', async () => {
    const { reader } = project([
      registered('cus-a', 'u-alice', { at: '2026-01-05T09:00:00.000Z', actor: 'u-alice' }),
      registered('cus-b', null, { at: '2026-01-05T09:30:00.000Z', actor: 'system' }),
      claimed('cus-b', 'u-alice', '2026-01-06T09:00:00.000Z'),
      released('cus-a', 'u-alice', 'voluntary', { at: '2026-01-07T09:00:00.000Z', actor: 'u-alice' }),
    ]);
    expect(await ownershipHistory(reader, 'cus-a')).toMatchObject({ currentOwner: null, periods: [{ owner: 'u-alice' }, { owner: null }] });
    expect(await ownershipHistory(reader, 'cus-b')).toMatchObject({ currentOwner: 'u-alice', periods: [{ owner: null }, { owner: 'u-alice' }] });
  });

  it('answers NOT_FOUND for a customer it never saw registered', async () => {
    const { reader } = project([registered('cus-1', 'u-alice', { at: '2026-01-05T09:00:00.000Z', actor: 'u-alice' })]);
    expect(await ownershipHistory(reader, 'cus-404')).toEqual({ code: 'NOT_FOUND', message: 'customer cus-404 does not exist', details: { customerId: 'cus-404' } });
  });

  it('writes a period row only when the period closes and reads no period row while applying', () => {
    // projectEvents is strict: reading a row not declared in rowsNeeded throws, and rowsNeeded never names a period row.
    const { reader } = project([
      registered('cus-1', 'u-alice', { at: '2026-01-05T09:00:00.000Z', actor: 'u-alice' }),
      released('cus-1', 'u-alice', 'voluntary', { at: '2026-01-06T09:00:00.000Z', actor: 'u-alice' }),
    ]);
    expect([...reader.tables.get('ownership_periods')!.values()]).toEqual([
      {
        customer_id: 'cus-1', seq: 0, owner: 'u-alice', from_at: '2026-01-05T09:00:00.000Z', to_at: '2026-01-06T09:00:00.000Z',
        start_reason: 'registered', start_detail: null, start_actor: 'u-alice', start_event_id: 'e-1', start_position: '1',
        end_reason: 'released', end_detail: 'voluntary', end_actor: 'u-alice', end_event_id: 'e-2', end_position: '2',
      },
    ]);
    expect(reader.tables.get('ownership_customers')!.get(keyString(['cus-1']))).toMatchObject({ closed_periods: 1, open_owner: null, open_from: '2026-01-06T09:00:00.000Z' });
  });

  it('ignores ownership changes of a customer it never saw registered, and anything after a merge', async () => {
    const { reader } = project([
      claimed('cus-ghost', 'u-bob', '2026-01-06T09:00:00.000Z'),
      registered('cus-1', 'u-alice', { at: '2026-01-05T09:00:00.000Z', actor: 'u-alice' }),
      merged('cus-1', 'cus-9', 'u-alice', { at: '2026-01-07T09:00:00.000Z', actor: 'u-mgr' }),
      released('cus-1', 'u-alice', 'voluntary', { at: '2026-01-08T09:00:00.000Z', actor: 'u-alice' }),
    ]);
    expect(await ownershipHistory(reader, 'cus-ghost')).toMatchObject({ code: 'NOT_FOUND' });
    expect(await ownershipHistory(reader, 'cus-1')).toMatchObject({
      currentOwner: null,
      mergedInto: 'cus-9',
      periods: [{ owner: 'u-alice', to: '2026-01-07T09:00:00.000Z', end: { reason: 'merged', detail: 'cus-9' } }],
    });
  });
});
