import { randomUUID } from 'node:crypto';
import { describeEventStoreContract } from '@eventcrm/runtime/testing';
import { FakeKurrentDb } from '../test/fakeKurrentDb.ts';
import { KurrentDbEventStore } from './store.ts';

/*
 * The shared contract suite against the adapter on an in-memory fake of
 * KurrentDB (see test/fakeKurrentDb.ts). This runs everywhere and proves the
 * adapter's own logic: planning, bookkeeping streams, races and re-planning,
 * filters, cursors, decoding. What it cannot prove is that the real server
 * behaves like the fake; kurrentdb.contract.int.spec.ts runs the same suite
 * against a real server when EVENTCRM_KURRENTDB_URL is set.
 *
 * All stores share one fake server under different prefixes, as stores of
 * several tenants (or test runs) share one KurrentDB.
 */
const server = new FakeKurrentDb();

describeEventStoreContract('kurrentdb adapter on a fake KurrentDB 26.1 (appendRecords)', {
  create: () => Promise.resolve(new KurrentDbEventStore(server.gateway(), { streamPrefix: `contract-${randomUUID()}/`, ownsClient: true })),
});

// The same, with every log read filtered on the client only (as with the
// EventStoreDB 6.x client, whose readAll cannot filter): proves that the
// client-side rule alone keeps other tenants, system events and the
// adapter's own streams out of readAll and headPosition.
describeEventStoreContract('kurrentdb adapter on a fake KurrentDB, log reads filtered on the client', {
  create: () => Promise.resolve(new KurrentDbEventStore(server.gateway({ filtersReads: false }), { streamPrefix: `contract-${randomUUID()}/`, ownsClient: true })),
});
