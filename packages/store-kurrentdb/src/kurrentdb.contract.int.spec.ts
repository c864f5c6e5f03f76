import { randomUUID } from 'node:crypto';
import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { hashEvent } from '@eventcrm/runtime';
import type { NewEvent } from '@eventcrm/runtime';
import { describeEventStoreContract } from '@eventcrm/runtime/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { escapeRegex } from './filter.ts';
import { createKurrentDbEventStore } from './store.ts';
import { kurrentDbHarness } from './testing.ts';

/*
 * The shared contract suite, and the server behaviour the adapter's design
 * rests on, against a real KurrentDB. It needs a server, which no test
 * environment of this repository provides (there is no Docker here), so it
 * runs only when EVENTCRM_KURRENTDB_URL names one, e.g.
 *
 *   EVENTCRM_KURRENTDB_URL='kurrentdb://localhost:2113?tls=false' npx vitest run src/kurrentdb.contract.int.spec.ts
 *
 * against an insecure single node. The whole suite needs KurrentDB 26.1+
 * (appendRecords keeps request order in the log; on 25.1, multiStreamAppend
 * may order the streams of one append differently, and the two contract
 * tests that check positions in request order across streams fail there).
 * Each run writes streams under a fresh `eventcrm-test-<uuid>/` prefix and
 * leaves them on the server.
 */
const url = process.env['EVENTCRM_KURRENTDB_URL'];

if (url === undefined || url === '') {
  console.warn(
    '[store-kurrentdb] kurrentdb.contract.int.spec.ts is not run: EVENTCRM_KURRENTDB_URL is not set, and this suite needs a real KurrentDB server ' +
      "(e.g. EVENTCRM_KURRENTDB_URL='kurrentdb://localhost:2113?tls=false'). The adapter's logic is still covered by store.contract.spec.ts on the in-memory fake.",
  );
}

describe.skipIf(url === undefined || url === '')('KurrentDB at EVENTCRM_KURRENTDB_URL', () => {
  const connectionString = url ?? '';

  describeEventStoreContract('kurrentdb', kurrentDbHarness({ connectionString }));

  describe('server behaviour the adapter relies on', () => {
    let client: KurrentDBClient | undefined;
    const raw = (): KurrentDBClient => (client ??= KurrentDBClient.connectionString(connectionString));
    afterAll(async () => {
      await client?.dispose();
    });

    const newEvent = (): NewEvent => ({
      eventId: randomUUID(),
      type: 'IntegrationChecked',
      schemaVersion: 1,
      data: { at: 'server' },
      metadata: { commandId: randomUUID(), actor: 'int', at: '2024-01-01T00:00:00.000Z', correlationId: randomUUID(), causationId: null, extra: { n: 1 } },
    });

    it('reports commit = prepare for every event of single- and multi-stream appends, so the commit position alone is the port position', async () => {
      const prefix = `eventcrm-test-${randomUUID()}/`;
      const store = createKurrentDbEventStore({ client: raw(), streamPrefix: prefix });
      try {
        await store.append({ writes: [{ stream: 'single', expected: 'no_stream', events: [newEvent(), newEvent(), newEvent()] }] });
        await store.append({
          writes: [
            { stream: 'multi-a', expected: 'no_stream', events: [newEvent(), newEvent()] },
            { stream: 'multi-b', expected: 'no_stream', events: [newEvent()] },
          ],
          commandId: randomUUID(),
          reservations: { claim: [{ key: randomUUID(), owner: 'o' }] },
        });
        const positions: { commit: bigint; prepare: bigint }[] = [];
        for await (const resolved of raw().readAll({ filter: { filterOn: 'streamName', regex: `^${escapeRegex(prefix)}`, checkpointInterval: 1 } })) {
          if (resolved.event !== undefined) positions.push(resolved.event.position);
        }
        expect(positions.length, 'the six events and the bookkeeping events').toBeGreaterThanOrEqual(8);
        for (const position of positions) expect(position.prepare, `commit ${position.commit}`).toBe(position.commit);
        expect(new Set(positions.map((position) => position.commit)).size, 'every event has its own commit position').toBe(positions.length);
      } finally {
        await store.close();
      }
    });

    it('hands back the envelope metadata of an atomic multi-stream append intact (string properties become JSON metadata)', async () => {
      const store = createKurrentDbEventStore({ client: raw(), streamPrefix: `eventcrm-test-${randomUUID()}/` });
      try {
        const result = await store.append({
          writes: [
            { stream: 'a', expected: 'no_stream', events: [newEvent()] },
            { stream: 'b', expected: 'no_stream', events: [{ ...newEvent(), eventId: 'not-a-uuid' }] },
          ],
          commandId: randomUUID(),
        });
        const [a, b] = [await store.readStream('a'), await store.readStream('b')];
        expect([...a, ...b]).toEqual(result.events);
        expect(b[0]!.eventId).toBe('not-a-uuid');
        for (const event of [...a, ...b]) expect(event.hash).toBe(hashEvent(event));
      } finally {
        await store.close();
      }
    });
  });
});
