import type { Readable } from 'node:stream';
import type { EventStoreDBClient } from '@eventstore/db-client';
import type { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { StoreError } from '@eventcrm/runtime';
import type { OutgoingEvent, ServerEvent } from './codec.ts';
import { RejectedAppend, classifyClientError } from './errors.ts';
import type { ServerFilter } from './filter.ts';
import type { PlannedRecord, PlannedStream } from './plan.ts';

/**
 * The few server operations the adapter needs, over either client: the
 * KurrentDB client (`@kurrent/kurrentdb-client` 1.x, any KurrentDB or
 * EventStoreDB server; atomic multi-stream appends on KurrentDB 25.1+) or
 * the EventStoreDB client (`@eventstore/db-client` 6.x, which has no
 * multi-stream append and no filtered `$all` reads). Every signature used
 * here was checked against the clients' `.d.ts` files; the store logic talks
 * only to this interface, which is what lets the unit tests run it against
 * an in-memory fake.
 */
export interface KurrentGateway {
  /** For messages: which client the store talks through. */
  readonly description: string;
  /** Whether `readAll` takes a server-side filter (the 6.x client's does not). */
  readonly filtersReads: boolean;
  /** Whether an append may span several streams (otherwise `appendAtomically` always refuses). */
  readonly mayAppendAtomically: boolean;
  readStream(serverStream: string, request: ReadStreamRequest): Promise<StreamRead>;
  readAll(request: ReadAllRequest): Promise<readonly ServerEvent[]>;
  subscribeToAll(request: SubscribeRequest): EventFeed;
  /** Appends to one stream at an exact state (`no_stream` or a revision). */
  appendToStream(serverStream: string, expected: 'no_stream' | bigint, events: readonly OutgoingEvent[]): Promise<void>;
  /** Appends to several streams in one server transaction, or refuses with `INVALID_APPEND` having written nothing. */
  appendAtomically(streams: readonly PlannedStream[], records: readonly PlannedRecord[]): Promise<void>;
  /** Hard-deletes a stream; a stream that is already deleted is left as it is. */
  tombstone(serverStream: string): Promise<void>;
  dispose(): Promise<void>;
}

/** A read of one stream; `from` is a revision or one end. */
export interface ReadStreamRequest {
  readonly direction: 'forwards' | 'backwards';
  readonly from: bigint | 'start' | 'end';
  readonly maxCount: number;
  /** Read from the leader, so that a read right before or after an append sees the append's effects. */
  readonly requiresLeader?: boolean;
}

/** The outcome of a stream read: a stream that never existed and a deleted one are told apart. */
export type StreamRead = { readonly status: 'found'; readonly events: readonly ServerEvent[] } | { readonly status: 'absent' } | { readonly status: 'deleted' };

/** A read of `$all`. */
export interface ReadAllRequest {
  readonly direction: 'forwards' | 'backwards';
  readonly from: 'start' | 'end' | { readonly commit: bigint; readonly prepare: bigint };
  readonly maxCount: number;
  readonly filter?: ServerFilter | undefined;
}

/** A catch-up-then-live subscription to `$all`. */
export interface SubscribeRequest {
  readonly from: 'start' | { readonly commit: bigint; readonly prepare: bigint };
  readonly filter?: ServerFilter | undefined;
}

/** A running subscription: an object-mode stream of resolved events (`{ event?: ServerEvent }`), and how to stop it. */
export interface EventFeed {
  readonly source: Readable;
  close(): Promise<void>;
}

/**
 * Which server operation makes an append to several streams atomic:
 * - `append-records`: `appendRecords` (KurrentDB 26.1+), which keeps the
 *   request's event order in the log;
 * - `multi-stream-append`: `multiStreamAppend` (KurrentDB 25.1+), which
 *   groups events per stream (the order across streams is the server's);
 * - `auto`: `appendRecords` where the server has it, else `multiStreamAppend`;
 * - `none`: never; appends that touch more than one stream are refused.
 */
export type AtomicAppendMode = 'auto' | 'append-records' | 'multi-stream-append' | 'none';

/** The clients the adapter accepts. */
export type SupportedClient = KurrentDBClient | EventStoreDBClient;

const jsonEventData = (event: OutgoingEvent) => ({
  id: event.id,
  contentType: 'application/json' as const,
  type: event.type,
  data: event.data,
  metadata: event.metadata,
});

/** Runs a stream read to the end, telling "no stream" and "deleted" apart from failures. */
async function collectStream(read: () => AsyncIterable<{ readonly event?: ServerEvent | undefined }>): Promise<StreamRead> {
  const events: ServerEvent[] = [];
  try {
    for await (const resolved of read()) {
      if (resolved.event !== undefined) events.push(resolved.event);
    }
  } catch (error) {
    const failure = classifyClientError(error);
    if (failure.kind === 'not_found') return { status: 'absent' };
    if (failure.kind === 'deleted') return { status: 'deleted' };
    throw error;
  }
  return { status: 'found', events };
}

async function collectAll(read: () => AsyncIterable<{ readonly event?: ServerEvent | undefined }>): Promise<readonly ServerEvent[]> {
  const events: ServerEvent[] = [];
  for await (const resolved of read()) {
    if (resolved.event !== undefined) events.push(resolved.event);
  }
  return events;
}

async function tombstoneIgnoringDeleted(tombstone: () => Promise<unknown>): Promise<void> {
  try {
    await tombstone();
  } catch (error) {
    if (classifyClientError(error).kind !== 'deleted') throw error;
  }
}

/**
 * Stops a client subscription. From here on nobody reads it, and a stream
 * that emits 'error' without a listener throws from the emitter, so a failure
 * racing the cancellation is absorbed instead of crashing the process.
 */
async function unsubscribe(subscription: Readable & { unsubscribe(): Promise<void> }): Promise<void> {
  subscription.on('error', () => undefined);
  await subscription.unsubscribe();
}

const refuseCrossStream = (why: string): StoreError =>
  new StoreError(
    'INVALID_APPEND',
    `this append spans several KurrentDB streams (events, command record, reservations or keys) and ${why}; the adapter never splits it into separate appends that could half-succeed, so nothing was written`,
  );

/** The gateway for a KurrentDB 1.x client. */
export function kurrentGateway(client: KurrentDBClient, mode: AtomicAppendMode): KurrentGateway {
  // Operations the server turned out not to have (`UnsupportedError` is thrown before anything is sent).
  const unsupported = new Set<'append-records' | 'multi-stream-append'>();
  const candidates = (): ('append-records' | 'multi-stream-append')[] => {
    switch (mode) {
      case 'none':
        return [];
      case 'auto':
        return (['append-records', 'multi-stream-append'] as const).filter((candidate) => !unsupported.has(candidate));
      case 'append-records':
      case 'multi-stream-append':
        return [mode];
    }
  };

  return {
    description: 'the KurrentDB client',
    filtersReads: true,
    mayAppendAtomically: mode !== 'none',
    readStream: (serverStream, { direction, from, maxCount, requiresLeader = false }) =>
      collectStream(() => client.readStream(serverStream, { direction, fromRevision: from, maxCount, requiresLeader })),
    readAll: ({ direction, from, maxCount, filter }) =>
      collectAll(() => client.readAll({ direction, fromPosition: from, maxCount, ...(filter === undefined ? {} : { filter: { ...filter } }) })),
    subscribeToAll({ from, filter }) {
      const subscription = client.subscribeToAll({ fromPosition: from, ...(filter === undefined ? {} : { filter: { ...filter } }) });
      return { source: subscription, close: () => unsubscribe(subscription) };
    },
    async appendToStream(serverStream, expected, events) {
      const result = await client.appendToStream(serverStream, events.map(jsonEventData), { streamState: expected });
      // Only clients made with `throwOnAppendFailure: false` report a refusal as a value.
      if (!result.success) throw new RejectedAppend(serverStream, result.nextExpectedRevision < 0n ? 'no_stream' : result.nextExpectedRevision);
    },
    async appendAtomically(streams, records) {
      for (const candidate of candidates()) {
        try {
          if (candidate === 'append-records') {
            await client.appendRecords(
              records.map(({ serverStream, event }) => ({ streamName: serverStream, record: jsonEventData(event) })),
              streams.map(({ serverStream, expected }) => ({ type: 'stream_state' as const, streamName: serverStream, expectedState: expected })),
            );
          } else {
            await client.multiStreamAppend(streams.map(({ serverStream, expected, events }) => ({ streamName: serverStream, expectedState: expected, events: events.map(jsonEventData) })));
          }
          return;
        } catch (error) {
          if (mode === 'auto' && classifyClientError(error).kind === 'unsupported') {
            unsupported.add(candidate);
            continue;
          }
          throw error;
        }
      }
      throw refuseCrossStream(
        mode === 'none'
          ? 'the store was created with atomicAppend: "none"'
          : 'the server has neither appendRecords (KurrentDB 26.1+) nor multiStreamAppend (KurrentDB 25.1+)',
      );
    },
    tombstone: (serverStream) => tombstoneIgnoringDeleted(() => client.tombstoneStream(serverStream)),
    dispose: () => client.dispose(),
  };
}

/**
 * The gateway for an EventStoreDB 6.x client. That client can append to one
 * stream at a time only, so every append that needs more than one stream
 * (several writes, a command record, reservations or keys) is refused; and
 * its `readAll` cannot filter, so log reads filter on the client.
 */
export function eventStoreGateway(client: EventStoreDBClient): KurrentGateway {
  return {
    description: 'the EventStoreDB 6.x client',
    filtersReads: false,
    mayAppendAtomically: false,
    readStream: (serverStream, { direction, from, maxCount, requiresLeader = false }) =>
      collectStream(() => client.readStream(serverStream, { direction, fromRevision: from, maxCount, requiresLeader })),
    readAll({ direction, from, maxCount, filter }) {
      if (filter !== undefined) throw new Error('internal error: the EventStoreDB 6.x client cannot filter $all reads');
      return collectAll(() => client.readAll({ direction, fromPosition: from, maxCount }));
    },
    subscribeToAll({ from, filter }) {
      const subscription = client.subscribeToAll({ fromPosition: from, ...(filter === undefined ? {} : { filter: { ...filter } }) });
      return { source: subscription, close: () => unsubscribe(subscription) };
    },
    async appendToStream(serverStream, expected, events) {
      const result = await client.appendToStream(serverStream, events.map(jsonEventData), { expectedRevision: expected });
      if (!result.success) throw new RejectedAppend(serverStream, result.nextExpectedRevision < 0n ? 'no_stream' : result.nextExpectedRevision);
    },
    appendAtomically: () => Promise.reject(refuseCrossStream('the EventStoreDB 6.x client has no multi-stream append (use @kurrent/kurrentdb-client with KurrentDB 25.1 or later)')),
    tombstone: (serverStream) => tombstoneIgnoringDeleted(() => client.tombstoneStream(serverStream)),
    dispose: () => client.dispose(),
  };
}

/** The gateway for whichever client was passed, told apart by the KurrentDB client's `multiStreamAppend` method. */
export function gatewayFor(client: SupportedClient, mode: AtomicAppendMode): KurrentGateway {
  if ('multiStreamAppend' in client && typeof client.multiStreamAppend === 'function') return kurrentGateway(client, mode);
  if (mode === 'append-records' || mode === 'multi-stream-append') {
    throw new RangeError(`atomicAppend: "${mode}" needs the KurrentDB client (@kurrent/kurrentdb-client); the EventStoreDB 6.x client has no multi-stream append`);
  }
  return eventStoreGateway(client as EventStoreDBClient);
}
