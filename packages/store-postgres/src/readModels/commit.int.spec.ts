import { isCheckpointMovedError, isStoreError } from '@eventcrm/runtime';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchemas, postgresAvailableForTests, postgresTestUrl, randomSchemaName } from '../testing.ts';
import { ReadModelInputError } from './errors.ts';
import { createPostgresReadModelStore } from './postgresReadModelStore.ts';
import type { PostgresReadModelStore } from './postgresReadModelStore.ts';
import type { Row, TableSpec } from './types.ts';

/**
 * What the contract suite does not pin down: commits are all-or-nothing
 * (refused input and a connection dying mid-commit both leave nothing),
 * in-commit ordering rules, values that must round-trip exactly, bulk
 * chunking, `prepare` reconciling shapes and indexes, identifier rules,
 * and typed errors.
 */
const available = await postgresAvailableForTests();

const accounts: TableSpec = { name: 'c_accounts', columns: { id: 'text', n: 'integer', r: 'real', j: 'json' }, key: ['id'] };
const ledger: TableSpec = { name: 'c_ledger', columns: { account: 'text', seq: 'integer', note: 'text' }, key: ['account', 'seq'], indexes: [['note']] };

const catalog = async (store: PostgresReadModelStore, like: string): Promise<string[]> =>
  (
    await store.pool.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname LIKE $2 ORDER BY c.relname COLLATE "C"`,
      [store.schema, like],
    )
  ).rows.map((row) => row.relname);

describe.runIf(available)('PostgreSQL read-model commits and preparation', () => {
  const schema = randomSchemaName('eventcrm_rm_commit');
  let store: PostgresReadModelStore;
  beforeAll(async () => {
    store = createPostgresReadModelStore({ connectionString: postgresTestUrl(), schema });
    await store.prepare('live', [accounts, ledger]);
  });
  afterAll(async () => {
    await store.close();
    await dropSchemas(postgresTestUrl(), [schema]);
  });

  it('refuses a bad cell anywhere in a commit before writing any of it', async () => {
    const bad: [string, Row][] = [
      ['text in an integer column', { id: 'x', n: '1', r: null, j: null }],
      ['an unsafe integer', { id: 'x', n: 2 ** 53, r: null, j: null }],
      ['a fractional integer', { id: 'x', n: 1.5, r: null, j: null }],
      ['NaN in a real column', { id: 'x', n: null, r: Number.NaN, j: null }],
      ['Infinity in JSON', { id: 'x', n: null, r: null, j: [Number.POSITIVE_INFINITY] }],
      ['a NUL character', { id: 'x\u0000', n: null, r: null, j: null }],
      ['a lone surrogate in a JSON key', { id: 'x', n: null, r: null, j: { '\ud800': 1 } }],
      ['a Date in JSON', { id: 'x', n: null, r: null, j: { at: new Date(0) } as unknown as Row[string] }],
      ['a null key', { id: null, n: 1, r: null, j: null }],
    ];
    for (const [what, row] of bad) {
      const attempt = store.commit(
        'live',
        [
          { table: ledger, upserts: [{ account: 'should-not-appear', seq: 1, note: what }], deletes: [] },
          { table: accounts, upserts: [row], deletes: [] },
        ],
        [{ projection: 'refused', position: '1', version: 1 }],
      );
      await expect(attempt, what).rejects.toBeInstanceOf(ReadModelInputError);
      await expect(attempt).rejects.toSatisfy(isStoreError);
    }
    expect(await store.fetch('live', ledger, [['should-not-appear', 1]])).toEqual([]);
    expect(await store.checkpoints('live')).toEqual([]);
    await expect(store.commit('live', [], [{ projection: 'p', position: '-1', version: 1 }])).rejects.toBeInstanceOf(ReadModelInputError);
    await expect(store.commit('live', [], [{ projection: 'p', position: '99999999999999999999', version: 1 }])).rejects.toBeInstanceOf(ReadModelInputError);
  });

  it('a commit whose connection dies between its statements leaves nothing behind', async () => {
    const blocker = new pg.Client({ connectionString: postgresTestUrl() });
    await blocker.connect();
    try {
      // Hold the second table (in lock order) so that the commit stops after writing the first.
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE ${pg.escapeIdentifier(schema)}.c_ledger IN ACCESS EXCLUSIVE MODE`);
      const commit = store.commit(
        'live',
        [
          { table: accounts, upserts: [{ id: 'half', n: 1, r: 1, j: null }], deletes: [] },
          { table: ledger, upserts: [{ account: 'half', seq: 1, note: null }], deletes: [] },
        ],
        [{ projection: 'half', position: '5', version: 1 }],
      );
      const settled = commit.then(
        () => 'committed',
        (error: unknown) => error,
      );
      let waiting: number | undefined;
      for (let attempt = 0; attempt < 200 && waiting === undefined; attempt += 1) {
        // Inside a transaction pg_stat_activity is a snapshot taken at first use: clear it on every look.
        await blocker.query('SELECT pg_stat_clear_snapshot()');
        const found = await blocker.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO%c_ledger%'`,
        );
        waiting = found.rows[0]?.pid;
        if (waiting === undefined) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(waiting, 'the commit got as far as the second table').toBeDefined();
      await blocker.query('SELECT pg_terminate_backend($1)', [waiting]);
      const outcome = await settled;
      expect(outcome).not.toBe('committed');
      expect(isStoreError(outcome)).toBe(true);
      await blocker.query('ROLLBACK');
    } finally {
      await blocker.end();
    }
    expect(await store.fetch('live', accounts, [['half']])).toEqual([]);
    expect((await store.checkpoints('live')).map((checkpoint) => checkpoint.projection)).not.toContain('half');
    // The store recovers: the next commit goes through.
    await store.commit('live', [{ table: accounts, upserts: [{ id: 'half', n: 2, r: 2, j: null }], deletes: [] }], []);
    expect(await store.fetch('live', accounts, [['half']])).toEqual([{ id: 'half', n: 2, r: 2, j: null }]);
  });

  it('applies a change\'s deletes before its upserts, several changes of a table in order, and the last of duplicate keys', async () => {
    await store.commit('live', [{ table: accounts, upserts: [{ id: 'a', n: 1, r: 0, j: null }, { id: 'b', n: 1, r: 0, j: null }], deletes: [] }], []);
    await store.commit(
      'live',
      [
        { table: accounts, upserts: [{ id: 'a', n: 2, r: 0, j: null }, { id: 'a', n: 3, r: 0, j: null }], deletes: [['a'], ['b'], ['never-there'], [42]] },
        { table: accounts, upserts: [{ id: 'c', n: 1, r: 0, j: null }], deletes: [['a']] },
      ],
      [
        { projection: 'p', position: '1', version: 1 },
        { projection: 'p', position: '2', version: 1 },
      ],
    );
    expect(await store.fetch('live', accounts, [['a'], ['b'], ['c']])).toEqual([{ id: 'c', n: 1, r: 0, j: null }]);
    expect(await store.checkpoints('live')).toContainEqual({ projection: 'p', position: '2', version: 1 });
  });

  it('round-trips values exactly: negative zero, extreme numbers, unicode, nested JSON', async () => {
    const rows: Row[] = [
      { id: 'zero', n: 0, r: -0, j: { a: [1, -1.5, 1e21, 5e-324], b: { 'é中😀': 'é中😀', '': '' }, c: [true, false, null] } },
      { id: 'max', n: Number.MAX_SAFE_INTEGER, r: Number.MAX_VALUE, j: 'a string' },
      { id: 'min', n: Number.MIN_SAFE_INTEGER, r: -Number.MIN_VALUE, j: 0.1 },
      { id: '😀 é 中 \' " \\ ; -- ', n: -1, r: 0.30000000000000004, j: false },
    ];
    await store.commit('live', [{ table: accounts, upserts: rows, deletes: [] }], []);
    const back = await store.fetch('live', accounts, rows.map((row) => [row['id'] as string]));
    expect(back).toEqual(rows);
    expect(Object.is(back[0]?.['r'], -0)).toBe(true);

    // Missing columns are null; properties that are not columns are left out.
    await store.commit('live', [{ table: accounts, upserts: [{ id: 'sparse', n: 1 }, { id: 'extra', n: 2, r: 1, j: null, not_a_column: 'x' }], deletes: [] }], []);
    expect(await store.fetch('live', accounts, [['sparse'], ['extra']])).toEqual([
      { id: 'sparse', n: 1, r: null, j: null },
      { id: 'extra', n: 2, r: 1, j: null },
    ]);
  });

  it('writes batches larger than one statement (by rows and by bytes) and fetches them in the order asked', async () => {
    const big = 'x'.repeat(2000);
    const rows = Array.from({ length: 12_000 }, (_, index): Row => ({ account: `bulk-${index % 7}`, seq: index, note: index % 3 === 0 ? big : `n${index}` }));
    await store.commit('live', [{ table: ledger, upserts: rows, deletes: [] }], []);
    const keys = rows.slice(0, 11_000).map((row) => [row['account'] as string, row['seq'] as number]).reverse();
    const fetched = await store.fetch('live', ledger, keys);
    expect(fetched.map((row) => row['seq'])).toEqual(keys.map(([, seq]) => seq));
    await store.commit('live', [{ table: ledger, upserts: [], deletes: rows.slice(0, 11_500).map((row) => [row['account'] as string, row['seq'] as number]) }], []);
    expect(await store.reader().scan(ledger.name, { where: { account: { in: ['bulk-0', 'bulk-1', 'bulk-2', 'bulk-3', 'bulk-4', 'bulk-5', 'bulk-6'] } } })).toHaveLength(500);
  });

  it('prepare reconciles indexes and recreates a table whose columns changed', async () => {
    const shape: TableSpec = { name: 'c_shape', columns: { id: 'text', a: 'integer' }, key: ['id'], indexes: [['a']] };
    await store.prepare('live', [shape]);
    await store.commit('live', [{ table: shape, upserts: [{ id: 'kept', a: 1 }], deletes: [] }], []);
    const created = await catalog(store, 'c_shape%');
    expect(created).toHaveLength(3);
    expect(created[0]).toBe('c_shape');
    expect(created[1]).toMatch(/^c_shape__ix_[0-9a-f]{8}$/);
    expect(created[2]).toBe('c_shape__pk');
    // The reader describes (and caches) the table as it is now.
    expect(await store.reader().scan('c_shape', { where: { a: 1 } })).toEqual([{ id: 'kept', a: 1 }]);

    // Another process: other indexes, same columns: the rows stay, the indexes follow the spec.
    const reindexed: TableSpec = { ...shape, indexes: [['a', 'id'], ['id', 'a']] };
    const other = createPostgresReadModelStore({ connectionString: postgresTestUrl(), schema });
    try {
      await other.prepare('live', [reindexed]);
      expect(await other.loadAll('live', reindexed)).toEqual([{ id: 'kept', a: 1 }]);
      const indexes = await catalog(store, 'c_shape__ix_%');
      expect(indexes).toHaveLength(2);
      expect(indexes).not.toContain(created[1]);

      // A column changes type (a projection version change): dropped and recreated.
      const reshaped: TableSpec = { ...reindexed, columns: { id: 'text', a: 'text', b: 'text' } };
      await other.prepare('live', [reshaped]);
      expect(await other.loadAll('live', reshaped)).toEqual([]);
      await other.commit('live', [{ table: reshaped, upserts: [{ id: 'new', a: 'x', b: 'b' }], deletes: [] }], []);
      expect(await other.reader().get('c_shape', ['new'])).toEqual({ id: 'new', a: 'x', b: 'b' });
    } finally {
      await other.close();
    }
    // The first store's reader still describes \`a\` as an integer: its SQL fails on the new
    // shape, so it describes the table again and answers from the new shape.
    expect(await store.reader().scan('c_shape', { where: { a: 1 } })).toEqual([]);
    expect(await store.reader().scan('c_shape', { where: { a: 'x' } })).toEqual([{ id: 'new', a: 'x', b: 'b' }]);
  });

  it('a conditional commit writes only while the checkpoints are where the caller read them', async () => {
    const row = (id: string): Row => ({ id, n: 1, r: 1, j: null });
    await store.commit('live', [{ table: accounts, upserts: [row('q-1')], deletes: [] }], [{ projection: 'q', position: '10', version: 1 }], new Map([['q', null]]));
    const stale = store.commit('live', [{ table: accounts, upserts: [row('q-2')], deletes: [] }], [{ projection: 'q', position: '20', version: 1 }], new Map([['q', null]]));
    await expect(stale).rejects.toSatisfy(isCheckpointMovedError);
    await expect(stale).rejects.toMatchObject({ namespace: 'live', projection: 'q', expected: null, actual: '10' });
    expect(await store.fetch('live', accounts, [['q-2']])).toEqual([]);
    await store.commit('live', [{ table: accounts, upserts: [row('q-3')], deletes: [] }], [{ projection: 'q', position: '20', version: 1 }], new Map([['q', '10']]));
    expect(await store.fetch('live', accounts, [['q-3']])).toEqual([row('q-3')]);
    expect(await store.checkpoints('live')).toContainEqual({ projection: 'q', position: '20', version: 1 });
    // A reset forgets the checkpoint, so an expectation of the old one fails too; an empty commit still checks.
    await store.reset('live', [], ['q']);
    await expect(store.commit('live', [], [], new Map([['q', '20']]))).rejects.toSatisfy(isCheckpointMovedError);
    await expect(store.commit('live', [], [], new Map([['q', 'not a position']]))).rejects.toBeInstanceOf(ReadModelInputError);
  });

  it('of several processes committing from the same checkpoint at once, exactly one wins each time', { timeout: 60_000 }, async () => {
    const others = Array.from({ length: 3 }, () => createPostgresReadModelStore({ connectionString: postgresTestUrl(), schema }));
    try {
      for (let round = 0; round < 8; round += 1) {
        const projection = `race-${round}`;
        const outcomes = await Promise.allSettled(
          others.map((other, index) =>
            other.commit(
              'live',
              [{ table: ledger, upserts: [{ account: projection, seq: index, note: null }], deletes: [] }],
              [{ projection, position: String(index + 1), version: 1 }],
              new Map([[projection, null]]),
            ),
          ),
        );
        const winners = outcomes.flatMap((outcome, index) => (outcome.status === 'fulfilled' ? [index] : []));
        expect(winners).toHaveLength(1);
        for (const outcome of outcomes) if (outcome.status === 'rejected') expect(isCheckpointMovedError(outcome.reason)).toBe(true);
        const written = await store.reader().scan(ledger.name, { where: { account: projection } });
        expect(written.map((row) => row['seq'])).toEqual(winners);
        expect(await store.checkpoints('live')).toContainEqual({ projection, position: String(winners[0]! + 1), version: 1 });
      }
    } finally {
      await Promise.all(others.map((other) => other.close()));
    }
  });

  it('refuses invalid table specs with a typed error', async () => {
    const invalid: TableSpec[] = [
      { name: 'Bad', columns: { id: 'text' }, key: ['id'] },
      { name: 'two__parts', columns: { id: 'text' }, key: ['id'] },
      { name: 'events', columns: { id: 'text' }, key: ['id'] },
      { name: 'a'.repeat(51), columns: { id: 'text' }, key: ['id'] },
      { name: 'no_key', columns: { id: 'text' }, key: [] },
      { name: 'json_key', columns: { id: 'json' }, key: ['id'] },
      { name: 'unknown_index', columns: { id: 'text' }, key: ['id'], indexes: [['nope']] },
      { name: 'bad_column', columns: { 'id; drop table x': 'text' }, key: ['id; drop table x'] },
      { name: 'bad_type', columns: { id: 'text', x: 'varchar' as 'text' }, key: ['id'] },
    ];
    for (const spec of invalid) await expect(store.prepare('live', [spec]), spec.name).rejects.toBeInstanceOf(ReadModelInputError);
    await expect(store.prepare('live', [accounts, { ...accounts, key: ['n'] }])).rejects.toBeInstanceOf(ReadModelInputError);
  });

  it('reads unknown tables as empty and ignores keys that cannot exist', async () => {
    expect(await store.reader().scan('no_such_table')).toEqual([]);
    expect(await store.reader().get('no_such_table', ['x'])).toBeUndefined();
    expect(await store.reader().get('Not A Name', ['x'])).toBeUndefined();
    expect(await store.fetch('live', accounts, [[1], ['a', 'b'], ['\u0000']])).toEqual([]);
    expect(await store.reader().get(accounts.name, [1])).toBeUndefined();
  });

  it('fails with a typed error once closed', async () => {
    const closing = createPostgresReadModelStore({ connectionString: postgresTestUrl(), schema });
    await closing.prepare('live', [accounts]);
    await closing.close();
    await expect(closing.reader().scan(accounts.name)).rejects.toSatisfy(isStoreError);
    await expect(closing.commit('live', [], [])).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});
