import { PassThrough } from 'node:stream';
import type { OutgoingEvent, ServerEvent } from '../src/codec.ts';
import type { ServerFilter } from '../src/filter.ts';
import type { AtomicAppendMode, EventFeed, KurrentGateway, ReadAllRequest, ReadStreamRequest, StreamRead, SubscribeRequest } from '../src/gateway.ts';
import type { PlannedRecord, PlannedStream } from '../src/plan.ts';

/**
 * An in-memory stand-in for a KurrentDB server, at the level of the
 * adapter's `KurrentGateway`. It models what the adapter relies on, as the
 * clients' `.d.ts` files and the KurrentDB docs describe it:
 * - streams with 0-based revisions; `no_stream` / exact-revision checks that
 *   fail with the clients' error shapes (`type: 'wrong-expected-version'`,
 *   `actualState`; `append-consistency-violation` for `appendRecords`);
 * - `$all` with 64-bit positions (commit = prepare, non-contiguous, starting
 *   beyond 2^53 so that the string mapping is exercised), forwards reads
 *   inclusive of `fromPosition`, backwards reads exclusive, subscriptions
 *   exclusive; regex filters on stream name or event type;
 * - tombstones (`$streamDeleted` records in `$all`, reads report deletion),
 *   system events in `$`-streams, and foreign streams of other tenants;
 * - JSON round trips of data and metadata, as bytes on a server would do.
 * Every call yields to the event loop first, so concurrent appends really
 * interleave between the adapter's reads and its append.
 *
 * It proves the adapter's logic, not KurrentDB: the contract suite against
 * a real server (`kurrentdb.contract.int.spec.ts`) is what proves the latter.
 */
export class FakeKurrentDb {
  readonly #streams = new Map<string, { events: ServerEvent[]; deleted: boolean }>();
  readonly #log: ServerEvent[] = [];
  readonly #subscriptions = new Set<{ readonly push: (event: ServerEvent) => void; readonly source: PassThrough }>();
  #nextPosition = 2n ** 53n + 1000n;
  /** Calls the next operation of that name fails with (then the fault is cleared). */
  readonly faults = new Map<string, Error>();
  /** Every append the server accepted, as the adapter sent it. */
  readonly appends: { readonly method: 'appendToStream' | 'appendRecords' | 'multiStreamAppend'; readonly streams: readonly string[] }[] = [];
  /** Operations a server of this version does not have (the client throws `UnsupportedError` for them). */
  readonly unsupported = new Set<'appendRecords' | 'multiStreamAppend'>();
  /** Called after the adapter read a stream in preparation of an append, before the append is sent (to inject races). */
  beforeAppend: (() => Promise<void>) | undefined;
  tombstones = 0;
  /**
   * Makes the next append succeed without writing anything, as KurrentDB does
   * for a repeated append of the same event ids at an old expected revision
   * (its idempotence check), so that the adapter's read-back is exercised.
   */
  acceptNextAppendWithoutWriting = false;

  constructor() {
    // Some history that belongs to nobody the tests create: system streams, another tenant.
    this.#write('$stats-127.0.0.1:2113', [{ id: crypto.randomUUID(), type: '$statsCollected', data: {}, metadata: {} }]);
    this.#write('other-tenant/customer-1', [{ id: crypto.randomUUID(), type: 'CustomerRegistered', data: {}, metadata: {} }]);
  }

  /** The whole `$all`, for assertions. */
  get log(): readonly ServerEvent[] {
    return this.#log;
  }

  /** A gateway on this server, as a store would get from `gatewayFor`. */
  gateway(
    options: {
      readonly atomicAppend?: AtomicAppendMode;
      readonly filtersReads?: boolean;
      /** False: closing a subscription cancels it without ending its stream, which a cancelled gRPC call need not do. */
      readonly feedsEndOnClose?: boolean;
    } = {},
  ): KurrentGateway & { disposed: boolean } {
    const mode = options.atomicAppend ?? 'auto';
    const gateway: KurrentGateway & { disposed: boolean } = {
      description: 'a fake KurrentDB',
      filtersReads: options.filtersReads ?? true,
      mayAppendAtomically: mode !== 'none',
      disposed: false,
      readStream: (stream, request) => this.#guard('readStream', () => this.#readStream(stream, request)),
      readAll: (request) => this.#guard('readAll', () => this.#readAll(request)),
      subscribeToAll: (request) => this.#subscribe(request, options.feedsEndOnClose ?? true),
      appendToStream: (stream, expected, events) =>
        this.#guard('appendToStream', async () => {
          await this.beforeAppend?.();
          if (this.#swallow()) return;
          this.#check([{ serverStream: stream, expected }], 'wrong-expected-version');
          this.#write(stream, events);
          this.appends.push({ method: 'appendToStream', streams: [stream] });
        }),
      appendAtomically: (streams, records) =>
        this.#guard('appendAtomically', async () => {
          await this.beforeAppend?.();
          if (this.#swallow()) return;
          this.#appendAtomically(mode, streams, records);
        }),
      tombstone: (stream) =>
        this.#guard('tombstone', () => {
          this.#tombstone(stream);
          return Promise.resolve();
        }),
      dispose() {
        gateway.disposed = true;
        return Promise.resolve();
      },
    };
    return gateway;
  }

  #swallow(): boolean {
    const swallow = this.acceptNextAppendWithoutWriting;
    this.acceptNextAppendWithoutWriting = false;
    return swallow;
  }

  async #guard<T>(operation: string, action: () => Promise<T>): Promise<T> {
    await new Promise((resolve) => setImmediate(resolve));
    const fault = this.faults.get(operation);
    if (fault !== undefined) {
      this.faults.delete(operation);
      throw fault;
    }
    return action();
  }

  #readStream(name: string, { direction, from, maxCount }: ReadStreamRequest): Promise<StreamRead> {
    const stream = this.#streams.get(name);
    if (stream === undefined) return Promise.resolve({ status: 'absent' });
    if (stream.deleted) return Promise.resolve({ status: 'deleted' });
    let events: ServerEvent[];
    if (direction === 'forwards') {
      const start = from === 'start' ? 0n : from === 'end' ? BigInt(stream.events.length) : from;
      events = stream.events.filter((event) => event.revision >= start);
    } else {
      const start = from === 'end' || from === 'start' ? BigInt(stream.events.length) : from;
      events = stream.events.filter((event) => event.revision <= start).reverse();
      if (from === 'start') events = events.slice(-1);
    }
    return Promise.resolve({ status: 'found', events: events.slice(0, maxCount).map(copy) });
  }

  #readAll({ direction, from, maxCount, filter }: ReadAllRequest): Promise<readonly ServerEvent[]> {
    const matches = filterOf(filter);
    let events: ServerEvent[];
    if (direction === 'forwards') {
      events = this.#log.filter((event) => from === 'start' || (from !== 'end' && event.position!.commit >= from.commit));
    } else {
      events = this.#log.filter((event) => from === 'end' || (from !== 'start' && event.position!.commit < from.commit)).reverse();
    }
    return Promise.resolve(events.filter(matches).slice(0, maxCount).map(copy));
  }

  #subscribe({ from, filter }: SubscribeRequest, endOnClose: boolean): EventFeed {
    const matches = filterOf(filter);
    const source = new PassThrough({ objectMode: true });
    const subscription = {
      source,
      push: (event: ServerEvent) => {
        if (matches(event)) source.write({ event: copy(event) });
      },
    };
    setImmediate(() => {
      for (const event of this.#log) if (from === 'start' || event.position!.commit > from.commit) subscription.push(event);
      this.#subscriptions.add(subscription);
    });
    return {
      source,
      close: () => {
        this.#subscriptions.delete(subscription);
        if (endOnClose) source.end();
        return Promise.resolve();
      },
    };
  }

  /** Throws like the server when a stream is not in the expected state. */
  #check(expectations: readonly Pick<PlannedStream, 'serverStream' | 'expected'>[], errorType: 'wrong-expected-version' | 'append-consistency-violation'): void {
    const violations = expectations.flatMap(({ serverStream, expected }) => {
      const stream = this.#streams.get(serverStream);
      if (stream?.deleted === true) throw Object.assign(new Error(`stream ${serverStream} is deleted`), { type: 'stream-deleted', streamName: serverStream });
      const actual = stream === undefined || stream.events.length === 0 ? 'no_stream' : BigInt(stream.events.length - 1);
      return actual === expected ? [] : [{ streamName: serverStream, expectedState: expected, actualState: actual }];
    });
    const [first] = violations;
    if (first === undefined) return;
    if (errorType === 'wrong-expected-version') {
      throw Object.assign(new Error(`WrongExpectedVersion on ${first.streamName}`), { type: 'wrong-expected-version', ...first });
    }
    throw Object.assign(new Error('consistency violation'), { type: 'append-consistency-violation', violations: violations.map((violation, checkIndex) => ({ checkIndex, ...violation })) });
  }

  #appendAtomically(mode: AtomicAppendMode, streams: readonly PlannedStream[], records: readonly PlannedRecord[]): void {
    const order = mode === 'auto' ? (['append-records', 'multi-stream-append'] as const) : mode === 'none' ? [] : [mode];
    for (const method of order) {
      const name = method === 'append-records' ? 'appendRecords' : 'multiStreamAppend';
      if (this.unsupported.has(name)) {
        if (mode === 'auto') continue;
        throw Object.assign(new Error(`${name} requires server version ${name === 'appendRecords' ? '26.1' : '25.1'} or higher.`), {
          type: 'unsupported',
          feature: name,
          minimumVersion: name === 'appendRecords' ? '26.1' : '25.1',
        });
      }
      if (name === 'appendRecords') {
        this.#check(streams, 'append-consistency-violation');
        for (const { serverStream, event } of records) this.#write(serverStream, [event]);
      } else {
        this.#check(streams, 'wrong-expected-version');
        // The server groups by stream and may order the groups as it likes: this fake writes them last-first.
        for (const { serverStream, events } of [...streams].reverse()) this.#write(serverStream, events);
      }
      this.appends.push({ method: name, streams: streams.map((stream) => stream.serverStream) });
      return;
    }
    throw Object.assign(new Error('no atomic append'), { type: 'unsupported', feature: 'multiStreamAppend', minimumVersion: '25.1' });
  }

  #write(name: string, events: readonly OutgoingEvent[]): void {
    let stream = this.#streams.get(name);
    if (stream === undefined) {
      stream = { events: [], deleted: false };
      this.#streams.set(name, stream);
    }
    for (const event of events) {
      this.#nextPosition += 37n + BigInt(Math.floor(Math.random() * 100));
      const recorded: ServerEvent = {
        streamId: name,
        id: event.id,
        revision: BigInt(stream.events.length),
        type: event.type,
        data: JSON.parse(JSON.stringify(event.data)) as unknown,
        metadata: JSON.parse(JSON.stringify(event.metadata)) as unknown,
        isJson: true,
        position: { commit: this.#nextPosition, prepare: this.#nextPosition },
      };
      stream.events.push(recorded);
      this.#log.push(recorded);
      for (const subscription of this.#subscriptions) subscription.push(recorded);
    }
  }

  #tombstone(name: string): void {
    this.tombstones += 1;
    const stream = this.#streams.get(name) ?? { events: [], deleted: false };
    if (stream.deleted) return;
    this.#write(name, [{ id: crypto.randomUUID(), type: '$streamDeleted', data: {}, metadata: {} }]);
    stream.deleted = true;
    this.#streams.set(name, stream);
  }

  /** Breaks every live subscription with `error`, as a lost connection does. */
  breakSubscriptions(error: Error): void {
    for (const subscription of this.#subscriptions) subscription.source.emit('error', error);
    this.#subscriptions.clear();
  }

  /** Writes a raw event behind the adapter's back (to test corruption handling). */
  writeRaw(name: string, event: Partial<OutgoingEvent> & { readonly type: string }): void {
    this.#write(name, [{ id: crypto.randomUUID(), data: {}, metadata: {}, ...event }]);
  }
}

const copy = (event: ServerEvent): ServerEvent => ({ ...event, data: structuredClone(event.data), metadata: structuredClone(event.metadata) });

function filterOf(filter: ServerFilter | undefined): (event: ServerEvent) => boolean {
  if (filter === undefined) return () => true;
  const regex = new RegExp(filter.regex);
  return (event) => regex.test(filter.filterOn === 'streamName' ? event.streamId : event.type);
}
