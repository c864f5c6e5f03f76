import { CommandAlreadyRecordedError, ReservationConflictError, StoreError, WrongExpectedRevisionError, hashEvent, isStoreError } from '@eventcrm/runtime';
import type { ExpectedRevision } from '@eventcrm/runtime';
import { commandRecorded, keyCreated, keyDestroyed, keyStateOf, reservationClaimed, reservationOwnerOf, reservationReleased } from './bookkeeping.ts';
import type { KeyState, RecordedReference } from './bookkeeping.ts';
import { chainOf, encodeEvent } from './codec.ts';
import type { OutgoingEvent, ServerEvent, UnpositionedEvent } from './codec.ts';
import type { StreamConflict } from './errors.ts';
import type { InternalStreamKind, StreamNaming } from './naming.ts';
import { actualRevisionFromServer, revisionFromServer, satisfiesExpectation } from './positions.ts';
import type { CheckedRequest } from './validate.ts';

/**
 * Append planning, pure: given the requests and what the adapter just read
 * of every stream they touch, decide which events go to which KurrentDB
 * streams at which expected states, or fail with the port's typed error.
 *
 * Why read first. KurrentDB has no server-side transaction that could read
 * the predecessor's hash (or a reservation's holder) and write in one step.
 * So the adapter reads the last event of each stream, decides here, and
 * appends with the exact state it read (`no_stream` or the revision): the
 * server's expected-revision check is the compare-and-set. If anything
 * changed in between, the server refuses the whole append and the adapter
 * reads and plans again (a bounded number of times); the new plan then fails
 * with the right typed error (the caller's expectation no longer holds, the
 * key is now held, the command is now recorded) or succeeds. A caller whose
 * expectation is an exact revision gets `WrongExpectedRevisionError` either
 * way: retrying that is the caller's job, because it must re-decide.
 */

/** What the adapter read of one KurrentDB stream before planning. */
export type Observation =
  | { readonly status: 'absent' }
  /** Deleted or tombstoned: reads fail and appends are refused for good. */
  | { readonly status: 'deleted' }
  | { readonly status: 'present'; readonly last: ServerEvent };

/** Why a KurrentDB stream is read before an append. */
export type Target = { readonly kind: 'user'; readonly stream: string } | { readonly kind: InternalStreamKind; readonly id: string };

/** One KurrentDB stream's part of the planned append. */
export interface PlannedStream {
  readonly serverStream: string;
  /** The state read before planning: the append only succeeds if the stream is still there. */
  readonly expected: 'no_stream' | bigint;
  readonly events: readonly OutgoingEvent[];
}

/** One event of the planned append, in the order the requests produced it. */
export interface PlannedRecord {
  readonly serverStream: string;
  readonly event: OutgoingEvent;
}

/** A port event the plan appends, with the KurrentDB stream it goes to (its position is read back after the commit). */
export interface PlannedEvent extends UnpositionedEvent {
  readonly serverStream: string;
}

/** The outcome of planning: everything the adapter sends, and what it returns once the server accepted it. */
export interface AppendPlan {
  /** One entry per stream written, in the order the requests first touch them (the shape of `multiStreamAppend`). */
  readonly streams: readonly PlannedStream[];
  /** Every event in request order (the shape of `appendRecords`, which keeps this order in the log). */
  readonly records: readonly PlannedRecord[];
  /** The port events of each request, in request order. */
  readonly results: readonly (readonly PlannedEvent[])[];
  /** Key streams to tombstone once the append has committed (crypto-shredding). */
  readonly tombstones: readonly string[];
  /** How to report a conflict on each planned stream in the port's terms. */
  readonly conflictInfo: ReadonlyMap<string, ConflictInfo>;
}

/** The port's view of a stream for a `WrongExpectedRevisionError`. */
export interface ConflictInfo {
  /** The port stream, or a label such as `reservation <key>` for the adapter's own streams. */
  readonly label: string;
  readonly expected: ExpectedRevision;
  readonly requestIndex: number;
}

/** Every KurrentDB stream the requests touch, with why; the adapter reads the last event of each before planning. */
export function targetsOf(requests: readonly CheckedRequest[], naming: StreamNaming): ReadonlyMap<string, Target> {
  const targets = new Map<string, Target>();
  const internal = (kind: InternalStreamKind, id: string): void => {
    targets.set(naming.internalStream(kind, id), { kind, id });
  };
  for (const request of requests) {
    for (const write of request.writes) targets.set(naming.toServer(write.stream), { kind: 'user', stream: write.stream });
    if (request.commandId !== undefined) internal('command', request.commandId);
    for (const { key } of [...request.releases, ...request.claims]) internal('reservation', key);
    for (const { subject } of request.keysToCreate) internal('key', subject);
    for (const subject of request.keysToDestroy) internal('key', subject);
  }
  return targets;
}

interface UserHead {
  revision: number | null;
  hash: string | null;
  readonly deleted: boolean;
}

interface KeyHead {
  state: KeyState;
  /** The stream exists and is not tombstoned yet. */
  readonly tombstonable: boolean;
}

const observed = (observations: ReadonlyMap<string, Observation>, serverStream: string): Observation => {
  const observation = observations.get(serverStream);
  if (observation === undefined) throw new Error(`internal error: stream ${serverStream} was not read before planning`);
  return observation;
};

const corruptedBecauseDeleted = (serverStream: string): StoreError =>
  new StoreError('STORE_CORRUPTED', `KurrentDB stream ${serverStream} was deleted behind the adapter's back; the adapter never deletes its bookkeeping streams`);

/**
 * Plans the append of `requests` (one for `append`, several for
 * `appendBatch`) against the observed streams. Requests are applied in
 * order to a simulated state, so a later request sees the streams, keys and
 * reservations the earlier ones leave; the checks run in the reference
 * store's order (command id, expected revisions, releases, claims, key
 * creation, key destruction). `newId` names the adapter's own events.
 */
export function planAppend(
  requests: readonly CheckedRequest[],
  observations: ReadonlyMap<string, Observation>,
  naming: StreamNaming,
  newId: () => string,
  options: { readonly batch: boolean },
): AppendPlan {
  const users = new Map<string, UserHead>();
  const commands = new Map<string, boolean>();
  const holders = new Map<string, string | null>();
  const keys = new Map<string, KeyHead>();

  const userHead = (serverStream: string): UserHead => {
    let head = users.get(serverStream);
    if (head === undefined) {
      const observation = observed(observations, serverStream);
      if (observation.status === 'present') {
        const { revision, hash } = chainOf(observation.last);
        head = { revision, hash, deleted: false };
      } else {
        head = { revision: null, hash: null, deleted: observation.status === 'deleted' };
      }
      users.set(serverStream, head);
    }
    return head;
  };
  const isCommandRecorded = (serverStream: string): boolean => {
    let recorded = commands.get(serverStream);
    if (recorded === undefined) {
      const observation = observed(observations, serverStream);
      if (observation.status === 'deleted') throw corruptedBecauseDeleted(serverStream);
      recorded = observation.status === 'present';
      commands.set(serverStream, recorded);
    }
    return recorded;
  };
  const holder = (serverStream: string): string | null => {
    let owner = holders.get(serverStream);
    if (owner === undefined) {
      const observation = observed(observations, serverStream);
      if (observation.status === 'deleted') throw corruptedBecauseDeleted(serverStream);
      owner = observation.status === 'present' ? reservationOwnerOf(observation.last) : null;
      holders.set(serverStream, owner);
    }
    return owner;
  };
  const keyHead = (serverStream: string): KeyHead => {
    let head = keys.get(serverStream);
    if (head === undefined) {
      const observation = observed(observations, serverStream);
      head =
        observation.status === 'present'
          ? { state: keyStateOf(observation.last), tombstonable: true }
          : { state: observation.status === 'deleted' ? { kind: 'destroyed' } : { kind: 'none' }, tombstonable: false };
      keys.set(serverStream, head);
    }
    return head;
  };

  const streams = new Map<string, { readonly serverStream: string; readonly expected: 'no_stream' | bigint; readonly events: OutgoingEvent[] }>();
  const records: PlannedRecord[] = [];
  const results: PlannedEvent[][] = [];
  const tombstones = new Set<string>();
  const conflictInfo = new Map<string, ConflictInfo>();

  const emit = (serverStream: string, event: OutgoingEvent, info: ConflictInfo): void => {
    let planned = streams.get(serverStream);
    if (planned === undefined) {
      const observation = observed(observations, serverStream);
      planned = { serverStream, expected: observation.status === 'present' ? observation.last.revision : 'no_stream', events: [] };
      streams.set(serverStream, planned);
      conflictInfo.set(serverStream, info);
    }
    planned.events.push(event);
    records.push({ serverStream, event });
  };
  const internalInfo = (serverStream: string, label: string, requestIndex: number): ConflictInfo => {
    const observation = observed(observations, serverStream);
    const expected = observation.status === 'present' ? revisionFromServer(observation.last.revision, serverStream) : 'no_stream';
    return { label, expected, requestIndex };
  };

  requests.forEach((request, requestIndex) => {
    try {
      const { commandId } = request;
      const commandStream = commandId === undefined ? undefined : naming.internalStream('command', commandId);
      if (commandId !== undefined && commandStream !== undefined && isCommandRecorded(commandStream)) throw new CommandAlreadyRecordedError(commandId);

      for (const write of request.writes) {
        const serverStream = naming.toServer(write.stream);
        const head = userHead(serverStream);
        if (head.deleted) throw new StoreError('INVALID_APPEND', `invalid append: stream ${write.stream} was deleted in KurrentDB and can never be written again`);
        if (!satisfiesExpectation(write.expected, head.revision)) throw new WrongExpectedRevisionError(write.stream, write.expected, head.revision);
      }

      const bookkeeping: { serverStream: string; event: OutgoingEvent; info: ConflictInfo }[] = [];
      for (const { key, owner } of request.releases) {
        const serverStream = naming.internalStream('reservation', key);
        if (holder(serverStream) === owner) {
          holders.set(serverStream, null);
          bookkeeping.push({ serverStream, event: reservationReleased(newId(), owner), info: internalInfo(serverStream, `reservation ${key}`, requestIndex) });
        }
      }
      for (const { key, owner } of request.claims) {
        const serverStream = naming.internalStream('reservation', key);
        const current = holder(serverStream);
        if (current === owner) continue;
        if (current !== null) throw new ReservationConflictError(key, current);
        holders.set(serverStream, owner);
        bookkeeping.push({ serverStream, event: reservationClaimed(newId(), owner), info: internalInfo(serverStream, `reservation ${key}`, requestIndex) });
      }
      for (const { subject, key } of request.keysToCreate) {
        const serverStream = naming.internalStream('key', subject);
        const head = keyHead(serverStream);
        if (head.state.kind !== 'none') continue;
        head.state = { kind: 'active', key };
        bookkeeping.push({ serverStream, event: keyCreated(newId(), key), info: internalInfo(serverStream, `key of ${subject}`, requestIndex) });
      }
      for (const subject of request.keysToDestroy) {
        const serverStream = naming.internalStream('key', subject);
        const head = keyHead(serverStream);
        if (head.state.kind === 'destroyed') {
          // Destroyed but not tombstoned: an earlier tombstone failed after its append committed. Try again.
          if (head.tombstonable) tombstones.add(serverStream);
          continue;
        }
        head.state = { kind: 'destroyed' };
        tombstones.add(serverStream);
        bookkeeping.push({ serverStream, event: keyDestroyed(newId()), info: internalInfo(serverStream, `key of ${subject}`, requestIndex) });
      }

      const appended: PlannedEvent[] = [];
      for (const write of request.writes) {
        const serverStream = naming.toServer(write.stream);
        const head = userHead(serverStream);
        for (const event of write.events) {
          const unhashed = {
            stream: write.stream,
            revision: head.revision === null ? 0 : head.revision + 1,
            eventId: event.eventId,
            type: event.type,
            schemaVersion: event.schemaVersion,
            data: event.data,
            metadata: event.metadata,
            previousHash: head.hash,
          };
          const planned: PlannedEvent = { ...unhashed, hash: hashEvent(unhashed), serverStream };
          emit(serverStream, encodeEvent(planned), { label: write.stream, expected: write.expected, requestIndex });
          appended.push(planned);
          head.revision = planned.revision;
          head.hash = planned.hash;
        }
      }
      for (const { serverStream, event, info } of bookkeeping) emit(serverStream, event, info);
      if (commandId !== undefined && commandStream !== undefined) {
        const references = appended.map(({ stream, revision, eventId, type }): RecordedReference => ({ stream, revision, eventId, type }));
        commands.set(commandStream, true);
        emit(commandStream, commandRecorded(newId(), commandId, references), internalInfo(commandStream, `command ${commandId}`, requestIndex));
      }
      results.push(appended);
    } catch (error) {
      if (options.batch && isStoreError(error)) error.requestIndex = requestIndex;
      throw error;
    }
  });

  return { streams: [...streams.values()], records, results, tombstones: [...tombstones], conflictInfo };
}

/**
 * The port's error for an append the server refused on a stream's state,
 * once the adapter has stopped re-planning: a `WrongExpectedRevisionError`
 * naming the port stream (or the adapter's label for its own streams), the
 * caller's expectation and the actual revision the server reported.
 */
export function conflictError(plan: AppendPlan, conflicts: readonly StreamConflict[], options: { readonly batch: boolean }): WrongExpectedRevisionError {
  const conflict = conflicts.find((candidate) => plan.conflictInfo.has(candidate.serverStream)) ?? conflicts[0];
  const serverStream = conflict?.serverStream ?? plan.streams[0]?.serverStream ?? '';
  const info = plan.conflictInfo.get(serverStream) ?? { label: serverStream, expected: 'any', requestIndex: 0 };
  const error = new WrongExpectedRevisionError(info.label, info.expected, actualRevisionFromServer(conflict?.actual, serverStream));
  if (options.batch) error.requestIndex = info.requestIndex;
  return error;
}
