/**
 * Throughput of the PostgreSQL read-model store (not a test; `.test.ts`
 * keeps it out of the build and out of vitest):
 *
 *   node --conditions=@eventcrm/source --import tsx src/readModels/commitBench.test.ts [url]
 *
 * Commits of 2000-row batches (the runner's batch size) into a wide and a
 * narrow table: fresh inserts (a rebuild), updates of existing rows
 * (catch-up), with and without waiting for the flush; then a whole rebuild
 * of a 100k-event log by the projection runner, against the in-memory
 * read-model store over the same log to separate the read-model cost from
 * reading and decoding events. Each scenario runs in its own random schema.
 */
import { ProjectionRunner, createInMemoryReadModelStore } from '@eventcrm/runtime';
import { createPostgresEventStore } from '../postgresEventStore.ts';
import { dropSchemas, postgresTestUrl, randomSchemaName } from '../testing.ts';
import { createPostgresReadModelStore } from './postgresReadModelStore.ts';
import type { PostgresReadModelStore } from './postgresReadModelStore.ts';
import { appendLog, toyLog, toyProjection } from './toyProjection.test.ts';
import type { Row, TableSpec } from './types.ts';

const url = process.argv[2] ?? postgresTestUrl();
const batch = 2000;

const wide: TableSpec = {
  name: 'bench_wide',
  columns: { customer_id: 'text', owner: 'text', team: 'text', claims: 'integer', last_at: 'text', weight: 'real', vip: 'boolean', history: 'json' },
  key: ['customer_id'],
  indexes: [['owner', 'last_at'], ['team']],
};
const narrow: TableSpec = { name: 'bench_narrow', columns: { member_id: 'text', month: 'text', count: 'integer' }, key: ['member_id', 'month'] };

const wideRow = (index: number, round: number): Row => ({
  customer_id: `cus-${index}`,
  owner: `u-${(index * 7 + round) % 30}`,
  team: ['north', 'south', 'east', 'west'][index % 4]!,
  claims: round + 1,
  last_at: new Date(1.7e12 + index * 37_000 + round).toISOString(),
  weight: (index % 97) / 7,
  vip: index % 3 === 0,
  history: { owners: [`u-${index % 30}`, `u-${(index + 1) % 30}`], limit: 100, note: `n${round}` },
});
const narrowRow = (index: number, round: number): Row => ({ member_id: `u-${index % 5000}`, month: `2024-${String((Math.floor(index / 5000) % 12) + 1).padStart(2, '0')}`, count: round + index });

async function withStore<T>(options: { synchronousCommit?: boolean }, run: (store: PostgresReadModelStore) => Promise<T>): Promise<T> {
  const schema = randomSchemaName('eventcrm_bench_rm');
  const store = createPostgresReadModelStore({ connectionString: url, schema, ...options });
  try {
    return await run(store);
  } finally {
    await store.close();
    await dropSchemas(url, [schema]);
  }
}

async function commitScenario(name: string, table: TableSpec, row: (index: number, round: number) => Row, rows: number, updates: boolean, synchronousCommit: boolean): Promise<void> {
  await withStore({ synchronousCommit }, async (store) => {
    await store.prepare('live', [table]);
    if (updates) {
      for (let start = 0; start < rows; start += batch) {
        await store.commit('live', [{ table, upserts: Array.from({ length: batch }, (_, offset) => row(start + offset, 0)), deletes: [] }], []);
      }
    }
    const batches = Array.from({ length: rows / batch }, (_, index) => Array.from({ length: batch }, (_, offset) => row(index * batch + offset, 1)));
    const started = performance.now();
    for (const [index, upserts] of batches.entries()) {
      await store.commit('live', [{ table, upserts, deletes: [] }], [{ projection: 'bench', position: String(index + 1), version: 1 }]);
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`${name}: ${rows} rows in ${batches.length} commits, ${seconds.toFixed(2)} s = ${Math.round(rows / seconds)} rows/s (${((seconds * 1000) / batches.length).toFixed(1)} ms per 2000-row commit)`);
  });
}

const rows = 200_000;
for (const synchronousCommit of [false, true]) {
  const flush = synchronousCommit ? 'synchronous_commit on' : 'synchronous_commit off (default)';
  await commitScenario(`wide table (8 columns, 2 indexes), inserts, ${flush}`, wide, wideRow, rows, false, synchronousCommit);
  await commitScenario(`wide table, updates of existing rows, ${flush}`, wide, wideRow, rows, true, synchronousCommit);
  await commitScenario(`narrow table (3 columns, composite key), inserts, ${flush}`, narrow, narrowRow, rows, false, synchronousCommit);
}

// A whole rebuild by the projection runner over a PostgreSQL log.
{
  const schema = randomSchemaName('eventcrm_bench_rm');
  const events = createPostgresEventStore({ connectionString: url, schema });
  try {
    const count = 100_000;
    await appendLog(events, toyLog(count, { customers: 20_000 }), 10_000);
    const projection = toyProjection(1);
    const memory = await new ProjectionRunner({ store: events, readModels: createInMemoryReadModelStore(), projections: [projection], batchSize: batch }).rebuild();
    console.log(`runner rebuild, ${count} events, in-memory read models over the PostgreSQL log: ${Math.round(memory.eventsPerSecond)} events/s`);
    const readModels = createPostgresReadModelStore({ store: events });
    const postgres = await new ProjectionRunner({ store: events, readModels, projections: [projection], batchSize: batch }).rebuild();
    console.log(`runner rebuild, ${count} events, PostgreSQL read models: ${Math.round(postgres.eventsPerSecond)} events/s`);
    await readModels.close();
  } finally {
    await events.close();
    await dropSchemas(url, [schema]);
  }
}
