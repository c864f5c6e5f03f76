import type { Database } from 'better-sqlite3';
import { StoreError } from '@eventcrm/runtime';

/**
 * One step of the store's schema. Steps are applied in `version` order, each
 * in the same write transaction as the row that records it, so a crash never
 * leaves a half-applied step behind and a step is never applied twice.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * The component name under which the event store records its schema
 * versions. The version table is keyed by component so that the read models
 * that will share the file can keep their own migration history in it.
 */
export const eventStoreComponent = 'event-store';

/**
 * The event store's migrations. Append new steps; never edit a released one,
 * because files in the field already recorded it as applied.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'events, command records, reservations, encryption keys',
    // AUTOINCREMENT (not a bare INTEGER PRIMARY KEY) so that a position is
    // never handed out twice, even after the newest row was deleted (by
    // tampering or manual repair): a reader that has seen position N must
    // never find a new event at N.
    //
    // A command record keeps only the first position and the count of its
    // events: one append's events get consecutive positions (they are
    // inserted one after another under the write lock), so the references
    // are read back from `events` rather than stored twice. That keeps the
    // record a small row, which matters when importing millions of commands.
    sql: `
      CREATE TABLE events (
        position       INTEGER PRIMARY KEY AUTOINCREMENT,
        stream         TEXT    NOT NULL,
        revision       INTEGER NOT NULL,
        event_id       TEXT    NOT NULL UNIQUE,
        type           TEXT    NOT NULL,
        schema_version INTEGER NOT NULL,
        data           TEXT    NOT NULL,
        metadata       TEXT    NOT NULL,
        previous_hash  TEXT,
        hash           TEXT    NOT NULL,
        UNIQUE (stream, revision)
      );
      CREATE TABLE command_records (
        command_id     TEXT    PRIMARY KEY,
        first_position INTEGER,
        event_count    INTEGER NOT NULL CHECK (event_count >= 0),
        CHECK ((event_count = 0) = (first_position IS NULL))
      ) WITHOUT ROWID;
      CREATE TABLE reservations (
        key   TEXT PRIMARY KEY,
        owner TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE encryption_keys (
        subject   TEXT PRIMARY KEY,
        key       TEXT,
        destroyed INTEGER NOT NULL DEFAULT 0 CHECK (destroyed IN (0, 1)),
        CHECK (destroyed = 0 OR key IS NULL)
      ) WITHOUT ROWID;
    `,
  },
];

const latestVersion = Math.max(...migrations.map((migration) => migration.version));

const versionTable = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    component  TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    applied_at TEXT    NOT NULL,
    PRIMARY KEY (component, version)
  ) WITHOUT ROWID
`;

/** The event store schema version recorded in the file; 0 when it has none yet. */
export const currentVersion = (database: Database): number => {
  const exists = database
    .prepare<[], { found: number }>("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (exists === undefined) return 0;
  const row = database
    .prepare<[string], { version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations WHERE component = ?')
    .get(eventStoreComponent);
  return row?.version ?? 0;
};

/**
 * Brings the file's schema up to date. Cheap when it already is (one read, no
 * write lock). Otherwise it takes the write lock (`BEGIN IMMEDIATE`) and
 * re-reads the version under it, so several processes opening a new file at
 * once apply each step exactly once. A file written by a newer version of
 * this package is refused rather than used with a schema we do not know.
 */
export function migrate(database: Database): void {
  const before = currentVersion(database);
  if (before > latestVersion) throw newerSchema(before);
  if (before === latestVersion) return;
  database
    .transaction(() => {
      database.exec(versionTable);
      const applied = currentVersion(database);
      if (applied > latestVersion) throw newerSchema(applied);
      const record = database.prepare<[string, number, string]>(
        "INSERT INTO schema_migrations (component, version, name, applied_at) VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
      );
      for (const migration of migrations) {
        if (migration.version <= applied) continue;
        database.exec(migration.sql);
        record.run(eventStoreComponent, migration.version, migration.name);
      }
    })
    .immediate();
}

/** The event store schema version this package writes and understands (not to be confused with an event's `schemaVersion`). */
export const eventStoreSchemaVersion = latestVersion;

const newerSchema = (found: number): StoreError =>
  new StoreError(
    'STORE_UNAVAILABLE',
    `the event store schema in this file is version ${found}, newer than this @eventcrm/store-sqlite understands (${latestVersion}); upgrade the package`,
  );
