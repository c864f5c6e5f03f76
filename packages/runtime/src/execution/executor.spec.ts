import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { EventCodec } from '../events/codec.ts';
import { createInMemoryEventStore } from '../store/memory.ts';
import { CommandExecutor } from './executor.ts';
import type { ExecutionOutcome } from './outcome.ts';

const start = '2026-01-05T09:00:00.000Z';

function setup(options: { policies?: 'inline' | 'none' } = {}) {
  const store = createInMemoryEventStore();
  const clock = new ManualClock(start);
  const executor = new CommandExecutor({ store, clock, ...options });
  return { store, clock, executor };
}

const okEvents = (outcome: ExecutionOutcome) => {
  if (!outcome.ok) throw new Error(`rejected: ${outcome.error.code} ${outcome.error.message}`);
  return outcome.events.map((event) => event.type);
};

const team = [
  { command: 'RegisterMember', id: 'm-1', actor: 'system', data: { memberId: 'u-admin', name: 'Ada', role: 'admin' } },
  { command: 'RegisterMember', id: 'm-2', actor: 'u-admin', data: { memberId: 'u-boss', name: 'Bo', role: 'manager', team: 'north' } },
  { command: 'RegisterMember', id: 'm-3', actor: 'u-admin', data: { memberId: 'u-alice', name: 'Alice', role: 'rep', team: 'north' } },
  { command: 'RegisterMember', id: 'm-4', actor: 'u-admin', data: { memberId: 'u-bob', name: 'Bob', role: 'rep', team: 'north' } },
];

const acme = { customerId: 'cus-1', name: 'Acme Ltd', kind: 'company', phone: '+86 10 1234 5678', source: 'referral', importance: 'A' };

describe('CommandExecutor', () => {
  it('executes commands, appending events with revisions and positions', async () => {
    const { executor } = setup();
    for (const command of team) okEvents(await executor.execute(command));
    const outcome = await executor.execute({ command: 'RegisterCustomer', id: 'c-1', actor: 'u-alice', data: acme });
    expect(outcome).toMatchObject({ ok: true, duplicate: false, events: [{ type: 'CustomerRegistered', stream: 'customer-cus-1', revision: 0 }] });
  });

  it('returns the original outcome for a known command id and appends nothing', async () => {
    const { executor, store } = setup();
    for (const command of team) await executor.execute(command);
    const first = await executor.execute({ command: 'RegisterCustomer', id: 'c-1', actor: 'u-alice', data: acme });
    const head = await store.headPosition();
    const again = await executor.execute({ command: 'RegisterCustomer', id: 'c-1', actor: 'u-bob', data: { ...acme, name: 'changed' } });
    expect(again).toMatchObject({ ok: true, duplicate: true });
    expect(again.ok && again.events).toEqual(first.ok && first.events);
    expect(await store.headPosition()).toBe(head);
  });

  it('lets a rejected command id run again', async () => {
    const { executor } = setup();
    for (const command of team) await executor.execute(command);
    const rejected = await executor.execute({ command: 'ClaimCustomer', id: 'k-1', actor: 'u-bob', data: { customerId: 'cus-1' } });
    expect(rejected).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await executor.execute({ command: 'RegisterCustomer', id: 'c-1', actor: 'system', data: acme });
    expect(okEvents(await executor.execute({ command: 'ClaimCustomer', id: 'k-1', actor: 'u-bob', data: { customerId: 'cus-1' } }))).toEqual([
      'CustomerClaimed',
    ]);
  });

  it('rejects a duplicate phone naming the first entrant', async () => {
    const { executor } = setup();
    for (const command of team) await executor.execute(command);
    await executor.execute({ command: 'RegisterCustomer', actor: 'u-alice', data: acme });
    const outcome = await executor.execute({ command: 'RegisterCustomer', actor: 'u-bob', data: { ...acme, customerId: 'cus-2', phone: '861012345678' } });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'DUPLICATE_CUSTOMER', details: { existingCustomerId: 'cus-1' } } });
  });

  it('reports malformed input as INVALID_COMMAND without throwing', async () => {
    const { executor } = setup();
    for (const input of [null, 42, 'x', [], { command: 'Nope', actor: 'system', data: {} }, JSON.parse('{"__proto__":{"x":1},"command":"ClaimCustomer","actor":"system","data":{}}')]) {
      const outcome = await executor.execute(input);
      expect(outcome).toMatchObject({ ok: false, error: { code: 'INVALID_COMMAND' } });
    }
  });

  it('runs the departure handover inline: customers to the successor, tickets unassigned', async () => {
    const { executor } = setup();
    for (const command of team) await executor.execute(command);
    okEvents(await executor.execute({ command: 'RegisterCustomer', actor: 'u-alice', data: acme }));
    okEvents(
      await executor.execute({
        command: 'OpenOpportunity',
        actor: 'u-alice',
        data: { opportunityId: 'op-1', customerId: 'cus-1', title: 'Servers', amount: { amount: '100.00', currency: 'USD' }, expectedCloseDate: '2026-03-01' },
      }),
    );
    const outcome = await executor.execute({ command: 'DeactivateMember', actor: 'u-admin', data: { memberId: 'u-alice', successorId: 'u-bob' } });
    expect(outcome.ok && outcome.triggered.map((t) => t.ok && t.events.map((e) => e.type))).toEqual([['CustomerTransferred'], ['OpportunityReassigned']]);
    expect(await executor.streamState('customer-cus-1')).toMatchObject({ owner: 'u-bob' });
    // Re-running the deactivation's policies is a no-op: the same command ids are already recorded.
  });

  it('moves a customer to stage customer when a deal is won (deal won policy)', async () => {
    const { executor } = setup();
    for (const command of team) await executor.execute(command);
    await executor.execute({ command: 'RegisterCustomer', actor: 'u-alice', data: acme });
    await executor.execute({
      command: 'OpenOpportunity',
      actor: 'u-alice',
      data: { opportunityId: 'op-1', customerId: 'cus-1', title: 'Servers', amount: { amount: '100.00', currency: 'USD' }, expectedCloseDate: '2026-03-01' },
    });
    const won = await executor.execute({ command: 'WinOpportunity', actor: 'u-alice', data: { opportunityId: 'op-1' } });
    expect(won.ok && won.triggered).toMatchObject([{ ok: true, events: [{ type: 'CustomerStageChanged' }] }]);
    expect(await executor.streamState('customer-cus-1')).toMatchObject({ stage: 'customer' });
  });

  it('stores personal data encrypted and forgets it on erasure', async () => {
    const { executor, store } = setup();
    for (const command of team) await executor.execute(command);
    await executor.execute({ command: 'RegisterCustomer', actor: 'u-alice', data: acme });
    const [stored] = await store.readStream('customer-cus-1');
    expect(JSON.stringify(stored?.data)).not.toContain('Acme');
    expect(await executor.streamState('customer-cus-1')).toMatchObject({ name: 'Acme Ltd', phone: '+861012345678' });
    okEvents(await executor.execute({ command: 'ErasePersonalData', actor: 'u-admin', data: { customerId: 'cus-1' } }));
    const fresh = new EventCodec(store);
    const decoded = await fresh.decodeAll(await store.readStream('customer-cus-1'));
    expect(decoded[0]).toMatchObject({ type: 'CustomerRegistered', data: { name: null, phone: null, owner: 'u-alice' } });
    // The phone is free again for a new customer.
    okEvents(await executor.execute({ command: 'RegisterCustomer', actor: 'u-bob', data: { ...acme, customerId: 'cus-2' } }));
  });

  it('executes a batch with the same outcomes as one by one', async () => {
    const inputs = [
      ...team,
      { command: 'RegisterCustomer', id: 'c-1', actor: 'u-alice', data: acme },
      { command: 'RegisterCustomer', id: 'c-2', actor: 'u-bob', data: { ...acme, customerId: 'cus-2' } },
      { command: 'RegisterCustomer', id: 'c-3', actor: 'u-bob', data: { ...acme, customerId: 'cus-3', phone: '5550001' } },
      { command: 'ReleaseCustomer', id: 'c-4', actor: 'u-bob', data: { customerId: 'cus-3' } },
      { command: 'ClaimCustomer', id: 'c-5', actor: 'u-alice', data: { customerId: 'cus-3' } },
      { command: 'ClaimCustomer', id: 'c-5', actor: 'u-alice', data: { customerId: 'cus-3' } },
      { command: 'DeactivateMember', id: 'c-6', actor: 'u-admin', data: { memberId: 'u-alice' } },
    ];
    const one = setup();
    const sequential: ExecutionOutcome[] = [];
    for (const input of inputs) sequential.push(await one.executor.execute(input));
    const other = setup();
    const batched = await other.executor.executeBatch(inputs, { batchSize: 3 });
    const shape = (outcomes: ExecutionOutcome[]) => JSON.stringify(outcomes, (key, value: unknown) => (key === 'eventId' || key === 'commandId' ? undefined : value));
    expect(shape(batched)).toEqual(shape(sequential));
  });
});

describe('expected revisions (optimistic concurrency for callers)', () => {
  it('executes only when the stream is still at the revision the caller saw', async () => {
    const { executor, store } = setup();
    for (const command of team) await executor.execute(command);
    await executor.execute({ command: 'RegisterCustomer', actor: 'u-alice', data: acme });
    const stale = await executor.execute({ command: 'LockCustomer', actor: 'u-alice', data: { customerId: 'cus-1' } }, { expectedRevisions: { 'customer-cus-1': 5 } });
    expect(stale).toMatchObject({ ok: false, error: { code: 'CONCURRENCY_CONFLICT', details: { stream: 'customer-cus-1', expected: 5, actual: 0 } } });
    expect(await store.streamRevision('customer-cus-1')).toBe(0);
    const fresh = await executor.execute({ command: 'LockCustomer', actor: 'u-alice', data: { customerId: 'cus-1' } }, { expectedRevisions: { 'customer-cus-1': 0 } });
    expect(fresh).toMatchObject({ ok: true, events: [{ type: 'CustomerLocked', revision: 1 }] });
    const absent = await executor.execute({ command: 'RegisterCustomer', actor: 'u-bob', data: { ...acme, customerId: 'cus-9', phone: '5550999' } }, { expectedRevisions: { 'customer-cus-9': 'no_stream' } });
    expect(absent).toMatchObject({ ok: true });
  });
});

describe('concurrent calls in one process', () => {
  it('decide one at a time: ten concurrent claims under a daily limit of three accept exactly three', async () => {
    const { executor } = setup();
    for (const command of team) await executor.execute(command);
    await executor.execute({ command: 'Configure', actor: 'system', data: { pool: { dailyClaimLimit: 3 } } });
    for (let index = 0; index < 10; index += 1) {
      await executor.execute({ command: 'RegisterCustomer', actor: 'system', data: { ...acme, customerId: `pool-${index}`, phone: `55500${index}0` } });
    }
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, index) => executor.execute({ command: 'ClaimCustomer', actor: 'u-bob', data: { customerId: `pool-${index}` } })),
    );
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(3);
    expect(outcomes.filter((outcome) => !outcome.ok).map((outcome) => !outcome.ok && outcome.error.code)).toEqual(Array(7).fill('DAILY_CLAIM_LIMIT_REACHED'));
  });
});

describe('a command id replayed within one batch', () => {
  it('reports the positions of the original events, not placeholders', async () => {
    const { executor } = setup();
    const outcomes = await executor.executeBatch([...team, { command: 'RegisterCustomer', id: 'same', actor: 'system', data: acme }, { command: 'RegisterCustomer', id: 'same', actor: 'system', data: acme }]);
    const [original, replay] = outcomes.slice(-2);
    expect(replay).toMatchObject({ ok: true, duplicate: true });
    expect(replay!.ok && replay!.events).toEqual(original!.ok && original!.events);
    expect(original!.ok && original!.events[0]!.position).not.toBe('0');
  });
});
