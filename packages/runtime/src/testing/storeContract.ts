import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCommandAlreadyRecordedError, isReservationConflictError, isStoreError, isWrongExpectedRevisionError } from '../store/errors.ts';
import type { CommandAlreadyRecordedError, ReservationConflictError, WrongExpectedRevisionError } from '../store/errors.ts';
import type { StoreHarness } from '../store/harness.ts';
import { hashEvent } from '../store/hash.ts';
import type {
  AppendRequest,
  AppendResult,
  EventMetadata,
  EventStore,
  ExpectedRevision,
  JsonObject,
  NewEvent,
  Position,
  ReadAllOptions,
  StoredEvent,
  StreamWrite,
  SubscribeOptions,
} from '../store/port.ts';
import { comparePositions, isPosition } from '../store/position.ts';
import { verifyChains } from '../store/verify.ts';

// ---------------------------------------------------------------------------
// Building blocks. Every test makes its own names (streams, commands, keys,
// subjects) so that no test can depend on what another one wrote.
// ---------------------------------------------------------------------------

/** How long a test waits for a subscription before it fails with an explanation. */
const waitMs = 10_000;
/** Passed to every subscription so that polling adapters notice new events quickly. */
const pollIntervalMs = 20;
const effectiveTime = '2024-05-06T07:08:09.010Z';

const unique = (label: string): string => `contract-${label}-${randomUUID().replaceAll('-', '')}`;

interface EventDraft {
  readonly eventId?: string;
  readonly type?: string;
  readonly schemaVersion?: number;
  readonly data?: JsonObject;
  readonly metadata?: Partial<EventMetadata>;
}

function newEvent(draft: EventDraft = {}): NewEvent {
  return {
    // Event ids are UUIDs because some stores (KurrentDB) require them.
    eventId: draft.eventId ?? randomUUID(),
    type: draft.type ?? 'ContractEventRecorded',
    schemaVersion: draft.schemaVersion ?? 1,
    data: draft.data ?? { note: 'contract suite' },
    metadata: {
      commandId: randomUUID(),
      actor: 'contract-suite',
      at: effectiveTime,
      correlationId: randomUUID(),
      causationId: null,
      ...draft.metadata,
    },
  };
}

const newEvents = (count: number, draft: EventDraft = {}): NewEvent[] =>
  Array.from({ length: count }, (_, index) => newEvent({ data: { index }, ...draft }));

const write = (stream: string, expected: ExpectedRevision, events: readonly NewEvent[]): StreamWrite => ({ stream, expected, events });

const appendTo = (store: EventStore, stream: string, expected: ExpectedRevision, count = 1): Promise<AppendResult> =>
  store.append({ writes: [write(stream, expected, newEvents(count))] });

const idsOf = (events: readonly { readonly eventId: string }[]): string[] => events.map((event) => event.eventId);

const afterOption = (position: Position | null): { after?: Position } => (position === null ? {} : { after: position });

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return `a non-Error value (${String(error)})`;
  const code = (error as { code?: unknown }).code;
  return `${error.name}${code === undefined ? '' : ` [code ${typeof code === 'string' ? code : JSON.stringify(code)}]`}: ${error.message}`;
}

/** The error an action fails with; fails the test when it succeeds or throws synchronously instead of rejecting. */
async function failureOf(what: string, action: () => Promise<unknown>): Promise<unknown> {
  let pending: Promise<unknown>;
  try {
    pending = action();
  } catch (error) {
    throw new Error(`${what}: threw synchronously (${describeError(error)}); port methods must return a rejected promise instead`);
  }
  try {
    await pending;
  } catch (error) {
    return error;
  }
  throw new Error(`${what}: expected it to fail, but it succeeded`);
}

function expectWrongExpectedRevision(error: unknown, stream: string, expected: ExpectedRevision, actual: number | null): void {
  expect(isWrongExpectedRevisionError(error), `expected WrongExpectedRevisionError (code WRONG_EXPECTED_REVISION), got ${describeError(error)}`).toBe(true);
  const conflict = error as WrongExpectedRevisionError;
  expect(conflict.stream, 'WrongExpectedRevisionError.stream names the stream that did not match').toBe(stream);
  expect(conflict.expected, 'WrongExpectedRevisionError.expected is the expectation the writer gave').toBe(expected);
  expect(conflict.actual, "WrongExpectedRevisionError.actual is the stream's last revision (null when the stream does not exist)").toBe(actual);
}

function expectCommandAlreadyRecorded(error: unknown, commandId: string): void {
  expect(isCommandAlreadyRecordedError(error), `expected CommandAlreadyRecordedError (code COMMAND_ALREADY_RECORDED), got ${describeError(error)}`).toBe(true);
  expect((error as CommandAlreadyRecordedError).commandId, 'CommandAlreadyRecordedError.commandId').toBe(commandId);
}

function expectReservationConflict(error: unknown, key: string, holder: string): void {
  expect(isReservationConflictError(error), `expected ReservationConflictError (code RESERVATION_CONFLICT), got ${describeError(error)}`).toBe(true);
  const conflict = error as ReservationConflictError;
  expect(conflict.key, 'ReservationConflictError.key names the contested key').toBe(key);
  expect(conflict.owner, 'ReservationConflictError.owner names the owner holding the key').toBe(holder);
}

function expectInvalidAppend(error: unknown, what: string): void {
  expect(isStoreError(error), `${what}: expected a StoreError, got ${describeError(error)}`).toBe(true);
  expect((error as { code?: unknown }).code, `${what}: expected code INVALID_APPEND, got ${describeError(error)}`).toBe('INVALID_APPEND');
}

/** Reads back to prove that a failed append wrote nothing: the head did not move and each stream is where it was. */
async function expectNothingWritten(
  store: EventStore,
  what: string,
  headBefore: Position | null,
  streams: Readonly<Record<string, number | null>>,
): Promise<void> {
  expect(await store.headPosition(), `${what}: headPosition moved, so the failed append wrote something`).toBe(headBefore);
  for (const [stream, revision] of Object.entries(streams)) {
    expect(await store.streamRevision(stream), `${what}: streamRevision(${stream}) changed, so the failed append wrote to it`).toBe(revision);
    const events = await store.readStream(stream);
    expect(events.length, `${what}: readStream(${stream}) returned ${events.length} events`).toBe(revision === null ? 0 : revision + 1);
  }
}

/** A fresh store for one `describe`, closed after it. */
function useStore(harness: StoreHarness): () => EventStore {
  let store: EventStore | undefined;
  beforeAll(async () => {
    store = await harness.create();
  });
  afterAll(async () => {
    await store?.close();
  });
  return () => {
    if (store === undefined) throw new Error('harness.create() did not provide a store (see the beforeAll failure)');
    return store;
  };
}

/** A store made inside one test, always closed. */
async function withFreshStore(harness: StoreHarness, test: (store: EventStore) => Promise<void>): Promise<void> {
  const store = await harness.create();
  try {
    await test(store);
  } finally {
    await store.close();
  }
}

/** Reads the log to its end, failing fast (instead of looping forever) when positions stop increasing. */
async function readAllEvents(store: EventStore, options: ReadAllOptions = {}): Promise<{ events: StoredEvent[]; batchSizes: number[] }> {
  const events: StoredEvent[] = [];
  const batchSizes: number[] = [];
  let last: Position | undefined = options.after;
  for await (const batch of store.readAll(options)) {
    for (const event of batch) {
      if (last !== undefined && comparePositions(event.position, last) <= 0) {
        throw new Error(
          `readAll(${JSON.stringify(options)}) returned position ${event.position} (${event.stream}@${event.revision}) at or before ${last}: positions must strictly increase and \`after\` is exclusive`,
        );
      }
      last = event.position;
    }
    batchSizes.push(batch.length);
    events.push(...batch);
  }
  return { events, batchSizes };
}

function expectStrictlyIncreasing(events: readonly StoredEvent[], what: string): void {
  for (const event of events) {
    expect(isPosition(event.position), `${what}: position ${JSON.stringify(event.position)} is not a non-negative decimal integer string`).toBe(true);
  }
  for (let index = 1; index < events.length; index += 1) {
    const previous = events[index - 1]!;
    const current = events[index]!;
    expect(
      comparePositions(previous.position, current.position),
      `${what}: position ${current.position} (${current.stream}@${current.revision}) does not come after ${previous.position} (${previous.stream}@${previous.revision})`,
    ).toBeLessThan(0);
  }
}

function expectBatchSizes(batchSizes: readonly number[], batchSize: number, what: string): void {
  for (const size of batchSizes) {
    expect(size, `${what}: a batch had ${size} events but batchSize was ${batchSize}`).toBeLessThanOrEqual(batchSize);
    expect(size, `${what}: an empty batch was yielded`).toBeGreaterThan(0);
  }
}

/** Settles many racing actions and checks that exactly one won and every other failed the expected way. */
async function expectExactlyOneWinner<T>(
  what: string,
  attempts: readonly (() => Promise<T>)[],
  isExpectedLoss: (error: unknown) => boolean,
): Promise<{ winner: T; winnerIndex: number }> {
  const outcomes = await Promise.allSettled(attempts.map((attempt) => attempt()));
  const winners = outcomes.flatMap((outcome, index) => (outcome.status === 'fulfilled' ? [{ winner: outcome.value, winnerIndex: index }] : []));
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected') {
      expect(isExpectedLoss(outcome.reason), `${what}: a losing attempt failed the wrong way: ${describeError(outcome.reason)}`).toBe(true);
    }
  }
  expect(winners.length, `${what}: ${winners.length} of ${attempts.length} concurrent attempts succeeded, exactly one must`).toBe(1);
  return winners[0]!;
}

/** Resolves like `promise`, or fails with `explain()` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, explain: () => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(explain())), Math.max(ms, 0));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Pulls a subscription by hand, so a test can wait for "n events" with a
 * deadline, hold a pull open while it appends, and stop at a precise moment.
 */
class Tail {
  readonly received: StoredEvent[] = [];
  readonly batchSizes: number[] = [];
  readonly #controller = new AbortController();
  readonly #iterator: AsyncIterator<readonly StoredEvent[]>;
  #pending: Promise<IteratorResult<readonly StoredEvent[]>> | undefined;

  constructor(store: EventStore, options: SubscribeOptions = {}) {
    this.#iterator = store.subscribe({ pollIntervalMs, ...options, signal: this.#controller.signal })[Symbol.asyncIterator]();
  }

  /** Asks for the next batch without waiting for it (a subscriber blocked on live events). */
  pull(): Promise<IteratorResult<readonly StoredEvent[]>> {
    if (this.#pending === undefined) {
      const pending = this.#iterator.next();
      // A pull abandoned by a failed test must not surface later as an unhandled rejection.
      pending.catch(() => undefined);
      this.#pending = pending;
    }
    return this.#pending;
  }

  /** Waits until `count` events in total have arrived. */
  async waitFor(count: number, what: string): Promise<readonly StoredEvent[]> {
    const deadline = Date.now() + waitMs;
    while (this.received.length < count) {
      const next = await within(this.pull(), deadline - Date.now(), () => `${what}: the subscription delivered ${this.received.length} of ${count} events within ${waitMs} ms`);
      this.#pending = undefined;
      if (next.done === true) throw new Error(`${what}: the subscription ended after ${this.received.length} of ${count} events`);
      this.batchSizes.push(next.value.length);
      this.received.push(...next.value);
    }
    return this.received;
  }

  /** Aborts the signal and waits for the iteration to end (it may still hand over a batch in flight). */
  async stop(what: string): Promise<void> {
    this.#controller.abort();
    const deadline = Date.now() + waitMs;
    for (;;) {
      const next = await within(this.pull(), deadline - Date.now(), () => `${what}: the subscription did not end within ${waitMs} ms after its signal was aborted`);
      this.#pending = undefined;
      if (next.done === true) return;
      this.received.push(...next.value);
    }
  }

  /** For `finally`: stops the subscription without waiting. */
  cancel(): void {
    this.#controller.abort();
  }
}

// ---------------------------------------------------------------------------
// The suite.
// ---------------------------------------------------------------------------

/**
 * The shared event store contract: the observable behaviour of the port that
 * every adapter (memory, SQLite, PostgreSQL, KurrentDB, or your own) must
 * show, written as vitest suites. Call it at the top level of a spec file with
 * a name for the report and a harness that makes fresh stores; each
 * `describe` gets its own store and closes it, `harness.dispose` runs at the
 * end, and the tamper-evidence tests run only when `harness.tamper` is given.
 * Failing to return rejected promises, repeating or skipping events, or
 * accepting non-JSON data all fail with a message naming the broken rule;
 * `assertValidAppendRequest` from `@eventcrm/runtime` gives an adapter the
 * reference input validation. Usage, in an adapter's `*.spec.ts`:
 *
 * ```ts
 * import { describeEventStoreContract } from '@eventcrm/runtime/testing';
 * describeEventStoreContract('sqlite', sqliteHarness());
 * ```
 */
export function describeEventStoreContract(name: string, harness: StoreHarness): void {
  describe(`event store contract: ${name}`, () => {
    afterAll(async () => {
      await harness.dispose?.();
    });
    describeExpectedRevisions(harness);
    describeStoredEvents(harness);
    describeAtomicity(harness);
    describeReadStream(harness);
    describeReadAll(harness);
    describeSubscribe(harness);
    describeNeverSkip(harness);
    describeConcurrentAppends(harness);
    describeHashChain(harness);
    describeCommandRecords(harness);
    describeReservations(harness);
    describeKeys(harness);
    describeAppendBatch(harness);
    describeInvalidAppends(harness);
    describeHeadAndClose(harness);
  });
}

function describeExpectedRevisions(harness: StoreHarness): void {
  describe('expected revisions', () => {
    const store = useStore(harness);

    it("'no_stream' appends to a new stream and rejects a stream that exists, writing nothing", async () => {
      const stream = unique('no-stream');
      const first = await appendTo(store(), stream, 'no_stream');
      expect(first.events.map((event) => event.revision), 'the first event of a stream has revision 0').toEqual([0]);

      const head = await store().headPosition();
      const error = await failureOf(`append with 'no_stream' to the existing stream ${stream}`, () => appendTo(store(), stream, 'no_stream'));
      expectWrongExpectedRevision(error, stream, 'no_stream', 0);
      await expectNothingWritten(store(), "rejected 'no_stream' append", head, { [stream]: 0 });
    });

    it("'exists' rejects a missing stream, writing nothing, and appends to a stream that exists", async () => {
      const stream = unique('exists');
      const head = await store().headPosition();
      const error = await failureOf(`append with 'exists' to the missing stream ${stream}`, () => appendTo(store(), stream, 'exists'));
      expectWrongExpectedRevision(error, stream, 'exists', null);
      await expectNothingWritten(store(), "rejected 'exists' append", head, { [stream]: null });

      await appendTo(store(), stream, 'no_stream');
      const second = await appendTo(store(), stream, 'exists', 2);
      expect(second.events.map((event) => event.revision), "an 'exists' append continues the stream").toEqual([1, 2]);
    });

    it("'any' appends to a missing stream and to a stream that exists", async () => {
      const stream = unique('any');
      const first = await appendTo(store(), stream, 'any');
      const second = await appendTo(store(), stream, 'any');
      expect([...first.events, ...second.events].map((event) => event.revision), "'any' appends continue the stream").toEqual([0, 1]);
    });

    it('an exact revision appends only when it is the revision of the last event', async () => {
      const stream = unique('exact');
      await appendTo(store(), stream, 'no_stream', 2);
      const appended = await appendTo(store(), stream, 1);
      expect(appended.events.map((event) => event.revision), 'expected 1 on a stream at revision 1 appends revision 2').toEqual([2]);

      const head = await store().headPosition();
      for (const stale of [0, 1, 3, 100]) {
        const error = await failureOf(`append with expected ${stale} to ${stream} at revision 2`, () => appendTo(store(), stream, stale));
        expectWrongExpectedRevision(error, stream, stale, 2);
      }
      await expectNothingWritten(store(), 'rejected exact-revision appends', head, { [stream]: 2 });
    });

    it('an exact revision on a missing stream fails with actual null, writing nothing', async () => {
      const stream = unique('exact-missing');
      const head = await store().headPosition();
      const error = await failureOf(`append with expected 0 to the missing stream ${stream}`, () => appendTo(store(), stream, 0));
      expectWrongExpectedRevision(error, stream, 0, null);
      await expectNothingWritten(store(), 'rejected exact-revision append to a missing stream', head, { [stream]: null });
    });
  });
}

function describeStoredEvents(harness: StoreHarness): void {
  describe('stored events', () => {
    const store = useStore(harness);

    it('numbers revisions from 0, contiguously, across appends', async () => {
      const stream = unique('revisions');
      const first = await appendTo(store(), stream, 'no_stream', 3);
      const second = await appendTo(store(), stream, 2, 2);
      expect(first.events.map((event) => event.revision), 'revisions of the first append').toEqual([0, 1, 2]);
      expect(second.events.map((event) => event.revision), 'revisions of the second append').toEqual([3, 4]);
      expect((await store().readStream(stream)).map((event) => event.revision), 'revisions read back').toEqual([0, 1, 2, 3, 4]);
      expect(await store().streamRevision(stream), 'streamRevision is the last revision').toBe(4);
    });

    it('returns the stored events from append, in request order, exactly as they read back', async () => {
      const stream = unique('result');
      const events = newEvents(3);
      const result = await store().append({ writes: [write(stream, 'no_stream', events)] });
      expect(idsOf(result.events), 'AppendResult.events is in request order').toEqual(idsOf(events));
      expect(result.events.every((event) => event.stream === stream), 'AppendResult.events carry their stream').toBe(true);
      expect([...(await store().readStream(stream))], 'readStream returns what append returned').toEqual([...result.events]);
    });

    it('gives positions that are decimal strings, strictly increasing across appends and streams', async () => {
      const streams = [unique('positions-a'), unique('positions-b'), unique('positions-c')];
      const appended: StoredEvent[] = [];
      for (let round = 0; round < 3; round += 1) {
        for (const stream of streams) {
          const result = await appendTo(store(), stream, round === 0 ? 'no_stream' : 'exists', 1 + (round % 2));
          appended.push(...result.events);
        }
      }
      expectStrictlyIncreasing(appended, 'positions in commit order');
      expect(await store().headPosition(), 'headPosition is the position of the last appended event').toBe(appended.at(-1)!.position);
    });

    it('round-trips every field: ids, type, schema version, JSON data of every kind, metadata with extra keys', async () => {
      const stream = unique('round-trip');
      const data: JsonObject = {
        text: 'Grüße · Ελληνικά · 日本語 · עברית · emoji 👩‍💻🎉 · quote " backslash \\ newline \n tab \t',
        emptyText: '',
        integer: 42,
        negative: -17,
        zero: 0,
        float: 0.30000000000000004,
        tiny: 1e-7,
        largeSafeInteger: 9007199254740991,
        huge: 6.02e23,
        yes: true,
        no: false,
        nothing: null,
        list: [1, 'two', [3, [4, null]], { five: 5 }, [], {}],
        nested: { deeper: { deepest: ['a', { b: [true, false, null] }] } },
        emptyObject: {},
        emptyList: [],
        'key with spaces': 1,
        ключ: 'значение',
        '': 'the empty key',
      };
      const first = newEvent({
        type: 'ContractRoundTripChecked',
        schemaVersion: 3,
        data,
        metadata: { causationId: null, tenant: 'acme', tags: ['a', 'b'], attempt: 2, trace: { spanId: 'span-1', sampled: true, parent: null } },
      });
      const second = newEvent({ type: 'ContractRoundTripFollowed', schemaVersion: 1, data: { list: [] }, metadata: { causationId: first.eventId } });
      await store().append({ writes: [write(stream, 'no_stream', [first, second])] });

      const stored = await store().readStream(stream);
      expect(stored.length, 'both events are stored').toBe(2);
      for (const [index, original] of [first, second].entries()) {
        const event = stored[index]!;
        const where = `${stream}@${index}`;
        expect(event.stream, `${where}: stream`).toBe(stream);
        expect(event.revision, `${where}: revision`).toBe(index);
        expect(event.eventId, `${where}: eventId`).toBe(original.eventId);
        expect(event.type, `${where}: type`).toBe(original.type);
        expect(event.schemaVersion, `${where}: schemaVersion`).toBe(original.schemaVersion);
        expect(event.data, `${where}: data`).toEqual(original.data);
        expect(event.metadata, `${where}: metadata`).toEqual(original.metadata);
      }
      expect(stored[0]!.metadata.causationId, 'a null causationId stays null (not undefined, not "null")').toBeNull();
    });

    it('is not changed by a caller mutating what it passed in or got back', async () => {
      const stream = unique('isolation');
      const data = { name: 'original', tags: ['a'], nested: { value: 1 } };
      const metadata = { actor: 'original-actor', extra: { flag: true } };
      const event = newEvent({ data, metadata });
      const result = await store().append({ writes: [write(stream, 'no_stream', [event])] });

      data.name = 'changed by the caller';
      data.tags.push('b');
      data.nested.value = 2;
      metadata.extra.flag = false;
      (event.metadata as { actor: string }).actor = 'changed-actor';
      const mutate = (stored: StoredEvent | undefined): void => {
        const returned = stored?.data as unknown as { name: string; tags: string[]; nested: { value: number } } | undefined;
        // A store may hand out frozen objects (writes then throw) or copies (writes are lost); both are fine.
        try {
          if (returned !== undefined) returned.name = 'changed through the result';
        } catch {
          /* frozen */
        }
        try {
          returned?.tags.push('c');
        } catch {
          /* frozen */
        }
        try {
          if (returned !== undefined) returned.nested.value = 3;
        } catch {
          /* frozen */
        }
      };
      mutate(result.events[0]);
      mutate((await store().readStream(stream))[0]);

      const [stored] = await store().readStream(stream);
      expect(stored?.data, 'stored data is isolated from the caller').toEqual({ name: 'original', tags: ['a'], nested: { value: 1 } });
      expect(stored?.metadata.actor, 'stored metadata is isolated from the caller').toBe('original-actor');
      expect(stored?.metadata['extra'], 'nested stored metadata is isolated from the caller').toEqual({ flag: true });
      expect(stored?.hash, 'the stored hash still matches the stored content').toBe(hashEvent(stored!));
    });
  });
}

function describeAtomicity(harness: StoreHarness): void {
  describe('atomic appends', () => {
    const store = useStore(harness);

    it('appends to several streams at once, returning all events in request order', async () => {
      const [a, b, c] = [unique('multi-a'), unique('multi-b'), unique('multi-c')];
      await appendTo(store(), b, 'no_stream');
      const writes = [write(a, 'no_stream', newEvents(2)), write(b, 0, newEvents(1)), write(c, 'any', newEvents(3))];
      const result = await store().append({ writes });
      expect(idsOf(result.events), 'AppendResult.events lists every write, in request order').toEqual(writes.flatMap((each) => idsOf(each.events)));
      expect(result.events.map((event) => `${event.stream}@${event.revision}`)).toEqual([`${a}@0`, `${a}@1`, `${b}@1`, `${c}@0`, `${c}@1`, `${c}@2`]);
      expectStrictlyIncreasing(result.events, 'positions within one multi-stream append');
      expect(await store().streamRevision(a)).toBe(1);
      expect(await store().streamRevision(b)).toBe(1);
      expect(await store().streamRevision(c)).toBe(2);
    });

    it('writes nothing at all when a later stream of the request conflicts', async () => {
      const [fresh, existing, conflicting] = [unique('atomic-fresh'), unique('atomic-existing'), unique('atomic-conflict')];
      await appendTo(store(), existing, 'no_stream');
      await appendTo(store(), conflicting, 'no_stream', 2);
      const commandId = randomUUID();
      const reservationKey = unique('atomic-key');
      const subject = unique('atomic-subject');
      const head = await store().headPosition();

      const error = await failureOf('a multi-stream append whose third write conflicts', () =>
        store().append({
          writes: [write(fresh, 'no_stream', newEvents(3)), write(existing, 0, newEvents(2)), write(conflicting, 0, newEvents(1))],
          commandId,
          reservations: { claim: [{ key: reservationKey, owner: 'atomic-owner' }] },
          keys: { create: [{ subject, key: 'a2V5' }] },
        }),
      );
      expectWrongExpectedRevision(error, conflicting, 0, 1);
      await expectNothingWritten(store(), 'a multi-stream append that conflicted', head, { [fresh]: null, [existing]: 0, [conflicting]: 1 });
      expect(await store().findCommand(commandId), 'the failed append recorded its command id').toBeUndefined();
      expect((await store().lookupReservations([reservationKey])).size, 'the failed append claimed its reservation').toBe(0);
      expect((await store().loadKeys([subject])).size, 'the failed append created its key').toBe(0);
    });
  });
}

function describeReadStream(harness: StoreHarness): void {
  describe('readStream and streamRevision', () => {
    const store = useStore(harness);
    let stream = '';
    let stored: readonly StoredEvent[] = [];
    const revisions = (events: readonly StoredEvent[]): number[] => events.map((event) => event.revision);

    beforeAll(async () => {
      stream = unique('read-stream');
      await appendTo(store(), stream, 'no_stream', 3);
      await appendTo(store(), stream, 2, 2);
      stored = await store().readStream(stream);
    });

    it('reads forwards by default, from an inclusive revision, up to a limit', async () => {
      expect(revisions(stored), 'readStream(stream)').toEqual([0, 1, 2, 3, 4]);
      expect(revisions(await store().readStream(stream, { direction: 'forwards' })), "direction 'forwards'").toEqual([0, 1, 2, 3, 4]);
      expect(revisions(await store().readStream(stream, { from: 2 })), 'from 2').toEqual([2, 3, 4]);
      expect(revisions(await store().readStream(stream, { limit: 2 })), 'limit 2').toEqual([0, 1]);
      expect(revisions(await store().readStream(stream, { from: 1, limit: 2 })), 'from 1, limit 2').toEqual([1, 2]);
      expect(revisions(await store().readStream(stream, { from: 4, limit: 10 })), 'from 4, limit 10').toEqual([4]);
      expect(revisions(await store().readStream(stream, { from: 5 })), 'from past the end').toEqual([]);
    });

    it('reads backwards from the end, or from an inclusive upper revision, up to a limit', async () => {
      const backwards = { direction: 'backwards' } as const;
      expect(revisions(await store().readStream(stream, backwards)), 'backwards').toEqual([4, 3, 2, 1, 0]);
      expect(revisions(await store().readStream(stream, { ...backwards, from: 3 })), 'backwards from 3').toEqual([3, 2, 1, 0]);
      expect(revisions(await store().readStream(stream, { ...backwards, limit: 2 })), 'backwards, limit 2').toEqual([4, 3]);
      expect(revisions(await store().readStream(stream, { ...backwards, from: 2, limit: 2 })), 'backwards from 2, limit 2').toEqual([2, 1]);
      expect(revisions(await store().readStream(stream, { ...backwards, from: 0 })), 'backwards from 0').toEqual([0]);
      expect(revisions(await store().readStream(stream, { ...backwards, from: 99 })), 'backwards from past the end').toEqual([4, 3, 2, 1, 0]);
    });

    it('returns the same events whichever way it reads', async () => {
      expect([...(await store().readStream(stream, { direction: 'backwards' }))].reverse(), 'backwards, reversed, equals forwards').toEqual([...stored]);
    });

    it('reads a missing stream as [] and its revision as null', async () => {
      const missing = unique('missing');
      expect(await store().readStream(missing), 'readStream of a missing stream').toEqual([]);
      expect(await store().readStream(missing, { direction: 'backwards' }), 'readStream backwards of a missing stream').toEqual([]);
      expect(await store().streamRevision(missing), 'streamRevision of a missing stream').toBeNull();
    });

    it('never mixes in streams whose names share a prefix', async () => {
      const base = unique('prefix');
      for (const name of [base, `${base}-child`, `${base}2`, `${base}_x`]) await appendTo(store(), name, 'no_stream', 2);
      const events = await store().readStream(base);
      expect(events.map((event) => event.stream), `readStream(${base}) returned other streams`).toEqual([base, base]);
      expect(await store().streamRevision(base)).toBe(1);
    });

    it('reports the revision of the last event as streamRevision', async () => {
      const own = unique('stream-revision');
      await appendTo(store(), own, 'no_stream', 2);
      expect(await store().streamRevision(own), 'after appending revisions 0 and 1').toBe(1);
      await appendTo(store(), own, 1);
      expect(await store().streamRevision(own), 'after appending revision 2').toBe(2);
    });
  });
}

function describeReadAll(harness: StoreHarness): void {
  describe('readAll', () => {
    const store = useStore(harness);

    it('reads every event after `after` in global order, in batches of at most batchSize', async () => {
      const head = await store().headPosition();
      const appended: StoredEvent[] = [];
      for (const stream of [unique('all-a'), unique('all-b')]) appended.push(...(await appendTo(store(), stream, 'no_stream', 3)).events);
      appended.push(...(await appendTo(store(), appended[0]!.stream, 2, 1)).events);

      const { events, batchSizes } = await readAllEvents(store(), { ...afterOption(head), batchSize: 2 });
      expect(idsOf(events), 'readAll after the previous head returns exactly the new events, in commit order').toEqual(idsOf(appended));
      expectBatchSizes(batchSizes, 2, 'readAll with batchSize 2');
      expect(batchSizes.length, 'seven events in batches of at most 2 need at least 4 batches').toBeGreaterThanOrEqual(4);
      expectStrictlyIncreasing(events, 'readAll');
      expect([...events], 'readAll returns the events exactly as append returned them').toEqual(appended);
    });

    it('treats `after` as exclusive', async () => {
      const stream = unique('after');
      const { events: appended } = await appendTo(store(), stream, 'no_stream', 4);
      const { events } = await readAllEvents(store(), { after: appended[1]!.position });
      expect(idsOf(events), 'readAll after the second event starts at the third').toEqual(idsOf(appended.slice(2)));
      expect((await readAllEvents(store(), { after: appended[3]!.position })).events, 'readAll after the head').toEqual([]);
    });

    it('reads the whole log from the start when `after` is omitted', async () => {
      const { events: appended } = await appendTo(store(), unique('from-start'), 'no_stream', 2);
      const { events, batchSizes } = await readAllEvents(store(), { batchSize: 3 });
      expectBatchSizes(batchSizes, 3, 'readAll with batchSize 3');
      expectStrictlyIncreasing(events, 'readAll of the whole log');
      expect(idsOf(events.slice(-2)), 'the whole log ends with the events just appended').toEqual(idsOf(appended));
      expect(events.length, 'the whole log has exactly one entry per event read back from the streams').toBe(
        (await Promise.all([...new Set(events.map((event) => event.stream))].map((stream) => store().readStream(stream)))).flat().length,
      );
    });

    it('filters by stream prefixes on the server side, across batches', async () => {
      const prefix = unique('filter');
      const [orders, customers, other] = [`${prefix}-orders-1`, `${prefix}-customers-1`, `${prefix}-other-1`];
      const head = await store().headPosition();
      const wanted: StoredEvent[] = [];
      for (let round = 0; round < 3; round += 1) {
        wanted.push(...(await appendTo(store(), orders, round === 0 ? 'no_stream' : 'exists', 2)).events);
        await appendTo(store(), other, 'any', 2);
        wanted.push(...(await appendTo(store(), customers, 'any', 1)).events);
      }
      for (const batchSize of [1, 2, 100]) {
        const { events, batchSizes } = await readAllEvents(store(), {
          ...afterOption(head),
          batchSize,
          filter: { streamPrefixes: [`${prefix}-orders-`, `${prefix}-customers-`] },
        });
        expect(idsOf(events), `readAll filtered by two stream prefixes, batchSize ${batchSize}`).toEqual(idsOf(wanted));
        expectBatchSizes(batchSizes, batchSize, `filtered readAll with batchSize ${batchSize}`);
      }
    });

    it('filters by event types, and by both prefixes and types together', async () => {
      const prefix = unique('types');
      const head = await store().headPosition();
      const opened = { type: `${prefix}Opened` };
      const noted = { type: `${prefix}Noted` };
      const closed = { type: `${prefix}Closed` };
      const inside = `${prefix}-in`;
      const outside = unique('types-out');
      const result = await store().append({
        writes: [
          write(inside, 'no_stream', [newEvent(opened), newEvent(noted), newEvent(closed), newEvent(noted)]),
          write(outside, 'no_stream', [newEvent(opened), newEvent(noted), newEvent(closed)]),
        ],
      });
      const byType = await readAllEvents(store(), { ...afterOption(head), batchSize: 1, filter: { eventTypes: [opened.type, closed.type] } });
      expect(
        idsOf(byType.events),
        'readAll filtered by event types keeps exactly the events of those types',
      ).toEqual(idsOf(result.events.filter((event) => event.type === opened.type || event.type === closed.type)));

      const both = await readAllEvents(store(), { ...afterOption(head), filter: { streamPrefixes: [inside], eventTypes: [noted.type] } });
      expect(
        idsOf(both.events),
        'readAll filtered by prefix and type keeps only events matching both',
      ).toEqual(idsOf(result.events.filter((event) => event.stream === inside && event.type === noted.type)));
    });

    it('yields no batch at all for an empty log', async () => {
      await withFreshStore(harness, async (empty) => {
        const { events, batchSizes } = await readAllEvents(empty);
        expect(batchSizes, 'readAll of an empty store yielded batches').toEqual([]);
        expect(events).toEqual([]);
      });
    });
  });
}

function describeSubscribe(harness: StoreHarness): void {
  describe('subscribe', () => {
    const store = useStore(harness);

    it('catches up from `after`, then delivers events appended while it waits', async () => {
      const head = await store().headPosition();
      const stream = unique('live');
      const { events: early } = await appendTo(store(), stream, 'no_stream', 3);
      const tail = new Tail(store(), afterOption(head));
      try {
        await tail.waitFor(3, 'catch-up');
        void tail.pull();
        await sleep(100);
        const { events: late } = await appendTo(store(), stream, 2, 2);
        await tail.waitFor(5, 'live events');
        expect(idsOf(tail.received), 'catch-up then live events, each once, in order').toEqual(idsOf([...early, ...late]));
        expectStrictlyIncreasing(tail.received, 'subscription');
        await tail.stop('subscription after the live events');
      } finally {
        tail.cancel();
      }
    });

    it('starts at the beginning of the log when `after` is omitted', async () => {
      await appendTo(store(), unique('from-start'), 'no_stream', 2);
      let first: StoredEvent | undefined;
      for await (const batch of store().readAll({ batchSize: 1 })) {
        first = batch[0];
        break;
      }
      const tail = new Tail(store());
      try {
        const [received] = await tail.waitFor(1, 'subscription without after');
        expect(received, 'the first delivered event is the first event of the log').toEqual(first);
      } finally {
        tail.cancel();
      }
    });

    it('respects batchSize while catching up', async () => {
      const head = await store().headPosition();
      await appendTo(store(), unique('sub-batches'), 'no_stream', 5);
      const tail = new Tail(store(), { ...afterOption(head), batchSize: 2 });
      try {
        await tail.waitFor(5, 'catch-up in batches of 2');
        expectBatchSizes(tail.batchSizes, 2, 'subscribe with batchSize 2');
      } finally {
        tail.cancel();
      }
    });

    it('resumes after the last position it saw without skipping or repeating events', async () => {
      const head = await store().headPosition();
      const stream = unique('resume');
      const { events: appended } = await appendTo(store(), stream, 'no_stream', 4);
      const firstTail = new Tail(store(), afterOption(head));
      let resumeAfter: Position;
      try {
        await firstTail.waitFor(2, 'first subscription');
        resumeAfter = firstTail.received[1]!.position;
      } finally {
        firstTail.cancel();
      }
      const secondTail = new Tail(store(), { after: resumeAfter });
      try {
        await secondTail.waitFor(2, 'resumed subscription, catch-up');
        const { events: later } = await appendTo(store(), stream, 3);
        await secondTail.waitFor(3, 'resumed subscription, live');
        expect(idsOf(secondTail.received), 'the resumed subscription starts right after `after`').toEqual(idsOf([...appended.slice(2), ...later]));
      } finally {
        secondTail.cancel();
      }
    });

    it('applies the filter to catch-up and live events alike', async () => {
      const prefix = unique('sub-filter');
      const head = await store().headPosition();
      const wanted: StoredEvent[] = [];
      await appendTo(store(), `${prefix}-other`, 'no_stream');
      wanted.push(...(await appendTo(store(), `${prefix}-wanted`, 'no_stream')).events);
      const tail = new Tail(store(), { ...afterOption(head), filter: { streamPrefixes: [`${prefix}-wanted`] } });
      try {
        await tail.waitFor(1, 'filtered catch-up');
        void tail.pull();
        await appendTo(store(), `${prefix}-other`, 'any');
        wanted.push(...(await appendTo(store(), `${prefix}-wanted`, 'any')).events);
        await appendTo(store(), `${prefix}-other`, 'any');
        wanted.push(...(await appendTo(store(), `${prefix}-wanted`, 'any')).events);
        await tail.waitFor(3, 'filtered live events');
        expect(idsOf(tail.received), 'a filtered subscription delivers only matching events').toEqual(idsOf(wanted));
      } finally {
        tail.cancel();
      }
    });

    it('ends cleanly, without throwing, when aborted while waiting for live events', async () => {
      const tail = new Tail(store(), afterOption(await store().headPosition()));
      try {
        void tail.pull();
        await sleep(50);
        await tail.stop('subscription aborted while idle');
        expect(tail.received, 'nothing was appended, so nothing was delivered').toEqual([]);
      } finally {
        tail.cancel();
      }
      await appendTo(store(), unique('after-abort'), 'no_stream');
    });

    it('ends at once when the signal is already aborted', async () => {
      await appendTo(store(), unique('pre-aborted'), 'no_stream');
      const run = async (): Promise<number> => {
        let batches = 0;
        for await (const _batch of store().subscribe({ signal: AbortSignal.abort(), pollIntervalMs })) {
          batches += 1;
          // Stop a subscription that ignores its signal, so the failure below does not leave it running.
          if (batches > 1) break;
        }
        return batches;
      };
      const batches = await within(run(), waitMs, () => `a subscription with an aborted signal did not end within ${waitMs} ms`);
      expect(batches, 'an aborted subscription may hand over at most the batch in flight').toBeLessThanOrEqual(1);
    });

    it('ends when the consumer breaks out of for await, also while live', async () => {
      const head = await store().headPosition();
      const stream = unique('break');
      await appendTo(store(), stream, 'no_stream');
      const consume = async (): Promise<string[]> => {
        const seen: string[] = [];
        for await (const batch of store().subscribe({ ...afterOption(head), pollIntervalMs })) {
          seen.push(...idsOf(batch));
          if (seen.length >= 2) break;
        }
        return seen;
      };
      const consuming = consume();
      await sleep(100);
      const { events: later } = await appendTo(store(), stream, 0);
      const seen = await within(consuming, waitMs, () => `a subscription did not end within ${waitMs} ms of the consumer breaking out`);
      expect(seen.at(-1), 'the consumer saw the live event before breaking').toBe(later[0]!.eventId);
      await appendTo(store(), stream, 1);
    });
  });
}

function describeNeverSkip(harness: StoreHarness): void {
  describe('never skips an event under concurrent appends', () => {
    const store = useStore(harness);
    const appenders = 8;
    const rounds = 4;

    /**
     * Runs `appenders` concurrent writers, each appending `rounds` times to its
     * own stream (every fourth one also writes a second stream in the same
     * transaction), so commits keep overlapping while readers work.
     */
    const appendConcurrently = async (prefix: string): Promise<StoredEvent[]> => {
      const perWriter = await Promise.all(
        Array.from({ length: appenders }, async (_, index) => {
          const stream = `${prefix}-${index}`;
          const appended: StoredEvent[] = [];
          for (let round = 0; round < rounds; round += 1) {
            const expected: ExpectedRevision = round === 0 ? 'no_stream' : 'exists';
            const writes = [write(stream, expected, newEvents(1 + (index % 3)))];
            if (index % 4 === 3) writes.push(write(`${prefix}-pair-${index}-${round}`, 'no_stream', newEvents(1)));
            appended.push(...(await store().append({ writes })).events);
          }
          return appended;
        }),
      );
      return perWriter.flat();
    };
    const eventsPerRound = Array.from({ length: appenders }, (_, index) => 1 + (index % 3) + (index % 4 === 3 ? 1 : 0)).reduce((sum, count) => sum + count, 0);

    it('a live subscriber sees every event of concurrent appenders exactly once, in position order', async () => {
      const total = rounds * eventsPerRound;
      const tail = new Tail(store(), { ...afterOption(await store().headPosition()), batchSize: 7 });
      try {
        // The subscriber consumes while the appenders run, which is where out-of-order commits make stores skip events.
        const tailing = tail.waitFor(total, 'a subscriber tailing concurrent appenders (a store that skips events committed out of order stalls here)');
        tailing.catch(() => undefined);
        const appended = await appendConcurrently(unique('tail'));
        expect(appended.length).toBe(total);
        await tailing;

        const received = idsOf(tail.received);
        const duplicates = received.filter((id, index) => received.indexOf(id) !== index);
        expect(duplicates, 'events delivered more than once').toEqual([]);
        expect(new Set(received), 'the subscriber saw exactly the appended events').toEqual(new Set(idsOf(appended)));
        expect(received.length).toBe(appended.length);
        expectStrictlyIncreasing(tail.received, 'events delivered to a live subscriber');
        const revisionsByStream = new Map<string, number[]>();
        for (const event of tail.received) revisionsByStream.set(event.stream, [...(revisionsByStream.get(event.stream) ?? []), event.revision]);
        for (const [stream, revisions] of revisionsByStream) {
          expect(revisions, `revisions of ${stream} as delivered`).toEqual(revisions.map((_, index) => index));
        }
      } finally {
        tail.cancel();
      }
    });

    it('readAll, resumed after the last position it saw while appenders run, sees every event exactly once', async () => {
      let cursor = await store().headPosition();
      const seen: StoredEvent[] = [];
      const drain = async (): Promise<void> => {
        for await (const batch of store().readAll({ ...afterOption(cursor), batchSize: 3 })) {
          seen.push(...batch);
          cursor = batch.at(-1)!.position;
        }
      };
      let appending = true;
      const reader = (async (): Promise<void> => {
        while (appending) {
          await drain();
          await sleep(1);
        }
        await drain();
      })();
      reader.catch(() => undefined);
      let appended: StoredEvent[];
      try {
        appended = await appendConcurrently(unique('resume-all'));
      } finally {
        appending = false;
      }
      await reader;
      const seenIds = idsOf(seen);
      expect(seenIds.filter((id, index) => seenIds.indexOf(id) !== index), 'events read more than once').toEqual([]);
      const missing = appended.filter((event) => !seenIds.includes(event.eventId)).map((event) => `${event.stream}@${event.revision} (position ${event.position})`);
      expect(missing, `${missing.length} of ${appended.length} appended events were skipped by a reader resuming after the last position it saw`).toEqual([]);
      expect(seen.length, 'resumed readAll saw exactly the appended events').toBe(appended.length);
      expectStrictlyIncreasing(seen, 'resumed readAll');
    });
  });
}

function describeConcurrentAppends(harness: StoreHarness): void {
  describe('concurrent appends to one stream', () => {
    const store = useStore(harness);
    const contenders = 8;

    it("lets exactly one of many 'no_stream' appends create a stream", async () => {
      const stream = unique('race-new');
      const attempts = Array.from({ length: contenders }, () => newEvents(2));
      const { winnerIndex } = await expectExactlyOneWinner(
        `${contenders} concurrent 'no_stream' appends to ${stream}`,
        attempts.map((events) => () => store().append({ writes: [write(stream, 'no_stream', events)] })),
        isWrongExpectedRevisionError,
      );
      expect(idsOf(await store().readStream(stream)), 'the stream holds exactly the winning events').toEqual(idsOf(attempts[winnerIndex]!));
    });

    it('lets exactly one of many appends with the same exact revision win', async () => {
      const stream = unique('race-exact');
      await appendTo(store(), stream, 'no_stream');
      const attempts = Array.from({ length: contenders }, () => newEvents(1));
      const { winnerIndex } = await expectExactlyOneWinner(
        `${contenders} concurrent appends expecting revision 0 of ${stream}`,
        attempts.map((events) => () => store().append({ writes: [write(stream, 0, events)] })),
        isWrongExpectedRevisionError,
      );
      const stored = await store().readStream(stream);
      expect(stored.length, 'the stream holds its first event and the single winner').toBe(2);
      expect(stored[1]!.eventId).toBe(attempts[winnerIndex]![0]!.eventId);
    });

    it("serialises concurrent 'any' appends into contiguous revisions with an unbroken hash chain", async () => {
      const stream = unique('race-any');
      const results = await Promise.all(Array.from({ length: contenders }, () => appendTo(store(), stream, 'any', 2)));
      const stored = await store().readStream(stream);
      expect(stored.map((event) => event.revision), "revisions after concurrent 'any' appends").toEqual(Array.from({ length: contenders * 2 }, (_, index) => index));
      expect(new Set(idsOf(stored)), 'every appended event is stored').toEqual(new Set(results.flatMap((result) => idsOf(result.events))));
      for (const result of results) {
        const [first, second] = result.events;
        expect(second!.revision, "the events of one 'any' append stay adjacent").toBe(first!.revision + 1);
      }
      stored.forEach((event, index) => {
        expect(event.previousHash, `${stream}@${index} links to its predecessor`).toBe(index === 0 ? null : stored[index - 1]!.hash);
      });
    });
  });
}

function describeHashChain(harness: StoreHarness): void {
  describe('hash chain', () => {
    const store = useStore(harness);

    it('hashes each event with hashEvent and links it to its stream predecessor', async () => {
      const [a, b] = [unique('chain-a'), unique('chain-b')];
      await store().append({ writes: [write(a, 'no_stream', newEvents(2)), write(b, 'no_stream', newEvents(1))] });
      await appendTo(store(), a, 1, 3);
      await appendTo(store(), b, 0, 1);
      for (const stream of [a, b]) {
        const stored = await store().readStream(stream);
        stored.forEach((event, index) => {
          const where = `${stream}@${event.revision}`;
          expect(event.hash, `${where}: hash is lower-case SHA-256 hex`).toMatch(/^[0-9a-f]{64}$/);
          expect(event.hash, `${where}: hash must equal hashEvent(event) over the stored fields`).toBe(hashEvent(event));
          expect(event.previousHash, `${where}: previousHash must be ${index === 0 ? 'null at revision 0' : "the predecessor's hash"}`).toBe(
            index === 0 ? null : stored[index - 1]!.hash,
          );
        });
      }
    });

    it('passes verifyChains when nothing was tampered with', async () => {
      await appendTo(store(), unique('chain-verify'), 'no_stream', 3);
      const { events } = await readAllEvents(store());
      const report = await verifyChains(store(), { batchSize: 4 });
      expect(report.breaks, 'verifyChains found breaks in an untouched log').toEqual([]);
      expect(report.intact).toBe(true);
      expect(report.eventsChecked, 'verifyChains walks every event of the log').toBe(events.length);
      expect(report.streamsChecked).toBe(new Set(events.map((event) => event.stream)).size);
    });

    const { tamper } = harness;
    // Stores that cannot be tampered with (KurrentDB) leave `tamper` out, and these tests are not registered.
    if (tamper !== undefined) {
      describe('tamper evidence (harness.tamper)', () => {
        const tampered = useStore(harness);

        const seed = async (count: number): Promise<{ stream: string; control: string; events: readonly StoredEvent[] }> => {
          const stream = unique('tamper');
          const control = unique('tamper-control');
          for (let revision = 0; revision < count; revision += 1) {
            await appendTo(tampered(), stream, revision === 0 ? 'no_stream' : revision - 1);
            await appendTo(tampered(), control, revision === 0 ? 'no_stream' : revision - 1);
          }
          return { stream, control, events: await tampered().readStream(stream) };
        };

        const breaksOf = async (stream: string, control: string): Promise<{ revision: number; problem: string; position: Position }[]> => {
          const report = await verifyChains(tampered());
          expect(report.intact, 'verifyChains reports a tampered log as not intact').toBe(false);
          expect(report.breaks.filter((each) => each.stream === control), 'an untouched stream shows no breaks').toEqual([]);
          return report.breaks.filter((each) => each.stream === stream).map(({ revision, problem, position }) => ({ revision, problem, position }));
        };

        it('reports replaced data as hash_mismatch at that stream and revision', async () => {
          const { stream, control, events } = await seed(3);
          await tamper.replaceData(tampered(), stream, 1, { forged: true });
          expect((await tampered().readStream(stream))[1]?.data, 'harness.tamper.replaceData did not change the stored data').toEqual({ forged: true });
          const breaks = await breaksOf(stream, control);
          expect(breaks, 'replaced data must be reported as hash_mismatch at revision 1').toContainEqual({ revision: 1, problem: 'hash_mismatch', position: events[1]!.position });
          expect(breaks.every((each) => each.revision === 1), `only revision 1 was touched, got ${JSON.stringify(breaks)}`).toBe(true);
        });

        it('reports a deleted event at the next revision as revision_gap or broken_link', async () => {
          const { stream, control } = await seed(3);
          await tamper.deleteEvent(tampered(), stream, 1);
          expect((await tampered().readStream(stream)).map((event) => event.revision), 'harness.tamper.deleteEvent did not delete').toEqual([0, 2]);
          const breaks = await breaksOf(stream, control);
          const atNext = breaks.filter((each) => each.revision === 2).map((each) => each.problem);
          expect(
            atNext.some((problem) => problem === 'revision_gap' || problem === 'broken_link'),
            `a deleted revision 1 must be reported at revision 2, got ${JSON.stringify(breaks)}`,
          ).toBe(true);
        });

        it('reports swapped events at both revisions', async () => {
          const { stream, control, events } = await seed(4);
          await tamper.swapEvents(tampered(), stream, 1, 2);
          const swapped = await tampered().readStream(stream);
          expect(idsOf(swapped), 'harness.tamper.swapEvents did not swap').toEqual(idsOf([events[0]!, events[2]!, events[1]!, events[3]!]));
          const breaks = await breaksOf(stream, control);
          const revisions = new Set(breaks.map((each) => each.revision));
          expect(revisions.has(1) && revisions.has(2), `swapped revisions 1 and 2 must both be reported, got ${JSON.stringify(breaks)}`).toBe(true);
        });
      });
    }
  });
}

function describeCommandRecords(harness: StoreHarness): void {
  describe('command records', () => {
    const store = useStore(harness);
    const references = (events: readonly StoredEvent[]): object[] =>
      events.map(({ stream, revision, position, eventId, type }) => ({ stream, revision, position, eventId, type }));

    it('records the references of every event an append with a commandId wrote', async () => {
      const commandId = randomUUID();
      const [a, b] = [unique('command-a'), unique('command-b')];
      const result = await store().append({
        writes: [write(a, 'no_stream', newEvents(2, { type: 'ContractCommandStarted' })), write(b, 'no_stream', newEvents(1, { type: 'ContractCommandLinked' }))],
        commandId,
      });
      const record = await store().findCommand(commandId);
      expect(record, `findCommand(${commandId}) after a successful append`).toBeDefined();
      expect(record!.commandId).toBe(commandId);
      expect(
        record!.events.map(({ stream, revision, position, eventId, type }) => ({ stream, revision, position, eventId, type })),
        'the command record references the appended events, in request order',
      ).toEqual(references(result.events));
    });

    it('returns undefined for an unknown command id', async () => {
      expect(await store().findCommand(randomUUID())).toBeUndefined();
    });

    it('answers findCommands (when offered) exactly as findCommand answers each id', async () => {
      const adapter = store();
      if (adapter.findCommands === undefined) return;
      const ids = [randomUUID(), randomUUID()];
      for (const commandId of ids) await store().append({ writes: [write(unique('bulk-command'), 'no_stream', newEvents(2))], commandId });
      const unknown = randomUUID();
      const found = await adapter.findCommands([...ids, unknown]);
      expect(found.has(unknown), 'an unknown id is left out').toBe(false);
      for (const commandId of ids) expect(found.get(commandId), commandId).toEqual(await store().findCommand(commandId));
    });

    it('rejects a second append with a recorded commandId, writing nothing', async () => {
      const commandId = randomUUID();
      const first = unique('command-first');
      const second = unique('command-second');
      const { events } = await store().append({ writes: [write(first, 'no_stream', newEvents(1))], commandId });
      const key = unique('command-key');
      const subject = unique('command-subject');
      const head = await store().headPosition();

      const error = await failureOf(`a second append with command id ${commandId}`, () =>
        store().append({
          writes: [write(second, 'no_stream', newEvents(1)), write(first, 0, newEvents(1))],
          commandId,
          reservations: { claim: [{ key, owner: 'command-owner' }] },
          keys: { create: [{ subject, key: 'a2V5' }] },
        }),
      );
      expectCommandAlreadyRecorded(error, commandId);
      await expectNothingWritten(store(), 'a repeated command', head, { [first]: 0, [second]: null });
      expect((await store().lookupReservations([key])).size, 'the repeated command claimed its reservation').toBe(0);
      expect((await store().loadKeys([subject])).size, 'the repeated command created its key').toBe(0);
      expect(
        (await store().findCommand(commandId))?.events.map((reference) => reference.eventId),
        'the original command record is unchanged',
      ).toEqual(idsOf(events));
    });

    it('does not record the command id of a failed append, so it can be retried', async () => {
      const commandId = randomUUID();
      const stream = unique('command-retry');
      await appendTo(store(), stream, 'no_stream');
      await failureOf('an append with a stale revision', () => store().append({ writes: [write(stream, 'no_stream', newEvents(1))], commandId }));
      expect(await store().findCommand(commandId), 'a failed append recorded its command id').toBeUndefined();
      const retried = await store().append({ writes: [write(stream, 0, newEvents(1))], commandId });
      expect(idsOf((await store().findCommand(commandId))?.events ?? []), 'the retry is recorded').toEqual(idsOf(retried.events));
    });

    it('lets exactly one of many concurrent appends with the same commandId win', async () => {
      const commandId = randomUUID();
      const streams = Array.from({ length: 6 }, (_, index) => unique(`command-race-${index}`));
      const { winner, winnerIndex } = await expectExactlyOneWinner(
        `${streams.length} concurrent appends with command id ${commandId}`,
        streams.map((stream) => () => store().append({ writes: [write(stream, 'no_stream', newEvents(1))], commandId })),
        isCommandAlreadyRecordedError,
      );
      for (const [index, stream] of streams.entries()) {
        expect(await store().streamRevision(stream), `stream of ${index === winnerIndex ? 'the winner' : 'a loser'}`).toBe(index === winnerIndex ? 0 : null);
      }
      expect(idsOf((await store().findCommand(commandId))?.events ?? []), 'the record references the winner').toEqual(idsOf(winner.events));
    });
  });
}

function describeReservations(harness: StoreHarness): void {
  describe('reservations', () => {
    const store = useStore(harness);
    const claimAppend = (claim: { key: string; owner: string }[], release: { key: string; owner: string }[] = []): Promise<AppendResult> =>
      store().append({ writes: [write(unique('reservation'), 'no_stream', newEvents(1))], reservations: { claim, release } });
    const owners = async (keys: string[]): Promise<Record<string, string | undefined>> => {
      const found = await store().lookupReservations(keys);
      return Object.fromEntries(keys.map((key) => [key, found.get(key)]));
    };

    it('claims keys with an append and looks them up, leaving absent keys out', async () => {
      const [phone, email, unknown] = [unique('phone'), unique('email'), unique('unknown')];
      await claimAppend([
        { key: phone, owner: 'customer-1' },
        { key: email, owner: 'customer-1' },
      ]);
      const found = await store().lookupReservations([phone, email, unknown]);
      expect(found.get(phone)).toBe('customer-1');
      expect(found.get(email)).toBe('customer-1');
      expect(found.has(unknown), 'a key nobody holds is left out of the lookup').toBe(false);
      expect(found.size).toBe(2);
      expect((await store().lookupReservations([])).size, 'looking up no keys').toBe(0);
    });

    it('treats claiming a key the same owner already holds as a no-op', async () => {
      const key = unique('same-owner');
      await claimAppend([{ key, owner: 'customer-1' }]);
      await claimAppend([{ key, owner: 'customer-1' }]);
      expect(await owners([key])).toEqual({ [key]: 'customer-1' });
    });

    it('rejects a claim on a key held by another owner, naming the holder and writing nothing', async () => {
      const [contested, other, released] = [unique('contested'), unique('other'), unique('released')];
      await claimAppend([
        { key: contested, owner: 'holder' },
        { key: released, owner: 'challenger' },
      ]);
      const stream = unique('reservation-conflict');
      const commandId = randomUUID();
      const subject = unique('reservation-subject');
      const head = await store().headPosition();

      const error = await failureOf(`claiming ${contested} for another owner`, () =>
        store().append({
          writes: [write(stream, 'no_stream', newEvents(2))],
          commandId,
          reservations: {
            release: [{ key: released, owner: 'challenger' }],
            claim: [
              { key: other, owner: 'challenger' },
              { key: contested, owner: 'challenger' },
            ],
          },
          keys: { create: [{ subject, key: 'a2V5' }] },
        }),
      );
      expectReservationConflict(error, contested, 'holder');
      await expectNothingWritten(store(), 'a conflicting claim', head, { [stream]: null });
      expect(await owners([contested, other, released]), 'no reservation of the failed request changed').toEqual({
        [contested]: 'holder',
        [other]: undefined,
        [released]: 'challenger',
      });
      expect(await store().findCommand(commandId), 'the failed append recorded its command id').toBeUndefined();
      expect((await store().loadKeys([subject])).size, 'the failed append created its key').toBe(0);
    });

    it('releases only for the holding owner, after which another owner can claim the key', async () => {
      const key = unique('release');
      await claimAppend([{ key, owner: 'first-owner' }]);
      await claimAppend([], [{ key, owner: 'someone-else' }]);
      expect(await owners([key]), 'a release by an owner who does not hold the key is a no-op').toEqual({ [key]: 'first-owner' });
      await claimAppend([], [{ key, owner: 'first-owner' }]);
      expect(await owners([key]), 'a release by the holder frees the key').toEqual({ [key]: undefined });
      await claimAppend([{ key, owner: 'second-owner' }]);
      expect(await owners([key]), 'a freed key can be claimed by another owner').toEqual({ [key]: 'second-owner' });
    });

    it('applies releases before claims: a key moves between owners in one append', async () => {
      const key = unique('move');
      await claimAppend([{ key, owner: 'old-owner' }]);
      await claimAppend([{ key, owner: 'new-owner' }], [{ key, owner: 'old-owner' }]);
      expect(await owners([key])).toEqual({ [key]: 'new-owner' });
    });

    it('applies releases before claims: an owner changes its own key in one append', async () => {
      const [oldKey, newKey] = [unique('old-phone'), unique('new-phone')];
      await claimAppend([{ key: oldKey, owner: 'customer-9' }]);
      await claimAppend([{ key: newKey, owner: 'customer-9' }], [{ key: oldKey, owner: 'customer-9' }]);
      expect(await owners([oldKey, newKey])).toEqual({ [oldKey]: undefined, [newKey]: 'customer-9' });
      await claimAppend([{ key: oldKey, owner: 'customer-9' }], [{ key: oldKey, owner: 'customer-9' }]);
      expect(await owners([oldKey]), 'releasing and claiming the same key for the same owner keeps it held').toEqual({ [oldKey]: 'customer-9' });
    });

    it('lets exactly one of many concurrent claims of one key win', async () => {
      const key = unique('race');
      const contenders = Array.from({ length: 6 }, (_, index) => ({ owner: `owner-${index}`, stream: unique(`race-${index}`) }));
      const { winnerIndex } = await expectExactlyOneWinner(
        `${contenders.length} owners claiming ${key} at once`,
        contenders.map(({ owner, stream }) => () => store().append({ writes: [write(stream, 'no_stream', newEvents(1))], reservations: { claim: [{ key, owner }] } })),
        isReservationConflictError,
      );
      expect(await owners([key]), 'the winner holds the key').toEqual({ [key]: contenders[winnerIndex]!.owner });
      for (const [index, { stream }] of contenders.entries()) {
        expect(await store().streamRevision(stream), `a losing claim wrote its events (${stream})`).toBe(index === winnerIndex ? 0 : null);
      }
    });
  });
}

function describeKeys(harness: StoreHarness): void {
  describe('encryption keys', () => {
    const store = useStore(harness);
    const keysAppend = (keys: NonNullable<AppendRequest['keys']>): Promise<AppendResult> =>
      store().append({ writes: [write(unique('keys'), 'no_stream', newEvents(1))], keys });
    const loaded = async (subjects: string[]): Promise<Record<string, string | undefined>> => {
      const found = await store().loadKeys(subjects);
      return Object.fromEntries(subjects.map((subject) => [subject, found.get(subject)]));
    };

    it('creates keys with an append and loads them, leaving unknown subjects out', async () => {
      const [alice, bob, unknown] = [unique('alice'), unique('bob'), unique('unknown')];
      await keysAppend({
        create: [
          { subject: alice, key: 'YWxpY2Uta2V5' },
          { subject: bob, key: 'Ym9iLWtleQ==' },
        ],
      });
      const found = await store().loadKeys([alice, bob, unknown]);
      expect(found.get(alice)).toBe('YWxpY2Uta2V5');
      expect(found.get(bob)).toBe('Ym9iLWtleQ==');
      expect(found.has(unknown), 'an unknown subject is left out').toBe(false);
      expect((await store().loadKeys([])).size, 'loading no subjects').toBe(0);
    });

    it('keeps the first key when a key is created again for the same subject', async () => {
      const subject = unique('twice');
      await keysAppend({ create: [{ subject, key: 'Zmlyc3Q=' }] });
      await keysAppend({ create: [{ subject, key: 'c2Vjb25k' }] });
      expect(await loaded([subject])).toEqual({ [subject]: 'Zmlyc3Q=' });
    });

    it('destroys a key for good: it no longer loads and creating it again is a no-op', async () => {
      const [shredded, kept] = [unique('shredded'), unique('kept')];
      await keysAppend({
        create: [
          { subject: shredded, key: 'c2hyZWQ=' },
          { subject: kept, key: 'a2VlcA==' },
        ],
      });
      await keysAppend({ destroy: [shredded] });
      expect(await loaded([shredded, kept]), 'a destroyed key does not load; others stay').toEqual({ [shredded]: undefined, [kept]: 'a2VlcA==' });
      await keysAppend({ create: [{ subject: shredded, key: 'bmV3' }] });
      expect(await loaded([shredded]), 'creating a destroyed key again must not bring it back').toEqual({ [shredded]: undefined });
    });

    it('changes keys only when the append succeeds', async () => {
      const [created, destroyed] = [unique('not-created'), unique('not-destroyed')];
      await keysAppend({ create: [{ subject: destroyed, key: 'c3RheXM=' }] });
      const stream = unique('keys-conflict');
      await appendTo(store(), stream, 'no_stream');
      const error = await failureOf('an append with key changes and a stale revision', () =>
        store().append({ writes: [write(stream, 'no_stream', newEvents(1))], keys: { create: [{ subject: created, key: 'bm8=' }], destroy: [destroyed] } }),
      );
      expectWrongExpectedRevision(error, stream, 'no_stream', 0);
      expect(await loaded([created, destroyed]), 'a failed append neither created nor destroyed keys').toEqual({ [created]: undefined, [destroyed]: 'c3RheXM=' });
    });
  });
}

function describeAppendBatch(harness: StoreHarness): void {
  describe('appendBatch', () => {
    const store = useStore(harness);

    it('appends every request and returns one result per request, in order', async () => {
      const [a, b] = [unique('batch-a'), unique('batch-b')];
      const commandIds = [randomUUID(), randomUUID(), randomUUID()];
      const requests: AppendRequest[] = [
        { writes: [write(a, 'no_stream', newEvents(2))], commandId: commandIds[0]! },
        { writes: [write(b, 'no_stream', newEvents(1))], commandId: commandIds[1]! },
        { writes: [write(a, 1, newEvents(1)), write(b, 0, newEvents(2))], commandId: commandIds[2]! },
      ];
      const results = await store().appendBatch(requests);
      expect(results.length, 'one result per request').toBe(3);
      results.forEach((result, index) => {
        expect(idsOf(result.events), `result ${index} holds the events of request ${index}`).toEqual(requests[index]!.writes.flatMap((each) => idsOf(each.events)));
      });
      expectStrictlyIncreasing(results.flatMap((result) => result.events), 'positions across the batch');
      expect((await store().readStream(a)).map((event) => event.revision)).toEqual([0, 1, 2]);
      expect((await store().readStream(b)).map((event) => event.revision)).toEqual([0, 1, 2]);
      for (const [index, commandId] of commandIds.entries()) {
        expect(idsOf((await store().findCommand(commandId))?.events ?? []), `command record of request ${index}`).toEqual(idsOf(results[index]!.events));
      }
    });

    it('returns [] for an empty batch', async () => {
      expect(await store().appendBatch([])).toEqual([]);
    });

    it('writes nothing when any request fails, and reports the failing request index', async () => {
      const [fresh, existing] = [unique('batch-fresh'), unique('batch-existing')];
      await appendTo(store(), existing, 'no_stream');
      const commandId = randomUUID();
      const key = unique('batch-key');
      const subject = unique('batch-subject');
      const head = await store().headPosition();
      const error = await failureOf('a batch whose second request has a stale revision', () =>
        store().appendBatch([
          { writes: [write(fresh, 'no_stream', newEvents(2))], commandId, reservations: { claim: [{ key, owner: 'batch-owner' }] }, keys: { create: [{ subject, key: 'a2V5' }] } },
          { writes: [write(existing, 'no_stream', newEvents(1))] },
          { writes: [write(unique('batch-never'), 'no_stream', newEvents(1))] },
        ]),
      );
      expectWrongExpectedRevision(error, existing, 'no_stream', 0);
      expect((error as { requestIndex?: unknown }).requestIndex, 'error.requestIndex is the index of the failing request').toBe(1);
      await expectNothingWritten(store(), 'a failed batch', head, { [fresh]: null, [existing]: 0 });
      expect(await store().findCommand(commandId), 'a failed batch recorded a command').toBeUndefined();
      expect((await store().lookupReservations([key])).size, 'a failed batch claimed a reservation').toBe(0);
      expect((await store().loadKeys([subject])).size, 'a failed batch created a key').toBe(0);
    });

    it('lets later requests see the effects of earlier ones in the same batch', async () => {
      const stream = unique('batch-chain');
      const key = unique('batch-reserved');
      const results = await store().appendBatch([
        { writes: [write(stream, 'no_stream', newEvents(1))], reservations: { claim: [{ key, owner: 'first' }] } },
        { writes: [write(stream, 0, newEvents(1))], reservations: { release: [{ key, owner: 'first' }], claim: [{ key, owner: 'second' }] } },
      ]);
      expect(results.map((result) => result.events[0]!.revision), 'the second request appends after the first').toEqual([0, 1]);
      expect((await store().readStream(stream))[1]!.previousHash, 'the hash chain runs through the batch').toBe(results[0]!.events[0]!.hash);
      expect((await store().lookupReservations([key])).get(key)).toBe('second');
    });

    it('reports conflicts between requests of one batch at the later request', async () => {
      const key = unique('batch-contested');
      const commandId = randomUUID();
      const head = await store().headPosition();
      const reservation = await failureOf('a batch where two requests claim one key for different owners', () =>
        store().appendBatch([
          { writes: [write(unique('batch-claim-a'), 'no_stream', newEvents(1))], reservations: { claim: [{ key, owner: 'a' }] } },
          { writes: [write(unique('batch-claim-b'), 'no_stream', newEvents(1))], reservations: { claim: [{ key, owner: 'b' }] } },
        ]),
      );
      expectReservationConflict(reservation, key, 'a');
      expect((reservation as { requestIndex?: unknown }).requestIndex).toBe(1);

      const command = await failureOf('a batch where two requests carry one command id', () =>
        store().appendBatch([
          { writes: [write(unique('batch-command-a'), 'no_stream', newEvents(1))], commandId },
          { writes: [write(unique('batch-command-b'), 'no_stream', newEvents(1))], commandId },
        ]),
      );
      expectCommandAlreadyRecorded(command, commandId);
      expect((command as { requestIndex?: unknown }).requestIndex).toBe(1);
      await expectNothingWritten(store(), 'batches with conflicting requests', head, {});
      expect(await store().findCommand(commandId)).toBeUndefined();
    });

    it('reports an invalid request with INVALID_APPEND and its index, writing nothing', async () => {
      const stream = unique('batch-invalid');
      const head = await store().headPosition();
      const error = await failureOf('a batch whose third request has no writes', () =>
        store().appendBatch([{ writes: [write(stream, 'no_stream', newEvents(1))] }, { writes: [write(unique('batch-ok'), 'any', newEvents(1))] }, { writes: [] }]),
      );
      expectInvalidAppend(error, 'a request without writes in a batch');
      expect((error as { requestIndex?: unknown }).requestIndex).toBe(2);
      await expectNothingWritten(store(), 'a batch with an invalid request', head, { [stream]: null });
    });
  });
}

function describeInvalidAppends(harness: StoreHarness): void {
  describe('invalid appends (INVALID_APPEND, nothing written)', () => {
    const store = useStore(harness);

    /** Appends `build(companion)` (which also writes a valid event to `companion`) and expects INVALID_APPEND with nothing written. */
    const expectRejected = async (what: string, build: (companion: StreamWrite) => AppendRequest): Promise<void> => {
      const companion = unique('companion');
      const key = unique('invalid-key');
      const head = await store().headPosition();
      const request = build(write(companion, 'no_stream', newEvents(1)));
      const error = await failureOf(what, () => store().append({ ...request, reservations: { claim: [{ key, owner: 'invalid-owner' }] } }));
      expectInvalidAppend(error, what);
      await expectNothingWritten(store(), what, head, { [companion]: null });
      expect((await store().lookupReservations([key])).size, `${what}: the reservation was claimed`).toBe(0);
    };

    it('rejects an append without writes', async () => {
      await expectRejected('an append with writes: []', () => ({ writes: [] }));
    });

    it('rejects a write with an empty events array', async () => {
      await expectRejected('a write with events: []', (companion) => ({ writes: [companion, write(unique('empty'), 'any', [])] }));
    });

    it('rejects an empty stream name', async () => {
      await expectRejected("a write to stream ''", (companion) => ({ writes: [companion, write('', 'any', newEvents(1))] }));
    });

    it.each([
      ['-1', -1],
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
      ['-Infinity', Number.NEGATIVE_INFINITY],
      ['1.5', 1.5],
    ])('rejects the expected revision %s', async (label, expected) => {
      await expectRejected(`a write expecting revision ${label}`, (companion) => ({ writes: [companion, write(unique('bad-expected'), expected, newEvents(1))] }));
    });

    it('rejects duplicate event ids within one write and across writes of one request', async () => {
      const duplicate = newEvent();
      await expectRejected('one event id twice in one write', (companion) => ({ writes: [companion, write(unique('duplicate'), 'any', [duplicate, { ...duplicate }])] }));
      await expectRejected('one event id in two writes', (companion) => ({
        writes: [write(companion.stream, 'no_stream', [duplicate]), write(unique('duplicate'), 'any', [{ ...duplicate, type: 'Other' }])],
      }));
    });

    const circular: Record<string, unknown> = { name: 'loop' };
    circular['self'] = circular;
    class CustomerRecord {
      readonly name = 'a class instance';
    }
    it.each<[string, unknown]>([
      ['null', null],
      ['an array', [{ a: 1 }]],
      ['a string', '{"a":1}'],
      ['a number', 42],
      ['a Date', new Date('2024-01-01T00:00:00.000Z')],
      ['a Map', new Map([['a', 1]])],
      ['a class instance', new CustomerRecord()],
      ['an object holding a function', { run: () => 1 }],
      ['an object holding NaN', { amount: Number.NaN }],
      ['an object holding Infinity', { nested: { amount: Number.POSITIVE_INFINITY } }],
      ['an object holding a bigint', { big: 10n }],
      ['an object holding a Date', { when: new Date('2024-01-01T00:00:00.000Z') }],
      ['an object holding a symbol', { tag: Symbol('tag') }],
      ['a circular object', circular],
    ])('rejects data that is %s', async (label, data) => {
      await expectRejected(`data that is ${label}`, (companion) => ({
        writes: [companion, write(unique('bad-data'), 'any', [{ ...newEvent(), data: data as JsonObject }])],
      }));
    });
  });
}

function describeHeadAndClose(harness: StoreHarness): void {
  describe('headPosition and close', () => {
    it('reports null for an empty store and the last position after appends', async () => {
      await withFreshStore(harness, async (store) => {
        expect(await store.headPosition(), 'headPosition of an empty store').toBeNull();
        await appendTo(store, unique('head'), 'no_stream', 2);
        const { events } = await appendTo(store, unique('head'), 'no_stream', 1);
        expect(await store.headPosition(), 'headPosition after appends').toBe(events[0]!.position);
      });
    });

    it('closes idempotently', async () => {
      const store = await harness.create();
      await store.close();
      await expect(store.close(), 'a second close must resolve').resolves.toBeUndefined();
    });
  });
}
