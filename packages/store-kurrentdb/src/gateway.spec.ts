import { EventStoreDBClient } from '@eventstore/db-client';
import * as esdb from '@eventstore/db-client';
import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import * as kurrent from '@kurrent/kurrentdb-client';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { OutgoingEvent } from './codec.ts';
import { RejectedAppend } from './errors.ts';
import { eventStoreGateway, gatewayFor, kurrentGateway } from './gateway.ts';
import type { PlannedRecord, PlannedStream } from './plan.ts';

/**
 * The gateway against stand-ins for the two clients: objects with the
 * clients' method names that record what they were called with. They show
 * that the adapter calls each client the way its `.d.ts` says (option names
 * differ: `streamState` in KurrentDB 1.x, `expectedRevision` in 6.x).
 */
type Call = [string, ...unknown[]];

function recordingClient(behaviour: Partial<Record<string, (...args: unknown[]) => unknown>> = {}): { client: unknown; calls: Call[] } {
  const calls: Call[] = [];
  const method =
    (name: string, fallback: (...args: unknown[]) => unknown) =>
    (...args: unknown[]): unknown => {
      calls.push([name, ...args]);
      return (behaviour[name] ?? fallback)(...args);
    };
  const events = async function* (): AsyncGenerator<unknown> {
    await Promise.resolve();
    yield* [];
  };
  const client = {
    appendToStream: method('appendToStream', () => Promise.resolve({ success: true, nextExpectedRevision: 0n })),
    multiStreamAppend: method('multiStreamAppend', () => Promise.resolve({ position: 1n, responses: [] })),
    appendRecords: method('appendRecords', () => Promise.resolve({ position: 1n, responses: [] })),
    readStream: method('readStream', events),
    readAll: method('readAll', events),
    tombstoneStream: method('tombstoneStream', () => Promise.resolve({})),
    subscribeToAll: method('subscribeToAll', () => new PassThrough({ objectMode: true })),
    dispose: method('dispose', () => Promise.resolve()),
  };
  return { client, calls };
}

const withoutMultiStream = (client: unknown): unknown => {
  const { multiStreamAppend: _multi, appendRecords: _records, ...rest } = client as Record<string, unknown>;
  return rest;
};

const event: OutgoingEvent = { id: '0b5f4c3e-8a8b-4f4e-9a6d-0d9c1f0e2a11', type: 'Happened', data: { a: 1 }, metadata: { 'eventcrm.format': '1' } };
const eventData = { id: event.id, contentType: 'application/json', type: 'Happened', data: { a: 1 }, metadata: { 'eventcrm.format': '1' } };
const streams: PlannedStream[] = [
  { serverStream: 't/a', expected: 'no_stream', events: [event] },
  { serverStream: 't/b', expected: 3n, events: [event] },
];
const records: PlannedRecord[] = [
  { serverStream: 't/a', event },
  { serverStream: 't/b', event },
];

describe('the KurrentDB 1.x gateway', () => {
  it('appends to one stream with streamState', async () => {
    const { client, calls } = recordingClient();
    await kurrentGateway(client as KurrentDBClient, 'auto').appendToStream('t/a', 3n, [event]);
    expect(calls).toEqual([['appendToStream', 't/a', [eventData], { streamState: 3n }]]);
  });

  it('turns an append refused as a value (throwOnAppendFailure: false) into a conflict', async () => {
    const { client } = recordingClient({ appendToStream: () => Promise.resolve({ success: false, nextExpectedRevision: -1n }) });
    await expect(kurrentGateway(client as KurrentDBClient, 'auto').appendToStream('t/a', 3n, [event])).rejects.toEqual(new RejectedAppend('t/a', 'no_stream'));
  });

  it('prefers appendRecords, with one stream-state check per stream and records in request order', async () => {
    const { client, calls } = recordingClient();
    await kurrentGateway(client as KurrentDBClient, 'auto').appendAtomically(streams, records);
    expect(calls).toEqual([
      [
        'appendRecords',
        [
          { streamName: 't/a', record: eventData },
          { streamName: 't/b', record: eventData },
        ],
        [
          { type: kurrent.STREAM_STATE, streamName: 't/a', expectedState: kurrent.NO_STREAM },
          { type: kurrent.STREAM_STATE, streamName: 't/b', expectedState: 3n },
        ],
      ],
    ]);
  });

  it('falls back to multiStreamAppend on a server without appendRecords, and remembers it', async () => {
    const { client, calls } = recordingClient({ appendRecords: () => Promise.reject(new kurrent.UnsupportedError('appendRecords', '26.1')) });
    const gateway = kurrentGateway(client as KurrentDBClient, 'auto');
    await gateway.appendAtomically(streams, records);
    await gateway.appendAtomically(streams, records);
    expect(calls.map(([name]) => name)).toEqual(['appendRecords', 'multiStreamAppend', 'multiStreamAppend']);
    expect(calls[1]).toEqual([
      'multiStreamAppend',
      [
        { streamName: 't/a', expectedState: 'no_stream', events: [eventData] },
        { streamName: 't/b', expectedState: 3n, events: [eventData] },
      ],
    ]);
  });

  it('refuses with INVALID_APPEND, having sent nothing, when the server has neither', async () => {
    const unsupported = (): Promise<never> => Promise.reject(new kurrent.UnsupportedError('x', '25.1'));
    const { client } = recordingClient({ appendRecords: unsupported, multiStreamAppend: unsupported });
    await expect(kurrentGateway(client as KurrentDBClient, 'auto').appendAtomically(streams, records)).rejects.toMatchObject({ code: 'INVALID_APPEND' });
  });

  it('uses only the chosen operation in a fixed mode, and none in mode none', async () => {
    const { client, calls } = recordingClient({ multiStreamAppend: () => Promise.reject(new kurrent.UnsupportedError('multiStreamAppend', '25.1')) });
    await expect(kurrentGateway(client as KurrentDBClient, 'multi-stream-append').appendAtomically(streams, records)).rejects.toMatchObject({ type: 'unsupported' });
    const none = kurrentGateway(client as KurrentDBClient, 'none');
    expect(none.mayAppendAtomically).toBe(false);
    await expect(none.appendAtomically(streams, records)).rejects.toMatchObject({ code: 'INVALID_APPEND' });
    expect(calls.map(([name]) => name)).toEqual(['multiStreamAppend']);
  });

  it('passes conflicts through untouched for the store to re-plan', async () => {
    const conflict = new kurrent.WrongExpectedVersionError(undefined, { streamName: 't/b', expected: 3n, current: 4n });
    const { client } = recordingClient({ appendRecords: () => Promise.reject(conflict) });
    await expect(kurrentGateway(client as KurrentDBClient, 'auto').appendAtomically(streams, records)).rejects.toBe(conflict);
  });

  it('reads streams with the client’s options, telling missing and deleted streams apart', async () => {
    const recordedEvent = { streamId: 't/a', id: event.id, revision: 0n, type: 'Happened', data: {}, metadata: {}, isJson: true };
    const { client, calls } = recordingClient({
      readStream: async function* (name: unknown) {
        await Promise.resolve();
        if (name === 't/missing') throw new kurrent.StreamNotFoundError(undefined, 't/missing');
        if (name === 't/deleted') throw kurrent.StreamDeletedError.fromStreamName('t/deleted');
        if (name === 't/down') throw new kurrent.UnavailableError();
        yield { event: recordedEvent };
        yield { link: recordedEvent };
      },
    });
    const gateway = kurrentGateway(client as KurrentDBClient, 'auto');
    expect(await gateway.readStream('t/a', { direction: 'backwards', from: 'end', maxCount: 1, requiresLeader: true })).toEqual({ status: 'found', events: [recordedEvent] });
    expect(calls[0]).toEqual(['readStream', 't/a', { direction: 'backwards', fromRevision: 'end', maxCount: 1, requiresLeader: true }]);
    expect(await gateway.readStream('t/missing', { direction: 'forwards', from: 'start', maxCount: 1 })).toEqual({ status: 'absent' });
    expect(await gateway.readStream('t/deleted', { direction: 'forwards', from: 0n, maxCount: 1 })).toEqual({ status: 'deleted' });
    await expect(gateway.readStream('t/down', { direction: 'forwards', from: 0n, maxCount: 1 })).rejects.toBeInstanceOf(kurrent.UnavailableError);
  });

  it('reads $all with the server-side filter', async () => {
    const { client, calls } = recordingClient();
    const filter = { filterOn: 'streamName', regex: '^t/', checkpointInterval: 1 } as const;
    await kurrentGateway(client as KurrentDBClient, 'auto').readAll({ direction: 'forwards', from: { commit: 5n, prepare: 5n }, maxCount: 3, filter });
    expect(calls).toEqual([['readAll', { direction: 'forwards', fromPosition: { commit: 5n, prepare: 5n }, maxCount: 3, filter }]]);
  });

  it('subscribes to $all from a position with the filter, and absorbs errors that race the unsubscription', async () => {
    const subscription = Object.assign(new PassThrough({ objectMode: true }), { unsubscribed: 0, unsubscribe: () => Promise.resolve(void (subscription.unsubscribed += 1)) });
    const { client, calls } = recordingClient({ subscribeToAll: () => subscription });
    const filter = { filterOn: 'streamName', regex: '^t/', checkpointInterval: 1 } as const;
    const feed = kurrentGateway(client as KurrentDBClient, 'auto').subscribeToAll({ from: { commit: 9n, prepare: 9n }, filter });
    expect(calls).toEqual([['subscribeToAll', { fromPosition: { commit: 9n, prepare: 9n }, filter }]]);
    expect(feed.source).toBe(subscription);
    await feed.close();
    expect(subscription.unsubscribed).toBe(1);
    expect(() => subscription.emit('error', new Error('late failure'))).not.toThrow();
  });

  it('tombstones, ignoring a stream that is already gone', async () => {
    const { client, calls } = recordingClient({ tombstoneStream: () => Promise.reject(kurrent.StreamDeletedError.fromStreamName('t/k')) });
    await kurrentGateway(client as KurrentDBClient, 'auto').tombstone('t/k');
    expect(calls).toEqual([['tombstoneStream', 't/k']]);
    const failing = recordingClient({ tombstoneStream: () => Promise.reject(new kurrent.UnavailableError()) });
    await expect(kurrentGateway(failing.client as KurrentDBClient, 'auto').tombstone('t/k')).rejects.toBeInstanceOf(kurrent.UnavailableError);
  });
});

describe('the EventStoreDB 6.x gateway', () => {
  it('appends to one stream with expectedRevision', async () => {
    const { client, calls } = recordingClient();
    await eventStoreGateway(withoutMultiStream(client) as EventStoreDBClient).appendToStream('t/a', 'no_stream', [event]);
    expect(calls).toEqual([['appendToStream', 't/a', [eventData], { expectedRevision: 'no_stream' }]]);
  });

  it('refuses every append that spans several streams, sending nothing', async () => {
    const { client, calls } = recordingClient();
    const gateway = eventStoreGateway(withoutMultiStream(client) as EventStoreDBClient);
    expect(gateway.mayAppendAtomically).toBe(false);
    await expect(gateway.appendAtomically(streams, records)).rejects.toMatchObject({ code: 'INVALID_APPEND', message: expect.stringMatching(/kurrentdb-client/) as unknown });
    expect(calls).toEqual([]);
  });

  it('reads $all without a filter, since the 6.x readAll has none', async () => {
    const { client, calls } = recordingClient();
    const gateway = eventStoreGateway(withoutMultiStream(client) as EventStoreDBClient);
    expect(gateway.filtersReads).toBe(false);
    await gateway.readAll({ direction: 'backwards', from: 'end', maxCount: 100 });
    expect(calls).toEqual([['readAll', { direction: 'backwards', fromPosition: 'end', maxCount: 100 }]]);
  });

  it('tells missing streams apart with the 6.x error classes', async () => {
    const { client } = recordingClient({
      readStream: async function* () {
        await Promise.resolve();
        yield* [];
        throw new esdb.StreamNotFoundError(undefined, 't/missing');
      },
    });
    expect(await eventStoreGateway(withoutMultiStream(client) as EventStoreDBClient).readStream('t/missing', { direction: 'forwards', from: 'start', maxCount: 1 })).toEqual({ status: 'absent' });
  });
});

describe('choosing the gateway for a client', () => {
  // Made from connection strings: the clients connect lazily, so no server is needed.
  const kurrentClient = KurrentDBClient.connectionString('kurrentdb://127.0.0.1:2113?tls=false');
  const eventStoreClient = EventStoreDBClient.connectionString('esdb://127.0.0.1:2113?tls=false');
  afterAll(async () => {
    await kurrentClient.dispose();
    await eventStoreClient.dispose();
  });

  it('recognises the KurrentDB client by its multiStreamAppend method', () => {
    expect(gatewayFor(kurrentClient, 'auto')).toMatchObject({ description: 'the KurrentDB client', filtersReads: true, mayAppendAtomically: true });
    expect(gatewayFor(eventStoreClient, 'auto')).toMatchObject({ description: 'the EventStoreDB 6.x client', filtersReads: false, mayAppendAtomically: false });
  });

  it('refuses to promise an atomic operation the 6.x client does not have', () => {
    expect(() => gatewayFor(eventStoreClient, 'append-records')).toThrow(RangeError);
    expect(() => gatewayFor(eventStoreClient, 'multi-stream-append')).toThrow(RangeError);
    expect(gatewayFor(eventStoreClient, 'none').mayAppendAtomically).toBe(false);
  });
});
