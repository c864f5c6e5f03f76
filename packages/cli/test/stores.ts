/**
 * The stores the end-to-end specs run the CLI against: a SQLite file in a
 * temporary directory, and PostgreSQL in a fresh random schema (a random
 * `--tenant`) that is dropped afterwards. Each target also opens its
 * database directly through the adapter's public API, so specs can tamper
 * with rows behind the CLI's back with raw SQL, as an attacker or a broken
 * migration would.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createPostgresEventStore } from '@eventcrm/store-postgres';
import { dropSchemas, postgresAvailableForTests, postgresTestUrl } from '@eventcrm/store-postgres/testing';
import { createSqliteEventStore } from '@eventcrm/store-sqlite';

/** Whether PostgreSQL specs run: a warning and `false` locally without a server, a failure under `CI=true` (see postgresAvailableForTests). */
export const postgresAvailable: boolean = await postgresAvailableForTests();

/** One store the CLI is pointed at. */
export interface StoreTarget {
  readonly name: 'sqlite' | 'postgres';
  /** The global options selecting it: `--store URL` (and `--tenant ID`). */
  readonly args: readonly string[];
  /** Runs one SQL statement straight on the database (tables unqualified: SQLite file / the tenant's schema); resolves to the rows changed. */
  sql(statement: string, parameters?: readonly unknown[]): Promise<number>;
  /** Overwrites one event's stored data with raw SQL: `set` gets the data and returns what to store instead. */
  tamperEventData(stream: string, revision: number, set: (data: Record<string, unknown>) => Record<string, unknown>): Promise<void>;
  /** Closes connections and removes the data (file or schema). */
  dispose(): Promise<void>;
}

/** A SQLite file `name` in `directory`. */
export function sqliteTarget(directory: string, name = 'crm.db'): StoreTarget {
  const path = join(directory, name);
  const open = () => createSqliteEventStore({ path });
  return {
    name: 'sqlite',
    args: ['--store', `sqlite:${path}`],
    async sql(statement, parameters = []) {
      const store = open();
      try {
        return store.database.prepare(statement).run(...parameters).changes;
      } finally {
        await store.close();
      }
    },
    async tamperEventData(stream, revision, set) {
      const store = open();
      try {
        const row = store.database.prepare('SELECT data FROM events WHERE stream = ? AND revision = ?').get(stream, revision) as { data: string } | undefined;
        if (row === undefined) throw new Error(`no event ${stream}@${revision} to tamper with`);
        store.database.prepare('UPDATE events SET data = ? WHERE stream = ? AND revision = ?').run(JSON.stringify(set(JSON.parse(row.data) as Record<string, unknown>)), stream, revision);
      } finally {
        await store.close();
      }
    },
    dispose: () => Promise.resolve(),
  };
}

/** A fresh tenant (schema `eventcrm_<tenant>`) on the test server. */
export function postgresTarget(): StoreTarget {
  const tenant = `clie2e_${randomBytes(5).toString('hex')}`;
  const schema = `eventcrm_${tenant}`;
  const url = postgresTestUrl();
  const open = () => createPostgresEventStore({ connectionString: url, schema });
  const qualify = (statement: string) => statement.replace(/\b(UPDATE|FROM|INTO|JOIN)\s+([a-z_]+)\b/gi, (_, keyword: string, table: string) => `${keyword} "${schema}"."${table}"`);
  return {
    name: 'postgres',
    args: ['--store', url, '--tenant', tenant],
    async sql(statement, parameters = []) {
      const store = open();
      try {
        const result = await store.pool.query(qualify(statement), [...parameters]);
        return result.rowCount ?? 0;
      } finally {
        await store.close();
      }
    },
    async tamperEventData(stream, revision, set) {
      const store = open();
      try {
        const result = await store.pool.query<{ data: Record<string, unknown> }>(qualify('SELECT data FROM events WHERE stream = $1 AND revision = $2'), [stream, revision]);
        const row = result.rows[0];
        if (row === undefined) throw new Error(`no event ${stream}@${revision} to tamper with`);
        await store.pool.query(qualify('UPDATE events SET data = $3::jsonb WHERE stream = $1 AND revision = $2'), [stream, revision, JSON.stringify(set(row.data))]);
      } finally {
        await store.close();
      }
    },
    dispose: () => dropSchemas(url, [schema]),
  };
}

/** The targets to run a suite over: SQLite always, PostgreSQL when a server is there. */
export function storeTargets(directory: string): StoreTarget[] {
  return [sqliteTarget(directory), ...(postgresAvailable ? [postgresTarget()] : [])];
}

/** Names for `describe.each`, decided before any directory exists. */
export const storeNames: readonly StoreTarget['name'][] = ['sqlite', ...(postgresAvailable ? (['postgres'] as const) : [])];
