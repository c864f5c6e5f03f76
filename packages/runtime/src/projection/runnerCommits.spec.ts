import { currentSchemaVersions } from '@eventcrm/domain';
import type { ProjectionDefinition } from '@eventcrm/projections';
import { describe, expect, it } from 'vitest';
import { createInMemoryEventStore } from '../store/memory.ts';
import { createInMemoryReadModelStore } from './memoryReadModels.ts';
import type { ReadModelStore } from './port.ts';
import { ProjectionRunner } from './runner.ts';

/** One row per registered customer. */
const customers: ProjectionDefinition = {
  name: 'commits',
  version: 1,
  eventTypes: ['CustomerRegistered'],
  tables: [{ name: 'commits_customers', columns: { customer_id: 'text' }, key: ['customer_id'] }],
  rowsNeeded: () => [],
  apply(event, rows) {
    if (event.type === 'CustomerRegistered') rows.put('commits_customers', { customer_id: event.data.customerId });
  },
};

/** A log of `count` customer registrations, appended directly (decisions are not what this spec is about). */
async function log(count: number) {
  const store = createInMemoryEventStore();
  const writes = Array.from({ length: count }, (_, index) => ({
    stream: `customer-cus-${index}`,
    expected: 'no_stream' as const,
    events: [
      {
        eventId: `e-${index}`,
        type: 'CustomerRegistered',
        schemaVersion: currentSchemaVersions.CustomerRegistered,
        data: { customerId: `cus-${index}` },
        metadata: { commandId: `c-${index}`, actor: 'system', at: '2026-01-01T00:00:00.000Z', correlationId: `c-${index}`, causationId: null },
      },
    ],
  }));
  await store.append({ writes });
  return store;
}

/** Read models that count the commits of each namespace. */
function counting(): { readonly readModels: ReadModelStore; readonly commits: { live: number; rebuild: number } } {
  const inner = createInMemoryReadModelStore();
  const commits = { live: 0, rebuild: 0 };
  return {
    commits,
    readModels: {
      ...inner,
      commit: (namespace, ...rest) => {
        commits[namespace] += 1;
        return inner.commit(namespace, ...rest);
      },
    },
  };
}

describe('when the runner commits', () => {
  it('a catch-up commits every 25,000 events by default, a rebuild only at the end', async () => {
    const store = await log(26_000);
    const { readModels, commits } = counting();
    const runner = new ProjectionRunner({ store, readModels, projections: [customers], batchSize: 1000 });
    await runner.catchUp();
    expect(commits.live).toBe(2);
    await runner.rebuild();
    expect(commits.rebuild).toBe(1);
    expect(await readModels.reader().scan('commits_customers', { limit: 5 })).toHaveLength(5);
  });

  it('a rebuild commits early when maxDirtyRows rows wait, and every commitEvery events when that is given', async () => {
    const store = await log(30);
    const bounded = counting();
    await new ProjectionRunner({ store, readModels: bounded.readModels, projections: [customers], batchSize: 3, maxDirtyRows: 6 }).rebuild();
    // Commits after batches 2, 4, 6, 8, 10 (6 rows each).
    expect(bounded.commits.rebuild).toBe(5);
    const every = counting();
    await new ProjectionRunner({ store, readModels: every.readModels, projections: [customers], batchSize: 3, commitEvery: 9 }).rebuild();
    // After batches 3, 6 and 9, then the last one at the end.
    expect(every.commits.rebuild).toBe(4);
    expect(await every.readModels.reader().scan('commits_customers')).toHaveLength(30);
  });
});
