/**
 * A child process of the benchmark: the rebuild and the raw-read ceiling
 * each run in a process of their own, so the rebuild's peak RSS
 * (`process.resourceUsage().maxRSS`) is its own and neither side inherits
 * the other's warm caches, JIT state or heap. Started by `childRun.ts` with
 * one JSON argument (`ChildRequest`); prints one JSON line (`ChildReport`).
 */
import { Crm, ManualClock } from '@eventcrm/runtime';
import type { ChildReport, ChildRequest } from './childRun.ts';
import { ServerCpu } from './serverCpu.ts';
import { quoteIdentifier } from './sql.ts';

const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

/** Opens the benchmark's store with its read models, as an application would. */
async function openCrm(request: ChildRequest): Promise<Crm> {
  const clock = new ManualClock('2000-01-01T00:00:00.000Z');
  if (request.store.kind === 'sqlite') {
    const { createSqliteEventStore, createSqliteReadModelStore } = await import('@eventcrm/store-sqlite');
    const store = createSqliteEventStore({ path: request.store.path });
    return new Crm({ store, readModels: createSqliteReadModelStore({ store }), clock });
  }
  const { createPostgresEventStore, createPostgresReadModelStore } = await import('@eventcrm/store-postgres');
  const store = createPostgresEventStore({ connectionString: request.store.connectionString, schema: request.store.schema, autoMigrate: false });
  return new Crm({ store, readModels: createPostgresReadModelStore({ store }), clock });
}

/** Samples the CPU of this child's PostgreSQL backends through a pool of the store's (`undefined` on SQLite). */
function serverCpuOf(request: ChildRequest, store: unknown): ServerCpu | undefined {
  if (request.store.kind !== 'postgres') return undefined;
  const pool = (store as { readonly pool: { query(text: string, values: unknown[]): Promise<{ rows: Record<string, unknown>[] }> } }).pool;
  return new ServerCpu(async (text, values) => (await pool.query(text, [...values])).rows, request.store.applicationName);
}

/** A rebuild of every projection from position 0: read models persisted, checkpoints committed, swapped in. */
async function rebuild(request: ChildRequest): Promise<ChildReport> {
  const crm = await openCrm(request);
  try {
    const server = serverCpuOf(request, crm.store);
    await server?.sample();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const report = await crm.rebuild();
    const seconds = (performance.now() - started) / 1000;
    const clientCpu = cpuSeconds(cpu);
    const serverCpuSeconds = (await server?.sample()) ?? null;
    return { rows: report.events, seconds, cpuSeconds: clientCpu, serverCpuSeconds, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
  } finally {
    await crm.close();
  }
}

/**
 * The read ceiling on SQLite: one `SELECT` of every event row in position
 * order, iterated, `JSON.parse` of data and metadata. No library code past
 * opening the connection (the store's own, so the page cache and pragmas
 * are the library's).
 */
async function rawReadSqlite(path: string): Promise<ChildReport> {
  const { createSqliteEventStore } = await import('@eventcrm/store-sqlite');
  const store = createSqliteEventStore({ path, readonly: true });
  try {
    const statement = store.database.prepare<[], { data: string; metadata: string }>(
      'SELECT position, stream, revision, event_id, type, schema_version, data, metadata, previous_hash, hash FROM events ORDER BY position',
    );
    let rows = 0;
    let keep = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (const row of statement.iterate()) {
      const data = JSON.parse(row.data) as object;
      const metadata = JSON.parse(row.metadata) as object;
      // Touch the results so the parse cannot be optimised away.
      if (data === metadata) keep += 1;
      rows += 1;
    }
    const seconds = (performance.now() - started) / 1000;
    if (keep > 0) throw new Error('unreachable: two parses gave one object');
    return { rows, seconds, cpuSeconds: cpuSeconds(cpu), serverCpuSeconds: null, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
  } finally {
    await store.close();
  }
}

/**
 * The read ceiling on PostgreSQL: keyset pages of the size the projection
 * runner reads (5000) on one connection, every column as the store selects
 * it (jsonb as text), `JSON.parse` of data and metadata.
 */
async function rawReadPostgres(request: ChildRequest, connectionString: string, schema: string, pageSize: number): Promise<ChildReport> {
  const { createPostgresEventStore } = await import('@eventcrm/store-postgres');
  const store = createPostgresEventStore({ connectionString, schema, autoMigrate: false, maxConnections: 1 });
  const client = await store.pool.connect();
  const server = serverCpuOf(request, { pool: client });
  try {
    await server?.sample();
    const table = `${quoteIdentifier(schema)}.events`;
    // Ordered by the bigint column: the text alias of the same name would sort '10' before '2'.
    const sql = `SELECT e.position::text AS position, stream, revision, event_id, type, schema_version, data::text AS data, metadata::text AS metadata, previous_hash, hash
      FROM ${table} AS e WHERE e.position > $1::bigint ORDER BY e.position LIMIT $2`;
    let rows = 0;
    let keep = 0;
    let after = '0';
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (;;) {
      const page = await client.query<{ position: string; data: string; metadata: string }>({ name: 'bench_raw_read', text: sql, values: [after, pageSize] });
      for (const row of page.rows) {
        const data = JSON.parse(row.data) as object;
        const metadata = JSON.parse(row.metadata) as object;
        if (data === metadata) keep += 1;
      }
      rows += page.rows.length;
      if (page.rows.length < pageSize) break;
      after = page.rows[page.rows.length - 1]!.position;
    }
    const seconds = (performance.now() - started) / 1000;
    if (keep > 0) throw new Error('unreachable: two parses gave one object');
    const clientCpu = cpuSeconds(cpu);
    const serverCpuSeconds = (await server?.sample()) ?? null;
    return { rows, seconds, cpuSeconds: clientCpu, serverCpuSeconds, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
  } finally {
    client.release();
    await store.close();
  }
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as ChildRequest;
  let report: ChildReport;
  if (request.mode === 'rebuild') report = await rebuild(request);
  else if (request.store.kind === 'sqlite') report = await rawReadSqlite(request.store.path);
  else report = await rawReadPostgres(request, request.store.connectionString, request.store.schema, request.pageSize);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

await main();
