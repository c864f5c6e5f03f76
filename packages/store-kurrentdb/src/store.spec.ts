import { randomUUID } from 'node:crypto';
import { isStoreError, isWrongExpectedRevisionError } from '@eventcrm/runtime';
import type { AppendRequest, EventStore, NewEvent, StoredEvent } from '@eventcrm/runtime';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeKurrentDb } from '../test/fakeKurrentDb.ts';
import { bookkeepingTypes } from './bookkeeping.ts';
import { metadataKeys, serverEventId } from './codec.ts';
import type { AtomicAppendMode } from './gateway.ts';
import { createStreamNaming } from './naming.ts';
import { KurrentDbEventStore, createKurrentDbEventStore } from './store.ts';

/*
 * The adapter's own behaviour beyond the shared contract (which
 * store.contract.spec.ts runs): isolation on a shared server, what happens
 * on servers and clients without atomic multi-stream appends, lost races,
 * read-back, crypto-shredding, failures and configuration. All on the
 * in-memory fake of KurrentDB.
 */

const newEvent = (overrides: Partial<NewEvent> = {}): NewEvent => ({
  eventId: randomUUID(),
  type: 'Happened',
  schemaVersion: 1,
  data: { note: 'spec' },
  metadata: { commandId: randomUUID(), actor: 'spec', at: '2024-01-01T00:00:00.000Z', correlationId: randomUUID(), causationId: null },
  ...overrides,
});

const append = (store: EventStore, stream: string, expected: AppendRequest['writes'][number]['expected'] = 'any', extra: Omit<AppendRequest, 'writes'> = {}) =>
  store.append({ writes: [{ stream, expected, events: [newEvent()] }], ...extra });

async function readAll(store: EventStore): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const batch of store.readAll()) events.push(...batch);
  return events;
}

async function failure(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

const stores: EventStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

function storeOn(
  server: FakeKurrentDb,
  options: { prefix?: string; atomicAppend?: AtomicAppendMode; filtersReads?: boolean; onWarning?: (message: string, cause: unknown) => void; maxAppendAttempts?: number } = {},
): KurrentDbEventStore {
  const store = new KurrentDbEventStore(server.gateway({ atomicAppend: options.atomicAppend ?? 'auto', filtersReads: options.filtersReads ?? true }), {
    streamPrefix: options.prefix ?? `spec-${randomUUID()}/`,
    ownsClient: true,
    onWarning: options.onWarning,
    maxAppendAttempts: options.maxAppendAttempts,
  });
  stores.push(store);
  return store;
}

describe('isolation on a shared server', () => {
  it('keeps stores with different prefixes apart, and hides system events, other tenants and its own bookkeeping', async () => {
    const server = new FakeKurrentDb();
    const [a, b] = [storeOn(server, { prefix: 'a/' }), storeOn(server, { prefix: 'b/' })];
    const written = await append(a, 'customer-1', 'no_stream', {
      commandId: 'cmd-1',
      reservations: { claim: [{ key: '+441234', owner: 'customer-1' }] },
      keys: { create: [{ subject: 'customer-1', key: 'a2V5' }] },
    });
    await append(b, 'customer-1', 'no_stream');

    expect(await readAll(a)).toEqual(written.events);
    expect(await a.headPosition()).toBe(written.events[0]!.position);
    expect((await readAll(b)).map((event) => event.stream)).toEqual(['customer-1']);
    expect(await b.lookupReservations(['+441234']), 'reservations are per store').toEqual(new Map());
    expect(await b.findCommand('cmd-1')).toBeUndefined();
    expect(server.log.some((event) => event.streamId.startsWith('a/__eventcrm-')), 'the bookkeeping is in the log, just not in readAll').toBe(true);
  });

  it('stores events under `${prefix}${stream}` with KurrentDB event ids, mapping ids that are not UUIDs', async () => {
    const server = new FakeKurrentDb();
    const store = storeOn(server, { prefix: 'tenant/' });
    await store.append({ writes: [{ stream: 'customer-1', expected: 'no_stream', events: [newEvent({ eventId: 'evt-1' })] }] });
    const raw = server.log.find((event) => event.streamId === 'tenant/customer-1')!;
    expect(raw.id).toBe(serverEventId('evt-1'));
    expect((raw.metadata as Record<string, string>)[metadataKeys.eventId]).toBe('evt-1');
    expect((await store.readStream('customer-1'))[0]!.eventId).toBe('evt-1');
  });

  it('reads names it would never write as empty streams', async () => {
    const server = new FakeKurrentDb();
    const store = storeOn(server, { prefix: '' });
    await append(store, 'customer-1', 'no_stream', { commandId: 'cmd-1' });
    const internal = createStreamNaming('').internalStream('command', 'cmd-1');
    expect(await store.readStream('$stats-127.0.0.1:2113')).toEqual([]);
    expect(await store.readStream(internal)).toEqual([]);
    expect(await store.streamRevision(internal)).toBeNull();
    expect(await store.readStream('customer-1', { limit: 0 })).toEqual([]);
  });
});

describe('appends that span several streams', () => {
  it('commit through appendRecords where the server has it', async () => {
    const server = new FakeKurrentDb();
    const store = storeOn(server);
    await append(store, 'customer-1', 'no_stream', { commandId: 'cmd-1' });
    expect(server.appends.map((each) => [each.method, each.streams.length])).toEqual([['appendRecords', 2]]);
  });

  it('fall back to multiStreamAppend on KurrentDB 25.1, reading back the positions the server chose', async () => {
    const server = new FakeKurrentDb();
    server.unsupported.add('appendRecords');
    const store = storeOn(server);
    const result = await store.append({
      writes: [
        { stream: 'a', expected: 'no_stream', events: [newEvent(), newEvent()] },
        { stream: 'b', expected: 'no_stream', events: [newEvent()] },
      ],
    });
    expect(server.appends.map((each) => each.method)).toEqual(['multiStreamAppend']);
    // The fake writes the groups last-first, as a 25.1 server may: positions are the server's, not the request's order.
    expect(result.events.map((event) => event.stream)).toEqual(['a', 'a', 'b']);
    expect(BigInt(result.events[2]!.position) < BigInt(result.events[0]!.position)).toBe(true);
    expect([...(await store.readStream('a')), ...(await store.readStream('b'))]).toEqual(result.events);
  });

  it('are refused with INVALID_APPEND, writing nothing, where there is no atomic multi-stream append', async () => {
    for (const setup of [
      (server: FakeKurrentDb) => storeOn(server, { atomicAppend: 'none' }),
      (server: FakeKurrentDb) => {
        server.unsupported.add('appendRecords');
        server.unsupported.add('multiStreamAppend');
        return storeOn(server);
      },
    ]) {
      const server = new FakeKurrentDb();
      const store = setup(server);
      const before = server.log.length;
      for (const extra of [{ commandId: 'cmd' }, { reservations: { claim: [{ key: 'k', owner: 'o' }] } }, { keys: { create: [{ subject: 's', key: 'k' }] } }] as const) {
        const error = await failure(() => append(store, 'customer-1', 'any', extra));
        expect(isStoreError(error) && error.code, JSON.stringify(extra)).toBe('INVALID_APPEND');
      }
      const twoStreams = await failure(() =>
        store.append({
          writes: [
            { stream: 'a', expected: 'any', events: [newEvent()] },
            { stream: 'b', expected: 'any', events: [newEvent()] },
          ],
        }),
      );
      expect(twoStreams).toMatchObject({ code: 'INVALID_APPEND' });
      expect(server.log.length, 'nothing was written').toBe(before);
      expect((await append(store, 'customer-1', 'no_stream')).events[0]!.revision, 'a plain single-stream append still works').toBe(0);
    }
  });
});

describe('lost races', () => {
  it('re-plan an append whose expectation still holds, chaining onto the event that won', async () => {
    const server = new FakeKurrentDb();
    const store = storeOn(server);
    const rival = storeOn(server, { prefix: store.streamPrefix });
    await append(store, 's', 'no_stream');
    let raced = false;
    server.beforeAppend = async () => {
      if (raced) return;
      raced = true;
      await append(rival, 's', 0);
    };
    const result = await append(store, 's', 'exists');
    const stored = await store.readStream('s');
    expect(result.events[0]!.revision).toBe(2);
    expect(result.events[0]!.previousHash).toBe(stored[1]!.hash);
    expect(stored.map((event) => event.revision)).toEqual([0, 1, 2]);
  });

  it('fail an exact expectation with the actual revision instead of retrying it', async () => {
    const server = new FakeKurrentDb();
    const store = storeOn(server);
    const rival = storeOn(server, { prefix: store.streamPrefix });
    await append(store, 's', 'no_stream');
    let raced = false;
    server.beforeAppend = async () => {
      if (raced) return;
      raced = true;
      await append(rival, 's', 0);
    };
    const error = await failure(() => append(store, 's', 0));
    expect(isWrongExpectedRevisionError(error)).toBe(true);
    expect(error).toMatchObject({ stream: 's', expected: 0, actual: 1 });
  });

  it('give up after maxAppendAttempts with WrongExpectedRevisionError', async () => {
    const server = new FakeKurrentDb();
    const store = storeOn(server, { maxAppendAttempts: 2 });
    const rival = storeOn(server, { prefix: store.streamPrefix });
    await append(store, 's', 'no_stream');
    server.beforeAppend = async () => {
      const hook = server.beforeAppend;
      server.beforeAppend = undefined;
      await append(rival, 's', 'any');
      server.beforeAppend = hook;
    };
    const error = await failure(() => append(store, 's', 'any'));
    expect(error).toMatchObject({ code: 'WRONG_EXPECTED_REVISION', stream: 's', expected: 'any' });
  });

  it('notice an append the server accepted without writing (its idempotence check) and report a conflict', async () => {
    const server = new FakeKurrentDb();
    const store = storeOn(server);
    const rival = storeOn(server, { prefix: store.streamPrefix });
    await append(store, 's', 'no_stream');
    server.beforeAppend = async () => {
      server.beforeAppend = undefined;
      await append(rival, 's', 0);
      server.acceptNextAppendWithoutWriting = true;
    };
    const error = await failure(() => append(store, 's', 'any'));
    expect(error).toMatchObject({ code: 'WRONG_EXPECTED_REVISION', stream: 's', actual: 1 });
    expect((await store.readStream('s')).length, 'only the rival’s event was written').toBe(2);
  });
});

describe('crypto-shredding', () => {
  it('marks the key destroyed in the append, then tombstones its stream', async () => {
    const server = new FakeKurrentDb();
    const store = storeOn(server);
    await append(store, 'c', 'no_stream', { keys: { create: [{ subject: 'customer-1', key: 'a2V5' }] } });
    await append(store, 'c', 0, { keys: { destroy: ['customer-1'] } });
    const keyStream = createStreamNaming(store.streamPrefix).internalStream('key', 'customer-1');
    expect(server.log.filter((event) => event.streamId === keyStream).map((event) => event.type)).toEqual([
      bookkeepingTypes.keyCreated,
      bookkeepingTypes.keyDestroyed,
      '$streamDeleted',
    ]);
    expect(await store.loadKeys(['customer-1'])).toEqual(new Map());
  });

  it('re-plans when another instance tombstoned the key stream between the read and the append', async () => {
    const server = new FakeKurrentDb();
    const store = storeOn(server);
    const rival = storeOn(server, { prefix: store.streamPrefix });
    await append(store, 'c', 'no_stream', { keys: { create: [{ subject: 'customer-1', key: 'a2V5' }] } });
    server.beforeAppend = async () => {
      server.beforeAppend = undefined;
      await append(rival, 'r', 'no_stream', { keys: { destroy: ['customer-1'] } });
    };
    const result = await append(store, 'c', 0, { keys: { destroy: ['customer-1'] } });
    expect(result.events[0]!.revision).toBe(1);
    expect(server.tombstones).toBe(1);
    expect(await store.loadKeys(['customer-1'])).toEqual(new Map());
  });

  it('warns, without failing the committed append, when the tombstone fails, and tombstones on the next destroy', async () => {
    const server = new FakeKurrentDb();
    const warnings: string[] = [];
    const store = storeOn(server, { onWarning: (message) => warnings.push(message) });
    await append(store, 'c', 'no_stream', { keys: { create: [{ subject: 'customer-1', key: 'a2V5' }] } });
    server.faults.set('tombstone', new Error('connection lost'));
    await append(store, 'c', 0, { keys: { destroy: ['customer-1'] } });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/could not be tombstoned/);
    expect(await store.loadKeys(['customer-1']), 'the destroyed mark already hides the key').toEqual(new Map());
    expect(server.tombstones).toBe(0);
    await append(store, 'c', 1, { keys: { destroy: ['customer-1'] } });
    expect(server.tombstones, 'a later destroy tombstones the stream').toBe(1);
  });

  it('warns through process.emitWarning by default', async () => {
    const server = new FakeKurrentDb();
    const store = new KurrentDbEventStore(server.gateway(), { streamPrefix: 'warn/', ownsClient: true });
    stores.push(store);
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      server.faults.set('tombstone', new Error('connection lost'));
      await append(store, 'c', 'no_stream', { keys: { destroy: ['customer-1'] } });
      expect(emitWarning).toHaveBeenCalledWith(expect.stringMatching(/could not be tombstoned/), expect.objectContaining({ type: 'EventcrmKurrentDbWarning' }));
    } finally {
      emitWarning.mockRestore();
    }
  });
});

describe('failures', () => {
  it('map an unreachable server to STORE_UNAVAILABLE on every path', async () => {
    const server = new FakeKurrentDb();
    const store = storeOn(server);
    const down = (): Error => Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
    server.faults.set('readStream', down());
    expect(await failure(() => store.readStream('s'))).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    server.faults.set('readStream', down());
    expect(await failure(() => append(store, 's'))).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    server.faults.set('appendToStream', down());
    expect(await failure(() => append(store, 's'))).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    server.faults.set('readAll', down());
    expect(await failure(() => readAll(store))).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    server.faults.set('readAll', down());
    expect(await failure(() => store.headPosition())).toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('map a subscription that breaks to STORE_UNAVAILABLE', async () => {
    const server = new FakeKurrentDb();
    const store = storeOn(server);
    await append(store, 's', 'no_stream');
    const iterator = store.subscribe()[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toHaveLength(1);
    const waiting = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 10));
    server.breakSubscriptions(Object.assign(new Error('14 UNAVAILABLE: Connection dropped'), { code: 14 }));
    expect(await failure(() => waiting)).toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('refuse events in the store’s streams that the adapter did not write, as STORE_CORRUPTED', async () => {
    const server = new FakeKurrentDb();
    const store = storeOn(server, { prefix: 'x/' });
    server.writeRaw('x/customer-1', { type: 'WrittenByHand', data: { a: 1 } });
    expect(await failure(() => store.readStream('customer-1'))).toMatchObject({ code: 'STORE_CORRUPTED' });
    expect(await failure(() => append(store, 'customer-1'))).toMatchObject({ code: 'STORE_CORRUPTED' });
    expect(await failure(() => readAll(store))).toMatchObject({ code: 'STORE_CORRUPTED' });
  });

  it('refuse invalid read options with RangeError', async () => {
    const store = storeOn(new FakeKurrentDb());
    await expect(store.readStream('s', { from: -1 })).rejects.toThrow(RangeError);
    await expect(store.readStream('s', { limit: 1.5 })).rejects.toThrow(RangeError);
    await expect(store.readStream('s', { direction: 'sideways' as 'forwards' })).rejects.toThrow(RangeError);
    await expect(failure(async () => {
      for await (const _batch of store.readAll({ after: 'not a position' })) break;
    })).resolves.toBeInstanceOf(RangeError);
    await expect(failure(async () => {
      for await (const _batch of store.readAll({ batchSize: 0 })) break;
    })).resolves.toBeInstanceOf(RangeError);
  });
});

describe('closing', () => {
  it('disposes a client the store made, leaves a client it was given, and is idempotent', async () => {
    const server = new FakeKurrentDb();
    const owned = server.gateway();
    const given = server.gateway();
    const ownsIt = new KurrentDbEventStore(owned, { ownsClient: true });
    const borrowsIt = new KurrentDbEventStore(given, { ownsClient: false });
    await ownsIt.close();
    await ownsIt.close();
    await borrowsIt.close();
    expect(owned.disposed).toBe(true);
    expect(given.disposed).toBe(false);
  });

  it('fails later calls with STORE_UNAVAILABLE and ends live subscriptions', async () => {
    const server = new FakeKurrentDb();
    const store = new KurrentDbEventStore(server.gateway(), { streamPrefix: 'close/', ownsClient: true });
    const iterator = store.subscribe()[Symbol.asyncIterator]();
    const pending = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 10));
    await store.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(await failure(() => store.readStream('s'))).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(await failure(() => append(store, 's'))).toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});

describe('closing with subscriptions whose streams do not end', () => {
  it('still ends a waiting subscription, as a cancelled gRPC stream may never end', async () => {
    const server = new FakeKurrentDb();
    const store = new KurrentDbEventStore(server.gateway({ feedsEndOnClose: false }), { streamPrefix: 'grpc/', ownsClient: true });
    const iterator = store.subscribe()[Symbol.asyncIterator]();
    const pending = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 10));
    await store.close();
    expect(await pending).toEqual({ done: true, value: undefined });
  });
});

describe('createKurrentDbEventStore', () => {
  it('needs exactly one of connectionString and client', () => {
    expect(() => createKurrentDbEventStore({})).toThrow(RangeError);
    expect(() => createKurrentDbEventStore({ connectionString: 'kurrentdb://127.0.0.1:2113?tls=false', client: {} as never })).toThrow(RangeError);
  });

  it('reports a malformed connection string as STORE_UNAVAILABLE', () => {
    const error = (() => {
      try {
        createKurrentDbEventStore({ connectionString: 'not a connection string' });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('makes a KurrentDB store from a connection string without connecting, and closes it', async () => {
    const store = createKurrentDbEventStore({ connectionString: 'kurrentdb://127.0.0.1:2113?tls=false', streamPrefix: 'app/' });
    expect(store.kind).toBe('kurrentdb');
    expect(store.streamPrefix).toBe('app/');
    await store.close();
  });

  it('refuses a prefix among the system streams', () => {
    expect(() => createKurrentDbEventStore({ connectionString: 'kurrentdb://127.0.0.1:2113?tls=false', streamPrefix: '$app/' })).toThrow(RangeError);
  });
});
