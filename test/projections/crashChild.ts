// A child process for the crash tests: catches up or rebuilds every projection
// of a store, printing its progress, until it is killed or done.
import { Crm, type EventStore, type ReadModelStore } from '@eventcrm/runtime';
import { createPostgresEventStore, createPostgresReadModelStore } from '@eventcrm/store-postgres';
import { createSqliteEventStore, createSqliteReadModelStore } from '@eventcrm/store-sqlite';

const [kind, location, schema, mode] = process.argv.slice(2) as [string, string, string, 'catchUp' | 'rebuild'];
let store: EventStore;
let readModels: ReadModelStore;
if (kind === 'sqlite') {
  const sqlite = createSqliteEventStore({ path: location });
  store = sqlite;
  readModels = createSqliteReadModelStore({ store: sqlite });
} else {
  const postgres = createPostgresEventStore({ connectionString: location, schema });
  store = postgres;
  readModels = createPostgresReadModelStore({ store: postgres });
}
// Small batches and frequent commits give the kills many places to land.
const crm = new Crm({ store, readModels, projectionBatchSize: 500, projectionCommitEvery: 1500 });
const onProgress = (progress: { eventsDone: number }) => process.stdout.write(`${progress.eventsDone}\n`);
if (mode === 'rebuild') await crm.rebuild({ onProgress });
else await crm.catchUp({ onProgress });
process.stdout.write('done\n');
await crm.close();
