import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandExecutor, ManualClock } from '@eventcrm/runtime';
import { createSqliteEventStore } from '@eventcrm/store-sqlite';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'eventcrm-stale-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('two executors on one store (the cached stream states of each go stale)', () => {
  it('decide on the latest state: a stale cache never turns into a wrong rejection or a wrong acceptance', async () => {
    const path = join(dir, 'stale.db');
    const clock = new ManualClock('2026-06-01T00:00:00.000Z');
    const a = new CommandExecutor({ store: createSqliteEventStore({ path }), clock });
    const b = new CommandExecutor({ store: createSqliteEventStore({ path }), clock });
    const ok = async (executor: CommandExecutor, input: object) => {
      const outcome = await executor.execute(input);
      expect(outcome, JSON.stringify(input)).toMatchObject({ ok: true });
    };
    for (const memberId of ['r-1', 'r-2']) await ok(a, { command: 'RegisterMember', actor: 'system', data: { memberId, name: memberId, role: 'rep', team: 'north' } });
    await ok(a, { command: 'RegisterCustomer', actor: 'r-1', data: { customerId: 'c-1', name: 'Acme', kind: 'company', email: 'a@x.io', source: 'web', importance: 'A' } });
    // A caches c-1 as owned by r-1. B releases it to the pool.
    expect(await a.streamState('customer-c-1')).toMatchObject({ owner: 'r-1' });
    await ok(b, { command: 'ReleaseCustomer', actor: 'r-1', data: { customerId: 'c-1' } });
    // A's cached state says owned: a claim must not be rejected for that, it is in the pool now.
    await ok(a, { command: 'ClaimCustomer', actor: 'r-2', data: { customerId: 'c-1' } });
    // B still caches c-1 in the pool; r-1 claiming through B must see that r-2 owns it.
    const claim = await b.execute({ command: 'ClaimCustomer', actor: 'r-1', data: { customerId: 'c-1' } });
    expect(claim).toMatchObject({ ok: false, error: { code: 'CUSTOMER_NOT_IN_POOL' } });
    // A stale written stream is caught by the append's expected revision and decided again.
    await ok(b, { command: 'LockCustomer', actor: 'r-2', data: { customerId: 'c-1' } });
    const release = await a.execute({ command: 'ReleaseCustomer', actor: 'r-2', data: { customerId: 'c-1' } });
    expect(release).toMatchObject({ ok: true, events: [{ type: 'CustomerReleased', revision: 4 }] });
    await a.store.close();
    await b.store.close();
  });
});
