/**
 * Policies inline and as a reactor (docs/guide-embedding.md).
 */
import { Crm, ManualClock, createInMemoryEventStore, type ExecutionOutcome } from '@eventcrm/runtime';

const team = [
  { command: 'RegisterMember', actor: 'system', data: { memberId: 'u-alice', name: 'Alice', role: 'rep', team: 'north' } },
  { command: 'RegisterMember', actor: 'system', data: { memberId: 'u-bob', name: 'Bob', role: 'rep', team: 'north' } },
  {
    command: 'RegisterCustomer',
    actor: 'u-alice',
    data: { customerId: 'cus-1', name: 'Acme Ltd', kind: 'company', email: 'buyer@acme.example', source: 'referral', importance: 'A' },
  },
] as const;

const summary = (outcomes: readonly ExecutionOutcome[]): string[] =>
  outcomes.flatMap((outcome) => (outcome.ok ? outcome.events.map((event) => `${event.type} ${event.stream}`) : [outcome.error.code]));

export async function main() {
  // #region inline
  const crm = new Crm({ store: createInMemoryEventStore(), clock: new ManualClock('2026-03-02T09:00:00.000Z') });
  for (const command of team) await crm.execute(command);

  const departure = await crm.execute({ command: 'DeactivateMember', actor: 'system', data: { memberId: 'u-alice', successorId: 'u-bob' } });
  // departure.triggered holds the outcomes of the handover the policy issued before execute returned:
  // [ TransferCustomer cus-1 to u-bob, reason departure ]
  const owner = await crm.ownerAsOf('cus-1', '2026-03-02T09:00:00Z');
  // { owner: 'u-bob' }
  // #endregion inline
  const inline = departure.ok ? summary(departure.triggered) : [departure.error.code];

  // #region reactor
  const writer = new Crm({ store: createInMemoryEventStore(), clock: new ManualClock('2026-03-02T09:00:00.000Z'), policies: 'none' });
  for (const command of team) await writer.execute(command);
  const quiet = await writer.execute({ command: 'DeactivateMember', actor: 'system', data: { memberId: 'u-alice', successorId: 'u-bob' } });
  // quiet.triggered is []: nothing reacted yet

  const reacted = await writer.reactor.catchUp();
  // the same TransferCustomer, issued by the reactor from the log
  const again = await writer.reactor.catchUp();
  // []: the reactor's checkpoint moved on, and policy command ids are derived from the trigger
  // #endregion reactor

  await crm.close();
  await writer.close();
  return { inline, owner, quietTriggered: quiet.ok ? quiet.triggered.length : -1, reacted: summary(reacted), again: again.length };
}
