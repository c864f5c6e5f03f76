import { randomUUID } from 'node:crypto';
import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import type { StoreHarness } from '@eventcrm/runtime';
import { createKurrentDbEventStore } from './store.ts';
import type { KurrentDbEventStore, KurrentDbEventStoreOptions } from './store.ts';

/**
 * The contract suite's view of a KurrentDB server: every `create()` is a
 * store under a fresh prefix (`<prefixRoot><uuid>/`) on one shared client,
 * so each starts empty while the server is shared, as tenants share it.
 * `dispose()` closes the stores and the client. KurrentDB streams cannot be
 * dropped like a schema: the streams a run writes stay on the server (under
 * `prefixRoot`) until they are deleted and scavenged. There are no tamper
 * hooks: events in KurrentDB are immutable, so the adapter offers no way to
 * edit one, and the contract suite leaves the tamper tests out.
 *
 * The client is made on the first `create()`, so a harness can be declared
 * in a spec file that then decides not to run.
 */
export function kurrentDbHarness(
  options: { readonly connectionString: string; readonly prefixRoot?: string } & Omit<KurrentDbEventStoreOptions, 'connectionString' | 'client' | 'streamPrefix'>,
): StoreHarness {
  const { connectionString, prefixRoot = 'eventcrm-test-', ...storeOptions } = options;
  let client: KurrentDBClient | undefined;
  const stores: KurrentDbEventStore[] = [];
  return {
    create() {
      client ??= KurrentDBClient.connectionString(connectionString);
      const store = createKurrentDbEventStore({ ...storeOptions, client, streamPrefix: `${prefixRoot}${randomUUID()}/` });
      stores.push(store);
      return Promise.resolve(store);
    },
    async dispose() {
      for (const store of stores.splice(0)) await store.close();
      await client?.dispose();
      client = undefined;
    },
  };
}
