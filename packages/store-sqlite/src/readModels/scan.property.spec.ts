import { createInMemoryReadModelStore } from '@eventcrm/runtime';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../test/fixtures.ts';
import { createSqliteEventStore } from '../store.ts';
import type { SqliteEventStore } from '../store.ts';
import { createSqliteReadModelStore } from './sqliteReadModelStore.ts';
import type { SqliteReadModelStore } from './sqliteReadModelStore.ts';
import type { Cell, Condition, KeyValue, Row, ScanQuery, TableSpec } from './types.ts';

/*
 * Random rows and random scans give what the reference gives: the
 * runtime's in-memory store, which runs `scanRows` from
 * `@eventcrm/projections`. The generators deliberately mix types (numbers
 * against text columns, strings against numeric ones, booleans in `in`
 * lists), reach for columns the table does not have, and use limits that
 * are not counts, because those are where SQL and JavaScript part ways.
 *
 * Restrictions, all documented behaviours of the store:
 * - text is drawn from an alphabet without U+E000–U+FFFF. SQLite orders
 *   text by code point, JavaScript by UTF-16 code unit, and the two differ
 *   only between that range and characters above U+FFFF (which the
 *   alphabet does include); `scan.spec.ts` pins the difference down;
 * - stored text has no `\u0000` or lone surrogate (refused on write, see
 *   `cells.ts`); conditions may still hold them;
 * - no negative zero: SQLite stores it as 0 (`cells.ts`).
 * The reference breaks ties by insertion order, this store by key, so the
 * reference gets its rows in key order.
 */

const table: TableSpec = {
  name: 'prop_rows',
  columns: { g: 'integer', id: 'text', n: 'integer', r: 'real', t: 'text', b: 'boolean', j: 'json' },
  key: ['g', 'id'],
  indexes: [['t', 'n'], ['r']],
};
const columns = [...Object.keys(table.columns), 'missing'];

const alphabet = ['a', 'b', 'B', 'z', '0', '~', ' ', '\u0001', 'é', 'ß', '中', '\u{1F600}', '\u{10FFFF}', '\uD7FF', '\u007F'];
const text = fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 3 });
const smallInteger = fc.integer({ min: -3, max: 3 });
const integer = fc.oneof(smallInteger, fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1000));
const real = fc
  .oneof(fc.constantFrom(0, 0.5, -1.25, 3, 1e300, -1e-300), fc.double({ noNaN: true, noDefaultInfinity: true }))
  .map((value) => (Object.is(value, -0) ? 0 : value));
const json: fc.Arbitrary<Cell> = fc.oneof(
  text,
  smallInteger,
  real,
  fc.boolean(),
  fc.constant(null),
  fc.array(smallInteger, { maxLength: 2 }),
  fc.record({ a: text, b: fc.array(fc.oneof(text, fc.boolean()), { maxLength: 2 }) }),
);
const nullable = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(arbitrary, { nil: null, freq: 4 });

const row: fc.Arbitrary<Row> = fc.record({
  g: fc.integer({ min: 0, max: 2 }),
  id: text,
  n: nullable(integer),
  r: nullable(real),
  t: nullable(text),
  b: nullable(fc.boolean()),
  j: nullable(json),
});
const rows = fc.uniqueArray(row, { maxLength: 30, selector: (value) => JSON.stringify([value['g'], value['id']]) });

/** Any value a condition might hold, of any type. */
const anyValue = fc.oneof(text, integer, real, fc.boolean(), fc.constantFrom('0', '1e3', '', ' 2 ', 'true', 'a\u0000', '\uD800'));
const condition: fc.Arbitrary<Condition> = fc.oneof(
  fc.constant(null),
  anyValue,
  fc.record({ in: fc.array(anyValue, { maxLength: 4 }) }),
  fc.constant({ notNull: true as const }),
  fc.record({ gte: anyValue, gt: anyValue, lte: anyValue, lt: anyValue }, { requiredKeys: [] }),
) as fc.Arbitrary<Condition>;
const query: fc.Arbitrary<ScanQuery> = fc.record(
  {
    where: fc.dictionary(fc.constantFrom(...columns), condition, { maxKeys: 3 }),
    orderBy: fc.array(fc.tuple(fc.constantFrom(...columns), fc.constantFrom('asc' as const, 'desc' as const)), { maxLength: 3 }),
    limit: fc.oneof(fc.nat(12), fc.constantFrom(-1, 2.5, 0)),
  },
  { requiredKeys: [] },
);

/** The order the store breaks ties in: by key, (g, id), with text in code point order (equal to code unit order for this alphabet). */
const byKey = (a: Row, b: Row): number => (a['g'] as number) - (b['g'] as number) || ((a['id'] as string) < (b['id'] as string) ? -1 : (a['id'] as string) > (b['id'] as string) ? 1 : 0);

describe('scans on SQLite equal the reference scanRows', () => {
  const directory = temporaryDirectory();
  let events: SqliteEventStore;
  let store: SqliteReadModelStore;
  beforeAll(async () => {
    events = createSqliteEventStore({ path: directory.file() });
    store = createSqliteReadModelStore({ store: events });
    await store.prepare('live', [table]);
  });
  afterAll(async () => {
    await store.close();
    await events.close();
    directory.remove();
  });

  /** The same rows in SQLite and in a fresh reference store (in key order, so that ties agree). */
  async function load(given: readonly Row[]) {
    await store.reset('live', [table], []);
    await store.commit('live', [{ table, upserts: given, deletes: [] }], []);
    const reference = createInMemoryReadModelStore();
    await reference.commit('live', [{ table, upserts: [...given].sort(byKey), deletes: [] }], []);
    return reference;
  }

  it('random rows, random queries', async () => {
    await fc.assert(
      fc.asyncProperty(rows, fc.array(query, { minLength: 1, maxLength: 8 }), async (given, queries) => {
        const reference = await load(given);
        for (const scan of queries) {
          expect(await store.reader().scan(table.name, scan), JSON.stringify(scan)).toEqual(await reference.reader().scan(table.name, scan));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('random keys: fetch and get find what the reference finds', async () => {
    const key: fc.Arbitrary<KeyValue> = fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 2 }), text),
      fc.tuple(fc.constantFrom('0', '1'), text) as fc.Arbitrary<KeyValue>,
      fc.tuple(fc.integer({ min: 0, max: 2 })) as fc.Arbitrary<KeyValue>,
      fc.tuple(fc.integer({ min: 0, max: 2 }), text, text) as fc.Arbitrary<KeyValue>,
      fc.tuple(fc.integer({ min: 0, max: 2 }), smallInteger) as fc.Arbitrary<KeyValue>,
    );
    await fc.assert(
      fc.asyncProperty(rows, fc.array(key, { maxLength: 10 }), async (given, keys) => {
        const reference = await load(given);
        const asked = [...keys, ...given.slice(0, 3).map((value) => [value['g'], value['id']] as KeyValue)];
        const sorted = (found: readonly Row[]) => [...found].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
        expect(sorted(await store.fetch('live', table, asked))).toEqual(sorted(await reference.fetch('live', table, asked)));
        for (const one of asked) expect(await store.reader().get(table.name, one)).toEqual(await reference.reader().get(table.name, one));
      }),
      { numRuns: 200 },
    );
  });
});
