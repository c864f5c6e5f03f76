/**
 * The shared contract suites run against the adapter of appendMetrics.ts
 * (docs/stores.md). A vitest spec file in an adapter package looks like this.
 */
import { createInMemoryReadModelStore, type EventStore } from '@eventcrm/runtime';
import { describeEventStoreContract, describeReadModelContract, inMemoryStoreHarness, type StoreHarness } from '@eventcrm/runtime/testing';
import { withAppendMetrics } from './appendMetrics.ts';

// #region contract
const reference = inMemoryStoreHarness();
const wrapped = new WeakMap<EventStore, EventStore>();

/** The wrapped store behind one of ours: tampering bypasses the adapter and edits the rows underneath. */
const underneath = (store: EventStore): EventStore => {
  const inner = wrapped.get(store);
  if (inner === undefined) throw new Error('not a store this harness created');
  return inner;
};

const harness: StoreHarness = {
  // A fresh, empty store for every call: each group of contract tests gets its own.
  async create() {
    const inner = await reference.create();
    const store = withAppendMetrics(inner, { appends: 0, events: 0 });
    wrapped.set(store, inner);
    return store;
  },
  // Raw edits for the tamper-evidence tests; leave `tamper` out when your store cannot be edited behind its back.
  tamper: {
    replaceData: (store, stream, revision, data) => reference.tamper!.replaceData(underneath(store), stream, revision, data),
    deleteEvent: (store, stream, revision) => reference.tamper!.deleteEvent(underneath(store), stream, revision),
    swapEvents: (store, stream, a, b) => reference.tamper!.swapEvents(underneath(store), stream, a, b),
  },
};

describeEventStoreContract('append metrics over the in-memory store', harness);
describeReadModelContract('in-memory read models', { create: () => Promise.resolve(createInMemoryReadModelStore()) });
// #endregion contract
