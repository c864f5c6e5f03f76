/**
 * @eventcrm/runtime/testing: helpers for specs. The shared event store
 * contract suite (every adapter runs it against its own harness) and the
 * harness of the in-memory reference store. Imports vitest, so it is only for
 * test files.
 */
export { describeEventStoreContract } from './storeContract.ts';
export { inMemoryStoreHarness } from './memoryHarness.ts';
export type { StoreHarness } from '../store/harness.ts';
export { describeReadModelContract } from './readModelContract.ts';
export type { ReadModelHarness } from './readModelContract.ts';
