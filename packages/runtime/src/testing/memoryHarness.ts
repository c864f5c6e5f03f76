import type { StoreHarness } from '../store/harness.ts';
import { createInMemoryEventStore, tamperForTests } from '../store/memory.ts';
import type { InMemoryEventStoreOptions } from '../store/memory.ts';

/** Runs a synchronous edit as a promise, so that a failed edit rejects instead of throwing. */
const asPromise = (edit: () => void): Promise<void> =>
  new Promise<void>((resolve) => {
    edit();
    resolve();
  });

/**
 * The contract-suite harness for the in-memory store: every `create` is a new
 * empty store, and the tamper hooks edit its log directly. Besides proving the
 * reference store, it lets adapter authors run the suite against the reference
 * side by side with their own store when a test's intent is unclear.
 */
export function inMemoryStoreHarness(options: InMemoryEventStoreOptions = {}): StoreHarness {
  return {
    create: () => Promise.resolve(createInMemoryEventStore(options)),
    tamper: {
      replaceData: (store, stream, revision, data) => asPromise(() => tamperForTests(store).replaceData(stream, revision, data)),
      deleteEvent: (store, stream, revision) => asPromise(() => tamperForTests(store).deleteEvent(stream, revision)),
      swapEvents: (store, stream, revisionA, revisionB) => asPromise(() => tamperForTests(store).swapEvents(stream, revisionA, revisionB)),
    },
  };
}
