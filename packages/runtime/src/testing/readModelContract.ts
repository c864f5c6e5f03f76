import { scanRows, type Row, type ScanQuery, type TableSpec } from '@eventcrm/projections';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCheckpointMovedError, type ReadModelStore } from '../projection/port.ts';

/** What a read-model store adapter hands to the contract suite. */
export interface ReadModelHarness {
  /** A fresh, empty read-model store. */
  create(): Promise<ReadModelStore>;
  dispose?(): Promise<void>;
}

const people: TableSpec = {
  name: 'contract_people',
  columns: { id: 'text', team: 'text', age: 'integer', score: 'real', active: 'boolean', tags: 'json', joined_at: 'text', minor: 'text' },
  key: ['id'],
  indexes: [['team', 'joined_at']],
};
const pairs: TableSpec = {
  name: 'contract_pairs',
  columns: { member_id: 'text', month: 'text', count: 'integer', detail: 'json' },
  key: ['member_id', 'month'],
};
const directory: TableSpec = { name: 'contract_directory', columns: { id: 'text', name: 'text' }, key: ['id'], resident: true };
const tables = [people, pairs, directory];

const person = (id: string, extra: Partial<Record<string, unknown>> = {}): Row =>
  ({ id, team: 'north', age: 30, score: 1.5, active: true, tags: ['a', { b: 1 }], joined_at: '2026-01-05T09:00:00.000Z', minor: '123456789012345678901', ...extra });

/**
 * The read-model store contract: every adapter (memory, SQLite, PostgreSQL)
 * runs it, so projections and queries behave the same on each. The in-memory
 * `scanRows` is the reference semantics of `scan`.
 */
export function describeReadModelContract(name: string, harness: ReadModelHarness): void {
  describe(`read-model store contract: ${name}`, () => {
    let store: ReadModelStore;
    beforeAll(async () => {
      store = await harness.create();
      await store.prepare('live', tables);
      await store.prepare('rebuild', tables);
    });
    afterAll(async () => {
      await store.close();
      await harness.dispose?.();
    });

    it('round-trips every column type, including nulls, JSON, booleans and long digit strings', async () => {
      const rows = [person('p-1'), person('p-2', { team: null, age: null, score: null, active: false, tags: null, joined_at: null, minor: null })];
      await store.commit('live', [{ table: people, upserts: rows, deletes: [] }], []);
      const fetched = await store.fetch('live', people, [['p-1'], ['p-2'], ['p-missing']]);
      expect([...fetched].sort((a, b) => JSON.stringify(a['id']).localeCompare(JSON.stringify(b['id'])))).toEqual(rows);
      expect(await store.reader().get(people.name, ['p-1'])).toEqual(rows[0]);
      expect(await store.reader().get(people.name, ['p-missing'])).toBeUndefined();
    });

    it('upserts replace rows and deletes remove them; composite keys work', async () => {
      await store.commit('live', [{ table: pairs, upserts: [{ member_id: 'u-1', month: '2026-01', count: 1, detail: { x: 1 } }], deletes: [] }], []);
      await store.commit('live', [{ table: pairs, upserts: [{ member_id: 'u-1', month: '2026-01', count: 2, detail: { x: 2 } }, { member_id: 'u-1', month: '2026-02', count: 5, detail: [] }], deletes: [] }], []);
      expect(await store.fetch('live', pairs, [['u-1', '2026-01']])).toEqual([{ member_id: 'u-1', month: '2026-01', count: 2, detail: { x: 2 } }]);
      await store.commit('live', [{ table: pairs, upserts: [], deletes: [['u-1', '2026-01']] }], []);
      expect(await store.fetch('live', pairs, [['u-1', '2026-01'], ['u-1', '2026-02']])).toEqual([{ member_id: 'u-1', month: '2026-02', count: 5, detail: [] }]);
    });

    it('scans with equality, IN, ranges, null, order and limit exactly like the reference', async () => {
      const rows = Array.from({ length: 30 }, (_, index) =>
        person(`s-${String(index).padStart(2, '0')}`, {
          team: index % 3 === 0 ? 'north' : index % 3 === 1 ? 'south' : null,
          age: index,
          joined_at: `2026-01-${String((index % 28) + 1).padStart(2, '0')}T00:00:00.000Z`,
        }),
      );
      await store.commit('live', [{ table: people, upserts: rows, deletes: [] }], []);
      const all = await store.reader().scan(people.name);
      const queries: ScanQuery[] = [
        { where: { team: 'north' }, orderBy: [['id', 'asc']] },
        { where: { team: null }, orderBy: [['age', 'desc']] },
        { where: { team: { in: ['north', 'south'] }, age: { gte: 5, lt: 20 } }, orderBy: [['joined_at', 'asc'], ['id', 'asc']] },
        { where: { joined_at: { gt: '2026-01-10T00:00:00.000Z', lte: '2026-01-20T00:00:00.000Z' } }, orderBy: [['id', 'desc']], limit: 4 },
        { where: { team: { notNull: true }, active: true }, orderBy: [['id', 'asc']] },
        { where: { id: { in: [] } } },
      ];
      for (const query of queries) {
        expect(await store.reader().scan(people.name, query), JSON.stringify(query)).toEqual(scanRows(all, query));
      }
    });

    it('commits checkpoints with the rows, per namespace', async () => {
      await store.commit('live', [{ table: directory, upserts: [{ id: 'd-1', name: 'Ada' }], deletes: [] }], [{ projection: 'contract', position: '42', version: 3 }]);
      expect(await store.checkpoints('live')).toContainEqual({ projection: 'contract', position: '42', version: 3 });
      expect(await store.checkpoints('rebuild')).not.toContainEqual(expect.objectContaining({ projection: 'contract' }));
      expect(await store.loadAll('live', directory)).toContainEqual({ id: 'd-1', name: 'Ada' });
    });

    it('keeps the rebuild namespace apart from live until the swap, then swaps atomically', async () => {
      await store.reset('rebuild', tables, ['contract']);
      await store.commit('rebuild', [{ table: directory, upserts: [{ id: 'd-2', name: 'Bo' }], deletes: [] }], [{ projection: 'contract', position: '99', version: 4 }]);
      expect(await store.loadAll('live', directory)).not.toContainEqual({ id: 'd-2', name: 'Bo' });
      expect(await store.reader().get(directory.name, ['d-1'])).toEqual({ id: 'd-1', name: 'Ada' });
      await store.swap([directory], ['contract']);
      expect(await store.loadAll('live', directory)).toEqual([{ id: 'd-2', name: 'Bo' }]);
      expect(await store.checkpoints('live')).toContainEqual({ projection: 'contract', position: '99', version: 4 });
      await store.prepare('rebuild', tables);
      expect(await store.loadAll('rebuild', directory)).toEqual([]);
    });

    it('reset empties the tables and forgets the checkpoints of a namespace', async () => {
      await store.commit('rebuild', [{ table: pairs, upserts: [{ member_id: 'r', month: '2026-01', count: 1, detail: null }], deletes: [] }], [{ projection: 'contract', position: '7', version: 1 }]);
      await store.reset('rebuild', tables, ['contract']);
      expect(await store.loadAll('rebuild', pairs)).toEqual([]);
      expect((await store.checkpoints('rebuild')).filter((checkpoint) => checkpoint.projection === 'contract')).toEqual([]);
    });

    it('commits conditionally: a checkpoint moved since the runner read it fails the commit and writes nothing', async () => {
      await store.commit('live', [], [{ projection: 'conditional', position: '10', version: 1 }], new Map([['conditional', null]]));
      const stale = store.commit(
        'live',
        [{ table: pairs, upserts: [{ member_id: 'stale', month: '2026-09', count: 1, detail: null }], deletes: [] }],
        [{ projection: 'conditional', position: '12', version: 1 }],
        new Map([['conditional', null]]),
      );
      await expect(stale).rejects.toSatisfy(isCheckpointMovedError);
      expect(await store.fetch('live', pairs, [['stale', '2026-09']])).toEqual([]);
      expect(await store.checkpoints('live')).toContainEqual({ projection: 'conditional', position: '10', version: 1 });
      await store.commit('live', [], [{ projection: 'conditional', position: '12', version: 1 }], new Map([['conditional', '10']]));
      expect(await store.checkpoints('live')).toContainEqual({ projection: 'conditional', position: '12', version: 1 });
    });

    it('commits many rows in one call', async () => {
      const many = Array.from({ length: 5000 }, (_, index) => ({ member_id: `bulk-${index}`, month: '2026-03', count: index, detail: { index } }));
      await store.commit('live', [{ table: pairs, upserts: many, deletes: [] }], []);
      const fetched = await store.fetch('live', pairs, many.slice(0, 1200).map((row) => [row.member_id, row.month]));
      expect(fetched).toHaveLength(1200);
      expect(await store.reader().scan(pairs.name, { where: { month: '2026-03' }, orderBy: [['count', 'desc']], limit: 1 })).toEqual([many[4999]]);
    });
  });
}
