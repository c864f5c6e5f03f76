import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCheckpointMovedError } from '@eventcrm/runtime';
import type { TableSpec } from './types.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../store.ts';
import { createSqliteReadModelStore } from './sqliteReadModelStore.ts';

const dir = mkdtempSync(join(tmpdir(), 'eventcrm-conditional-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const counters: TableSpec = { name: 'conditional_counters', columns: { id: 'text', value: 'integer' }, key: ['id'] };

describe('conditional commits (two processes catching up one read model)', () => {
  it('writes nothing when a checkpoint moved since the runner read it', async () => {
    const path = join(dir, 'conditional.db');
    const one = createSqliteReadModelStore({ store: createSqliteEventStore({ path }) });
    const other = createSqliteReadModelStore({ store: createSqliteEventStore({ path }) });
    await one.prepare('live', [counters]);
    await one.commit('live', [{ table: counters, upserts: [{ id: 'a', value: 1 }], deletes: [] }], [{ projection: 'p', position: '10', version: 1 }], new Map([['p', null]]));
    // The other runner also started from no checkpoint: its commit must fail and write nothing.
    const stale = other.commit('live', [{ table: counters, upserts: [{ id: 'a', value: 99 }], deletes: [] }], [{ projection: 'p', position: '12', version: 1 }], new Map([['p', null]]));
    await expect(stale).rejects.toSatisfy(isCheckpointMovedError);
    expect(await one.reader().get(counters.name, ['a'])).toEqual({ id: 'a', value: 1 });
    expect(await one.checkpoints('live')).toEqual([{ projection: 'p', position: '10', version: 1 }]);
    // From the moved checkpoint it succeeds.
    await other.commit('live', [{ table: counters, upserts: [{ id: 'a', value: 2 }], deletes: [] }], [{ projection: 'p', position: '12', version: 1 }], new Map([['p', '10']]));
    expect(await one.reader().get(counters.name, ['a'])).toEqual({ id: 'a', value: 2 });
  });
});
