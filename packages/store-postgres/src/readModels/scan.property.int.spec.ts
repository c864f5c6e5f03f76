import { createInMemoryReadModelStore } from '@eventcrm/runtime';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchemas, postgresAvailableForTests, postgresTestUrl, randomSchemaName } from '../testing.ts';
import { createPostgresReadModelStore } from './postgresReadModelStore.ts';
import type { PostgresReadModelStore } from './postgresReadModelStore.ts';
import { compareCells } from './reference.ts';
import type { Cell, Condition, KeyValue, Row, ScanQuery, TableSpec } from './types.ts';

/**
 * Property: for random rows and random queries, the PostgreSQL reader
 * answers exactly what the reference answers. The reference is the
 * in-memory store, whose reader runs `scanRows` from `@eventcrm/projections`
 * (this package cannot import it directly); rows go into it in key order,
 * the order an unordered PostgreSQL scan returns, so ties come out alike.
 *
 * Queries are deliberately sloppy: values of the wrong type for a column,
 * unknown columns, empty and mixed IN lists, numeric string bounds,
 * ordering by JSON, negative and fractional limits. Text is drawn from an
 * alphabet mixing ASCII, Latin-1, CJK and astral characters (emoji), where
 * PostgreSQL's bytewise "C" order (code points) and JavaScript's UTF-16
 * order agree; they differ only between astral characters and
 * U+E000–U+FFFF (see `planScan` in `scanPlan.ts`), which the alphabet
 * leaves out: adding one such character (say U+FF01) makes this fail.
 */
const available = await postgresAvailableForTests();

const table: TableSpec = {
  name: 'prop_cells',
  columns: { k_text: 'text', k_int: 'integer', t: 'text', i: 'integer', r: 'real', b: 'boolean', j: 'json', t2: 'text' },
  key: ['k_text', 'k_int'],
  indexes: [['t', 'i'], ['r']],
};

const alphabet = ['a', 'b', 'B', 'z', '0', '9', ' ', '~', 'é', 'ß', 'Ω', 'ж', '中', '😀', '𝄞', '-', '_'];
const text = fc.array(fc.constantFrom(...alphabet), { maxLength: 4 }).map((chars) => chars.join(''));
const integer = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1_000_000));
const real = fc.oneof(fc.constantFrom(-1.5, -0, 0, 0.1, 0.30000000000000004, 1, 2.5, 1e-7, 1e21), fc.double({ noNaN: true, noDefaultInfinity: true }));
const json = fc.jsonValue({ maxDepth: 2, stringUnit: fc.constantFrom(...alphabet) });
const nullable = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(arbitrary, { freq: 4, nil: null });

const rowArbitrary: fc.Arbitrary<Row> = fc.record({
  k_text: text,
  k_int: integer,
  t: nullable(text),
  i: nullable(integer),
  r: nullable(real),
  b: nullable(fc.boolean()),
  j: nullable(json) as fc.Arbitrary<Cell>,
  t2: nullable(text),
});

const rowsArbitrary = fc.uniqueArray(rowArbitrary, { maxLength: 40, selector: (row) => JSON.stringify([row['k_text'], row['k_int']]) });

const columnNames = [...Object.keys(table.columns), 'unknown_column'];
/** Any primitive a condition might name, of any column's type. */
const anyValue = fc.oneof(text, integer, real, fc.boolean(), fc.constantFrom('5', '', ' 2 ', '0x10', 'abc', '1e3'));
const bound = fc.oneof(text, integer, real, fc.constantFrom('1', '-1', '2.5', 'zz', ''));
const condition: fc.Arbitrary<Condition> = fc.oneof(
  fc.constant(null),
  anyValue,
  fc.record({ in: fc.array(fc.oneof(text, integer, real), { maxLength: 4 }) }),
  fc.constant({ notNull: true as const }),
  fc.record({ gte: bound, gt: bound, lte: bound, lt: bound }, { requiredKeys: [] }),
);
const queryArbitrary: fc.Arbitrary<ScanQuery> = fc.record(
  {
    where: fc.dictionary(fc.constantFrom(...columnNames), condition, { maxKeys: 3 }),
    orderBy: fc.array(fc.tuple(fc.constantFrom(...columnNames), fc.constantFrom('asc' as const, 'desc' as const)), { maxLength: 3 }),
    limit: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constantFrom(-2, 2.5, 0)),
  },
  { requiredKeys: [] },
);

/** Key order: text bytewise, then integers; the order a PostgreSQL scan without ORDER BY returns. */
const byKey = (a: Row, b: Row): number => compareCells(a['k_text'], b['k_text']) || compareCells(a['k_int'], b['k_int']);

/**
 * The reference's rows with JSON cells as JSON carries them: a `-0` inside a
 * JSON cell comes back as `0` (jsonb numbers are decimals, and JSON itself
 * has no negative zero: `JSON.stringify(-0)` is `0`). The two are `===`, so
 * no condition or order tells them apart; only `toEqual` does.
 */
const asStoredJson = (rows: readonly Row[]): Row[] => rows.map((row) => ({ ...row, j: row['j'] === null || row['j'] === undefined ? null : (JSON.parse(JSON.stringify(row['j'])) as Cell) }));

/** Values that occur in the rows, so that equality and IN conditions also hit. */
const sample = (rows: readonly Row[], pick: number, column: string): Cell | undefined => (rows.length === 0 ? undefined : rows[pick % rows.length]?.[column]);

describe.runIf(available)('PostgreSQL scans equal the reference scanRows', () => {
  let store: PostgresReadModelStore;
  const schema = randomSchemaName('eventcrm_rm_prop');
  beforeAll(async () => {
    store = createPostgresReadModelStore({ connectionString: postgresTestUrl(), schema });
    await store.prepare('live', [table]);
  });
  afterAll(async () => {
    await store.close();
    await dropSchemas(postgresTestUrl(), [schema]);
  });

  it('for random rows and random queries (incl. wrong-typed values, unknown columns, JSON order, odd limits)', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(rowsArbitrary, fc.array(queryArbitrary, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { minLength: 8, maxLength: 8 }), async (rows, queries, picks) => {
        const reference = createInMemoryReadModelStore();
        await reference.commit('live', [{ table, upserts: [...rows].sort(byKey), deletes: [] }], []);
        await store.reset('live', [table], []);
        await store.commit('live', [{ table, upserts: rows, deletes: [] }], []);

        // Equality and IN on values that are really there, besides the random ones.
        const hits: ScanQuery[] = columnNames.map((column, index) => ({
          where: { [column]: (sample(rows, picks[index % picks.length]!, column) ?? null) as Condition },
          orderBy: [[column, index % 2 === 0 ? 'asc' : 'desc']],
        }));
        hits.push({ where: { t: { in: rows.slice(0, 3).flatMap((row) => (typeof row['t'] === 'string' ? [row['t']] : [])) } } });
        for (const query of [{}, ...queries, ...hits]) {
          const expected = asStoredJson(await reference.reader().scan(table.name, query));
          expect(await store.reader().scan(table.name, query), JSON.stringify(query)).toEqual(expected);
        }

        const keys: KeyValue[] = [...rows.slice(0, 3).map((row) => [row['k_text'] as string, row['k_int'] as number]), ['nope', 1], [1, 'swapped'], ['short']];
        const keyAgain = keys[0];
        if (keyAgain !== undefined) keys.push(keyAgain);
        expect(await store.fetch('live', table, keys)).toEqual(asStoredJson(await reference.fetch('live', table, keys)));
        for (const key of keys) {
          const expected = await reference.reader().get(table.name, key);
          expect(await store.reader().get(table.name, key)).toEqual(expected === undefined ? undefined : asStoredJson([expected])[0]);
        }
      }),
      { numRuns: 80 },
    );
  });
});
