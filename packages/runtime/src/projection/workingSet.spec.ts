import type { ProjectionDefinition, Row, TableSpec } from '@eventcrm/projections';
import { describe, expect, it } from 'vitest';
import { createInMemoryReadModelStore } from './memoryReadModels.ts';
import { WorkingSet } from './workingSet.ts';

const counters: TableSpec = { name: 'ws_counters', columns: { id: 'text', count: 'integer', tags: 'json' }, key: ['id'] };
const settings: TableSpec = { name: 'ws_settings', columns: { id: 'text', value: 'text' }, key: ['id'], resident: true };
const projection: ProjectionDefinition = { name: 'ws', version: 1, tables: [counters, settings], eventTypes: [], rowsNeeded: () => [], apply: () => undefined };

const upsertsOf = (changes: ReturnType<WorkingSet['takeChanges']>, table: string): readonly Row[] => changes.find((change) => change.table.name === table)?.upserts ?? [];

describe('WorkingSet drafts', () => {
  it('never changes a row once it was handed to the store: the first draft after a commit is a copy, JSON cells included', async () => {
    const working = new WorkingSet(createInMemoryReadModelStore(), 'rebuild', [projection], 1000, true);
    await working.prefetch([{ table: 'ws_counters', key: ['a'] }]);
    working.put('ws_counters', { id: 'a', count: 1, tags: { x: [1] } });
    const first = working.draft('ws_counters', ['a'])!;
    first['count'] = 2;
    working.put('ws_counters', first);
    const committed = upsertsOf(working.takeChanges(), 'ws_counters');
    expect(committed).toEqual([{ id: 'a', count: 2, tags: { x: [1] } }]);

    const second = working.draft('ws_counters', ['a'])!;
    expect(second).not.toBe(committed[0]);
    second['count'] = 3;
    (second['tags'] as { x: number[] }).x.push(2);
    working.put('ws_counters', second);
    expect(committed).toEqual([{ id: 'a', count: 2, tags: { x: [1] } }]);
    expect(upsertsOf(working.takeChanges(), 'ws_counters')).toEqual([{ id: 'a', count: 3, tags: { x: [1, 2] } }]);
  });

  it('changes its own copy in place between commits, and lists the row once', async () => {
    const working = new WorkingSet(createInMemoryReadModelStore(), 'rebuild', [projection], 1000, true);
    await working.prefetch([{ table: 'ws_counters', key: ['a'] }]);
    working.put('ws_counters', { id: 'a', count: 0, tags: null });
    const drafts = [1, 2, 3].map((count) => {
      const draft = working.draft('ws_counters', ['a'])!;
      draft['count'] = count;
      working.put('ws_counters', draft);
      return draft;
    });
    // The projection's own row is copied on the first draft; later drafts are that copy.
    expect(drafts[1]).toBe(drafts[0]);
    expect(drafts[2]).toBe(drafts[0]);
    expect(working.dirtyRows).toBe(1);
    expect(upsertsOf(working.takeChanges(), 'ws_counters')).toEqual([{ id: 'a', count: 3, tags: null }]);
  });

  it('copies rows the store handed out (the in-memory store freezes them) and leaves the stored ones alone', async () => {
    const store = createInMemoryReadModelStore();
    await store.commit('live', [{ table: settings, upserts: [{ id: 's', value: 'old' }], deletes: [] }, { table: counters, upserts: [{ id: 'b', count: 5, tags: null }], deletes: [] }], []);
    const working = new WorkingSet(store, 'live', [projection], 1000, false);
    await working.loadResident();
    await working.prefetch([{ table: 'ws_counters', key: ['b'] }]);
    const setting = working.draft('ws_settings', ['s'])!;
    setting['value'] = 'new';
    working.put('ws_settings', setting);
    const counter = working.draft('ws_counters', ['b'])!;
    counter['count'] = 6;
    working.put('ws_counters', counter);
    expect(await store.fetch('live', settings, [['s']])).toEqual([{ id: 's', value: 'old' }]);
    expect(await store.fetch('live', counters, [['b']])).toEqual([{ id: 'b', count: 5, tags: null }]);
    expect(working.get('ws_counters', ['b'])).toEqual({ id: 'b', count: 6, tags: null });
  });

  it('answers undefined for a missing or deleted row, and refuses a key rowsNeeded did not declare', async () => {
    const working = new WorkingSet(createInMemoryReadModelStore(), 'rebuild', [projection], 1000, true);
    await working.prefetch([{ table: 'ws_counters', key: ['a'] }]);
    expect(working.draft('ws_counters', ['a'])).toBeUndefined();
    working.put('ws_counters', { id: 'a', count: 1, tags: null });
    working.delete('ws_counters', ['a']);
    expect(working.draft('ws_counters', ['a'])).toBeUndefined();
    expect(working.draft('ws_settings', ['none'])).toBeUndefined();
    expect(() => working.draft('ws_counters', ['z'])).toThrow(/not declared in rowsNeeded/);
    expect(working.takeChanges()).toEqual([{ table: counters, upserts: [], deletes: [['a']] }]);
  });
});
