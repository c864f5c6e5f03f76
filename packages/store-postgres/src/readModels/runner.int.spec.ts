import { ProjectionRunner, createInMemoryEventStore, createInMemoryReadModelStore, isCheckpointMovedError } from '@eventcrm/runtime';
import type { EventStore, ReadModelStore } from '@eventcrm/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresHarness, postgresAvailableForTests, postgresTestUrl } from '../testing.ts';
import { createPostgresReadModelStore } from './postgresReadModelStore.ts';
import type { PostgresReadModelStore } from './postgresReadModelStore.ts';
import { appendLog, canonical, toyLog, toyProjection } from './toyProjection.test.ts';
import type { ProjectionDefinition } from './toyProjection.test.ts';
import type { ScanQuery } from './types.ts';

/**
 * The projection runner from `@eventcrm/runtime` over a PostgreSQL event
 * store and this read-model store builds exactly the rows it builds over the
 * in-memory stores: catch-up in small batches with a small cache (so rows
 * are evicted and fetched back), incremental catch-up, a rebuild, and a
 * version change that reshapes a table.
 */
const available = await postgresAvailableForTests();

/**
 * Queries whose order is total: on ties the reference answers in the order
 * rows were first inserted (a `Map`), PostgreSQL in key order, and the port
 * leaves tie order unspecified.
 */
const queries: [string, ScanQuery][] = [
  ['toy_holdings', { where: { team: 'north' }, orderBy: [['last_at', 'desc']], limit: 25 }],
  ['toy_holdings', { where: { owner: { in: ['u-1', 'u-2'] }, vip: true }, orderBy: [['claims', 'desc'], ['customer_id', 'asc']] }],
  ['toy_team_stats', { where: { month: { gte: '2024-03', lt: '2024-06' } }, orderBy: [['share', 'desc'], ['team', 'asc'], ['month', 'asc']] }],
  ['toy_members', { orderBy: [['moves', 'desc'], ['member_id', 'asc']] }],
];

describe.runIf(available)('ProjectionRunner on PostgreSQL equals the in-memory run', () => {
  const harness = createPostgresHarness();
  const stores: PostgresReadModelStore[] = [];
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await harness.dispose();
  });

  const sameRows = async (projection: ProjectionDefinition, postgres: ReadModelStore, memory: ReadModelStore): Promise<void> => {
    for (const table of projection.tables) {
      const expected = canonical(table, await memory.loadAll('live', table));
      expect(expected.length, `${table.name} is not trivially empty`).toBeGreaterThan(0);
      expect(canonical(table, await postgres.loadAll('live', table)), table.name).toEqual(expected);
    }
    for (const [table, query] of queries) {
      expect(await postgres.reader().scan(table, query), JSON.stringify(query)).toEqual(await memory.reader().scan(table, query));
    }
    expect(await postgres.checkpoints('live')).toEqual(await memory.checkpoints('live'));
  };

  it('catch-up, incremental catch-up, rebuild and a version change give the reference rows', { timeout: 120_000 }, async () => {
    const log = toyLog(6000);
    const memoryEvents: EventStore = createInMemoryEventStore();
    const postgresEvents = await harness.createPostgres();
    await appendLog(memoryEvents, log.slice(0, 4500));
    await appendLog(postgresEvents, log.slice(0, 4500));
    const memoryModels = createInMemoryReadModelStore();
    const postgresModels = createPostgresReadModelStore({ store: postgresEvents });
    stores.push(postgresModels);
    const runners = (projection: ProjectionDefinition) => ({
      memory: new ProjectionRunner({ store: memoryEvents, readModels: memoryModels, projections: [projection], batchSize: 250, commitEvery: 500, cacheCapacity: 1000 }),
      postgres: new ProjectionRunner({ store: postgresEvents, readModels: postgresModels, projections: [projection], batchSize: 250, commitEvery: 500, cacheCapacity: 1000 }),
    });

    const v1 = toyProjection(1);
    const first = runners(v1);
    const [memoryReport, postgresReport] = await Promise.all([first.memory.catchUp(), first.postgres.catchUp()]);
    expect(postgresReport.events).toBe(memoryReport.events);
    await sameRows(v1, postgresModels, memoryModels);

    // More events, then an incremental catch-up from the checkpoints.
    await appendLog(memoryEvents, log.slice(4500));
    await appendLog(postgresEvents, log.slice(4500));
    await first.memory.catchUp();
    const incremental = await first.postgres.catchUp();
    expect(incremental.events).toBe(1500);
    await sameRows(v1, postgresModels, memoryModels);

    // A rebuild into the rebuild namespace and a swap change nothing.
    await first.postgres.rebuild();
    await sameRows(v1, postgresModels, memoryModels);
    expect(await postgresModels.checkpoints('rebuild')).toEqual([]);

    // Version 2 adds a column: catch-up sees the old version, rebuilds and swaps.
    const v2 = toyProjection(2);
    const second = runners(v2);
    await second.memory.catchUp();
    await second.postgres.catchUp();
    await sameRows(v2, postgresModels, memoryModels);
    const holdings = await postgresModels.reader().scan('toy_holdings', { limit: 1 });
    expect(Object.keys(holdings[0] ?? {})).toContain('owner_team');
  });

  it('two processes catching up the same read models at once still apply every event once', { timeout: 120_000 }, async () => {
    const log = toyLog(6000, { seed: 11 });
    const memoryEvents: EventStore = createInMemoryEventStore();
    const postgresEvents = await harness.createPostgres();
    await appendLog(memoryEvents, log);
    await appendLog(postgresEvents, log);
    const projection = toyProjection(1);
    const memoryModels = createInMemoryReadModelStore();
    await new ProjectionRunner({ store: memoryEvents, readModels: memoryModels, projections: [projection] }).catchUp();

    // Two stores with their own pools, as two processes would have, starting together: both apply the
    // whole log, the first commit wins, the other finds the checkpoint moved and starts over from it.
    const moved: string[] = [];
    const counting = (readModels: ReadModelStore): ReadModelStore => ({
      ...readModels,
      commit: async (namespace, changes, checkpoints, expected) => {
        try {
          await readModels.commit(namespace, changes, checkpoints, expected);
        } catch (error) {
          if (isCheckpointMovedError(error)) moved.push(error.message);
          throw error;
        }
      },
    });
    const [first, second] = [0, 1].map(() => createPostgresReadModelStore({ connectionString: postgresTestUrl(), schema: postgresEvents.schema }));
    stores.push(first!, second!);
    const runner = (readModels: ReadModelStore) => new ProjectionRunner({ store: postgresEvents, readModels: counting(readModels), projections: [projection], batchSize: 500 });
    const reports = await Promise.all([runner(first!).catchUp(), runner(second!).catchUp()]);
    expect(moved).toHaveLength(1);
    expect(reports.map((report) => report.events).sort((a, b) => a - b)).toEqual([0, 6000]);
    await sameRows(projection, first!, memoryModels);
  });
});
