import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import {
  StoreError,
  canonicalJson,
  hashEvent,
  isCommandAlreadyRecordedError,
  isReservationConflictError,
  isStoreError,
  isWrongExpectedRevisionError,
  verifyChains,
} from '@eventcrm/runtime';
import type { AppendRequest, StoredEvent } from '@eventcrm/runtime';
import { createPostgresEventStore } from './index.ts';
import { createPostgresHarness, dropSchemas, postgresAvailableForTests, postgresTestUrl, randomSchemaName } from './testing.ts';
import { collect, newEvent, sleep } from '../test/fixtures.ts';

const available = await postgresAvailableForTests();

describe.runIf(available)('PostgreSQL event store', () => {
  const harness = createPostgresHarness();
  afterAll(() => harness.dispose());
  const fresh = () => harness.createPostgres();
  const eventCount = async (store: { pool: pg.Pool; schema: string }): Promise<number> =>
    Number((await store.pool.query<{ count: string }>(`SELECT count(*) AS count FROM ${pg.escapeIdentifier(store.schema)}.events`)).rows[0]?.count);

  describe('append', () => {
    it('assigns contiguous revisions, increasing decimal-string positions and a hash chain', async () => {
      const store = await fresh();
      expect(store.kind).toBe('postgres');
      const first = await store.append({ writes: [{ stream: 'customer-1', expected: 'no_stream', events: [newEvent(), newEvent('CustomerRenamed')] }] });
      const second = await store.append({ writes: [{ stream: 'customer-1', expected: 1, events: [newEvent('CustomerArchived')] }] });
      const events = [...first.events, ...second.events];
      expect(events.map((event) => event.revision)).toEqual([0, 1, 2]);
      expect(events.map((event) => event.position)).toEqual(['1', '2', '3']);
      expect(events[0]?.previousHash).toBeNull();
      expect(events[1]?.previousHash).toBe(events[0]?.hash);
      expect(events[2]?.previousHash).toBe(events[1]?.hash);
      expect(await store.readStream('customer-1')).toEqual(events);
      expect(await store.streamRevision('customer-1')).toBe(2);
      expect(await store.headPosition()).toBe('3');
      expect((await verifyChains(store)).intact).toBe(true);
    });

    it('checks each kind of expectation', async () => {
      const store = await fresh();
      await expect(store.append({ writes: [{ stream: 's', expected: 'exists', events: [newEvent()] }] })).rejects.toMatchObject({ code: 'WRONG_EXPECTED_REVISION', actual: null });
      await expect(store.append({ writes: [{ stream: 's', expected: 0, events: [newEvent()] }] })).rejects.toSatisfy(isWrongExpectedRevisionError);
      await store.append({ writes: [{ stream: 's', expected: 'any', events: [newEvent()] }] });
      await store.append({ writes: [{ stream: 's', expected: 'exists', events: [newEvent()] }] });
      await expect(store.append({ writes: [{ stream: 's', expected: 'no_stream', events: [newEvent()] }] })).rejects.toMatchObject({ stream: 's', expected: 'no_stream', actual: 1 });
      await expect(store.append({ writes: [{ stream: 's', expected: 5, events: [newEvent()] }] })).rejects.toMatchObject({ expected: 5, actual: 1 });
      await store.append({ writes: [{ stream: 's', expected: 1, events: [newEvent()] }] });
      expect(await store.streamRevision('s')).toBe(2);
    });

    it('writes nothing of any stream, command, reservation or key when one expectation fails', async () => {
      const store = await fresh();
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
      await expect(attempt).rejects.toMatchObject({ code: 'WRONG_EXPECTED_REVISION', stream: 'a', actual: 0 });
      expect(await store.streamRevision('b')).toBeNull();
      expect(await store.findCommand('command-x')).toBeUndefined();
      expect((await store.lookupReservations(['phone:1'])).size).toBe(0);
      expect((await store.loadKeys(['b'])).size).toBe(0);
      expect(await eventCount(store)).toBe(1);
      // The rolled-back attempt drew no positions: it failed before taking the lock.
      const next = await store.append({ writes: [{ stream: 'b', expected: 'no_stream', events: [newEvent()] }] });
      expect(next.events[0]?.position).toBe('2');
    });

    it('appends to several streams atomically, in request order', async () => {
      const store = await fresh();
      const result = await store.append({
        writes: [
          { stream: 'x', expected: 'no_stream', events: [newEvent(), newEvent()] },
          { stream: 'y', expected: 'no_stream', events: [newEvent()] },
        ],
      });
      expect(result.events.map((event) => [event.stream, event.revision, event.position])).toEqual([
        ['x', 0, '1'],
        ['x', 1, '2'],
        ['y', 0, '3'],
      ]);
    });

    it('records the command with references to its events and refuses the same command id again', async () => {
      const store = await fresh();
      const result = await store.append({ commandId: 'cmd-1', writes: [{ stream: 'c', expected: 'no_stream', events: [newEvent()] }] });
      const event = result.events[0]!;
      expect(await store.findCommand('cmd-1')).toEqual({
        commandId: 'cmd-1',
        events: [{ stream: 'c', revision: 0, position: event.position, eventId: event.eventId, type: event.type }],
      });
      const again = store.append({ commandId: 'cmd-1', writes: [{ stream: 'other', expected: 'any', events: [newEvent()] }] });
      await expect(again).rejects.toSatisfy(isCommandAlreadyRecordedError);
      await expect(again).rejects.toMatchObject({ commandId: 'cmd-1' });
      expect(await store.streamRevision('other')).toBeNull();
      expect(await store.findCommand('never')).toBeUndefined();
    });

    it('applies releases before claims, treats re-claims by the owner as no-ops and refuses keys held by others', async () => {
      const store = await fresh();
      await store.append({ writes: [{ stream: 'p1', expected: 'any', events: [newEvent()] }], reservations: { claim: [{ key: 'phone', owner: 'p1' }] } });
      await store.append({ writes: [{ stream: 'p1', expected: 'any', events: [newEvent()] }], reservations: { claim: [{ key: 'phone', owner: 'p1' }] } });
      const stolen = store.append({ writes: [{ stream: 'p2', expected: 'any', events: [newEvent()] }], reservations: { claim: [{ key: 'phone', owner: 'p2' }] } });
      await expect(stolen).rejects.toSatisfy(isReservationConflictError);
      await expect(stolen).rejects.toMatchObject({ key: 'phone', owner: 'p1' });
      expect(await store.streamRevision('p2')).toBeNull();
      // Releasing a key one does not hold is a no-op.
      await store.append({ writes: [{ stream: 'p2', expected: 'any', events: [newEvent()] }], reservations: { release: [{ key: 'phone', owner: 'p2' }] } });
      expect(await store.lookupReservations(['phone', 'absent'])).toEqual(new Map([['phone', 'p1']]));
      // Move the key in one append: release by p1, claim by p2.
      await store.append({
        writes: [{ stream: 'p2', expected: 'any', events: [newEvent()] }],
        reservations: { claim: [{ key: 'phone', owner: 'p2' }], release: [{ key: 'phone', owner: 'p1' }] },
      });
      expect(await store.lookupReservations(['phone'])).toEqual(new Map([['phone', 'p2']]));
      await store.append({ writes: [{ stream: 'p2', expected: 'any', events: [newEvent()] }], reservations: { release: [{ key: 'phone', owner: 'p2' }] } });
      expect((await store.lookupReservations(['phone'])).size).toBe(0);
    });

    it('creates keys once and destroys them for good', async () => {
      const store = await fresh();
      await store.append({ writes: [{ stream: 'k', expected: 'any', events: [newEvent()] }], keys: { create: [{ subject: 's1', key: 'first' }, { subject: 's2', key: 'two' }] } });
      await store.append({ writes: [{ stream: 'k', expected: 'any', events: [newEvent()] }], keys: { create: [{ subject: 's1', key: 'second' }] } });
      expect(await store.loadKeys(['s1', 's2', 'unknown'])).toEqual(new Map([['s1', 'first'], ['s2', 'two']]));
      await store.append({ writes: [{ stream: 'k', expected: 'any', events: [newEvent()] }], keys: { destroy: ['s1'] } });
      await store.append({ writes: [{ stream: 'k', expected: 'any', events: [newEvent()] }], keys: { create: [{ subject: 's1', key: 'third' }] } });
      expect(await store.loadKeys(['s1', 's2'])).toEqual(new Map([['s2', 'two']]));
      const raw = await store.pool.query(`SELECT key, destroyed FROM ${pg.escapeIdentifier(store.schema)}.encryption_keys WHERE subject = 's1'`);
      expect(raw.rows).toEqual([{ key: null, destroyed: true }]);
    });

    it('refuses invalid appends with INVALID_APPEND before touching the database', async () => {
      const store = await fresh();
      const bad: unknown[] = [
        { writes: [] },
        { writes: [{ stream: '', expected: 'any', events: [newEvent()] }] },
        { writes: [{ stream: 's', expected: -1, events: [newEvent()] }] },
        { writes: [{ stream: 's', expected: 'any', events: [] }] },
        { writes: [{ stream: 's', expected: 'any', events: [{ ...newEvent(), data: { text: 'nul \u0000 inside' } }] }] },
        { writes: [{ stream: 's\u0000', expected: 'any', events: [newEvent()] }] },
        { writes: [{ stream: 's', expected: 'any', events: [{ ...newEvent(), data: { n: Number.NaN } }] }] },
        { writes: [{ stream: 's', expected: 'any', events: [{ ...newEvent(), data: { when: new Date() } }] }] },
        { writes: [{ stream: 's', expected: 'any', events: [{ ...newEvent(), schemaVersion: 2 ** 31 }] }] },
        { writes: [{ stream: 's', expected: 'any', events: [newEvent()] }, { stream: 's', expected: 'any', events: [newEvent()] }] },
      ];
      for (const request of bad) {
        await expect(store.append(request as AppendRequest)).rejects.toMatchObject({ code: 'INVALID_APPEND' });
      }
      expect(await eventCount(store)).toBe(0);
    });

    it('serialises concurrent appends to one stream from one process without losing or duplicating revisions', async () => {
      const store = await fresh();
      await Promise.all(Array.from({ length: 40 }, () => store.append({ writes: [{ stream: 'hot', expected: 'any', events: [newEvent()] }] })));
      const events = await store.readStream('hot');
      expect(events.map((event) => event.revision)).toEqual(Array.from({ length: 40 }, (_, index) => index));
      expect((await verifyChains(store)).intact).toBe(true);
    });

    it('lets exactly one of many concurrent writers with the same expectation win', async () => {
      const store = await fresh();
      await store.append({ writes: [{ stream: 'race', expected: 'no_stream', events: [newEvent()] }] });
      const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => store.append({ writes: [{ stream: 'race', expected: 0, events: [newEvent()] }] })));
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') expect(isWrongExpectedRevisionError(outcome.reason)).toBe(true);
      }
      expect(await store.streamRevision('race')).toBe(1);
    });

    it('lets exactly one of many concurrent claims of one key win', async () => {
      const store = await fresh();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, index) =>
          store.append({ writes: [{ stream: `claimant-${index}`, expected: 'no_stream', events: [newEvent()] }], reservations: { claim: [{ key: 'email', owner: `claimant-${index}` }] } }),
        ),
      );
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') expect(isReservationConflictError(outcome.reason)).toBe(true);
      }
      expect(await eventCount(store)).toBe(1);
    });
  });

  describe('appendBatch', () => {
    it('appends all requests in one transaction, continuing revisions and hashes across requests', async () => {
      const store = await fresh();
      const results = await store.appendBatch([
        { commandId: 'b1', writes: [{ stream: 'a', expected: 'no_stream', events: [newEvent()] }], reservations: { claim: [{ key: 'k1', owner: 'a' }] } },
        { commandId: 'b2', writes: [{ stream: 'a', expected: 0, events: [newEvent(), newEvent()] }], keys: { create: [{ subject: 'a', key: 'key-a' }] } },
        { writes: [{ stream: 'b', expected: 'no_stream', events: [newEvent()] }], reservations: { release: [{ key: 'k1', owner: 'a' }], claim: [{ key: 'k1', owner: 'b' }] } },
      ]);
      expect(results.map((result) => result.events.map((event) => `${event.stream}@${event.revision}#${event.position}`))).toEqual([['a@0#1'], ['a@1#2', 'a@2#3'], ['b@0#4']]);
      expect(results[1]?.events[0]?.previousHash).toBe(results[0]?.events[0]?.hash);
      expect((await store.findCommand('b2'))?.events.map((reference) => reference.position)).toEqual(['2', '3']);
      expect(await store.lookupReservations(['k1'])).toEqual(new Map([['k1', 'b']]));
      expect(await store.loadKeys(['a'])).toEqual(new Map([['a', 'key-a']]));
      expect((await verifyChains(store)).intact).toBe(true);
      expect(await store.appendBatch([])).toEqual([]);
    });

    it('fails whole, with the index of the first failing request', async () => {
      const store = await fresh();
      await store.append({ commandId: 'done', writes: [{ stream: 'x', expected: 'no_stream', events: [newEvent()] }] });
      const cases: { requests: AppendRequest[]; index: number; code: string }[] = [
        {
          requests: [
            { writes: [{ stream: 'y', expected: 'no_stream', events: [newEvent()] }] },
            { writes: [{ stream: 'y', expected: 'no_stream', events: [newEvent()] }] },
          ],
          index: 1,
          code: 'WRONG_EXPECTED_REVISION',
        },
        {
          requests: [
            { writes: [{ stream: 'y', expected: 'any', events: [newEvent()] }] },
            { writes: [{ stream: 'y', expected: 'any', events: [newEvent()] }] },
            { commandId: 'done', writes: [{ stream: 'y', expected: 'any', events: [newEvent()] }] },
          ],
          index: 2,
          code: 'COMMAND_ALREADY_RECORDED',
        },
        {
          requests: [
            { commandId: 'twice', writes: [{ stream: 'y', expected: 'any', events: [newEvent()] }] },
            { commandId: 'twice', writes: [{ stream: 'z', expected: 'any', events: [newEvent()] }] },
          ],
          index: 1,
          code: 'COMMAND_ALREADY_RECORDED',
        },
        {
          requests: [
            { writes: [{ stream: 'y', expected: 'any', events: [newEvent()] }], reservations: { claim: [{ key: 'k', owner: 'y' }] } },
            { writes: [{ stream: 'z', expected: 'any', events: [newEvent()] }], reservations: { claim: [{ key: 'k', owner: 'z' }] } },
          ],
          index: 1,
          code: 'RESERVATION_CONFLICT',
        },
        {
          requests: [{ writes: [{ stream: 'y', expected: 'any', events: [newEvent()] }] }, { writes: [] }],
          index: 1,
          code: 'INVALID_APPEND',
        },
      ];
      for (const { requests, index, code } of cases) {
        const error: unknown = await store.appendBatch(requests).catch((caught: unknown) => caught);
        expect(isStoreError(error)).toBe(true);
        expect(error).toMatchObject({ code, requestIndex: index });
      }
      expect(await eventCount(store)).toBe(1);
      expect(await store.findCommand('twice')).toBeUndefined();
      expect((await store.lookupReservations(['k'])).size).toBe(0);
    });

    it('leaves requestIndex unset on single appends', async () => {
      const store = await fresh();
      const error = (await store.append({ writes: [] }).catch((caught: unknown) => caught)) as StoreError;
      expect(error.code).toBe('INVALID_APPEND');
      expect(error.requestIndex).toBeUndefined();
    });

    it('imports ten thousand events across many streams in one call', async () => {
      const store = await fresh();
      const requests: AppendRequest[] = Array.from({ length: 2500 }, (_, index) => ({
        writes: [{ stream: `bulk-${index % 700}`, expected: 'any' as const, events: [newEvent(), newEvent(), newEvent(), newEvent()] }],
      }));
      const results = await store.appendBatch(requests);
      expect(results.flatMap((result) => result.events)).toHaveLength(10_000);
      expect(await store.headPosition()).toBe('10000');
      const report = await verifyChains(store);
      expect(report).toMatchObject({ eventsChecked: 10_000, streamsChecked: 700, intact: true });
    });
  });

  describe('reading', () => {
    it('reads a stream forwards and backwards with from and limit', async () => {
      const store = await fresh();
      await store.append({ writes: [{ stream: 'r', expected: 'no_stream', events: Array.from({ length: 5 }, () => newEvent()) }] });
      const revisions = (events: readonly StoredEvent[]): number[] => events.map((event) => event.revision);
      expect(revisions(await store.readStream('r', { from: 2 }))).toEqual([2, 3, 4]);
      expect(revisions(await store.readStream('r', { from: 1, limit: 2 }))).toEqual([1, 2]);
      expect(revisions(await store.readStream('r', { direction: 'backwards' }))).toEqual([4, 3, 2, 1, 0]);
      expect(revisions(await store.readStream('r', { direction: 'backwards', from: 2, limit: 2 }))).toEqual([2, 1]);
      expect(await store.readStream('missing')).toEqual([]);
      expect(await store.streamRevision('missing')).toBeNull();
      await expect(store.readStream('r', { from: -1 })).rejects.toBeInstanceOf(RangeError);
    });

    it('pages the log by position with server-side filters', async () => {
      const store = await fresh();
      for (let index = 0; index < 10; index += 1) {
        await store.append({ writes: [{ stream: `${index % 2 === 0 ? 'customer' : 'order'}-${index}`, expected: 'any', events: [newEvent(index % 3 === 0 ? 'A' : 'B')] }] });
      }
      const batches = await collect(store.readAll({ batchSize: 3 }));
      expect(batches.map((batch) => batch.length)).toEqual([3, 3, 3, 1]);
      expect(batches.flat().map((event) => event.position)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
      expect((await collect(store.readAll({ after: '7' }))).flat().map((event) => event.position)).toEqual(['8', '9', '10']);
      expect((await collect(store.readAll({ after: '99999999999999999999999' }))).flat()).toEqual([]);
      const customers = (await collect(store.readAll({ filter: { streamPrefixes: ['customer-'] }, batchSize: 2 }))).flat();
      expect(customers.map((event) => event.stream)).toEqual(['customer-0', 'customer-2', 'customer-4', 'customer-6', 'customer-8']);
      const typeA = (await collect(store.readAll({ filter: { eventTypes: ['A'] } }))).flat();
      expect(typeA.map((event) => event.position)).toEqual(['1', '4', '7', '10']);
      const both = (await collect(store.readAll({ filter: { eventTypes: ['A'], streamPrefixes: ['order-', 'nothing-'] } }))).flat();
      expect(both.map((event) => event.stream)).toEqual(['order-3', 'order-9']);
      // A prefix is matched literally, not as a LIKE pattern.
      expect((await collect(store.readAll({ filter: { streamPrefixes: ['%'] } }))).flat()).toEqual([]);
      await expect(store.readAll({ after: 'x' })[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(RangeError);
      expect(await (await fresh()).headPosition()).toBeNull();
    });
  });

  describe('jsonb round trip', () => {
    it('returns data and metadata equal to what was appended, although jsonb reorders keys, and the hashes still verify', async () => {
      const store = await fresh();
      const data = { zeta: 1, alpha: { beta: [3, 'two', { y: true, x: null }], aa: -0.5 }, 'key with spaces': 'ünïcödé 😀', long: 'a'.repeat(20), big: 1e21, small: 5e-7 };
      const event = { ...newEvent('Weird', data), metadata: { ...newEvent().metadata, zzz: 'last', aaa: 'first' } };
      const [appended] = (await store.append({ writes: [{ stream: 'json', expected: 'no_stream', events: [event] }] })).events;
      const raw = await store.pool.query<{ data: string }>(`SELECT data::text AS data FROM ${pg.escapeIdentifier(store.schema)}.events`);
      // jsonb stores keys sorted by length then bytes, so the text differs from what we sent...
      expect(raw.rows[0]?.data).not.toBe(JSON.stringify(data));
      const [read] = await store.readStream('json');
      // ...but the value, and therefore its canonical form and hash, is the same.
      expect(read?.data).toEqual(data);
      expect(read?.metadata).toEqual(event.metadata);
      expect(canonicalJson(read!.data)).toBe(canonicalJson(data));
      expect(hashEvent(read!)).toBe(appended?.hash);
      expect((await verifyChains(store)).intact).toBe(true);
    });

    it('stores -0 as 0 and returns what a later read returns', async () => {
      const store = await fresh();
      const [appended] = (await store.append({ writes: [{ stream: 'z', expected: 'no_stream', events: [newEvent('Zero', { value: -0 })] }] })).events;
      const [read] = await store.readStream('z');
      expect(Object.is(appended?.data['value'], 0)).toBe(true);
      expect(read).toEqual(appended);
    });
  });

  describe('subscribe', () => {
    it('catches up, then follows live appends promptly and stops on abort', async () => {
      const store = await fresh();
      await store.append({ writes: [{ stream: 'live', expected: 'any', events: [newEvent(), newEvent()] }] });
      const controller = new AbortController();
      const seen: string[] = [];
      const following = (async () => {
        // A long poll interval: only NOTIFY can make this test finish in time.
        for await (const batch of store.subscribe({ signal: controller.signal, pollIntervalMs: 60_000 })) {
          seen.push(...batch.map((event) => event.position));
          if (seen.length === 5) controller.abort();
        }
      })();
      await sleep(100);
      for (let index = 0; index < 3; index += 1) await store.append({ writes: [{ stream: 'live', expected: 'any', events: [newEvent()] }] });
      await following;
      expect(seen).toEqual(['1', '2', '3', '4', '5']);
    });

    it('ends when the loop breaks and when the store closes', async () => {
      const store = await fresh();
      await store.append({ writes: [{ stream: 'b', expected: 'any', events: [newEvent()] }] });
      for await (const batch of store.subscribe()) {
        expect(batch).toHaveLength(1);
        break;
      }
      const own = createPostgresEventStore({ connectionString: postgresTestUrl(), schema: store.schema });
      const ended = (async () => {
        const batches = [];
        for await (const batch of own.subscribe({ after: '1', pollIntervalMs: 60_000 })) batches.push(batch);
        return batches;
      })();
      await sleep(200);
      await own.close();
      await expect(ended).resolves.toEqual([]);
    });

    it('falls back to polling when no notification arrives', async () => {
      const store = await fresh();
      const controller = new AbortController();
      const following = (async () => {
        for await (const batch of store.subscribe({ signal: controller.signal, pollIntervalMs: 50, filter: { eventTypes: ['Wanted'] } })) {
          controller.abort();
          return batch.map((event) => event.type);
        }
        return [];
      })();
      await sleep(100);
      // Written behind the store's back with raw SQL: no NOTIFY, so only polling can find it.
      const schema = pg.escapeIdentifier(store.schema);
      for (const [revision, type] of ['Unwanted', 'Wanted'].entries()) {
        await store.pool.query(
          `INSERT INTO ${schema}.events (position, stream, revision, event_id, type, schema_version, data, metadata, previous_hash, hash)
           VALUES (nextval('${schema}.event_positions'), 'w', $1, $2, $3, 1, '{}', '{}', NULL, 'not-a-real-hash')`,
          [revision, `raw-${revision}`, type],
        );
      }
      await expect(following).resolves.toEqual(['Wanted']);
    });
  });

  describe('pools and transactions', () => {
    it('leaves a caller-owned pool open on close and is idempotent', async () => {
      const pool = new pg.Pool({ connectionString: postgresTestUrl(), max: 2 });
      const schema = randomSchemaName();
      try {
        const store = createPostgresEventStore({ pool, schema });
        await store.append({ writes: [{ stream: 'p', expected: 'any', events: [newEvent()] }] });
        await store.close();
        await store.close();
        expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
        await expect(store.headPosition()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      } finally {
        await pool.end();
        await dropSchemas(postgresTestUrl(), [schema]);
      }
    });

    it('ends a pool it created', async () => {
      const schema = randomSchemaName();
      const store = createPostgresEventStore({ connectionString: postgresTestUrl(), schema });
      await store.headPosition();
      await store.close();
      expect(store.pool.ended).toBe(true);
      await dropSchemas(postgresTestUrl(), [schema]);
    });

    it('commits withTransaction work together and rolls it back on error', async () => {
      const store = await fresh();
      const table = `${pg.escapeIdentifier(store.schema)}.read_model`;
      await store.withTransaction((client) => client.query(`CREATE TABLE ${table} (id text PRIMARY KEY)`));
      const result = await store.withTransaction(async (client) => {
        await client.query(`INSERT INTO ${table} VALUES ('a')`);
        return 'done';
      });
      expect(result).toBe('done');
      const failure = new Error('projection failed');
      await expect(
        store.withTransaction(async (client) => {
          await client.query(`INSERT INTO ${table} VALUES ('b')`);
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect((await store.pool.query(`SELECT id FROM ${table}`)).rows).toEqual([{ id: 'a' }]);
    });

    it('reports an unreachable server as STORE_UNAVAILABLE naming the host', async () => {
      const store = createPostgresEventStore({ connectionString: 'postgres://postgres@127.0.0.1:1/test', connectionTimeoutMillis: 2000 });
      try {
        const error: unknown = await store.append({ writes: [{ stream: 's', expected: 'any', events: [newEvent()] }] }).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(StoreError);
        expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringContaining('127.0.0.1:1') as unknown });
        await expect(store.readStream('s')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      } finally {
        await store.close();
      }
    });
  });
});
