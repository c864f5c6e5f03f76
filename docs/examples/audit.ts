/**
 * For auditors (docs/guide-auditors.md): who owned a customer and when, the
 * replay straight from the log, and what `verify` notices and what it cannot.
 */
import { join } from 'node:path';
import { Crm, ManualClock, isRejection } from '@eventcrm/runtime';
import { createSqliteEventStore, createSqliteReadModelStore } from '@eventcrm/store-sqlite';

export async function main(workDir: string) {
  const store = createSqliteEventStore({ path: join(workDir, 'audit.db') });
  const clock = new ManualClock('2026-01-05T09:00:00.000Z');
  const crm = new Crm({ store, readModels: createSqliteReadModelStore({ store }), clock });
  const at = (time: string) => clock.set(time);
  await crm.execute({ command: 'RegisterMember', actor: 'system', data: { memberId: 'u-alice', name: 'Alice', role: 'rep', team: 'north' } });
  await crm.execute({ command: 'RegisterMember', actor: 'system', data: { memberId: 'u-bob', name: 'Bob', role: 'rep', team: 'north' } });
  await crm.execute({ command: 'RegisterMember', actor: 'system', data: { memberId: 'u-carol', name: 'Carol', role: 'manager', team: 'north' } });
  await crm.execute({
    command: 'RegisterCustomer',
    actor: 'u-alice',
    data: { customerId: 'cus-1', name: 'Acme Ltd', kind: 'company', phone: '+86 10 1234 5678', source: 'referral', importance: 'A' },
  });
  await crm.execute({
    command: 'RegisterCustomer',
    actor: 'u-bob',
    data: { customerId: 'cus-2', name: 'Globex', kind: 'company', email: 'info@globex.example', source: 'web', importance: 'B' },
  });
  at('2026-02-10T00:00:00.000Z');
  await crm.execute({ command: 'ReleaseCustomer', actor: 'u-alice', data: { customerId: 'cus-1' } });
  at('2026-02-11T08:00:00.000Z');
  await crm.execute({ command: 'ClaimCustomer', actor: 'u-bob', data: { customerId: 'cus-1' } });
  at('2026-03-01T12:00:00.000Z');
  await crm.execute({ command: 'TransferCustomer', actor: 'u-carol', data: { customerId: 'cus-2', to: 'u-alice', reason: 'rebalance' } });

  // #region owner-as-of
  const history = await crm.ownership('cus-1');
  // periods: u-alice (registered → released), the pool (released → claimed), u-bob (claimed → now)
  const atTheInstant = await crm.ownerAsOf('cus-1', '2026-02-11T08:00:00Z');
  // { owner: 'u-bob' }: at the exact instant of a change, the new owner owns
  const justBefore = await crm.ownerAsOf('cus-1', '2026-02-11T07:59:59.999Z');
  // { owner: null }: the public pool
  const portfolio = await crm.portfolio('u-alice', '2026-01-31T00:00:00Z');
  // { customers: ['cus-1'] }
  // #endregion owner-as-of

  // #region replay
  const audit = await crm.audit('cus-1');
  if (isRejection(audit)) throw new Error(audit.message); // NOT_FOUND: the store holds no event of this customer
  for (const fact of audit.facts) {
    console.log(fact.revision, fact.position, fact.at, fact.reason, fact.from ?? '(pool)', '→', fact.to ?? '(pool)', fact.actor, fact.commandId);
  }
  // audit.consistent === true: the read model says exactly what the log says
  // #endregion replay

  // #region verify
  const report = await crm.verify();
  // { eventsChecked: 8, streamsChecked: 5, breaks: [], intact: true, undecodable: [] }
  // #endregion verify

  // #region tamper
  // Someone with write access to the file rewrites who claimed cus-1...
  store.database
    .prepare("UPDATE events SET data = json_set(data, '$.to', 'u-mallory') WHERE stream = 'customer-cus-1' AND type = 'CustomerClaimed'")
    .run();
  const afterEdit = await crm.verify();
  // afterEdit.breaks: [ { stream: 'customer-cus-1', revision: 2, problem: 'hash_mismatch', ... } ]

  // ...or deletes the last event of a stream: the transfer of cus-2.
  store.database.prepare("DELETE FROM events WHERE stream = 'customer-cus-2' AND type = 'CustomerTransferred'").run();
  const afterDelete = await crm.verify();
  // still only the hash_mismatch of cus-1: no later event links to the deleted one
  const witness = await crm.audit('cus-2');
  // witness.consistent === false: the read model built before the deletion still knows the transfer
  // #endregion tamper

  await crm.close();
  return { history, atTheInstant, justBefore, portfolio, audit, report, afterEdit, afterDelete, witness };
}
