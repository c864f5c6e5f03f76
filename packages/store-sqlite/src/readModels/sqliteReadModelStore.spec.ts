import { createInMemoryReadModelStore, isStoreError } from '@eventcrm/runtime';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../test/fixtures.ts';
import { createSqliteEventStore } from '../store.ts';
import type { SqliteEventStore } from '../store.ts';
import { ReadModelInputError } from './errors.ts';
import { readModelComponent } from './migrations.ts';
import { createSqliteReadModelStore } from './sqliteReadModelStore.ts';
import type { SqliteReadModelStore } from './sqliteReadModelStore.ts';
import type { Row, TableSpec } from './types.ts';

const directory = temporaryDirectory();
afterAll(() => directory.remove());

const people: TableSpec = {
  name: 'people',
  columns: { id: 'text', team: 'text', age: 'integer', score: 'real', active: 'boolean', tags: 'json' },
  key: ['id'],
  indexes: [['team', 'age'], ['age']],
};
const days: TableSpec = { name: 'days', columns: { day: 'integer', count: 'integer' }, key: ['day'] };
const person = (id: string, extra: Record<string, unknown> = {}): Row => ({ id, team: 'north', age: 30, score: 1.5, active: true, tags: ['a'], ...extra });

let events: SqliteEventStore;
let store: SqliteReadModelStore;
let path: string;
beforeEach(() => {
  path = directory.file();
  events = createSqliteEventStore({ path });
  store = createSqliteReadModelStore({ store: events });
});
afterEach(async () => {
  await store.close();
  await events.close();
});

/** The shape of a table as SQLite's catalog has it. */
const catalog = (name: string) => ({
  sql: events.database.prepare<[string], string>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(name),
  indexes: events.database
    .prepare<[string], { name: string; columns: string }>(
      "SELECT list.name AS name, group_concat(info.name, ',') AS columns FROM pragma_index_list(?) AS list, pragma_index_info(list.name) AS info WHERE list.origin = 'c' GROUP BY list.name ORDER BY columns",
    )
    .all(name),
});

describe('layout', () => {
  it('maps column types, keys and indexes to SQLite, records its schema and keeps checkpoints in their table', async () => {
    await store.prepare('live', [people, days]);
    const table = catalog('people');
    expect(table.sql).toBe(
      'CREATE TABLE "people" ("id" TEXT NOT NULL, "team" TEXT, "age" INTEGER, "score" REAL, "active" BOOLEAN, "tags" JSON TEXT, PRIMARY KEY ("id")) WITHOUT ROWID',
    );
    expect(table.indexes.map((index) => index.columns)).toEqual(['age', 'team,age']);
    // A single integer key is the rowid.
    expect(catalog('days').sql).toBe('CREATE TABLE "days" ("day" INTEGER NOT NULL, "count" INTEGER, PRIMARY KEY ("day"))');
    expect(events.database.prepare('SELECT version FROM schema_migrations WHERE component = ?').pluck().all(readModelComponent)).toEqual([1]);
    await store.commit('live', [], [{ projection: 'p', position: '12345678901234567890123', version: 2 }]);
    expect(events.database.prepare('SELECT namespace, projection, position, version FROM projection_checkpoints').all()).toEqual([
      { namespace: 'live', projection: 'p', position: '12345678901234567890123', version: 2 },
    ]);
  });

  it('refuses table specs that are not identifiers, collide with the store or reuse a name', async () => {
    const refused: unknown[] = [
      { ...days, name: 'Days' },
      { ...days, name: 'events' },
      { ...days, name: 'projection_checkpoints' },
      { ...days, name: 'sqlite_days' },
      { ...days, name: 'days__rebuild' },
      { ...days, columns: { day: 'integer', 'bad-name': 'text' } },
      { ...days, columns: { day: 'integer', count: 'bigint' } },
      { ...days, key: [] },
      { ...days, key: ['count', 'count'] },
      { ...days, key: ['missing'] },
      { ...people, key: ['score'] },
      { ...days, indexes: [['missing']] },
    ];
    for (const spec of refused) {
      await expect(store.prepare('live', [spec as TableSpec]), JSON.stringify(spec)).rejects.toBeInstanceOf(ReadModelInputError);
    }
    await expect(store.prepare('live', [days, { ...days, columns: { day: 'integer' } }])).rejects.toBeInstanceOf(ReadModelInputError);
    await expect(store.prepare('elsewhere' as 'live', [days])).rejects.toBeInstanceOf(ReadModelInputError);
    expect(catalog('days').sql).toBeUndefined();
  });

  it('prepare recreates a table whose columns changed and only reconciles indexes that changed', async () => {
    await store.prepare('live', [people]);
    await store.commit('live', [{ table: people, upserts: [person('p-1')], deletes: [] }], []);
    // Other indexes, same columns: the rows stay.
    const reindexed: TableSpec = { ...people, indexes: [['score'], ['age']] };
    await store.prepare('live', [reindexed]);
    expect(catalog('people').indexes.map((index) => index.columns)).toEqual(['age', 'score']);
    expect(await store.loadAll('live', people)).toEqual([person('p-1')]);
    // Other columns (a new projection version): the table is recreated empty.
    const reshaped: TableSpec = { ...people, columns: { ...people.columns, level: 'integer' } };
    await store.prepare('live', [reshaped]);
    expect(catalog('people').sql).toContain('"level" INTEGER');
    expect(await store.loadAll('live', reshaped)).toEqual([]);
    // Writing with the old spec is refused rather than silently dropping data.
    await expect(store.commit('live', [{ table: people, upserts: [person('p-2')], deletes: [] }], [])).rejects.toBeInstanceOf(ReadModelInputError);
  });

  it('prepare leaves a live table of the old shape alone while a rebuild copy of the new shape waits for its swap', async () => {
    await store.commit('live', [{ table: people, upserts: [person('old')], deletes: [] }], []);
    const reshaped: TableSpec = { ...people, columns: { ...people.columns, level: 'integer' } };
    await store.prepare('rebuild', [reshaped]);
    await store.commit('rebuild', [{ table: reshaped, upserts: [{ ...person('new'), level: 2 }], deletes: [] }], []);
    // The runner prepares live just before the swap: readers must not see an emptied table in between.
    await store.prepare('live', [reshaped]);
    expect(await store.reader().scan('people')).toEqual([person('old')]);
    await expect(store.commit('live', [{ table: reshaped, upserts: [{ ...person('x'), level: 1 }], deletes: [] }], [])).rejects.toBeInstanceOf(ReadModelInputError);
    await store.swap([reshaped], []);
    expect(await store.reader().scan('people')).toEqual([{ ...person('new'), level: 2 }]);
  });

  it('commit, fetch and loadAll need no prepare (as with the reference store)', async () => {
    expect(await store.fetch('live', days, [[1]])).toEqual([]);
    expect(await store.loadAll('rebuild', days)).toEqual([]);
    await store.commit('rebuild', [{ table: days, upserts: [{ day: 1, count: 2 }], deletes: [] }], []);
    expect(await store.fetch('rebuild', days, [[1], [1], [2]])).toEqual([
      { day: 1, count: 2 },
      { day: 1, count: 2 },
    ]);
    expect(catalog('days__rebuild').sql).toContain('CREATE TABLE "days__rebuild"');
  });
});

describe('cells', () => {
  it('refuses a cell that does not fit its column, with a typed error and nothing written', async () => {
    await store.prepare('live', [people]);
    const bad: Record<string, unknown>[] = [
      { team: 7 },
      { age: 1.5 },
      { age: 2 ** 53 },
      { score: Number.NaN },
      { score: Number.POSITIVE_INFINITY },
      { active: 1 },
      { tags: { when: new Date(0) } },
      { tags: [undefined] },
      { tags: { x: Number.NaN } },
      { tags: { x: 1n } },
      { team: 'lone \uD800' },
      { team: 'nul \u0000' },
      { tags: ['nul \u0000'] },
      { tags: { ['key \uDC00']: 1 } },
      { id: null },
    ];
    for (const extra of bad) {
      const attempt = store.commit('live', [{ table: people, upserts: [person('ok'), person('bad', extra)], deletes: [] }], [{ projection: 'p', position: '1', version: 1 }]);
      await expect(attempt, JSON.stringify(extra, (_, value: unknown) => (typeof value === 'bigint' ? 'bigint' : value))).rejects.toSatisfy(
        (error) => error instanceof ReadModelInputError && isStoreError(error),
      );
    }
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    await expect(store.commit('live', [{ table: people, upserts: [person('bad', { tags: cyclic })], deletes: [] }], [])).rejects.toBeInstanceOf(ReadModelInputError);
    await expect(store.commit('live', [], [{ projection: 'p', position: '-1', version: 1 }])).rejects.toBeInstanceOf(ReadModelInputError);
    await expect(store.commit('live', [], [{ projection: 'p', position: '1', version: 1.5 }])).rejects.toBeInstanceOf(ReadModelInputError);
    expect(await store.loadAll('live', people)).toEqual([]);
    expect(await store.checkpoints('live')).toEqual([]);
  });

  it('round-trips what JSON round-trips, and stores negative zero as zero', async () => {
    const rows = [
      person('p-1', { score: -0, age: -0, tags: { nested: [-0, 1e300, 'é😀', { deep: [true, null] }] } }),
      person('p-2', { score: 5e-324, age: Number.MIN_SAFE_INTEGER, tags: 'plain string', team: 'é😀\u0001' }),
      person('p-3', { tags: 12.5, active: null }),
    ];
    await store.commit('live', [{ table: people, upserts: rows, deletes: [] }], []);
    const [first, second, third] = await store.fetch('live', people, [['p-1'], ['p-2'], ['p-3']]);
    expect(Object.is(first?.['score'], 0) && Object.is(first?.['age'], 0)).toBe(true);
    expect(first?.['tags']).toEqual({ nested: [0, 1e300, 'é😀', { deep: [true, null] }] });
    expect(second).toEqual(rows[1]);
    expect(third).toEqual(rows[2]);
  });

  it('ignores keys that cannot exist instead of letting SQLite convert them', async () => {
    const numbered: TableSpec = { name: 'numbered', columns: { id: 'text', n: 'integer' }, key: ['id'] };
    await store.commit('live', [{ table: numbered, upserts: [{ id: '5', n: 1 }], deletes: [] }], []);
    // SQLite would compare 5 with the text '5' as equal (affinity); the reference would not.
    expect(await store.fetch('live', numbered, [[5], ['5', 1], []])).toEqual([]);
    expect(await store.reader().get('numbered', [5])).toBeUndefined();
    await store.commit('live', [{ table: numbered, upserts: [], deletes: [[5]] }], []);
    expect(await store.reader().get('numbered', ['5'])).toEqual({ id: '5', n: 1 });
  });
});

describe('reader', () => {
  it('answers nothing for tables that do not exist or are not read models', async () => {
    expect(await store.reader().scan('nothing_here')).toEqual([]);
    expect(await store.reader().get('nothing_here', ['x'])).toBeUndefined();
    expect(await store.reader().scan('events')).toEqual([]);
    expect(await store.reader().scan('Robert"); DROP TABLE events; --')).toEqual([]);
  });

  it('orders text by code point: characters above U+FFFF sort after U+E000–U+FFFF, unlike JavaScript (documented)', async () => {
    const words: TableSpec = { name: 'words', columns: { id: 'text', word: 'text' }, key: ['id'] };
    const rows = [
      { id: '1', word: '\u{1F600}' },
      { id: '2', word: '\uFF21' },
      { id: '3', word: 'z' },
    ];
    await store.commit('live', [{ table: words, upserts: rows, deletes: [] }], []);
    const reference = createInMemoryReadModelStore();
    await reference.commit('live', [{ table: words, upserts: rows, deletes: [] }], []);
    const order = { orderBy: [['word', 'asc']] } as const;
    expect((await store.reader().scan('words', order)).map((row) => row['id'])).toEqual(['3', '2', '1']);
    expect((await reference.reader().scan('words', order)).map((row) => row['id'])).toEqual(['3', '1', '2']);
    // Ranges compare the same way.
    expect((await store.reader().scan('words', { where: { word: { gt: '\uFFFF' } } })).map((row) => row['id'])).toEqual(['1']);
    expect((await reference.reader().scan('words', { where: { word: { gt: '\uFFFF' } } })).map((row) => row['id'])).toEqual([]);
  });

  it('sees a table replaced by another process with other columns, through the schema version', async () => {
    await store.prepare('live', [people]);
    await store.commit('live', [{ table: people, upserts: [person('p-1')], deletes: [] }], []);
    expect(await store.reader().scan('people', { where: { active: true } })).toEqual([person('p-1')]);
    const other = createSqliteEventStore({ path });
    const otherStore = createSqliteReadModelStore({ store: other });
    const reshaped: TableSpec = { name: 'people', columns: { id: 'text', flags: 'json' }, key: ['id'] };
    await otherStore.prepare('rebuild', [reshaped]);
    await otherStore.commit('rebuild', [{ table: reshaped, upserts: [{ id: 'p-9', flags: { a: true } }], deletes: [] }], []);
    await otherStore.swap([reshaped], []);
    expect(await store.reader().scan('people')).toEqual([{ id: 'p-9', flags: { a: true } }]);
    expect(await store.reader().scan('people', { where: { active: true } })).toEqual([]);
    await otherStore.close();
    await other.close();
  });
});

describe('swap', () => {
  it('renames the rebuild copy with its indexes, moves checkpoints, and leaves index names free for the next rebuild', async () => {
    await store.prepare('live', [people]);
    await store.commit('live', [{ table: people, upserts: [person('old')], deletes: [] }], [{ projection: 'people', position: '5', version: 1 }]);
    for (const round of [1, 2, 3]) {
      await store.prepare('rebuild', [people]);
      await store.reset('rebuild', [people], ['people']);
      await store.commit('rebuild', [{ table: people, upserts: [person(`new-${round}`)], deletes: [] }], [{ projection: 'people', position: String(10 + round), version: 2 }]);
      await store.swap([people], ['people']);
      expect(await store.loadAll('live', people)).toEqual([person(`new-${round}`)]);
      expect(await store.checkpoints('live')).toEqual([{ projection: 'people', position: String(10 + round), version: 2 }]);
      expect(await store.checkpoints('rebuild')).toEqual([]);
      expect(catalog('people__rebuild').sql).toBeUndefined();
      expect(catalog('people').indexes.map((index) => index.columns)).toEqual(['age', 'team,age']);
    }
    const names = events.database.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'people' ORDER BY name").pluck().all();
    expect((names as string[]).every((name) => /^people__ix\d+(_\d+)?$/.test(name))).toBe(true);
  });

  it('with nothing rebuilt, the live copy becomes empty (as in the reference store)', async () => {
    await store.commit('live', [{ table: days, upserts: [{ day: 1, count: 1 }], deletes: [] }], [{ projection: 'days', position: '3', version: 1 }]);
    await store.swap([days], ['days']);
    expect(await store.loadAll('live', days)).toEqual([]);
    expect(await store.checkpoints('live')).toEqual([]);
  });
});

describe('lifecycle', () => {
  it('is unavailable once closed, and leaves the event store open', async () => {
    await store.close();
    await expect(store.checkpoints('live')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(store.reader().scan('people')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(await events.headPosition()).toBeNull();
  });

  it('serves reads from a read-only event store', async () => {
    await store.commit('live', [{ table: days, upserts: [{ day: 1, count: 1 }], deletes: [] }], [{ projection: 'days', position: '3', version: 1 }]);
    const readonly = createSqliteEventStore({ path, readonly: true });
    const reader = createSqliteReadModelStore({ store: readonly });
    expect(await reader.reader().get('days', [1])).toEqual({ day: 1, count: 1 });
    expect(await reader.checkpoints('live')).toEqual([{ projection: 'days', position: '3', version: 1 }]);
    await expect(reader.commit('live', [{ table: days, upserts: [{ day: 2, count: 1 }], deletes: [] }], [])).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await reader.close();
    await readonly.close();
  });
});
