import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { StoreError, isCommandAlreadyRecordedError, isReservationConflictError, isWrongExpectedRevisionError, verifyChains } from '@eventcrm/runtime';
import type { AppendRequest, StoredEvent, StreamWrite } from '@eventcrm/runtime';
import { createSqliteEventStore } from './index.ts';
import type { SqliteEventStore, SqliteEventStoreOptions } from './index.ts';
import { newEvent, temporaryDirectory } from '../test/fixtures.ts';

const directory = temporaryDirectory();
const open: SqliteEventStore[] = [];
const openStore = (options: Partial<SqliteEventStoreOptions> = {}): SqliteEventStore => {
  const store = createSqliteEventStore({ path: directory.file(), ...options });
  open.push(store);
  return store;
};
afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
});
afterAll(() => directory.remove());

const collect = async (batches: AsyncIterable<readonly StoredEvent[]>): Promise<StoredEvent[][]> => {
  const all: StoredEvent[][] = [];
  for await (const batch of batches) all.push([...batch]);
  return all;
};

/** A valid write to a stream of its own, for appends that are about reservations or keys (an append must write an event). */
const someWrite = (): StreamWrite => ({ stream: `side-${randomUUID()}`, expected: 'no_stream', events: [newEvent()] });

const eventCount = (store: SqliteEventStore): number =>
  (store.database.prepare('SELECT COUNT(*) AS count FROM events').get() as { count: number }).count;

describe('opening a file', () => {
  it('uses WAL, synchronous NORMAL and the busy timeout it is given', () => {
    const store = openStore({ busyTimeoutMs: 1234 });
    expect(store.kind).toBe('sqlite');
    expect(store.database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.database.pragma('synchronous', { simple: true })).toBe(1);
    expect(store.database.pragma('busy_timeout', { simple: true })).toBe(1234);
  });

  it('can be asked for synchronous FULL', () => {
    const store = openStore({ synchronous: 'FULL' });
    expect(store.database.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('sizes the page cache in MiB, 64 by default', () => {
    expect(openStore().database.pragma('cache_size', { simple: true })).toBe(-64 * 1024);
    expect(openStore({ cacheSizeMiB: 256 }).database.pragma('cache_size', { simple: true })).toBe(-256 * 1024);
  });
});

describe('append', () => {
  it('assigns contiguous revisions, increasing positions and a hash chain', async () => {
    const store = openStore();
    const first = await store.append({ writes: [{ stream: 'customer-1', expected: 'no_stream', events: [newEvent(), newEvent('CustomerRenamed')] }] });
    const second = await store.append({ writes: [{ stream: 'customer-1', expected: 1, events: [newEvent('CustomerArchived')] }] });
    const events = [...first.events, ...second.events];
    expect(events.map((event) => event.revision)).toEqual([0, 1, 2]);
    expect(events.map((event) => event.position)).toEqual(['1', '2', '3']);
    expect(events[0]?.previousHash).toBeNull();
    expect(events[1]?.previousHash).toBe(events[0]?.hash);
    expect(events[2]?.previousHash).toBe(events[1]?.hash);
    expect(await store.readStream('customer-1')).toEqual(events);
    expect((await verifyChains(store)).intact).toBe(true);
  });

  it('fails on a wrong expectation and writes nothing of the other streams', async () => {
    const store = openStore();
    await store.append({ writes: [{ stream: 'a', expected: 'no_stream', events: [newEvent()] }] });
    const attempt = store.append({
      writes: [
        { stream: 'b', expected: 'no_stream', events: [newEvent()] },
        { stream: 'a', expected: 'no_stream', events: [newEvent()] },
      ],
      commandId: 'command-x',
      reservations: { claim: [{ key: 'phone:1', owner: 'b' }] },
      keys: { create: [{ subject: 'b', key: 'a2V5' }] },
    });
    await expect(attempt).rejects.toSatisfy(isWrongExpectedRevisionError);
    await expect(attempt).rejects.toMatchObject({ stream: 'a', expected: 'no_stream', actual: 0 });
    expect(await store.streamRevision('b')).toBeNull();
    expect(await store.findCommand('command-x')).toBeUndefined();
    expect((await store.lookupReservations(['phone:1'])).size).toBe(0);
    expect((await store.loadKeys(['b'])).size).toBe(0);
    expect(eventCount(store)).toBe(1);
  });

  it('reports a recorded command before a stream conflict, so a retry learns it already ran', async () => {
    const store = openStore();
    const request: AppendRequest = { commandId: 'c-1', writes: [{ stream: 's', expected: 'no_stream', events: [newEvent()] }] };
    const { events } = await store.append(request);
    await expect(store.append({ ...request, writes: [{ stream: 's', expected: 'no_stream', events: [newEvent()] }] })).rejects.toSatisfy(
      isCommandAlreadyRecordedError,
    );
    expect(await store.findCommand('c-1')).toEqual({
      commandId: 'c-1',
      events: events.map(({ stream, revision, position, eventId, type }) => ({ stream, revision, position, eventId, type })),
    });
  });

  it('applies releases before claims, and refuses a key held by someone else', async () => {
    const store = openStore();
    await store.append({ writes: [someWrite()], reservations: { claim: [{ key: 'email:a', owner: 'customer-1' }] } });
    await expect(store.append({ writes: [someWrite()], reservations: { claim: [{ key: 'email:a', owner: 'customer-2' }] } })).rejects.toSatisfy(
      isReservationConflictError,
    );
    await store.append({ writes: [someWrite()], reservations: { claim: [{ key: 'email:a', owner: 'customer-1' }] } });
    await store.append({
      writes: [someWrite()],
      reservations: { claim: [{ key: 'email:a', owner: 'customer-2' }], release: [{ key: 'email:a', owner: 'customer-1' }] },
    });
    await store.append({ writes: [someWrite()], reservations: { release: [{ key: 'email:a', owner: 'customer-1' }] } });
    expect(await store.lookupReservations(['email:a', 'email:b'])).toEqual(new Map([['email:a', 'customer-2']]));
  });

  it('keeps the first key of a subject and never revives a destroyed one', async () => {
    const store = openStore();
    await store.append({ writes: [someWrite()], keys: { create: [{ subject: 'customer-1', key: 'Zmlyc3Q=' }] } });
    await store.append({ writes: [someWrite()], keys: { create: [{ subject: 'customer-1', key: 'c2Vjb25k' }] } });
    expect(await store.loadKeys(['customer-1'])).toEqual(new Map([['customer-1', 'Zmlyc3Q=']]));
    await store.append({ writes: [someWrite()], keys: { destroy: ['customer-1', 'never-had-one'] } });
    await store.append({ writes: [someWrite()], keys: { create: [{ subject: 'customer-1', key: 'dGhpcmQ=' }, { subject: 'never-had-one', key: 'eA==' }] } });
    expect((await store.loadKeys(['customer-1', 'never-had-one'])).size).toBe(0);
    const row = store.database.prepare("SELECT key, destroyed FROM encryption_keys WHERE subject = 'customer-1'").get();
    expect(row).toEqual({ key: null, destroyed: 1 });
  });

  it.each<[string, unknown]>([
    ['an empty stream name', { writes: [{ stream: '', expected: 'any', events: [newEvent()] }] }],
    ['a negative expected revision', { writes: [{ stream: 's', expected: -1, events: [newEvent()] }] }],
    ['a stream written twice', { writes: [{ stream: 's', expected: 'any', events: [newEvent()] }, { stream: 's', expected: 'any', events: [newEvent()] }] }],
    ['a repeated event id', (() => { const event = newEvent(); return { writes: [{ stream: 's', expected: 'any', events: [event, event] }] }; })()],
    ['NaN in data', { writes: [{ stream: 's', expected: 'any', events: [newEvent('T', { amount: Number.NaN })] }] }],
    ['a Date in data', { writes: [{ stream: 's', expected: 'any', events: [{ ...newEvent(), data: { at: new Date() } }] }] }],
    ['undefined in an array', { writes: [{ stream: 's', expected: 'any', events: [{ ...newEvent(), data: { list: [undefined] } }] }] }],
    ['data that is an array', { writes: [{ stream: 's', expected: 'any', events: [{ ...newEvent(), data: [] }] }] }],
    ['metadata without an actor', { writes: [{ stream: 's', expected: 'any', events: [{ ...newEvent(), metadata: { commandId: 'c', at: 'x', correlationId: 'c', causationId: null } }] }] }],
    ['an empty command id', { commandId: '', writes: [{ stream: 's', expected: 'any', events: [newEvent()] }] }],
    ['no writes', { writes: [] }],
    ['a write without events', { writes: [{ stream: 's', expected: 'any', events: [] }] }],
    ['a claim without owner', { writes: [someWrite()], reservations: { claim: [{ key: 'k' }] } }],
    ['a key without subject', { writes: [someWrite()], keys: { create: [{ key: 'a2V5' }] } }],
    ['an unpaired surrogate in data', { writes: [{ stream: 's', expected: 'any', events: [newEvent('T', { name: 'broken \ud800 text' })] }] }],
  ])('refuses %s with INVALID_APPEND and writes nothing', async (_, request) => {
    const store = openStore();
    await expect(store.append(request as AppendRequest)).rejects.toMatchObject({ code: 'INVALID_APPEND' });
    expect(eventCount(store)).toBe(0);
  });

  it('refuses data that refers to itself', async () => {
    const store = openStore();
    const data: Record<string, unknown> = { name: 'loop' };
    data.self = data;
    const request = { writes: [{ stream: 's', expected: 'any', events: [{ ...newEvent(), data }] }] } as unknown as AppendRequest;
    await expect(store.append(request)).rejects.toMatchObject({ code: 'INVALID_APPEND' });
  });

  it('refuses an event id that is already stored, as INVALID_APPEND', async () => {
    const store = openStore();
    const event = newEvent();
    await store.append({ writes: [{ stream: 'a', expected: 'any', events: [event] }] });
    const error: unknown = await store.append({ writes: [{ stream: 'b', expected: 'any', events: [event] }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'INVALID_APPEND' });
    expect(eventCount(store)).toBe(1);
  });

  it('never hands out a position twice, even after the newest event was deleted', async () => {
    const store = openStore();
    await store.append({ writes: [{ stream: 's', expected: 'any', events: [newEvent(), newEvent()] }] });
    store.database.prepare('DELETE FROM events WHERE position = 2').run();
    const { events } = await store.append({ writes: [{ stream: 't', expected: 'any', events: [newEvent()] }] });
    expect(events[0]?.position).toBe('3');
  });
});

describe('appendBatch', () => {
  it('commits every request or none, naming the first that failed', async () => {
    const store = openStore();
    const requests: AppendRequest[] = [
      { commandId: 'c-1', writes: [{ stream: 'a', expected: 'no_stream', events: [newEvent()] }] },
      { commandId: 'c-2', writes: [{ stream: 'a', expected: 0, events: [newEvent()] }] },
      { commandId: 'c-3', writes: [{ stream: 'a', expected: 0, events: [newEvent()] }] },
    ];
    const error: unknown = await store.appendBatch(requests).catch((caught: unknown) => caught);
    expect(isWrongExpectedRevisionError(error)).toBe(true);
    expect(error).toMatchObject({ requestIndex: 2, actual: 1 });
    expect(eventCount(store)).toBe(0);
    expect(await store.findCommand('c-1')).toBeUndefined();

    const results = await store.appendBatch(requests.slice(0, 2));
    expect(results.map((result) => result.events.map((event) => [event.stream, event.revision]))).toEqual([[['a', 0]], [['a', 1]]]);
    expect((await verifyChains(store)).intact).toBe(true);
  });

  it('names the request whose shape is invalid before touching the file', async () => {
    const store = openStore();
    const error: unknown = await store
      .appendBatch([{ writes: [{ stream: 'a', expected: 'any', events: [newEvent()] }] }, { writes: [{ stream: 'a', expected: 'nope' as never, events: [] }] }])
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'INVALID_APPEND', requestIndex: 1 });
    expect(eventCount(store)).toBe(0);
  });

  it('names the request that repeats an earlier request’s event id or command id', async () => {
    const store = openStore();
    const event = newEvent();
    const sameEvent = store.appendBatch([
      { writes: [{ stream: 'a', expected: 'any', events: [event] }] },
      { writes: [{ stream: 'b', expected: 'any', events: [event] }] },
    ]);
    await expect(sameEvent).rejects.toMatchObject({ code: 'INVALID_APPEND', requestIndex: 1 });
    const sameCommand = store.appendBatch([
      { commandId: 'c', writes: [{ stream: 'a', expected: 'any', events: [newEvent()] }] },
      { writes: [{ stream: 'b', expected: 'any', events: [newEvent()] }] },
      { commandId: 'c', writes: [{ stream: 'c', expected: 'any', events: [newEvent()] }] },
    ]);
    await expect(sameCommand).rejects.toMatchObject({ code: 'COMMAND_ALREADY_RECORDED', requestIndex: 2 });
    expect(eventCount(store)).toBe(0);
  });

  it('returns nothing for an empty batch', async () => {
    expect(await openStore().appendBatch([])).toEqual([]);
  });
});

describe('reading', () => {
  const seed = async (store: SqliteEventStore): Promise<void> => {
    await store.append({ writes: [{ stream: 'customer-1', expected: 'any', events: [newEvent('CustomerRegistered'), newEvent('CustomerRenamed')] }] });
    await store.append({ writes: [{ stream: 'deal-1', expected: 'any', events: [newEvent('DealOpened')] }] });
    await store.append({ writes: [{ stream: 'customer_2', expected: 'any', events: [newEvent('CustomerRegistered')] }] });
    await store.append({ writes: [{ stream: 'Customer-3', expected: 'any', events: [newEvent('CustomerRegistered')] }] });
    await store.append({ writes: [{ stream: 'customer-1', expected: 'any', events: [newEvent('CustomerArchived')] }] });
  };

  it('reads a stream forwards and backwards from a revision, with a limit', async () => {
    const store = openStore();
    await seed(store);
    const revisions = (events: readonly StoredEvent[]): number[] => events.map((event) => event.revision);
    expect(revisions(await store.readStream('customer-1', { from: 1 }))).toEqual([1, 2]);
    expect(revisions(await store.readStream('customer-1', { direction: 'backwards' }))).toEqual([2, 1, 0]);
    expect(revisions(await store.readStream('customer-1', { direction: 'backwards', from: 1, limit: 1 }))).toEqual([1]);
    expect(await store.readStream('nobody')).toEqual([]);
  });

  it('pages the log by position, strictly after `after`', async () => {
    const store = openStore();
    await seed(store);
    const batches = await collect(store.readAll({ batchSize: 2 }));
    expect(batches.map((batch) => batch.map((event) => event.position))).toEqual([['1', '2'], ['3', '4'], ['5', '6']]);
    const rest = await collect(store.readAll({ after: '4', batchSize: 10 }));
    expect(rest.flat().map((event) => event.position)).toEqual(['5', '6']);
    expect(await collect(store.readAll({ after: '6' }))).toEqual([]);
    expect(await collect(store.readAll({ after: '99999999999999999999999' }))).toEqual([]);
  });

  it('filters in SQL by exact, case-sensitive stream prefix and by type', async () => {
    const store = openStore();
    await seed(store);
    const streams = async (options: Parameters<SqliteEventStore['readAll']>[0]): Promise<string[]> =>
      (await collect(store.readAll(options))).flat().map((event) => `${event.stream}@${event.revision}`);
    expect(await streams({ filter: { streamPrefixes: ['customer-'] } })).toEqual(['customer-1@0', 'customer-1@1', 'customer-1@2']);
    expect(await streams({ filter: { streamPrefixes: ['customer_'] } })).toEqual(['customer_2@0']);
    expect(await streams({ filter: { streamPrefixes: ['deal-', 'Customer-'] } })).toEqual(['deal-1@0', 'Customer-3@0']);
    expect(await streams({ filter: { eventTypes: ['CustomerRegistered'], streamPrefixes: ['customer'] } })).toEqual(['customer-1@0', 'customer_2@0']);
    expect(await streams({ filter: { eventTypes: [] } })).toEqual([]);
    expect(await streams({ filter: { streamPrefixes: [] } })).toEqual([]);
    expect(await streams({ filter: { streamPrefixes: ['%'] } })).toEqual([]);
  });

  it('ends at the head it saw when it started, so a reader of a busy log finishes', async () => {
    const store = openStore();
    await seed(store);
    const seen: string[] = [];
    for await (const batch of store.readAll({ batchSize: 1 })) {
      seen.push(...batch.map((event) => event.position));
      await store.append({ writes: [{ stream: 'busy', expected: 'any', events: [newEvent()] }] });
    }
    expect(seen).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('tells the head position, null when empty', async () => {
    const store = openStore();
    expect(await store.headPosition()).toBeNull();
    await seed(store);
    expect(await store.headPosition()).toBe('6');
  });

  it('refuses a malformed position', async () => {
    const store = openStore();
    await expect(collect(store.readAll({ after: '-1' }))).rejects.toThrow(RangeError);
  });

  it('reports stored JSON that no longer parses as STORE_CORRUPTED', async () => {
    const store = openStore();
    await seed(store);
    store.database.prepare("UPDATE events SET data = '{broken' WHERE position = 3").run();
    await expect(store.readStream('deal-1')).rejects.toMatchObject({ code: 'STORE_CORRUPTED' });
  });
});

describe('subscribe', () => {
  it('catches up, follows new events, and ends when aborted', async () => {
    const store = openStore();
    await store.append({ writes: [{ stream: 's', expected: 'any', events: [newEvent(), newEvent(), newEvent()] }] });
    const controller = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const batch of store.subscribe({ batchSize: 2, pollIntervalMs: 5, signal: controller.signal })) {
        seen.push(...batch.map((event) => event.position));
        if (seen.length === 5) controller.abort();
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 30));
    await store.append({ writes: [{ stream: 't', expected: 'any', events: [newEvent(), newEvent()] }] });
    await following;
    expect(seen).toEqual(['1', '2', '3', '4', '5']);
  });

  it('ends when the loop breaks, and when the store closes while it waits', async () => {
    const store = openStore();
    await store.append({ writes: [{ stream: 's', expected: 'any', events: [newEvent()] }] });
    for await (const batch of store.subscribe({ pollIntervalMs: 5 })) {
      expect(batch).toHaveLength(1);
      break;
    }
    const waiting = collect(store.subscribe({ after: '1', pollIntervalMs: 60_000 }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    await store.close();
    expect(await waiting).toEqual([]);
  });

  it('sees the appends of another connection to the same file', async () => {
    const path = directory.file();
    const reader = openStore({ path });
    const writer = openStore({ path });
    const controller = new AbortController();
    const following = (async () => {
      for await (const batch of reader.subscribe({ pollIntervalMs: 5, signal: controller.signal })) {
        controller.abort();
        return batch;
      }
      return [];
    })();
    await writer.append({ writes: [{ stream: 's', expected: 'any', events: [newEvent()] }] });
    expect((await following).map((event) => event.stream)).toEqual(['s']);
  });
});

describe('the handle for read models', () => {
  it('runs a write transaction that commits with its return and rolls back on a throw', async () => {
    const store = openStore();
    store.database.exec('CREATE TABLE customer_list (id TEXT PRIMARY KEY)');
    expect(store.transaction((database) => database.prepare("INSERT INTO customer_list VALUES ('c-1')").run().changes)).toBe(1);
    expect(() =>
      store.transaction((database) => {
        database.prepare("INSERT INTO customer_list VALUES ('c-2')").run();
        throw new Error('projection failed');
      }),
    ).toThrow('projection failed');
    expect(store.database.prepare('SELECT id FROM customer_list').pluck().all()).toEqual(['c-1']);
    await store.append({ writes: [{ stream: 's', expected: 'any', events: [newEvent()] }] });
  });

  it('types a lock held too long by another connection as STORE_UNAVAILABLE', async () => {
    const path = directory.file();
    const store = openStore({ path, busyTimeoutMs: 50 });
    const other = new Database(path);
    try {
      other.exec('BEGIN IMMEDIATE');
      await expect(store.append({ writes: [{ stream: 's', expected: 'any', events: [newEvent()] }] })).rejects.toMatchObject({
        code: 'STORE_UNAVAILABLE',
        message: expect.stringContaining('busy timeout') as unknown,
      });
      expect(() => store.transaction(() => 1)).toThrow(expect.objectContaining({ code: 'STORE_UNAVAILABLE' }) as Error);
      other.exec('ROLLBACK');
      await store.append({ writes: [{ stream: 's', expected: 'any', events: [newEvent()] }] });
    } finally {
      other.close();
    }
  });
});

describe('close', () => {
  it('is idempotent, and later calls fail as STORE_UNAVAILABLE', async () => {
    const store = openStore();
    await store.close();
    await store.close();
    await expect(store.headPosition()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(store.append({ writes: [someWrite()] })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(collect(store.readAll())).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});
