// A child process for the cross-process race tests: waits until a shared start
// time, executes one command on the given store, prints its outcome as JSON.
import { CommandExecutor, ManualClock, type EventStore } from '@eventcrm/runtime';
import { createPostgresEventStore } from '@eventcrm/store-postgres';
import { createSqliteEventStore } from '@eventcrm/store-sqlite';

const [kind, location, schema, startAt, input] = process.argv.slice(2) as [string, string, string, string, string];
const store: EventStore = kind === 'sqlite' ? createSqliteEventStore({ path: location }) : createPostgresEventStore({ connectionString: location, schema });
const executor = new CommandExecutor({ store, clock: new ManualClock('2026-06-01T00:00:00.000Z') });
await executor.factIndex();
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
const outcome = await executor.execute(JSON.parse(input));
process.stdout.write(JSON.stringify(outcome));
await store.close();
