import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchemas, postgresAvailableForTests, postgresTestUrl, randomSchemaName } from '../testing.ts';
import { createPostgresReadModelStore } from './postgresReadModelStore.ts';
import type { PostgresReadModelStore } from './postgresReadModelStore.ts';
import type { Row, TableSpec } from './types.ts';

/**
 * `swap` under fire: reader loops (on the swapping store and on a second
 * store with its own pool, as another process would be) scan and get while
 * generation after generation is rebuilt and swapped in, and a live
 * committer keeps writing another table and its checkpoint. Every answer
 * must be one whole generation (never a mix, never an error), generations
 * only move forward, and the catalog ends tidy.
 */
const available = await postgresAvailableForTests();

const items: TableSpec = { name: 'swap_items', columns: { id: 'text', gen: 'integer', n: 'integer' }, key: ['id'], indexes: [['gen', 'n']] };
/** The same table at a later projection version: one more column. */
const itemsV2: TableSpec = { ...items, columns: { ...items.columns, extra: 'text' } };
const other: TableSpec = { name: 'swap_other', columns: { id: 'text', count: 'integer' }, key: ['id'] };

/** Generation g has its own row count, so a mix of two generations cannot look whole. */
const rowCount = (generation: number): number => 200 + generation * 7;
const generationRows = (generation: number, spec: TableSpec): Row[] =>
  Array.from({ length: rowCount(generation) }, (_, index) => ({
    id: `item-${String(index).padStart(4, '0')}`,
    gen: generation,
    n: index,
    ...('extra' in spec.columns ? { extra: `v2-${generation}` } : {}),
  }));

const generations = 12;

describe.runIf(available)('swap is atomic for concurrent readers', () => {
  const schema = randomSchemaName('eventcrm_rm_swap');
  let store: PostgresReadModelStore;
  let second: PostgresReadModelStore;
  let secondPool: pg.Pool;

  beforeAll(async () => {
    store = createPostgresReadModelStore({ connectionString: postgresTestUrl(), schema });
    secondPool = new pg.Pool({ connectionString: postgresTestUrl(), max: 3 });
    second = createPostgresReadModelStore({ pool: secondPool, schema });
    await store.prepare('live', [items, other]);
    await store.commit('live', [{ table: items, upserts: generationRows(0, items), deletes: [] }], [{ projection: 'items', position: '0', version: 1 }]);
  });
  afterAll(async () => {
    await store.close();
    await second.close();
    await secondPool.end();
    await dropSchemas(postgresTestUrl(), [schema]);
  });

  it('readers see the old or the new generation, whole, and never an error', { timeout: 120_000 }, async () => {
    let swapping = true;
    const failures: string[] = [];
    const check = (rows: readonly Row[], seen: number[], who: string): void => {
      const generation = rows[0]?.['gen'];
      if (typeof generation !== 'number') {
        failures.push(`${who}: no rows`);
        return;
      }
      if (rows.length !== rowCount(generation) || rows.some((row) => row['gen'] !== generation)) {
        failures.push(`${who}: ${rows.length} rows, generations ${[...new Set(rows.map((row) => row['gen']))].join(',')}`);
      }
      if (seen.length > 0 && generation < seen[seen.length - 1]!) failures.push(`${who}: generation ${generation} after ${seen[seen.length - 1]}`);
      if (seen[seen.length - 1] !== generation) seen.push(generation);
    };
    const readerLoop = async (target: PostgresReadModelStore, who: string): Promise<{ reads: number; seen: number[] }> => {
      const seen: number[] = [];
      let reads = 0;
      while (swapping && failures.length < 50) {
        try {
          check(await target.reader().scan(items.name, { where: { gen: { gte: 0 } }, orderBy: [['n', 'asc']] }), seen, `${who} scan`);
          const row = await target.reader().get(items.name, ['item-0000']);
          if (row === undefined || typeof row['gen'] !== 'number' || row['gen'] < seen[seen.length - 1]!) failures.push(`${who} get: ${JSON.stringify(row)}`);
          reads += 2;
        } catch (error) {
          failures.push(`${who}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      return { reads, seen };
    };
    const committerLoop = async (): Promise<number> => {
      let commits = 0;
      while (swapping && failures.length < 50) {
        commits += 1;
        try {
          await store.commit('live', [{ table: other, upserts: [{ id: 'o', count: commits }], deletes: [] }], [{ projection: 'other', position: String(commits), version: 1 }]);
        } catch (error) {
          failures.push(`committer: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      return commits;
    };

    const loops = Promise.all([readerLoop(store, 'same store'), readerLoop(store, 'same store, second loop'), readerLoop(second, 'second store'), committerLoop()]);
    const swapper = (async () => {
      try {
        for (let generation = 1; generation <= generations; generation += 1) {
          const spec = generation > generations / 2 ? itemsV2 : items;
          await store.prepare('rebuild', [spec]);
          await store.reset('rebuild', [spec], ['items']);
          await store.commit('rebuild', [{ table: spec, upserts: generationRows(generation, spec), deletes: [] }], [{ projection: 'items', position: String(generation), version: spec === items ? 1 : 2 }]);
          await store.prepare('live', [spec]);
          await store.swap([spec], ['items']);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      } finally {
        swapping = false;
      }
    })();
    await swapper;
    const [first, secondLoop, otherStore, commits] = await loops;

    expect(failures).toEqual([]);
    // The readers really raced the swaps: they saw several generations, and the last one.
    for (const loop of [first, secondLoop, otherStore]) {
      expect(loop.reads).toBeGreaterThan(generations);
      expect(loop.seen.length).toBeGreaterThan(2);
      expect(loop.seen[loop.seen.length - 1]).toBe(generations);
    }
    expect(commits).toBeGreaterThan(generations);

    expect(await store.checkpoints('live')).toEqual([
      { projection: 'items', position: String(generations), version: 2 },
      { projection: 'other', position: String(commits), version: 1 },
    ]);
    expect(await store.checkpoints('rebuild')).toEqual([]);
    const relations = await store.pool.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname LIKE 'swap_items%' ORDER BY c.relname`,
      [schema],
    );
    // The live copy carries the live names of its key and index; no rebuild copy is left behind.
    const names = relations.rows.map((row) => row.relname);
    expect(names).toHaveLength(3);
    expect(names[0]).toBe('swap_items');
    expect(names[1]).toMatch(/^swap_items__ix_[0-9a-f]{8}$/);
    expect(names[2]).toBe('swap_items__pk');
  });

  it('a swap waiting behind a long-running reader does not stall the other readers', { timeout: 60_000 }, async () => {
    const generation = generations + 1;
    await store.prepare('rebuild', [itemsV2]);
    await store.reset('rebuild', [itemsV2], ['items']);
    await store.commit('rebuild', [{ table: itemsV2, upserts: generationRows(generation, itemsV2), deletes: [] }], [{ projection: 'items', position: String(generation), version: 2 }]);

    // A reader in a long transaction keeps its ACCESS SHARE lock on the live table for 1.5 s.
    const longReader = new pg.Client({ connectionString: postgresTestUrl() });
    await longReader.connect();
    try {
      await longReader.query('BEGIN');
      await longReader.query(`SELECT count(*) FROM ${pg.escapeIdentifier(schema)}.swap_items`);
      let swapped = false;
      const swap = store.swap([itemsV2], ['items']).then(() => {
        swapped = true;
      });
      const release = new Promise((resolve) => setTimeout(resolve, 1500)).then(() => longReader.query('COMMIT'));
      let slowest = 0;
      let readsWhileWaiting = 0;
      while (!swapped) {
        const started = performance.now();
        const rows = await second.reader().scan(items.name, { limit: 1 });
        slowest = Math.max(slowest, performance.now() - started);
        if (!swapped && rows[0]?.['gen'] === generations) readsWhileWaiting += 1;
      }
      await Promise.all([swap, release]);
      // Each read waited at most about one bounded swap attempt, never for the long reader.
      expect(slowest).toBeLessThan(1000);
      expect(readsWhileWaiting).toBeGreaterThan(2);
      expect((await second.reader().scan(items.name, { limit: 1 }))[0]?.['gen']).toBe(generation);
    } finally {
      await longReader.end();
    }
  });
});
