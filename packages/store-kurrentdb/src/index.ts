/**
 * @eventcrm/store-kurrentdb: the event store port on KurrentDB (and, with
 * limits, on EventStoreDB through the 6.x client). Streams are KurrentDB
 * streams, positions are `$all` commit positions, and appends that touch
 * several streams (events, command records, reservations, encryption keys)
 * commit through KurrentDB's atomic multi-stream append or not at all.
 */
export { createKurrentDbEventStore } from './store.ts';
export type { KurrentDbEventStore, KurrentDbEventStoreOptions } from './store.ts';
export type { AtomicAppendMode, SupportedClient } from './gateway.ts';
