/**
 * Read-model store figures (test support, not API):
 *
 *   node --conditions=@eventcrm/source --import tsx src/readModels/testing/bench.ts [events]
 *
 * Commit throughput in 2000-row batches (inserts, then updates of the same
 * keys), fetch latency for 2000 and 200 keys, reader get/scan latency, and
 * the projection runner end to end (toy projection) over SQLite read models
 * against in-memory ones, all on one temporary file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInMemoryReadModelStore, ProjectionRunner } from '@eventcrm/runtime';
import type { ReadModelStore } from '@eventcrm/runtime';
import { createSqliteEventStore } from '../../store.ts';
import { createSqliteReadModelStore } from '../sqliteReadModelStore.ts';
import type { Row, TableSpec } from '../types.ts';
import { appendToyLog, toyLog } from './toyLog.ts';
import { toyProjection } from './toyProjection.ts';

const eventCount = Number(process.argv[2] ?? 100_000);
const directory = mkdtempSync(join(tmpdir(), 'eventcrm-read-model-bench-'));
const store = createSqliteEventStore({ path: join(directory, 'bench.sqlite') });
const readModels = createSqliteReadModelStore({ store });

const wide: TableSpec = {
  name: 'bench_wide',
  columns: { customer_id: 'text', owner: 'text', team: 'text', since: 'text', claims: 'integer', share: 'real', active: 'boolean', detail: 'json' },
  key: ['customer_id'],
  indexes: [['owner'], ['team', 'since']],
};
const pairs: TableSpec = {
  name: 'bench_pairs',
  columns: { member_id: 'text', month: 'text', holding: 'integer', claimed: 'integer', released: 'integer' },
  key: ['member_id', 'month'],
};
const days: TableSpec = { name: 'bench_days', columns: { day: 'integer', claims: 'integer', total: 'real' }, key: ['day'] };

const rowsOf: Record<string, (index: number, round: number) => Row> = {
  bench_wide: (index, round) => ({
    customer_id: `customer-${String(index).padStart(8, '0')}`,
    owner: `u-${index % 57}`,
    team: ['north', 'south', 'east', 'west'][index % 4]!,
    since: new Date(1_735_689_600_000 + index * 60_000).toISOString(),
    claims: round + 1,
    share: index / 7,
    active: index % 2 === 0,
    detail: { how: 'claim', by: `u-${index % 57}`, history: ['claim', 'transfer:rebalance'] },
  }),
  bench_pairs: (index, round) => ({ member_id: `u-${Math.floor(index / 12)}`, month: `2026-${String((index % 12) + 1).padStart(2, '0')}`, holding: index + round, claimed: index, released: round }),
  bench_days: (index, round) => ({ day: 20_000 + index, claims: index + round, total: index * 1.5 }),
};

const format = (value: number): string => Math.round(value).toLocaleString('en-US');

/**
 * Wall and CPU milliseconds of some work. The machine these figures come
 * from is shared, so the CPU time (this process's user + system time) is
 * the steadier measure of what the code costs; wall time adds the waits.
 */
async function measure(work: () => Promise<void>): Promise<{ readonly wall: number; readonly cpu: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - started, cpu: (used.user + used.system) / 1000 };
}

/** `n` things in `ms` as "x/s wall, y/s CPU". */
const rate = (n: number, ms: { readonly wall: number; readonly cpu: number }, unit: string): string =>
  `${format((n * 1000) / ms.wall)} ${unit}/s wall, ${format((n * 1000) / ms.cpu)} ${unit}/s CPU`;

/**
 * 2000-row commits of new rows, then of updates to them. Keys come in
 * order, or scattered over the table (each commit then dirties a page per
 * row or so, and SQLite writes every dirty page to the WAL at commit).
 */
async function commitThroughput(table: TableSpec, batches: number, order: 'sequential' | 'random' = 'sequential'): Promise<void> {
  const spec: TableSpec = order === 'sequential' ? table : { ...table, name: `${table.name}_random` };
  await readModels.prepare('live', [spec]);
  const make = rowsOf[table.name]!;
  const total = batches * 2000;
  // A fixed permutation of 0..total-1 when scattered (1_000_003 is prime and larger than any total here).
  const position = (index: number): number => (order === 'sequential' ? index : (index * 7919) % 1_000_003);
  for (const round of [0, 1]) {
    // Rows are built before the clock starts: only the commits are timed.
    const work = Array.from({ length: batches }, (_, batch) => Array.from({ length: 2000 }, (_, index) => make(position(batch * 2000 + index), round)));
    const time = await measure(async () => {
      for (const [batch, upserts] of work.entries()) {
        await readModels.commit('live', [{ table: spec, upserts, deletes: [] }], [{ projection: 'bench', position: String(batch + 1), version: 1 }]);
      }
    });
    console.log(`commit ${table.name} ${order} ${round === 0 ? 'insert' : 'update'}: ${rate(total, time, 'rows')} (${(time.cpu / batches).toFixed(2)} ms CPU per 2000-row batch)`);
  }
}

async function fetchLatency(table: TableSpec, total: number, size: number): Promise<void> {
  const make = rowsOf[table.name]!;
  const rounds = 200;
  const lists = Array.from({ length: rounds }, () =>
    Array.from({ length: size }, () => {
      const row = make(Math.floor(Math.random() * total), 0);
      return table.key.map((column) => row[column] as string | number);
    }),
  );
  let found = 0;
  const time = await measure(async () => {
    for (const keys of lists) found += (await readModels.fetch('live', table, keys)).length;
  });
  console.log(
    `fetch ${table.name} ${size} keys: ${(time.wall / rounds).toFixed(2)} ms wall, ${(time.cpu / rounds).toFixed(2)} ms CPU (${found === rounds * size ? 'all found' : `${found} found`})`,
  );
}

async function readerLatency(): Promise<void> {
  const reader = readModels.reader();
  const rounds = 2000;
  let time = await measure(async () => {
    for (let round = 0; round < rounds; round += 1) await reader.get('bench_wide', [`customer-${String(round * 7).padStart(8, '0')}`]);
  });
  console.log(`reader get: ${((time.wall * 1000) / rounds).toFixed(1)} µs wall, ${((time.cpu * 1000) / rounds).toFixed(1)} µs CPU`);
  time = await measure(async () => {
    for (let round = 0; round < 200; round += 1) {
      await reader.scan('bench_wide', { where: { team: 'north', since: { gte: '2025-01-05T00:00:00.000Z' } }, orderBy: [['since', 'desc']], limit: 50 });
    }
  });
  console.log(`reader scan (index range, order, limit 50): ${(time.wall / 200).toFixed(2)} ms wall, ${(time.cpu / 200).toFixed(2)} ms CPU`);
}

/** The store with the wall time spent in each of its methods (the reader aside) added up. */
function timed(inner: ReadModelStore): { readonly store: ReadModelStore; readonly spent: Map<string, number> } {
  const spent = new Map<string, number>();
  const wrap =
    <A extends unknown[], R>(method: string, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const started = performance.now();
      try {
        return await call(...args);
      } finally {
        spent.set(method, (spent.get(method) ?? 0) + performance.now() - started);
      }
    };
  const store: ReadModelStore = {
    kind: inner.kind,
    prepare: wrap('prepare', (namespace, tables) => inner.prepare(namespace, tables)),
    reset: wrap('reset', (namespace, tables, projections) => inner.reset(namespace, tables, projections)),
    checkpoints: wrap('checkpoints', (namespace) => inner.checkpoints(namespace)),
    fetch: wrap('fetch', (namespace, table, keys) => inner.fetch(namespace, table, keys)),
    loadAll: wrap('loadAll', (namespace, table) => inner.loadAll(namespace, table)),
    commit: wrap('commit', (namespace, changes, checkpoints) => inner.commit(namespace, changes, checkpoints)),
    swap: wrap('swap', (tables, projections) => inner.swap(tables, projections)),
    reader: () => inner.reader(),
    close: () => inner.close(),
  };
  return { store, spent };
}

async function runnerThroughput(): Promise<void> {
  const log = toyLog(eventCount, 3);
  const appended = await measure(() => appendToyLog(store, log));
  console.log(`append ${format(eventCount)} toy events: ${rate(eventCount, appended, 'events')}`);
  const projections = [toyProjection(1)];
  for (const [name, store_] of [
    ['memory', createInMemoryReadModelStore()],
    ['sqlite', readModels],
  ] as const) {
    const { store: target, spent } = timed(store_);
    const runner = new ProjectionRunner({ store, readModels: target, projections });
    const catchUp = await measure(async () => {
      await runner.catchUp();
    });
    console.log(`runner catch-up, ${name} read models: ${rate(eventCount, catchUp, 'events')}`);
    const rebuild = await measure(async () => {
      await runner.rebuild();
    });
    console.log(`runner rebuild (swap included), ${name} read models: ${rate(eventCount, rebuild, 'events')}`);
    const total = catchUp.wall + rebuild.wall;
    console.log(
      `  time inside the read-model store: ${[...spent].map(([method, ms]) => `${method} ${((ms / total) * 100).toFixed(1)}%`).join(', ')} of the wall time of both runs`,
    );
  }
}

try {
  await commitThroughput(wide, 50);
  await commitThroughput(wide, 50, 'random');
  await commitThroughput(pairs, 50);
  await commitThroughput(days, 50);
  await fetchLatency(wide, 100_000, 2000);
  await fetchLatency(wide, 100_000, 200);
  await fetchLatency(pairs, 100_000, 2000);
  await fetchLatency(days, 100_000, 2000);
  await readerLatency();
  await runnerThroughput();
} finally {
  await readModels.close();
  await store.close();
  rmSync(directory, { recursive: true, force: true });
}
