import type pg from 'pg';
import type { SchemaNames } from './schemaNames.ts';

/**
 * One versioned schema change. Versions only grow; a migration is never
 * edited after it shipped (add a new one instead), because databases out
 * there have already recorded it as applied.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: (names: SchemaNames) => string;
}

/**
 * The event store's schema, in order.
 *
 * Positions come from a sequence but are only ever drawn while holding the
 * schema's position advisory lock (see `docs/decisions/011-postgres-global-order.md`),
 * so they become visible in increasing order. `stream` uses the "C" collation:
 * the store only compares streams for equality and prefixes, and bytewise
 * comparison keeps the (stream, revision) index cheap. A command record keeps
 * only the range of positions its append drew (one append's events are
 * contiguous in the log), so recording commands costs little in bulk imports;
 * `findCommand` reads the references back from the events.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'event store tables',
    sql: (n) => `
      CREATE SEQUENCE ${n.quotedSchema}.event_positions AS bigint MINVALUE 1 START WITH 1;
      CREATE TABLE ${n.events} (
        position bigint PRIMARY KEY,
        stream text COLLATE "C" NOT NULL,
        revision integer NOT NULL CHECK (revision >= 0),
        event_id text NOT NULL,
        type text NOT NULL,
        schema_version integer NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        previous_hash text,
        hash text NOT NULL,
        CONSTRAINT events_stream_revision_key UNIQUE (stream, revision)
      );
      CREATE TABLE ${n.commands} (
        command_id text PRIMARY KEY,
        first_position bigint NOT NULL,
        last_position bigint NOT NULL
      );
      CREATE TABLE ${n.reservations} (
        key text PRIMARY KEY,
        owner text NOT NULL
      );
      CREATE TABLE ${n.encryptionKeys} (
        subject text PRIMARY KEY,
        key text,
        destroyed boolean NOT NULL DEFAULT false,
        CHECK (destroyed = (key IS NULL))
      );`,
  },
];

/** The newest schema version this code knows. */
export const latestMigrationVersion = Math.max(...migrations.map((migration) => migration.version));

const errorCode = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

/** The highest applied version, or 0 when the schema or its migrations table does not exist yet. */
async function appliedVersion(client: pg.ClientBase, names: SchemaNames): Promise<number> {
  try {
    const result = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${names.migrations}`);
    return result.rows[0]?.version ?? 0;
  } catch (error) {
    // 42P01: undefined table; 3F000: invalid schema name. Anything else is a real fault.
    if (errorCode(error) === '42P01' || errorCode(error) === '3F000') return 0;
    throw error;
  }
}

/**
 * Brings the schema up to date on one connection and returns the versions it
 * applied (empty when there was nothing to do). Several processes may call
 * this at the same moment: the work runs in one transaction under a
 * schema-specific advisory lock, so exactly one of them creates the schema
 * and the others find the versions recorded when they get the lock. DDL is
 * transactional in PostgreSQL, so a failed migration leaves nothing behind.
 */
export async function runMigrations(client: pg.ClientBase, names: SchemaNames): Promise<readonly number[]> {
  // Fast path without the lock: an up-to-date schema is the common case.
  if ((await appliedVersion(client, names)) >= latestMigrationVersion) return [];
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(${names.migrationLockKey}::bigint)`);
    // Checked first because CREATE SCHEMA needs the database-level CREATE
    // privilege even with IF NOT EXISTS, and a DBA may have made the schema for us.
    const schemaExists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [names.schema]);
    if (schemaExists.rowCount === 0) await client.query(`CREATE SCHEMA ${names.quotedSchema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${names.migrations} (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const current = await appliedVersion(client, names);
    const applied: number[] = [];
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      await client.query(migration.sql(names));
      await client.query(`INSERT INTO ${names.migrations} (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
