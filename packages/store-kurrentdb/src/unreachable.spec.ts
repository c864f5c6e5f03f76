import { createServer } from 'node:net';
import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyClientError } from './errors.ts';
import { kurrentGateway } from './gateway.ts';
import { createKurrentDbEventStore } from './store.ts';
import type { KurrentDbEventStore } from './store.ts';

/*
 * The real KurrentDB client against a port nothing listens on: no server is
 * needed to see how the client reports a connection failure on each path
 * (the Rust bridge for reads, raw gRPC errors for appends, an error event on
 * subscriptions), and that the adapter turns every one into
 * STORE_UNAVAILABLE.
 */
let port = 0;
let store: KurrentDbEventStore;

beforeAll(async () => {
  // A port that was just free and is closed again: connecting is refused at once.
  port = await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
  store = createKurrentDbEventStore({ connectionString: `kurrentdb://127.0.0.1:${port}?tls=false`, streamPrefix: 'unreachable/' });
});

afterAll(async () => {
  await store.close();
});

async function codeOf(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return 'no error';
}

const newEvent = {
  eventId: '0b5f4c3e-8a8b-4f4e-9a6d-0d9c1f0e2a11',
  type: 'Happened',
  schemaVersion: 1,
  data: {},
  metadata: { commandId: 'c', actor: 'a', at: '2024-01-01T00:00:00.000Z', correlationId: 'k', causationId: null },
};

describe('a KurrentDB that cannot be reached', () => {
  it('fails every read with STORE_UNAVAILABLE', async () => {
    expect(await codeOf(() => store.readStream('s'))).toBe('STORE_UNAVAILABLE');
    expect(await codeOf(() => store.streamRevision('s'))).toBe('STORE_UNAVAILABLE');
    expect(await codeOf(() => store.headPosition())).toBe('STORE_UNAVAILABLE');
    expect(await codeOf(() => store.findCommand('c'))).toBe('STORE_UNAVAILABLE');
    expect(await codeOf(() => store.lookupReservations(['k']))).toBe('STORE_UNAVAILABLE');
    expect(await codeOf(() => store.loadKeys(['s']))).toBe('STORE_UNAVAILABLE');
    expect(
      await codeOf(async () => {
        for await (const _batch of store.readAll()) break;
      }),
    ).toBe('STORE_UNAVAILABLE');
  });

  it('fails appends with STORE_UNAVAILABLE, single- and multi-stream', async () => {
    expect(await codeOf(() => store.append({ writes: [{ stream: 's', expected: 'any', events: [newEvent] }] }))).toBe('STORE_UNAVAILABLE');
    expect(await codeOf(() => store.append({ writes: [{ stream: 's', expected: 'any', events: [newEvent] }], commandId: 'c' }))).toBe('STORE_UNAVAILABLE');
  });

  it('fails a subscription with STORE_UNAVAILABLE', async () => {
    expect(
      await codeOf(async () => {
        for await (const _batch of store.subscribe()) break;
      }),
    ).toBe('STORE_UNAVAILABLE');
  });

  it('reports the client’s raw append errors in a shape the adapter recognises', async () => {
    const client = KurrentDBClient.connectionString(`kurrentdb://127.0.0.1:${port}?tls=false`);
    try {
      const gateway = kurrentGateway(client, 'auto');
      const event = { id: newEvent.eventId, type: 'Happened', data: {}, metadata: {} };
      const single = await gateway.appendToStream('s', 'no_stream', [event]).catch((error: unknown) => error);
      expect(classifyClientError(single)).toEqual({ kind: 'unavailable' });
      const atomic = await gateway.appendAtomically([{ serverStream: 's', expected: 'no_stream', events: [event] }], [{ serverStream: 's', event }]).catch((error: unknown) => error);
      expect(classifyClientError(atomic)).toEqual({ kind: 'unavailable' });
    } finally {
      await client.dispose();
    }
  });
});
