/**
 * Test helpers for the PostgreSQL store (the `./testing` subpath): the
 * contract-suite harness and the shared "is there a server?" gate. Not for
 * production code.
 */
import { randomBytes } from 'node:crypto';
import { StoreError } from '@eventcrm/runtime';
import type { EventStore, JsonObject, StoreHarness } from '@eventcrm/runtime';
import pg from 'pg';
import { serverLabel } from './errors.ts';
import { createPostgresEventStore } from './postgresEventStore.ts';
import type { PostgresEventStore, PostgresEventStoreOptions } from './postgresEventStore.ts';
import { schemaNames } from './schemaNames.ts';

/** The server integration tests use: `EVENTCRM_PG_URL`, or the local default. */
export const postgresTestUrl = (): string => process.env.EVENTCRM_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Decides whether integration suites run. Reachable: `true`. Unreachable:
 * under `CI=true` it throws (a CI run without its database must fail, not
 * pass vacuously); locally it warns loudly and returns `false` so the caller
 * can skip its suites.
 */
export async function postgresAvailableForTests(url: string = postgresTestUrl()): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    // The label, not the URL: a URL may carry a password.
    const message = `${serverLabel({ connectionString: url }).text} is unreachable (${error instanceof Error ? error.message : String(error)})`;
    if (process.env.CI === 'true') throw new Error(`${message}: integration tests cannot run under CI=true`, { cause: error });
    console.warn(`\n!!!!!!!!!!\n!!! ${message}.\n!!! SKIPPING the PostgreSQL integration tests. Set EVENTCRM_PG_URL or start PostgreSQL to run them.\n!!!!!!!!!!\n`);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh random schema name, so parallel runs and tests never collide. */
export const randomSchemaName = (prefix = 'eventcrm_test'): string => `${prefix}_${randomBytes(6).toString('hex')}`;

/** Drops schemas (and everything in them); used by harnesses and tests that made their own. */
export async function dropSchemas(connectionString: string, schemas: readonly string[]): Promise<void> {
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString });
  client.on('error', () => undefined);
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

/** The harness plus what Postgres-specific tests want from it. */
export interface PostgresStoreHarness extends StoreHarness {
  /** Like `create`, typed as the PostgreSQL store, with extra store options (e.g. hooks). */
  createPostgres(options?: Omit<PostgresEventStoreOptions, 'pool' | 'schema' | 'connectionString'>): Promise<PostgresEventStore>;
  /** The pool all stores of this harness share. */
  readonly pool: pg.Pool;
  dispose(): Promise<void>;
}

const asPostgres = (store: EventStore): PostgresEventStore => {
  if (store.kind !== 'postgres' || !('pool' in store)) throw new TypeError('the PostgreSQL harness can only tamper with PostgreSQL stores');
  return store as PostgresEventStore;
};

/**
 * The `StoreHarness` for the shared contract suite: every `create` makes a
 * store in a fresh random schema (migrated before it is returned), all on
 * one shared pool so that a suite creating hundreds of stores does not run
 * the server out of connections; `dispose` closes them and drops every
 * schema. Tampering goes straight to the rows with SQL.
 */
export function createPostgresHarness(options: { readonly connectionString?: string; readonly schemaPrefix?: string } = {}): PostgresStoreHarness {
  const connectionString = options.connectionString ?? postgresTestUrl();
  const pool = new pg.Pool({ connectionString, max: 8, idleTimeoutMillis: 2000 });
  pool.on('error', () => undefined);
  const schemas: string[] = [];
  const stores: PostgresEventStore[] = [];

  const createPostgres = async (storeOptions: Omit<PostgresEventStoreOptions, 'pool' | 'schema' | 'connectionString'> = {}): Promise<PostgresEventStore> => {
    const schema = randomSchemaName(options.schemaPrefix);
    schemas.push(schema);
    const store = createPostgresEventStore({ ...storeOptions, pool, schema });
    stores.push(store);
    await store.migrate();
    return store;
  };

  const exec = async (store: EventStore, text: string, values: readonly unknown[], what: string): Promise<void> => {
    const postgres = asPostgres(store);
    const names = schemaNames(postgres.schema);
    const result = await postgres.pool.query(text.replaceAll('$events', names.events), values as unknown[]);
    if (result.rowCount === 0) throw new StoreError('STORE_CORRUPTED', `tamper ${what}: no such event`);
  };

  return {
    pool,
    createPostgres,
    create: () => createPostgres(),
    dispose: async () => {
      await Promise.all(stores.map((store) => store.close()));
      await pool.end();
      await dropSchemas(connectionString, schemas);
    },
    tamper: {
      replaceData: (store, stream, revision, data: JsonObject) =>
        exec(store, 'UPDATE $events SET data = $3::jsonb WHERE stream = $1 AND revision = $2', [stream, revision, JSON.stringify(data)], 'replaceData'),
      deleteEvent: (store, stream, revision) => exec(store, 'DELETE FROM $events WHERE stream = $1 AND revision = $2', [stream, revision], 'deleteEvent'),
      swapEvents: (store, stream, revisionA, revisionB) =>
        exec(
          store,
          `UPDATE $events AS target
              SET event_id = source.event_id, type = source.type, schema_version = source.schema_version,
                  data = source.data, metadata = source.metadata, previous_hash = source.previous_hash, hash = source.hash
             FROM $events AS source
            WHERE target.stream = $1 AND source.stream = $1
              AND ((target.revision = $2 AND source.revision = $3) OR (target.revision = $3 AND source.revision = $2))`,
          [stream, revisionA, revisionB],
          'swapEvents',
        ),
    },
  };
}
