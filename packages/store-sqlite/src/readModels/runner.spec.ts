import { createInMemoryEventStore, createInMemoryReadModelStore, ProjectionRunner } from '@eventcrm/runtime';
import type { EventStore, ReadModelStore } from '@eventcrm/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../test/fixtures.ts';
import { createSqliteEventStore } from '../store.ts';
import { createSqliteReadModelStore } from './sqliteReadModelStore.ts';
import { appendToyLog, toyLog } from './testing/toyLog.ts';
import { toyProjection } from './testing/toyProjection.ts';
import type { Row } from './types.ts';

const directory = temporaryDirectory();
afterAll(() => directory.remove());

const tableNames = ['toy_holdings', 'toy_member_counts', 'toy_daily', 'toy_members'];

/** Every live row of the toy tables, in a canonical order. */
async function snapshot(readModels: ReadModelStore): Promise<Record<string, Row[]>> {
  const result: Record<string, Row[]> = {};
  for (const name of tableNames) {
    const rows = await readModels.reader().scan(name);
    result[name] = [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return result;
}

interface Pair {
  readonly events: EventStore;
  readonly readModels: ReadModelStore;
}

async function pairs(eventCount: number): Promise<{ memory: Pair; sqlite: Pair & { close(): Promise<void> } }> {
  const log = toyLog(eventCount, 7);
  const memoryEvents = createInMemoryEventStore();
  const sqliteEvents = createSqliteEventStore({ path: directory.file() });
  await appendToyLog(memoryEvents, log);
  await appendToyLog(sqliteEvents, log);
  const sqliteReadModels = createSqliteReadModelStore({ store: sqliteEvents });
  return {
    memory: { events: memoryEvents, readModels: createInMemoryReadModelStore() },
    sqlite: {
      events: sqliteEvents,
      readModels: sqliteReadModels,
      close: async () => {
        await sqliteReadModels.close();
        await sqliteEvents.close();
      },
    },
  };
}

describe('the projection runner over SQLite gives the rows it gives in memory', () => {
  it('catch-up with a small cache (evictions), then more events, then a rebuild', async () => {
    const { memory, sqlite } = await pairs(6000);
    const options = { projections: [toyProjection(1)], batchSize: 250, cacheCapacity: 1000 };
    const memoryRunner = new ProjectionRunner({ store: memory.events, readModels: memory.readModels, ...options });
    const sqliteRunner = new ProjectionRunner({ store: sqlite.events, readModels: sqlite.readModels, ...options });
    await memoryRunner.catchUp();
    await sqliteRunner.catchUp();
    const first = await snapshot(memory.readModels);
    expect(first['toy_holdings']!.length).toBeGreaterThan(100);
    expect(first['toy_member_counts']!.length).toBeGreaterThan(5);
    expect(await snapshot(sqlite.readModels)).toEqual(first);

    // More events: the catch-up resumes from the checkpoint.
    const more = toyLog(9000, 7).slice(6000);
    await appendToyLog(memory.events, more);
    await appendToyLog(sqlite.events, more);
    const memoryReport = await memoryRunner.catchUp();
    const sqliteReport = await sqliteRunner.catchUp();
    expect(sqliteReport.events).toBe(memoryReport.events);
    expect(sqliteReport.events).toBeGreaterThan(0);
    const second = await snapshot(memory.readModels);
    expect(await snapshot(sqlite.readModels)).toEqual(second);
    expect(await sqlite.readModels.checkpoints('live')).toEqual(await memory.readModels.checkpoints('live'));

    await sqliteRunner.rebuild();
    expect(await snapshot(sqlite.readModels)).toEqual(second);
    await sqlite.close();
  });

  it('a new projection version that reshapes a table is rebuilt on catch-up, in both', async () => {
    const { memory, sqlite } = await pairs(4000);
    for (const pair of [memory, sqlite]) {
      await new ProjectionRunner({ store: pair.events, readModels: pair.readModels, projections: [toyProjection(1)], batchSize: 300 }).catchUp();
      await new ProjectionRunner({ store: pair.events, readModels: pair.readModels, projections: [toyProjection(2)], batchSize: 300 }).catchUp();
    }
    const rows = await snapshot(memory.readModels);
    expect(rows['toy_holdings']!.every((row) => row['variant'] === 2 && !('active' in row))).toBe(true);
    expect(await snapshot(sqlite.readModels)).toEqual(rows);
    expect(await sqlite.readModels.checkpoints('live')).toEqual([expect.objectContaining({ projection: 'toy', version: 2 })]);
    await sqlite.close();
  });
});
