import type { Database } from 'better-sqlite3';
import { StoreError } from '@eventcrm/runtime';
import { checkpointTableName } from './layout.ts';

/**
 * The component under which the read-model store records its schema steps
 * in the event store's `schema_migrations` table (keyed by component so
 * that both histories live in one file without touching each other).
 */
export const readModelComponent = 'read-models';

/** One step of the read-model store's own schema (the read-model tables themselves are made by `prepare`). */
interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * The read-model store's migrations. Append new steps; never edit a
 * released one, because files in the field already recorded it as applied.
 */
const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'projection checkpoints',
    // Positions are kept as the port's decimal strings: exact whatever
    // their size, and nothing compares them in SQL.
    sql: `
      CREATE TABLE ${checkpointTableName} (
        namespace  TEXT    NOT NULL CHECK (namespace IN ('live', 'rebuild')),
        projection TEXT    NOT NULL,
        position   TEXT    NOT NULL,
        version    INTEGER NOT NULL,
        updated_at TEXT    NOT NULL,
        PRIMARY KEY (namespace, projection)
      ) WITHOUT ROWID;
    `,
  },
];

/** The read-model schema version this package writes and understands. */
export const readModelSchemaVersion = Math.max(...migrations.map((migration) => migration.version));

const appliedVersion = (database: Database): number => {
  const exists = database.prepare<[], number>("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").pluck().get();
  if (exists === undefined) return 0;
  return database.prepare<[string], number | null>('SELECT MAX(version) FROM schema_migrations WHERE component = ?').pluck().get(readModelComponent) ?? 0;
};

const newerSchema = (found: number): StoreError =>
  new StoreError(
    'STORE_UNAVAILABLE',
    `the read-model schema in this file is version ${found}, newer than this @eventcrm/store-sqlite understands (${readModelSchemaVersion}); upgrade the package`,
  );

/**
 * Brings the read-model store's schema up to date, as the event store does
 * its own: cheap when current (one read, no write lock); otherwise under
 * the write lock (`BEGIN IMMEDIATE`), re-reading the version under it, so
 * processes opening the file at once apply each step exactly once. The
 * event store has created `schema_migrations` by the time this runs.
 */
export function migrateReadModels(database: Database): void {
  const before = appliedVersion(database);
  if (before > readModelSchemaVersion) throw newerSchema(before);
  if (before === readModelSchemaVersion) return;
  database
    .transaction(() => {
      const applied = appliedVersion(database);
      if (applied > readModelSchemaVersion) throw newerSchema(applied);
      const record = database.prepare<[string, number, string]>(
        "INSERT INTO schema_migrations (component, version, name, applied_at) VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
      );
      for (const migration of migrations) {
        if (migration.version <= applied) continue;
        database.exec(migration.sql);
        record.run(readModelComponent, migration.version, migration.name);
      }
    })
    .immediate();
}

/** For a read-only connection, which cannot migrate: whether the checkpoint table is there at a version this package understands. */
export function checkReadonlyReadModels(database: Database): boolean {
  const version = appliedVersion(database);
  if (version > readModelSchemaVersion) throw newerSchema(version);
  return version === readModelSchemaVersion;
}
