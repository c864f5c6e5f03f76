import { createInMemoryEventStore, createInMemoryReadModelStore, Crm, type Clock } from '@eventcrm/runtime';
import { createSqliteEventStore, createSqliteReadModelStore } from '@eventcrm/store-sqlite';

/** Where the service keeps its data: an SQLite file (events and read models together) or process memory. */
export type StoreLocation = { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'memory' };

/**
 * Reads `EVENTCRM_STORE` the way the CLI does (`sqlite:PATH`, `memory:`), so
 * the service and the CLI can share one file; the servers the CLI also knows
 * (PostgreSQL, KurrentDB) are left out to keep the example's dependencies
 * small. `undefined` for anything else.
 */
export function parseStoreLocation(url: string): StoreLocation | undefined {
  if (url === 'memory:' || url === 'memory') return { kind: 'memory' };
  if (url.startsWith('sqlite:') && url.length > 'sqlite:'.length) return { kind: 'sqlite', path: url.slice('sqlite:'.length) };
  return undefined;
}

/**
 * The wiring an embedding application does once: the event store for the
 * `Crm`, and the read models beside the events (SQLite's share the event
 * store's connection, so one file holds both).
 */
export function openCrm(location: StoreLocation, options: { readonly clock?: Clock } = {}): Crm {
  const clock = options.clock === undefined ? {} : { clock: options.clock };
  if (location.kind === 'memory') {
    return new Crm({ store: createInMemoryEventStore(), readModels: createInMemoryReadModelStore(), ...clock });
  }
  const store = createSqliteEventStore({ path: location.path });
  return new Crm({ store, readModels: createSqliteReadModelStore({ store }), ...clock });
}
