import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeReadModelContract } from '@eventcrm/runtime/testing';
import { createSqliteEventStore } from '../store.ts';
import type { SqliteEventStore } from '../store.ts';
import { createSqliteReadModelStore } from './sqliteReadModelStore.ts';

// A temporary file per run (the contract suite creates one store), removed afterwards.
const directory = mkdtempSync(join(tmpdir(), 'eventcrm-sqlite-read-models-'));
const events: SqliteEventStore[] = [];

describeReadModelContract('sqlite', {
  create: () => {
    const store = createSqliteEventStore({ path: join(directory, `contract-${events.length}.sqlite`) });
    events.push(store);
    return Promise.resolve(createSqliteReadModelStore({ store }));
  },
  async dispose() {
    for (const store of events) await store.close();
    rmSync(directory, { recursive: true, force: true });
  },
});
