import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isStoreError } from './errors.ts';
import { hashEvent } from './hash.ts';
import { assertValidAppendRequest, createInMemoryEventStore, tamperForTests } from './memory.ts';
import type { AppendRequest, EventStore, JsonObject, NewEvent, StoredEvent } from './port.ts';

// The shared contract (memory.contract.spec.ts) covers the port; these are the
// in-memory store's own choices, where the port leaves room.

const newEvent = (overrides: Partial<NewEvent> = {}): NewEvent => ({
  eventId: randomUUID(),
  type: 'Noted',
  schemaVersion: 1,
  data: { note: 'memory spec' },
  metadata: { commandId: randomUUID(), actor: 'memory-spec', at: '2024-01-01T00:00:00.000Z', correlationId: 'c', causationId: null },
  ...overrides,
});

const appendOne = (store: EventStore, stream: string, event: NewEvent = newEvent()): Promise<readonly StoredEvent[]> =>
  store.append({ writes: [{ stream, expected: 'any', events: [event] }] }).then((result) => result.events);

async function codeOf(action: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await action();
  } catch (error) {
    return isStoreError(error) ? error.code : `not a StoreError: ${String(error)}`;
  }
  return undefined;
}

const isDeeplyFrozen = (value: unknown): boolean =>
  typeof value !== 'object' || value === null || (Object.isFrozen(value) && Object.values(value).every(isDeeplyFrozen));

describe('createInMemoryEventStore', () => {
  it('is of kind memory and hands out positions 1, 2, 3, …', async () => {
    const store = createInMemoryEventStore();
    expect(store.kind).toBe('memory');
    const result = await store.append({
      writes: [
        { stream: 'a', expected: 'no_stream', events: [newEvent(), newEvent()] },
        { stream: 'b', expected: 'no_stream', events: [newEvent()] },
      ],
    });
    expect(result.events.map((event) => event.position)).toEqual(['1', '2', '3']);
    expect(await store.headPosition()).toBe('3');
  });

  it('does not reuse positions of failed appends', async () => {
    const store = createInMemoryEventStore();
    await appendOne(store, 'a');
    await expect(store.append({ writes: [{ stream: 'a', expected: 'no_stream', events: [newEvent()] }] })).rejects.toThrow();
    expect((await appendOne(store, 'b'))[0]!.position).toBe('2');
  });

  it('hands out deep-frozen events, in results and on every read', async () => {
    const store = createInMemoryEventStore();
    const [appended] = await appendOne(store, 'a', newEvent({ data: { list: [{ nested: [1, 2] }] } }));
    const [read] = await store.readStream('a');
    let batch: readonly StoredEvent[] = [];
    for await (const each of store.readAll()) batch = each;
    for (const event of [appended, read, batch[0]]) expect(isDeeplyFrozen(event)).toBe(true);
    expect(Object.isFrozen(await store.readStream('a'))).toBe(true);
  });

  it('drops object keys whose value is undefined, like JSON.stringify and canonicalJson', async () => {
    const store = createInMemoryEventStore();
    const data = { kept: 1, dropped: undefined } as unknown as JsonObject;
    const metadata = { ...newEvent().metadata, optional: undefined };
    const [stored] = await appendOne(store, 'a', newEvent({ data, metadata }));
    expect(Object.keys(stored!.data)).toEqual(['kept']);
    expect('optional' in stored!.metadata).toBe(false);
    expect(stored!.hash).toBe(hashEvent(stored!));
  });

  it('stores -0 as 0, as every JSON store reads it back', async () => {
    const [stored] = await appendOne(createInMemoryEventStore(), 'a', newEvent({ data: { zero: -0 } }));
    expect(Object.is(stored!.data['zero'], 0)).toBe(true);
  });

  it('keeps a "__proto__" key as plain data', async () => {
    const data = JSON.parse('{"__proto__":{"polluted":true},"ok":1}') as JsonObject;
    const [stored] = await appendOne(createInMemoryEventStore(), 'a', newEvent({ data }));
    expect(Object.keys(stored!.data)).toEqual(['__proto__', 'ok']);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(stored!.data)).toBe(Object.prototype);
  });

  it('accepts null-prototype objects as plain JSON objects', async () => {
    const data = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 }) as JsonObject;
    const [stored] = await appendOne(createInMemoryEventStore(), 'a', newEvent({ data }));
    expect(stored!.data).toEqual({ a: 1 });
  });

  describe('rejects with INVALID_APPEND, writing nothing', () => {
    const event = newEvent();
    const cases: [string, unknown][] = [
      ['a request that is not an object', null],
      ['writes that are not an array', { writes: 'a' }],
      ['a write that is not an object', { writes: [null] }],
      ['one stream written twice in a request', { writes: [{ stream: 'x', expected: 'any', events: [newEvent()] }, { stream: 'x', expected: 'any', events: [newEvent()] }] }],
      ["an unknown expectation 'none'", { writes: [{ stream: 'x', expected: 'none', events: [event] }] }],
      ['an event that is not an object', { writes: [{ stream: 'x', expected: 'any', events: ['event'] }] }],
      ['an empty event id', { writes: [{ stream: 'x', expected: 'any', events: [{ ...event, eventId: '' }] }] }],
      ['an empty event type', { writes: [{ stream: 'x', expected: 'any', events: [{ ...event, type: '' }] }] }],
      ['a negative schema version', { writes: [{ stream: 'x', expected: 'any', events: [{ ...event, schemaVersion: -1 }] }] }],
      ['a fractional schema version', { writes: [{ stream: 'x', expected: 'any', events: [{ ...event, schemaVersion: 1.5 }] }] }],
      ['undefined inside an array', { writes: [{ stream: 'x', expected: 'any', events: [{ ...event, data: { list: [1, undefined] } }] }] }],
      ['a hole in an array', { writes: [{ stream: 'x', expected: 'any', events: [{ ...event, data: { list: [1, , 3] } }] }] }],
      ['an unpaired surrogate in a string', { writes: [{ stream: 'x', expected: 'any', events: [{ ...event, data: { text: 'a\uD800b' } }] }] }],
      ['an unpaired surrogate in a key', { writes: [{ stream: 'x', expected: 'any', events: [{ ...event, data: { ['k\uDC00']: 1 } }] }] }],
      ['metadata that is not an object', { writes: [{ stream: 'x', expected: 'any', events: [{ ...event, metadata: null }] }] }],
      ['metadata without an actor', { writes: [{ stream: 'x', expected: 'any', events: [{ ...event, metadata: { ...event.metadata, actor: undefined } }] }] }],
      ['a causation id that is a number', { writes: [{ stream: 'x', expected: 'any', events: [{ ...event, metadata: { ...event.metadata, causationId: 7 } }] }] }],
      ['metadata holding NaN', { writes: [{ stream: 'x', expected: 'any', events: [{ ...event, metadata: { ...event.metadata, score: Number.NaN } }] }] }],
      ['an empty command id', { writes: [{ stream: 'x', expected: 'any', events: [event] }], commandId: '' }],
      ['a claim with an empty key', { writes: [{ stream: 'x', expected: 'any', events: [event] }], reservations: { claim: [{ key: '', owner: 'o' }] } }],
      ['a release without an owner', { writes: [{ stream: 'x', expected: 'any', events: [event] }], reservations: { release: [{ key: 'k' }] } }],
      ['claims that are not an array', { writes: [{ stream: 'x', expected: 'any', events: [event] }], reservations: { claim: { key: 'k', owner: 'o' } } }],
      ['a key without a subject', { writes: [{ stream: 'x', expected: 'any', events: [event] }], keys: { create: [{ subject: '', key: 'a2V5' }] } }],
      ['a destroy of an empty subject', { writes: [{ stream: 'x', expected: 'any', events: [event] }], keys: { destroy: [''] } }],
    ];
    it.each(cases)('%s', async (_label, request) => {
      const store = createInMemoryEventStore();
      expect(await codeOf(() => store.append(request as AppendRequest))).toBe('INVALID_APPEND');
      expect(() => assertValidAppendRequest(request as AppendRequest)).toThrow(/invalid append/);
      expect(await store.headPosition()).toBeNull();
    });

    it('names the offending field in the message', async () => {
      const request = { writes: [{ stream: 'x', expected: 'any', events: [newEvent(), newEvent({ data: { address: { lines: ['a', Number.POSITIVE_INFINITY] } } })] }] };
      await expect(createInMemoryEventStore().append(request as AppendRequest)).rejects.toThrow('writes[0].events[1].data.address.lines[1] is Infinity');
    });

    it('rejects appendBatch with something other than an array', async () => {
      expect(await codeOf(() => createInMemoryEventStore().appendBatch('nope' as unknown as AppendRequest[]))).toBe('INVALID_APPEND');
    });
  });

  it('accepts a valid request in assertValidAppendRequest', () => {
    expect(() => assertValidAppendRequest({ writes: [{ stream: 'x', expected: 3, events: [newEvent()] }], commandId: 'c' })).not.toThrow();
  });

  it('sets requestIndex only on appendBatch errors', async () => {
    const store = createInMemoryEventStore();
    await appendOne(store, 'a');
    const error: unknown = await store.append({ writes: [{ stream: 'a', expected: 'no_stream', events: [newEvent()] }] }).catch((caught: unknown) => caught);
    expect((error as { requestIndex?: number }).requestIndex).toBeUndefined();
  });

  it('uses the batchSize option as the default batch size', async () => {
    const store = createInMemoryEventStore({ batchSize: 2 });
    for (let index = 0; index < 5; index += 1) await appendOne(store, 'a');
    const sizes: number[] = [];
    for await (const batch of store.readAll()) sizes.push(batch.length);
    expect(sizes).toEqual([2, 2, 1]);
    expect(() => createInMemoryEventStore({ batchSize: 0 })).toThrow(RangeError);
  });

  it('rejects malformed read options with a RangeError', async () => {
    const store = createInMemoryEventStore();
    await expect(store.readStream('a', { from: -1 })).rejects.toThrow(RangeError);
    await expect(store.readStream('a', { limit: 1.5 })).rejects.toThrow(RangeError);
    await expect(store.readStream('a', { direction: 'sideways' as 'forwards' })).rejects.toThrow(RangeError);
    const read = async (after: string): Promise<void> => {
      for await (const _batch of store.readAll({ after })) break;
    };
    await expect(read('-1')).rejects.toThrow(RangeError);
    await expect(read('01')).rejects.toThrow(RangeError);
    await expect((async () => {
      for await (const _batch of store.readAll({ batchSize: 0 })) break;
    })()).rejects.toThrow(RangeError);
  });

  it('reads limit 0 as no events', async () => {
    const store = createInMemoryEventStore();
    await appendOne(store, 'a');
    expect(await store.readStream('a', { limit: 0 })).toEqual([]);
  });

  it('reads an empty filter list as "match nothing"', async () => {
    const store = createInMemoryEventStore();
    await appendOne(store, 'a');
    for (const filter of [{ streamPrefixes: [] }, { eventTypes: [] }]) {
      const batches: unknown[] = [];
      for await (const batch of store.readAll({ filter })) batches.push(batch);
      expect(batches, JSON.stringify(filter)).toEqual([]);
    }
  });

  it('wakes subscribers on append, without polling', async () => {
    const store = createInMemoryEventStore();
    const controller = new AbortController();
    const iterator = store.subscribe({ pollIntervalMs: 3_600_000, signal: controller.signal })[Symbol.asyncIterator]();
    const next = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const [appended] = await appendOne(store, 'a');
    const result = await next;
    expect(result.done).toBe(false);
    expect(result.value).toEqual([appended]);
    controller.abort();
    expect((await iterator.next()).done).toBe(true);
  });

  it('ends subscriptions and refuses further calls once closed', async () => {
    const store = createInMemoryEventStore();
    const iterator = store.subscribe()[Symbol.asyncIterator]();
    const next = iterator.next();
    await store.close();
    expect((await next).done).toBe(true);
    expect(await codeOf(() => appendOne(store, 'a'))).toBe('STORE_UNAVAILABLE');
    expect(await codeOf(() => store.readStream('a'))).toBe('STORE_UNAVAILABLE');
    expect(await codeOf(() => store.headPosition())).toBe('STORE_UNAVAILABLE');
    await expect(store.close()).resolves.toBeUndefined();
  });

  it('marks a subject destroyed even when it never had a key, so a later create is a no-op', async () => {
    const store = createInMemoryEventStore();
    await store.append({ writes: [{ stream: 'a', expected: 'any', events: [newEvent()] }], keys: { destroy: ['s'] } });
    await store.append({ writes: [{ stream: 'a', expected: 'any', events: [newEvent()] }], keys: { create: [{ subject: 's', key: 'a2V5' }] } });
    expect((await store.loadKeys(['s'])).size).toBe(0);
  });

  it('lets destroy win over create of one subject in the same request', async () => {
    const store = createInMemoryEventStore();
    await store.append({
      writes: [{ stream: 'a', expected: 'any', events: [newEvent()] }],
      keys: { create: [{ subject: 's', key: 'a2V5' }], destroy: ['s'] },
    });
    expect((await store.loadKeys(['s'])).size).toBe(0);
  });

  it('checks the command id before expected revisions, so a retried command reports itself', async () => {
    const store = createInMemoryEventStore();
    const request: AppendRequest = { writes: [{ stream: 'a', expected: 'no_stream', events: [newEvent()] }], commandId: 'c-1' };
    await store.append(request);
    expect(await codeOf(() => store.append({ ...request, writes: [{ stream: 'a', expected: 'no_stream', events: [newEvent()] }] }))).toBe('COMMAND_ALREADY_RECORDED');
  });
});

describe('tamperForTests', () => {
  it('refuses stores it did not make', () => {
    expect(() => tamperForTests({ kind: 'fake' } as EventStore)).toThrow(TypeError);
  });

  it('refuses to tamper with an event that does not exist', async () => {
    const store = createInMemoryEventStore();
    await appendOne(store, 'a');
    expect(() => tamperForTests(store).deleteEvent('a', 5)).toThrow(RangeError);
  });

  it('edits what readers see, bypassing every check', async () => {
    const store = createInMemoryEventStore();
    await appendOne(store, 'a');
    await appendOne(store, 'a');
    tamperForTests(store).deleteEvent('a', 0);
    expect((await store.readStream('a')).map((event) => event.revision)).toEqual([1]);
    expect(await store.streamRevision('a')).toBe(1);
  });
});
