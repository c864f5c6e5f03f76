/**
 * A durable CRM (docs/guide-embedding.md, docs/stores.md): events and read
 * models in one SQLite file, reopened by a second process-like instance.
 */
import { join } from 'node:path';
import { Crm } from '@eventcrm/runtime';
import { createSqliteEventStore, createSqliteReadModelStore } from '@eventcrm/store-sqlite';

export async function main(workDir: string) {
  const path = join(workDir, 'crm.db');

  // #region open
  const store = createSqliteEventStore({ path });
  const crm = new Crm({ store, readModels: createSqliteReadModelStore({ store }) });
  // #endregion open

  await crm.execute({ command: 'RegisterMember', actor: 'system', at: '2026-01-05T09:00:00Z', data: { memberId: 'u-alice', name: 'Alice', role: 'rep' } });
  await crm.execute({
    command: 'RegisterCustomer',
    actor: 'u-alice',
    at: '2026-01-05T09:30:00Z',
    data: { customerId: 'cus-1', name: 'Acme Ltd', kind: 'company', phone: '+86 10 1234 5678', source: 'referral', importance: 'A' },
  });
  const first = await crm.catchUp();
  await crm.close();

  // #region reopen
  const reopenedStore = createSqliteEventStore({ path });
  const reopened = new Crm({ store: reopenedStore, readModels: createSqliteReadModelStore({ store: reopenedStore }) });
  const owner = await reopened.ownerAsOf('cus-1', '2026-01-06T00:00:00Z');
  // { customerId: 'cus-1', asOf: '2026-01-06T00:00:00.000Z', owner: 'u-alice' }: the read models were kept in the file
  await reopened.close();
  // #endregion reopen

  return { first, owner };
}
