/**
 * Throughput of the PostgreSQL read-model store (not a test; `.test.ts`
 * keeps it out of the build and out of vitest):
 *
 *   node --conditions=@eventcrm/source --import tsx src/readModels/commitBench.test.ts [url]
 *
 * Commits of 2000-row batches (the runner's batch size) into a wide and a
 * narrow table: fresh inserts (a rebuild), updates of existing rows
 * (catch-up), with and without waiting for the flush, and 25,000-row
 * commits; then a whole rebuild of a 100k-event log by the projection
 * runner, against the in-memory read-model store over the same log, with
 * the time spent in commits and waiting for the log. Each scenario runs in
 * its own random schema. Pass `runner` after the URL for the rebuild only.
 */
import { EventCodec, ProjectionRunner, createInMemoryReadModelStore } from '@eventcrm/runtime';
import type { EventStore, ReadModelStore } from '@eventcrm/runtime';
import pg from 'pg';
import { createPostgresEventStore } from '../postgresEventStore.ts';
import { dropSchemas, postgresTestUrl, randomSchemaName } from '../testing.ts';
import { createPostgresReadModelStore } from './postgresReadModelStore.ts';
import type { PostgresReadModelStore } from './postgresReadModelStore.ts';
import { appendLog, toyLog, toyProjection } from './toyProjection.test.ts';
import type { Row, TableSpec } from './types.ts';

const url = process.argv[2] ?? postgresTestUrl();
const pgIdentifier = (name: string): string => pg.escapeIdentifier(name);
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

async function commitScenario(name: string, table: TableSpec, row: (index: number, round: number) => Row, rows: number, updates: boolean, synchronousCommit: boolean, rowsPerCommit = batch): Promise<void> {
  await withStore({ synchronousCommit }, async (store) => {
    await store.prepare('live', [table]);
    if (updates) {
      for (let start = 0; start < rows; start += rowsPerCommit) {
        await store.commit('live', [{ table, upserts: Array.from({ length: rowsPerCommit }, (_, offset) => row(start + offset, 0)), deletes: [] }], []);
      }
    }
    const batches = Array.from({ length: rows / rowsPerCommit }, (_, index) => Array.from({ length: rowsPerCommit }, (_, offset) => row(index * rowsPerCommit + offset, 1)));
    const started = performance.now();
    for (const [index, upserts] of batches.entries()) {
      await store.commit('live', [{ table, upserts, deletes: [] }], [{ projection: 'bench', position: String(index + 1), version: 1 }]);
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`${name}: ${rows} rows in ${batches.length} commits, ${seconds.toFixed(2)} s = ${Math.round(rows / seconds)} rows/s (${((seconds * 1000) / batches.length).toFixed(1)} ms per ${rowsPerCommit}-row commit)`);
  });
}

const rows = 200_000;
const only = process.argv[3];
for (const synchronousCommit of only === 'runner' ? [] : [false, true]) {
  const flush = synchronousCommit ? 'synchronous_commit on' : 'synchronous_commit off (default)';
  await commitScenario(`wide table (8 columns, 2 indexes), inserts, ${flush}`, wide, wideRow, rows, false, synchronousCommit);
  await commitScenario(`wide table, updates of existing rows, ${flush}`, wide, wideRow, rows, true, synchronousCommit);
  await commitScenario(`narrow table (3 columns, composite key), inserts, ${flush}`, narrow, narrowRow, rows, false, synchronousCommit);
}
if (only !== 'runner') await commitScenario('wide table, inserts in 25,000-row commits (the runner commits every 25k events)', wide, wideRow, rows, false, false, 25_000);

// A whole rebuild by the projection runner over a PostgreSQL log.
{
  const schema = randomSchemaName('eventcrm_bench_rm');
  const events = createPostgresEventStore({ connectionString: url, schema });
  try {
    const count = 100_000;
    let started = performance.now();
    await appendLog(events, toyLog(count, { customers: 20_000 }), 10_000);
    started = performance.now();
    for await (const page of events.readAll({ batchSize: batch, filter: { eventTypes: toyProjection(1).eventTypes } })) void page;
    console.log(`reading the freshly loaded log with an event-type filter, before ANALYZE: ${Math.round(count / ((performance.now() - started) / 1000))} events/s`);
    // Without statistics the planner sorts the whole rest of the log for every filtered page (see the report); autovacuum would get there eventually.
    await events.pool.query(`ANALYZE ${pgIdentifier(schema)}.events`);
    const projection = toyProjection(1);
    started = performance.now();
    let read = 0;
    for await (const page of events.readAll({ batchSize: batch })) read += page.length;
    console.log(`reading the log alone: ${Math.round(read / ((performance.now() - started) / 1000))} events/s`);
    started = performance.now();
    for await (const page of events.readAll({ batchSize: batch, filter: { eventTypes: projection.eventTypes } })) void page;
    console.log(`reading the log with the runner's event-type filter: ${Math.round(read / ((performance.now() - started) / 1000))} events/s`);
    const codec = new EventCodec(events);
    started = performance.now();
    for await (const page of events.readAll({ batchSize: batch })) await codec.decodeAll(page, 'opaque');
    console.log(`reading and decoding the log: ${Math.round(read / ((performance.now() - started) / 1000))} events/s`);
    const memory = await new ProjectionRunner({ store: events, readModels: createInMemoryReadModelStore(), projections: [projection], batchSize: batch }).rebuild();
    console.log(`runner rebuild, ${count} events, in-memory read models over the PostgreSQL log: ${Math.round(memory.eventsPerSecond)} events/s`);
    const readModels = createPostgresReadModelStore({ store: events });
    let committing = 0;
    let committedRows = 0;
    const timed: ReadModelStore = {
      ...readModels,
      commit: async (namespace, changes, checkpoints) => {
        const begun = performance.now();
        await readModels.commit(namespace, changes, checkpoints);
        committing += performance.now() - begun;
        committedRows += changes.reduce((sum, change) => sum + change.upserts.length + change.deletes.length, 0);
      },
    };
    let reading = 0;
    const timedEvents: EventStore = {
      ...events,
      readAll: async function* (readOptions) {
        const pages = events.readAll(readOptions)[Symbol.asyncIterator]();
        for (;;) {
          const begun = performance.now();
          const next = await pages.next();
          reading += performance.now() - begun;
          if (next.done === true) return;
          yield next.value;
        }
      },
    };
    const postgres = await new ProjectionRunner({ store: timedEvents, readModels: timed, projections: [projection], batchSize: batch }).rebuild();
    console.log(
      `runner rebuild, ${count} events, PostgreSQL read models: ${Math.round(postgres.eventsPerSecond)} events/s; of ${postgres.seconds.toFixed(2)} s, ` +
        `${(committing / 1000).toFixed(2)} s in commit (${committedRows} rows, ${Math.round(committedRows / (committing / 1000))} rows/s), ${(reading / 1000).toFixed(2)} s waiting for the log`,
    );
    await readModels.close();
  } finally {
    await events.close();
    await dropSchemas(url, [schema]);
  }
}
