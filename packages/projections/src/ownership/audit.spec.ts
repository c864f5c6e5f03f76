import { describe, expect, it } from 'vitest';
import type { ProjectedEvent, ReadModelReader, Row } from '../framework/types.ts';
import { keyString } from '../framework/rows.ts';
import { auditOwnership, compareOwnership, ownershipFactsOf } from './audit.ts';
import { claimed, followUp, memberRegistered, merged, project, recycled, registered, transferred } from './fixtures.test.ts';
import { ownershipHistory } from './queries.ts';

type Tables = ReadonlyMap<string, ReadonlyMap<string, Row>>;

/** The spec's example, with a follow-up in the stream (revisions count every event of the stream) and known command ids. */
function example(): { readonly stream: ProjectedEvent[]; readonly reader: ReadModelReader & { readonly tables: Tables } } {
  const { log, reader } = project([
    memberRegistered('u-alice'),
    memberRegistered('u-bob'),
    registered('cus-1', 'u-alice', { at: '2026-01-05T09:00:00.000Z', actor: 'u-alice', commandId: 'cmd-register' }),
    followUp('cus-1', 'u-alice', '2026-01-20T10:00:00.000Z'),
    recycled('cus-1', 'u-alice', 'no_follow_up', '2026-02-10T00:00:00.000Z', 'cmd-sweep'),
    claimed('cus-1', 'u-bob', '2026-02-11T08:00:00.000Z', 'cmd-claim'),
  ]);
  return { stream: log.filter((event) => event.stream === 'customer-cus-1'), reader };
}

/** Rewrites a stored row in place, as a tampering hand (or a buggy projection) would. */
function tamper(reader: { readonly tables: Tables }, table: string, key: readonly (string | number)[], change: Row | null): void {
  const rows = reader.tables.get(table) as Map<string, Row>;
  const id = keyString(key);
  if (change === null) rows.delete(id);
  else rows.set(id, { ...rows.get(id)!, ...change });
}

const PERIODS = 'ownership_periods';
const CUSTOMERS = 'ownership_customers';

describe('audit replay (projections.md §2)', () => {
  it('lists every ownership fact of the stream with revision, position, event id, actor, command id and time, and finds a correct read model consistent', async () => {
    const { stream, reader } = example();
    const audit = await auditOwnership(reader, 'cus-1', stream);
    expect(audit.customerId).toBe('cus-1');
    expect(audit.facts).toEqual([
      {
        revision: 0, position: '3', eventId: 'e-3', type: 'CustomerRegistered', actor: 'u-alice', commandId: 'cmd-register',
        at: '2026-01-05T09:00:00.000Z', reason: 'registered', from: null, to: 'u-alice',
      },
      {
        revision: 2, position: '5', eventId: 'e-5', type: 'CustomerRecycled', actor: 'system', commandId: 'cmd-sweep',
        at: '2026-02-10T00:00:00.000Z', reason: 'recycled', detail: 'no_follow_up', from: 'u-alice', to: null,
      },
      {
        revision: 3, position: '6', eventId: 'e-6', type: 'CustomerClaimed', actor: 'u-bob', commandId: 'cmd-claim',
        at: '2026-02-11T08:00:00.000Z', reason: 'claimed', from: null, to: 'u-bob',
      },
    ]);
    expect(audit.differences).toEqual([]);
    expect(audit.consistent).toBe(true);
  });

  it('takes the facts already extracted as well as the raw stream events', async () => {
    const { stream, reader } = example();
    const history = await ownershipHistory(reader, 'cus-1');
    expect(compareOwnership(ownershipFactsOf(stream), history)).toEqual(compareOwnership(stream, history));
  });

  it('names a wrong owner by period index', async () => {
    const { stream, reader } = example();
    tamper(reader, PERIODS, ['cus-1', 0], { owner: 'u-mallory' });
    const audit = await auditOwnership(reader, 'cus-1', stream);
    expect(audit.consistent).toBe(false);
    expect(audit.differences).toEqual([
      {
        kind: 'wrong_owner', periodIndex: 0, readModelIndex: 0, field: 'owner', expected: 'u-alice', actual: 'u-mallory',
        message: 'period 0: owner: the log says "u-alice", the read model says "u-mallory"',
      },
    ]);
  });

  it('names a wrong boundary time', async () => {
    const { stream, reader } = example();
    tamper(reader, PERIODS, ['cus-1', 1], { to_at: '2026-02-12T00:00:00.000Z' });
    expect((await auditOwnership(reader, 'cus-1', stream)).differences).toMatchObject([
      { kind: 'wrong_time', periodIndex: 1, field: 'to', expected: '2026-02-11T08:00:00.000Z', actual: '2026-02-12T00:00:00.000Z' },
    ]);
  });

  it('names a wrong end reason and detail', async () => {
    const { stream, reader } = example();
    tamper(reader, PERIODS, ['cus-1', 0], { end_reason: 'released', end_detail: 'voluntary' });
    expect((await auditOwnership(reader, 'cus-1', stream)).differences).toMatchObject([
      { kind: 'wrong_reason', periodIndex: 0, field: 'end.reason', expected: 'recycled', actual: 'released' },
      { kind: 'wrong_reason', periodIndex: 0, field: 'end.detail', expected: 'no_follow_up', actual: 'voluntary' },
    ]);
  });

  it('names a wrong actor', async () => {
    const { stream, reader } = example();
    tamper(reader, PERIODS, ['cus-1', 1], { start_actor: 'u-bob' });
    expect((await auditOwnership(reader, 'cus-1', stream)).differences).toMatchObject([
      { kind: 'wrong_actor', periodIndex: 1, field: 'start.actor', expected: 'system', actual: 'u-bob' },
    ]);
  });

  it('names a missing period once, without shifting the later ones', async () => {
    const { stream, reader } = example();
    tamper(reader, PERIODS, ['cus-1', 1], null);
    const differences = (await auditOwnership(reader, 'cus-1', stream)).differences;
    expect(differences).toHaveLength(1);
    expect(differences[0]).toMatchObject({ kind: 'missing_period', periodIndex: 1, readModelIndex: null, expected: { owner: null, from: '2026-02-10T00:00:00.000Z', eventId: 'e-5' } });
  });

  it('names an extra period the log does not know', async () => {
    const { stream, reader } = example();
    tamper(reader, PERIODS, ['cus-1', 7], {
      customer_id: 'cus-1', seq: 7, owner: 'u-mallory', from_at: '2026-02-11T08:00:00.000Z', to_at: '2026-02-11T08:00:00.000Z',
      start_reason: 'claimed', start_detail: null, start_actor: 'u-mallory', start_event_id: 'e-99', start_position: '99',
      end_reason: 'transferred', end_detail: 'request', end_actor: 'u-mgr', end_event_id: 'e-100', end_position: '100',
    });
    expect((await auditOwnership(reader, 'cus-1', stream)).differences).toMatchObject([{ kind: 'extra_period', periodIndex: 2, readModelIndex: 2, actual: { owner: 'u-mallory', eventId: 'e-99' } }]);
  });

  it('names periods out of order', async () => {
    const { stream, reader } = example();
    const first = reader.tables.get(PERIODS)!.get(keyString(['cus-1', 0]))!;
    const second = reader.tables.get(PERIODS)!.get(keyString(['cus-1', 1]))!;
    tamper(reader, PERIODS, ['cus-1', 0], { ...second, seq: 0 });
    tamper(reader, PERIODS, ['cus-1', 1], { ...first, seq: 1 });
    expect((await auditOwnership(reader, 'cus-1', stream)).differences).toMatchObject([{ kind: 'wrong_order', periodIndex: 1, readModelIndex: 0 }]);
  });

  it('names a wrong current owner together with the open period that carries it', async () => {
    const { stream, reader } = example();
    tamper(reader, CUSTOMERS, ['cus-1'], { open_owner: 'u-mallory' });
    expect((await auditOwnership(reader, 'cus-1', stream)).differences).toMatchObject([
      { kind: 'wrong_owner', periodIndex: 2, field: 'owner', expected: 'u-bob', actual: 'u-mallory' },
      { kind: 'wrong_current_owner', periodIndex: null, field: 'currentOwner', expected: 'u-bob', actual: 'u-mallory' },
    ]);
  });

  it('names what a read model that is behind the log lacks', async () => {
    const { stream, reader } = example();
    const later = project([
      memberRegistered('u-alice'),
      memberRegistered('u-bob'),
      registered('cus-1', 'u-alice', { at: '2026-01-05T09:00:00.000Z', actor: 'u-alice' }),
      followUp('cus-1', 'u-alice', '2026-01-20T10:00:00.000Z'),
      recycled('cus-1', 'u-alice', 'no_follow_up', '2026-02-10T00:00:00.000Z'),
      claimed('cus-1', 'u-bob', '2026-02-11T08:00:00.000Z'),
      transferred('cus-1', 'u-bob', 'u-carol', 'rebalance', { at: '2026-03-01T00:00:00.000Z', actor: 'u-mgr' }),
    ]).log.filter((event) => event.stream === 'customer-cus-1');
    expect(later.slice(0, stream.length).map((event) => event.eventId)).toEqual(stream.map((event) => event.eventId));
    expect((await auditOwnership(reader, 'cus-1', later)).differences).toMatchObject([
      { kind: 'wrong_time', periodIndex: 2, field: 'to', expected: '2026-03-01T00:00:00.000Z', actual: null },
      { kind: 'wrong_reason', periodIndex: 2, field: 'end', expected: { reason: 'transferred', detail: 'rebalance', actor: 'u-mgr' }, actual: null },
      { kind: 'missing_period', periodIndex: 3, expected: { owner: 'u-carol', from: '2026-03-01T00:00:00.000Z' } },
      { kind: 'wrong_current_owner', expected: 'u-carol', actual: 'u-bob' },
    ]);
  });

  it('names a customer the read model lacks, and every period of it', async () => {
    const { stream, reader } = example();
    tamper(reader, CUSTOMERS, ['cus-1'], null);
    expect((await auditOwnership(reader, 'cus-1', stream)).differences).toMatchObject([
      { kind: 'missing_customer', periodIndex: null, expected: 'cus-1', actual: null },
      { kind: 'missing_period', periodIndex: 0 },
      { kind: 'missing_period', periodIndex: 1 },
      { kind: 'missing_period', periodIndex: 2 },
    ]);
  });

  it('is consistent for a customer neither side knows, and names one only the read model knows', async () => {
    const { reader } = example();
    expect(await auditOwnership(reader, 'cus-404', [])).toMatchObject({ customerId: 'cus-404', facts: [], differences: [], consistent: true });
    expect(compareOwnership([], await ownershipHistory(reader, 'cus-1')).differences).toMatchObject([
      { kind: 'unexpected_customer', actual: 'cus-1' },
      { kind: 'extra_period', periodIndex: 0 },
      { kind: 'extra_period', periodIndex: 1 },
      { kind: 'extra_period', periodIndex: 2 },
    ]);
  });

  it('checks the merge ending and the survivor', async () => {
    const { log, reader } = project([
      registered('cus-5', 'u-alice', { at: '2026-01-05T09:00:00.000Z', actor: 'u-alice' }),
      merged('cus-5', 'cus-1', 'u-alice', { at: '2026-03-01T00:00:00.000Z', actor: 'u-mgr' }),
    ]);
    const audit = await auditOwnership(reader, 'cus-5', log);
    expect(audit).toMatchObject({ consistent: true, facts: [{ reason: 'registered' }, { reason: 'merged', detail: 'cus-1', from: 'u-alice', to: null }] });
    tamper(reader, CUSTOMERS, ['cus-5'], { merged_into: 'cus-2' });
    expect((await auditOwnership(reader, 'cus-5', log)).differences).toMatchObject([{ kind: 'wrong_merge', field: 'mergedInto', expected: 'cus-1', actual: 'cus-2' }]);
  });
});
