import { Crm, ManualClock, type ExecutionOutcome } from '@eventcrm/runtime';
import { createSqliteEventStore, createSqliteReadModelStore } from '@eventcrm/store-sqlite';

/**
 * A small history with every kind of hand-off an auditor meets, written to a
 * SQLite file (events and read models side by side, as the CLI keeps them):
 *
 * | when (UTC)             | what                                                   | cus-1 owner |
 * |------------------------|--------------------------------------------------------|-------------|
 * | 2026-01-05 09:00       | u-alice registers cus-1 (owner: herself)                | u-alice     |
 * | 2026-02-10 00:00       | the pool sweep recycles it (no follow-up for 35 days)   | the pool    |
 * | 2026-02-11 08:00       | u-bob claims it from the pool                           | u-bob       |
 * | 2026-03-02 10:00       | u-bob logs a follow-up (not an ownership change)        | u-bob       |
 * | 2026-03-20 17:30       | u-carol deactivates u-bob, successor u-dave: the        | u-dave      |
 * |                        | departure handover transfers cus-1 (actor `system`)     |             |
 *
 * cus-2 (u-dave's, followed up in time) is never recycled; it gives the
 * log a second customer stream.
 */
export const sampleTimeline = {
  membersRegistered: '2026-01-02T09:00:00.000Z',
  registered: '2026-01-05T09:00:00.000Z',
  recycled: '2026-02-10T00:00:00.000Z',
  claimed: '2026-02-11T08:00:00.000Z',
  followedUp: '2026-03-02T10:00:00.000Z',
  departed: '2026-03-20T17:30:00.000Z',
} as const;

/** The command ids of the sample's hand-offs, so an auditor can find them in the output. */
export const sampleCommandIds = {
  register: 'cmd-register-cus-1',
  claim: 'cmd-claim-cus-1',
  deactivate: 'cmd-deactivate-u-bob',
} as const;

function accepted(outcome: ExecutionOutcome, what: string): ExecutionOutcome {
  if (!outcome.ok) throw new Error(`sample history: ${what} was rejected: ${outcome.error.code}: ${outcome.error.message}`);
  return outcome;
}

/**
 * Writes the sample history into a new SQLite file at `path`, builds the
 * read models, and closes it. Every command must be accepted; the sweep
 * must recycle exactly cus-1.
 */
export async function writeSampleHistory(path: string): Promise<void> {
  const clock = new ManualClock(sampleTimeline.membersRegistered);
  const store = createSqliteEventStore({ path });
  const crm = new Crm({ store, readModels: createSqliteReadModelStore({ store }), clock });
  try {
    const run = async (input: { readonly command: string; readonly actor: string; readonly id?: string; readonly data: object }) => accepted(await crm.execute(input), input.command);
    for (const [memberId, name, role] of [
      ['u-alice', 'Alice', 'rep'],
      ['u-bob', 'Bob', 'rep'],
      ['u-dave', 'Dave', 'rep'],
      ['u-carol', 'Carol', 'admin'],
    ] as const) {
      await run({ command: 'RegisterMember', actor: 'system', data: { memberId, name, role, team: 'north' } });
    }
    clock.set(sampleTimeline.registered);
    await run({
      command: 'RegisterCustomer',
      id: sampleCommandIds.register,
      actor: 'u-alice',
      data: { customerId: 'cus-1', name: 'Acme Ltd', kind: 'company', phone: '+86 10 1234 5678', source: 'referral', importance: 'A' },
    });
    clock.set('2026-01-05T09:30:00.000Z');
    await run({ command: 'RegisterCustomer', actor: 'u-dave', data: { customerId: 'cus-2', name: 'Globex', kind: 'company', email: 'info@globex.example', source: 'web', importance: 'B' } });
    clock.set('2026-02-01T10:00:00.000Z');
    await run({ command: 'LogFollowUp', actor: 'u-dave', data: { customerId: 'cus-2', channel: 'visit', summary: 'Site visit' } });

    clock.set(sampleTimeline.recycled);
    const sweep = await crm.sweepPool(sampleTimeline.recycled);
    if (!sweep.ok || sweep.report.recycles.map((recycle) => recycle.customerId).join() !== 'cus-1') throw new Error(`sample history: the sweep should recycle cus-1 only: ${JSON.stringify(sweep)}`);

    clock.set(sampleTimeline.claimed);
    await run({ command: 'ClaimCustomer', id: sampleCommandIds.claim, actor: 'u-bob', data: { customerId: 'cus-1' } });
    clock.set(sampleTimeline.followedUp);
    await run({ command: 'LogFollowUp', actor: 'u-bob', data: { customerId: 'cus-1', channel: 'call', summary: 'Quarterly review' } });
    clock.set(sampleTimeline.departed);
    const departure = await run({ command: 'DeactivateMember', id: sampleCommandIds.deactivate, actor: 'u-carol', data: { memberId: 'u-bob', successorId: 'u-dave' } });
    if (!departure.ok || departure.triggered.length !== 1) throw new Error('sample history: the departure handover should transfer cus-1');
    await crm.catchUp();
  } finally {
    await crm.close();
  }
}
