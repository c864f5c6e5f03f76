/**
 * Quick start (docs/getting-started.md): an in-memory CRM, the first
 * commands, a rejection, a change of owner, and the first queries.
 */
import { Crm, ManualClock, createInMemoryEventStore } from '@eventcrm/runtime';

export async function main() {
  // #region open
  const clock = new ManualClock('2026-01-05T09:00:00.000Z');
  const crm = new Crm({ store: createInMemoryEventStore(), clock });
  // #endregion open

  // #region team
  await crm.execute({ command: 'RegisterMember', actor: 'system', data: { memberId: 'u-alice', name: 'Alice', role: 'rep', team: 'north' } });
  await crm.execute({ command: 'RegisterMember', actor: 'system', data: { memberId: 'u-bob', name: 'Bob', role: 'rep', team: 'north' } });
  // #endregion team

  // #region register
  const registered = await crm.execute({
    command: 'RegisterCustomer',
    id: 'cmd-0001',
    actor: 'u-alice',
    data: { customerId: 'cus-1', name: 'Acme Ltd', kind: 'company', phone: '+86 10 1234 5678', source: 'referral', importance: 'A' },
  });
  if (registered.ok) {
    console.log(registered.events.map((event) => `${event.type} ${event.stream}@${event.revision}`));
    // [ 'CustomerRegistered customer-cus-1@0' ]
  }
  // #endregion register

  // #region duplicate
  const duplicate = await crm.execute({
    command: 'RegisterCustomer',
    actor: 'u-bob',
    data: { customerId: 'cus-2', name: 'ACME Limited', kind: 'company', phone: '+86 (10) 1234-5678', source: 'web', importance: 'B' },
  });
  if (!duplicate.ok) {
    console.log(duplicate.error.code, duplicate.error.details);
    // DUPLICATE_CUSTOMER { existingCustomerId: 'cus-1', field: 'phone' }
  }
  // #endregion duplicate

  // #region handover
  clock.set('2026-02-10T00:00:00.000Z');
  await crm.execute({ command: 'ReleaseCustomer', actor: 'u-alice', data: { customerId: 'cus-1', note: 'no budget this year' } });
  clock.set('2026-02-11T08:00:00.000Z');
  await crm.execute({ command: 'ClaimCustomer', actor: 'u-bob', data: { customerId: 'cus-1' } });
  // #endregion handover

  // #region queries
  const history = await crm.ownership('cus-1');
  const ownerInJanuary = await crm.ownerAsOf('cus-1', '2026-01-20T00:00:00Z');
  const bobsCustomers = await crm.portfolio('u-bob', '2026-02-12T00:00:00Z');
  const funnel = await crm.lifecycle();
  // #endregion queries

  // #region replay
  const again = await crm.execute({
    command: 'RegisterCustomer',
    id: 'cmd-0001',
    actor: 'u-alice',
    data: { customerId: 'cus-1', name: 'Acme Ltd', kind: 'company', phone: '+86 10 1234 5678', source: 'referral', importance: 'A' },
  });
  // again.ok === true, again.duplicate === true: the original outcome, nothing appended
  // #endregion replay

  await crm.close();
  return { registered, duplicate, history, ownerInJanuary, bobsCustomers, funnel, again };
}
