/**
 * PostgreSQL (docs/guide-embedding.md, docs/stores.md): events and read
 * models in one schema. The server comes from the environment.
 */
import { Crm } from '@eventcrm/runtime';
import { createPostgresEventStore, createPostgresReadModelStore } from '@eventcrm/store-postgres';

export async function main() {
  // #region open
  const store = createPostgresEventStore({
    connectionString: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test',
    schema: process.env['EVENTCRM_SCHEMA'] ?? 'eventcrm',
  });
  const crm = new Crm({ store, readModels: createPostgresReadModelStore({ store }) });
  // #endregion open

  const registered = await crm.execute({
    command: 'RegisterMember',
    id: 'pg-sample-member',
    actor: 'system',
    at: '2026-01-05T09:00:00Z',
    data: { memberId: 'u-alice', name: 'Alice', role: 'rep' },
  });
  const stats = await crm.ownershipStats('u-alice', '2026-01');
  await crm.close();
  return { registered, stats };
}
