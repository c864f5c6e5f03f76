import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { EventCodec } from '../events/codec.ts';
import { createInMemoryReadModelStore } from '../projection/memoryReadModels.ts';
import { createInMemoryEventStore, tamperForTests } from '../store/memory.ts';
import { CommandExecutor } from './executor.ts';
import { verifyLog } from './logVerification.ts';
import { PolicyReactor } from './policyReactor.ts';
import { sweepPool } from './poolSweep.ts';

const day = (n: number) => new Date(Date.parse('2026-01-01T00:00:00.000Z') + n * 86_400_000).toISOString();

async function world(policies: 'inline' | 'none' = 'inline') {
  const store = createInMemoryEventStore();
  const clock = new ManualClock(day(200));
  const executor = new CommandExecutor({ store, clock, policies });
  const run = async (input: object) => {
    const outcome = await executor.execute(input);
    if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
    return outcome;
  };
  await run({ command: 'RegisterMember', actor: 'system', at: day(0), data: { memberId: 'u-alice', name: 'Alice', role: 'rep', team: 'north' } });
  await run({ command: 'RegisterMember', actor: 'system', at: day(0), data: { memberId: 'u-bob', name: 'Bob', role: 'rep', team: 'north' } });
  for (const [index, owner] of ['u-alice', 'u-alice', 'u-bob'].entries()) {
    await run({ command: 'RegisterCustomer', actor: owner, at: day(0), data: { customerId: `cus-${index}`, name: `C${index}`, kind: 'company', email: `c${index}@x.io`, source: 'web', importance: 'B' } });
  }
  // cus-1 gets a follow-up on day 20, so it is not due for no_follow_up until day 50.
  await run({ command: 'LogFollowUp', actor: 'u-alice', at: day(20), data: { customerId: 'cus-1', channel: 'call', summary: 'hello' } });
  return { store, clock, executor, run };
}

describe('pool sweep (domain.md §6.3)', () => {
  it('recycles every customer a rule holds for, effective at the as-of time, and is idempotent', async () => {
    const { executor, clock } = await world();
    const dry = await sweepPool(executor, clock, day(30), { dryRun: true });
    expect(dry).toEqual({
      ok: true,
      report: {
        asOf: day(30),
        dryRun: true,
        recycles: [
          { customerId: 'cus-0', owner: 'u-alice', rule: 'no_follow_up', idleDays: 30 },
          { customerId: 'cus-2', owner: 'u-bob', rule: 'no_follow_up', idleDays: 30 },
        ],
        skipped: [],
      },
    });
    expect(await executor.streamState('customer-cus-0')).toMatchObject({ owner: 'u-alice' });
    const made = await sweepPool(executor, clock, day(30));
    expect(made.ok && made.report.recycles.map((r) => r.customerId)).toEqual(['cus-0', 'cus-2']);
    expect(await executor.streamState('customer-cus-0')).toMatchObject({ owner: null });
    const again = await sweepPool(executor, clock, day(30));
    expect(again.ok && again.report.recycles).toEqual([]);
  });

  it('skips customers whose stream has events after the as-of time', async () => {
    const { executor, clock } = await world();
    const report = await sweepPool(executor, clock, day(19), { dryRun: true });
    expect(report.ok && report.report.recycles).toEqual([]);
    const late = await sweepPool(executor, clock, day(60), { dryRun: true });
    expect(late.ok && late.report.recycles.map((r) => r.customerId)).toEqual(['cus-0', 'cus-1', 'cus-2']);
  });

  it('rejects an as-of time in the future or malformed', async () => {
    const { executor, clock } = await world();
    expect(await sweepPool(executor, clock, day(300))).toMatchObject({ ok: false, error: { code: 'INVALID_COMMAND' } });
    expect(await sweepPool(executor, clock, 'yesterday')).toMatchObject({ ok: false, error: { code: 'INVALID_COMMAND' } });
  });
});

describe('verifyLog', () => {
  it('reports an intact log, then names a tampered event', async () => {
    const { store } = await world();
    const intact = await verifyLog(store);
    expect(intact).toMatchObject({ intact: true, breaks: [], undecodable: [] });
    expect(intact.eventsChecked).toBe(6);
    tamperForTests(store).replaceData('customer-cus-0', 0, { customerId: 'cus-0', nonsense: true });
    const broken = await verifyLog(store);
    expect(broken.intact).toBe(false);
    expect(broken.breaks).toContainEqual(expect.objectContaining({ stream: 'customer-cus-0', revision: 0, problem: 'hash_mismatch' }));
    expect(broken.undecodable).toContainEqual(expect.objectContaining({ stream: 'customer-cus-0', revision: 0, type: 'CustomerRegistered' }));
  });
});

describe('PolicyReactor', () => {
  it('runs the departure handover for events written without inline policies, once', async () => {
    const { store, executor, run } = await world('none');
    await run({ command: 'DeactivateMember', actor: 'system', at: day(40), data: { memberId: 'u-alice', successorId: 'u-bob' } });
    expect(await executor.streamState('customer-cus-0')).toMatchObject({ owner: 'u-alice' });
    const reactor = new PolicyReactor({ store, executor, readModels: createInMemoryReadModelStore(), codec: new EventCodec(store) });
    const outcomes = await reactor.catchUp();
    expect(outcomes.map((outcome) => outcome.ok && outcome.events.map((event) => event.type))).toEqual([['CustomerTransferred'], ['CustomerTransferred']]);
    expect(await executor.streamState('customer-cus-1')).toMatchObject({ owner: 'u-bob' });
    expect(await reactor.catchUp()).toEqual([]);
  });
});
