import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { verifyChains } from '@eventcrm/runtime';
import { createSqliteEventStore, eventStoreComponent, eventStoreSchemaVersion } from './index.ts';
import { migrate, migrations } from './schema.ts';
import { newEvent, temporaryDirectory } from '../test/fixtures.ts';

const directory = temporaryDirectory();
afterAll(() => directory.remove());

const recordedVersions = (database: Database.Database): unknown[] =>
  database.prepare('SELECT component, version FROM schema_migrations ORDER BY version').all();

describe('schema migrations', () => {
  it('are numbered 1, 2, … with no gaps, the last being the schema version', () => {
    expect(migrations.map((migration) => migration.version)).toEqual(migrations.map((_, index) => index + 1));
    expect(eventStoreSchemaVersion).toBe(migrations.length);
  });

  it('apply once, however often the file is migrated', () => {
    const database = new Database(directory.file());
    try {
      migrate(database);
      migrate(database);
      expect(recordedVersions(database)).toEqual(migrations.map((migration) => ({ component: eventStoreComponent, version: migration.version })));
      const tables = database.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
      expect(tables).toEqual(expect.arrayContaining(['command_records', 'encryption_keys', 'events', 'reservations', 'schema_migrations']));
    } finally {
      database.close();
    }
  });

  it('leave the tables and migration rows of other components alone', () => {
    const path = directory.file();
    const database = new Database(path);
    database.exec(`
      CREATE TABLE customer_list (id TEXT PRIMARY KEY);
      INSERT INTO customer_list VALUES ('c-1');
      CREATE TABLE schema_migrations (component TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (component, version)) WITHOUT ROWID;
      INSERT INTO schema_migrations VALUES ('read-models', 7, 'customer list', '2024-01-01T00:00:00.000Z');
    `);
    database.close();
    const store = createSqliteEventStore({ path });
    try {
      expect(store.database.prepare('SELECT id FROM customer_list').pluck().all()).toEqual(['c-1']);
      expect(store.database.prepare("SELECT version FROM schema_migrations WHERE component = 'read-models'").pluck().all()).toEqual([7]);
      expect(store.database.prepare('SELECT MAX(version) FROM schema_migrations WHERE component = ?').pluck().get(eventStoreComponent)).toBe(eventStoreSchemaVersion);
    } finally {
      void store.close();
    }
  });

  it('refuse a file whose event store schema is newer than this package, without changing it', () => {
    const path = directory.file();
    createSqliteEventStore({ path }).database.close();
    const database = new Database(path);
    database
      .prepare("INSERT INTO schema_migrations VALUES (?, ?, 'from the future', '2030-01-01T00:00:00.000Z')")
      .run(eventStoreComponent, eventStoreSchemaVersion + 1);
    database.close();
    expect(() => createSqliteEventStore({ path })).toThrow(expect.objectContaining({ code: 'STORE_UNAVAILABLE', message: expect.stringContaining('newer') as unknown }) as Error);
    const after = new Database(path);
    expect(after.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get()).toBe(eventStoreSchemaVersion + 1);
    after.close();
  });
});

describe('reopening a file', () => {
  it('finds every event, command, reservation and key, and continues the chains and positions', async () => {
    const path = directory.file();
    const first = createSqliteEventStore({ path });
    await first.append({
      commandId: 'c-1',
      writes: [{ stream: 'customer-1', expected: 'no_stream', events: [newEvent(), newEvent('CustomerRenamed')] }],
      reservations: { claim: [{ key: 'email:ada', owner: 'customer-1' }] },
      keys: { create: [{ subject: 'customer-1', key: 'a2V5' }] },
    });
    await first.close();

    const second = createSqliteEventStore({ path });
    try {
      expect(await second.streamRevision('customer-1')).toBe(1);
      expect((await second.findCommand('c-1'))?.events).toHaveLength(2);
      expect(await second.lookupReservations(['email:ada'])).toEqual(new Map([['email:ada', 'customer-1']]));
      expect(await second.loadKeys(['customer-1'])).toEqual(new Map([['customer-1', 'a2V5']]));
      const { events } = await second.append({ writes: [{ stream: 'customer-1', expected: 1, events: [newEvent('CustomerArchived')] }] });
      expect(events[0]).toMatchObject({ revision: 2, position: '3' });
      expect(await verifyChains(second)).toMatchObject({ intact: true, eventsChecked: 3 });
      expect(recordedVersions(second.database)).toHaveLength(migrations.length);
    } finally {
      await second.close();
    }
  });
});
