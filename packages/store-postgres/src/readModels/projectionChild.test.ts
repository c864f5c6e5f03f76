/**
 * A child process for `crash.e2e.spec.ts` (named `.test.ts` so that the
 * build leaves it out and vitest does not take it for a spec):
 *
 *   projectionChild.test.ts <url> <schema> <catchUp|rebuild>
 *
 * runs the toy projection over the schema's log with the PostgreSQL stores,
 * committing every 4000 events (two batches), printing `commit` as each
 * commit starts, `committed` once it is done and `done <events>` at the
 * end. The parent kills it with SIGKILL at random points, aimed at commits.
 */
import { ProjectionRunner } from '@eventcrm/runtime';
import type { ReadModelStore } from '@eventcrm/runtime';
import { createPostgresEventStore } from '../postgresEventStore.ts';
import { createPostgresReadModelStore } from './postgresReadModelStore.ts';
import { toyProjection } from './toyProjection.test.ts';

const [url, schema, mode] = process.argv.slice(2);
if (url === undefined || schema === undefined || (mode !== 'catchUp' && mode !== 'rebuild')) throw new Error('usage: projectionChild.test.ts <url> <schema> <catchUp|rebuild>');

const store = createPostgresEventStore({ connectionString: url, schema, maxConnections: 3 });
const postgresReadModels = createPostgresReadModelStore({ store });
const readModels: ReadModelStore = {
  ...postgresReadModels,
  commit: async (namespace, changes, checkpoints, expected) => {
    process.stdout.write('commit\n');
    await postgresReadModels.commit(namespace, changes, checkpoints, expected);
    process.stdout.write('committed\n');
  },
};
const runner = new ProjectionRunner({ store, readModels, projections: [toyProjection(1)], batchSize: 2000, commitEvery: 4000 });
const report = await runner[mode]();
process.stdout.write(`done ${report.events}\n`);
await readModels.close();
await store.close();
