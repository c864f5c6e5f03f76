import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInMemoryEventStore, createInMemoryReadModelStore, Crm, type Clock } from '@eventcrm/runtime';
import type { PostgresEventStore } from '@eventcrm/store-postgres';
import type { SqliteEventStore } from '@eventcrm/store-sqlite';
import type { ChildStore } from './childRun.ts';
import type { BenchStoreKind } from './options.ts';
import type { Stopwatch } from './measure.ts';
import { ServerCpu, withApplicationName } from './serverCpu.ts';
import { quoteIdentifier } from './sql.ts';

/**
 * One store under benchmark, on a fresh database: an SQLite file in a temp
 * directory or a PostgreSQL schema with a random name (dropped at the end),
 * plus the plain, library-free ceilings for that database.
 */
export interface BenchTarget {
  readonly kind: BenchStoreKind;
  /** Opens a `Crm` on the store with its read models, on a connection of its own. */
  openCrm(clock: Clock): Promise<Crm>;
  /** How a child process reaches the store; `undefined` for the in-memory store, which lives in this process only. */
  readonly childStore: ChildStore | undefined;
  /**
   * The append ceiling: the rows at positions up to `head`, read back from
   * the store, inserted into a fresh identical events table by a plain loop
   * of prepared INSERTs, `rowsPerTransaction` rows per transaction. Only the
   * inserts are timed (on `stopwatch`); returns the rows inserted.
   */
  rawAppend(head: string, rowsPerTransaction: number, stopwatch: Stopwatch): Promise<number>;
  /**
   * The ceiling of one-at-a-time commands: `count` single-row INSERTs of the
   * same rows, each its own transaction (its own commit, so its own WAL
   * flush where the store's durability setting asks for one), into a fresh
   * identical events table. Only the transactions are timed; returns them.
   */
  rawCommits(head: string, count: number, stopwatch: Stopwatch): Promise<number>;
  /**
   * CPU seconds the database server spent for this store's connections since
   * the previous call (PostgreSQL on this machine); `null` where all the work
   * is in this process (SQLite, memory) or the server's cannot be read.
   */
  sampleServerCpu(): Promise<number | null>;
  /** Reads every event row once, untimed, so that the raw read and the rebuild both start from a warm OS (and server) cache. */
  warmUp(): Promise<void>;
  /** Drops the database. */
  dispose(): Promise<void>;
}

/** Opens a fresh benchmark database for a store kind. */
export async function openTarget(kind: BenchStoreKind, postgresUrl: string): Promise<BenchTarget> {
  switch (kind) {
    case 'sqlite':
      return sqliteTarget();
    case 'postgres':
      return postgresTarget(postgresUrl);
    case 'memory':
      return memoryTarget();
  }
}

const eventColumns = 'stream, revision, event_id, type, schema_version, data, metadata, previous_hash, hash';

async function sqliteTarget(): Promise<BenchTarget> {
  const { createSqliteEventStore, createSqliteReadModelStore } = await import('@eventcrm/store-sqlite');
  const directory = mkdtempSync(join(tmpdir(), 'eventcrm-bench-'));
  const path = join(directory, 'events.db');
  // Creates the file and its schema before anyone times anything.
  await createSqliteEventStore({ path }).close();
  return {
    kind: 'sqlite',
    childStore: { kind: 'sqlite', path },
    sampleServerCpu: () => Promise.resolve(null),
    openCrm(clock) {
      const store = createSqliteEventStore({ path });
      return Promise.resolve(new Crm({ store, readModels: createSqliteReadModelStore({ store }), clock }));
    },
    rawAppend(head, rowsPerTransaction, stopwatch) {
      const source = createSqliteEventStore({ path, readonly: true });
      // The same migration as the library's file: an identical events table, indexes and pragmas (WAL, synchronous NORMAL, 64 MiB cache).
      const target: SqliteEventStore = createSqliteEventStore({ path: join(directory, 'raw-append.db') });
      try {
        const page = source.database
          .prepare<[number, number, number], unknown[]>(`SELECT position, ${eventColumns} FROM events WHERE position > ? AND position <= ? ORDER BY position LIMIT ?`)
          .raw();
        // Positions are left to AUTOINCREMENT, as the library's appends do.
        const insert = target.database.prepare(`INSERT INTO events (${eventColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
        const insertAll = target.database.transaction((rows: readonly unknown[][]) => {
          for (const row of rows) insert.run(row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9]);
        });
        let after = 0;
        let inserted = 0;
        for (;;) {
          const rows = page.all(after, Number(head), rowsPerTransaction);
          if (rows.length === 0) break;
          stopwatch.start();
          insertAll.immediate(rows);
          stopwatch.stop();
          inserted += rows.length;
          after = rows[rows.length - 1]![0] as number;
        }
        return Promise.resolve(inserted);
      } finally {
        void source.close();
        void target.close();
      }
    },
    rawCommits(head, count, stopwatch) {
      const source = createSqliteEventStore({ path, readonly: true });
      const target: SqliteEventStore = createSqliteEventStore({ path: join(directory, 'raw-commits.db') });
      try {
        const rows = source.database
          .prepare<[number, number], unknown[]>(`SELECT position, ${eventColumns} FROM events WHERE position <= ? ORDER BY position LIMIT ?`)
          .raw()
          .all(Number(head), count);
        const insert = target.database.prepare(`INSERT INTO events (${eventColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
        const insertOne = target.database.transaction((row: readonly unknown[]) => insert.run(row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9]));
        stopwatch.start();
        for (const row of rows) insertOne.immediate(row);
        stopwatch.stop();
        return Promise.resolve(rows.length);
      } finally {
        void source.close();
        void target.close();
      }
    },
    warmUp() {
      const store = createSqliteEventStore({ path, readonly: true });
      try {
        store.database.prepare('SELECT sum(length(data) + length(metadata) + length(hash)) FROM events').get();
      } finally {
        void store.close();
      }
      return Promise.resolve();
    },
    dispose() {
      rmSync(directory, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

/** pg's pooled client, named through the store's own types (the CLI does not depend on pg directly). */
type PostgresClient = Parameters<Parameters<PostgresEventStore['withTransaction']>[0]>[0];

async function postgresTarget(serverUrl: string): Promise<BenchTarget> {
  const { createPostgresEventStore, createPostgresReadModelStore } = await import('@eventcrm/store-postgres');
  const schema = `eventcrm_bench_${randomBytes(6).toString('hex')}`;
  const rawSchema = `${schema}_raw`;
  // Every measured connection (library and ceilings, never at the same time) carries the schema's name, so its server CPU can be told apart.
  const connectionString = withApplicationName(serverUrl, schema);
  // Holds the admin connection that creates and drops the schemas and samples the server's CPU; the library's pools are opened per Crm.
  const admin = createPostgresEventStore({ connectionString: withApplicationName(serverUrl, `${schema}_admin`), schema, maxConnections: 2 });
  await admin.migrate();
  const serverCpu = new ServerCpu(async (text, values) => (await admin.pool.query(text, [...values])).rows as Record<string, unknown>[], schema);
  const withClient = async <T>(store: PostgresEventStore, fn: (client: PostgresClient) => Promise<T>): Promise<T> => {
    const client = await store.pool.connect();
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  };
  return {
    kind: 'postgres',
    childStore: { kind: 'postgres', connectionString, schema, applicationName: schema },
    sampleServerCpu: () => serverCpu.sample(),
    openCrm(clock) {
      const store = createPostgresEventStore({ connectionString, schema });
      return Promise.resolve(new Crm({ store, readModels: createPostgresReadModelStore({ store }), clock }));
    },
    async rawAppend(head, rowsPerTransaction, stopwatch) {
      // The same migration as the library's schema: an identical events table with its primary key and unique index.
      const target = createPostgresEventStore({ connectionString, schema: rawSchema, maxConnections: 1 });
      await target.migrate();
      try {
        return await withClient(admin, (reader) =>
          withClient(target, async (writer) => {
            const columns = `position, ${eventColumns}`;
            const placeholders = (rows: number): string =>
              Array.from({ length: rows }, (_, row) => `(${Array.from({ length: 10 }, (_, column) => `$${row * 10 + column + 1}`).join(', ')})`).join(', ');
            const fullBatch = `INSERT INTO ${quoteIdentifier(rawSchema)}.events (${columns}) VALUES ${placeholders(rowsPerTransaction)}`;
            // Ordered by the bigint column, not the text alias of the same name.
            const read = `SELECT e.position::text, ${eventColumns.replace('data, metadata', 'data::text, metadata::text')}
              FROM ${quoteIdentifier(schema)}.events AS e WHERE e.position > $1::bigint AND e.position <= $2::bigint ORDER BY e.position LIMIT $3`;
            let after = '0';
            let inserted = 0;
            for (;;) {
              const page = await reader.query({ text: read, values: [after, head, rowsPerTransaction], rowMode: 'array' });
              const rows = page.rows as unknown[][];
              if (rows.length === 0) break;
              const values = rows.flat();
              stopwatch.start();
              // One multi-row INSERT per batch is its own transaction; a full batch reuses one prepared statement.
              if (rows.length === rowsPerTransaction) await writer.query({ name: 'bench_raw_insert', text: fullBatch, values });
              else await writer.query({ text: `INSERT INTO ${quoteIdentifier(rawSchema)}.events (${columns}) VALUES ${placeholders(rows.length)}`, values });
              stopwatch.stop();
              inserted += rows.length;
              after = rows[rows.length - 1]![0] as string;
            }
            return inserted;
          }),
        );
      } finally {
        await serverCpu.carry();
        await target.close();
      }
    },
    async rawCommits(head, count, stopwatch) {
      const commitSchema = `${schema}_commits`;
      const target = createPostgresEventStore({ connectionString, schema: commitSchema, maxConnections: 1 });
      await target.migrate();
      try {
        const page = await withClient(admin, (reader) =>
          reader.query({
            text: `SELECT e.position::text, ${eventColumns.replace('data, metadata', 'data::text, metadata::text')} FROM ${quoteIdentifier(schema)}.events AS e WHERE e.position <= $1::bigint ORDER BY e.position LIMIT $2`,
            values: [head, count],
            rowMode: 'array',
          }),
        );
        const rows = page.rows as unknown[][];
        const insert = `INSERT INTO ${quoteIdentifier(commitSchema)}.events (position, ${eventColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;
        await withClient(target, async (writer) => {
          stopwatch.start();
          // Autocommit: each INSERT is a transaction of its own with its own commit.
          for (const row of rows) await writer.query({ name: 'bench_raw_commit', text: insert, values: row });
          stopwatch.stop();
        });
        return rows.length;
      } finally {
        await serverCpu.carry();
        await target.close();
        await withClient(admin, (client) => client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(commitSchema)} CASCADE`));
      }
    },
    async warmUp() {
      await withClient(admin, (client) => client.query(`SELECT sum(length(data::text) + length(metadata::text) + length(hash)) FROM ${quoteIdentifier(schema)}.events`));
    },
    async dispose() {
      try {
        await withClient(admin, (client) => client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE; DROP SCHEMA IF EXISTS ${quoteIdentifier(rawSchema)} CASCADE`));
      } finally {
        await admin.close();
      }
    },
  };
}

function memoryTarget(): BenchTarget {
  const store = createInMemoryEventStore();
  const readModels = createInMemoryReadModelStore();
  return {
    kind: 'memory',
    childStore: undefined,
    sampleServerCpu: () => Promise.resolve(null),
    // One store for the process: a second Crm over it sees the same log and read models.
    openCrm: (clock) => Promise.resolve(new Crm({ store, readModels, clock })),
    rawAppend: () => Promise.resolve(0),
    rawCommits: () => Promise.resolve(0),
    warmUp: () => Promise.resolve(),
    dispose: () => store.close(),
  };
}
