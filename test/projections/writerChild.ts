// A writer process for the follow-while-appending test: registers customers and
// claims and releases them for a few seconds, each command on its own.
import { CommandExecutor, ManualClock } from '@eventcrm/runtime';
import { createPostgresEventStore } from '@eventcrm/store-postgres';

const [location, schema, writer, seconds] = process.argv.slice(2) as [string, string, string, string];
const store = createPostgresEventStore({ connectionString: location, schema });
const executor = new CommandExecutor({ store, clock: new ManualClock('2026-06-01T00:00:00.000Z') });
const until = Date.now() + Number(seconds) * 1000;
let index = 0;
let accepted = 0;
while (Date.now() < until) {
  index += 1;
  const customerId = `w${writer}-${index}`;
  const at = new Date(Date.parse('2026-02-01T00:00:00.000Z') + index * 60_000).toISOString();
  const outcomes = [
    await executor.execute({ command: 'RegisterCustomer', id: `${customerId}-r`, actor: 'system', at, data: { customerId, name: customerId, kind: 'company', email: `${customerId}@x.io`, source: 'web', importance: 'B', toPool: true } }),
    await executor.execute({ command: 'ClaimCustomer', id: `${customerId}-c`, actor: `r-${writer}`, at, data: { customerId } }),
    await executor.execute({ command: 'LogFollowUp', id: `${customerId}-f`, actor: `r-${writer}`, at, data: { customerId, channel: 'call', summary: 'hi' } }),
    await executor.execute({ command: 'ReleaseCustomer', id: `${customerId}-x`, actor: `r-${writer}`, at, data: { customerId } }),
  ];
  accepted += outcomes.filter((outcome) => outcome.ok).length;
}
process.stdout.write(String(accepted));
await store.close();
