import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createPostgresEventStore, latestMigrationVersion, migrate } from './index.ts';
import { dropSchemas, postgresAvailableForTests, postgresTestUrl, randomSchemaName } from './testing.ts';
import { newEvent } from '../test/fixtures.ts';

const available = await postgresAvailableForTests();

describe.runIf(available)('schema migrations', () => {
  const url = postgresTestUrl();
  const schemas: string[] = [];
  const freshSchema = (name = randomSchemaName()): string => {
    schemas.push(name);
    return name;
  };
  afterAll(() => dropSchemas(url, schemas));

  const appliedVersions = async (schema: string): Promise<number[]> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const result = await client.query<{ version: number }>(`SELECT version FROM ${pg.escapeIdentifier(schema)}.schema_migrations ORDER BY version`);
      return result.rows.map((row) => row.version);
    } finally {
      await client.end();
    }
  };

  it('creates the schema on first use, records each version once, and is idempotent', async () => {
    const schema = freshSchema();
    expect(await migrate({ connectionString: url, schema })).toEqual([latestMigrationVersion]);
    expect(await migrate({ connectionString: url, schema })).toEqual([]);
    const store = createPostgresEventStore({ connectionString: url, schema });
    try {
      expect(await store.migrate()).toEqual([]);
      await store.append({ writes: [{ stream: 's', expected: 'no_stream', events: [newEvent()] }] });
    } finally {
      await store.close();
    }
    expect(await appliedVersions(schema)).toEqual([latestMigrationVersion]);
  });

  it('lets several pools use a new schema at the same moment: one migrates, none fails', async () => {
    const schema = freshSchema();
    const stores = Array.from({ length: 6 }, () => createPostgresEventStore({ connectionString: url, schema, maxConnections: 2 }));
    try {
      const heads = await Promise.all(stores.map((store) => store.headPosition()));
      expect(heads).toEqual(stores.map(() => null));
      await Promise.all(stores.map((store, index) => store.append({ writes: [{ stream: `s-${index}`, expected: 'no_stream', events: [newEvent()] }] })));
      expect(await stores[0]!.headPosition()).toBe('6');
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
    expect(await appliedVersions(schema)).toEqual([latestMigrationVersion]);
  });

  it('applies the migrations exactly once when migrate() races itself', async () => {
    const schema = freshSchema();
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => migrate({ connectionString: url, schema })));
    expect(outcomes.flat()).toEqual([latestMigrationVersion]);
  });

  it('works in a schema a DBA created beforehand, and with a name that needs quoting', async () => {
    const schema = freshSchema(`${randomSchemaName()} "Mixed" Case`);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}`);
    await client.end();
    const store = createPostgresEventStore({ connectionString: url, schema });
    try {
      await store.append({ writes: [{ stream: 's', expected: 'no_stream', events: [newEvent()] }] });
      expect(await store.readStream('s')).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('leaves the schema alone with autoMigrate off, reporting missing tables as STORE_CORRUPTED', async () => {
    const schema = freshSchema();
    const store = createPostgresEventStore({ connectionString: url, schema, autoMigrate: false });
    try {
      await expect(store.headPosition()).rejects.toMatchObject({ code: 'STORE_CORRUPTED' });
      await expect(store.append({ writes: [{ stream: 's', expected: 'any', events: [newEvent()] }] })).rejects.toMatchObject({ code: 'STORE_CORRUPTED' });
      expect(await store.migrate()).toEqual([latestMigrationVersion]);
      expect(await store.headPosition()).toBeNull();
    } finally {
      await store.close();
    }
  });

  it('accepts a schema already migrated further by newer code', async () => {
    const schema = freshSchema();
    await migrate({ connectionString: url, schema });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`INSERT INTO ${pg.escapeIdentifier(schema)}.schema_migrations (version, name) VALUES (9999, 'from the future')`);
    await client.end();
    expect(await migrate({ connectionString: url, schema })).toEqual([]);
  });

  it('rejects schema names PostgreSQL cannot hold', () => {
    expect(() => createPostgresEventStore({ connectionString: url, schema: '' })).toThrow(TypeError);
    expect(() => createPostgresEventStore({ connectionString: url, schema: 'x'.repeat(64) })).toThrow(TypeError);
  });
});
