import { CommandAlreadyRecordedError, ReservationConflictError, WrongExpectedRevisionError, hashEvent } from '@eventcrm/runtime';
import type { AppendRequest, ExpectedRevision, NewEvent, StoreError } from '@eventcrm/runtime';

/** The last event of a stream as far as the append is concerned. */
export interface StreamHead {
  readonly revision: number;
  readonly hash: string;
}

/** What the database held when the append looked (before or under the position lock). */
export interface AppendSnapshot {
  /** Every stream the requests write to; `null` for a stream without events. */
  readonly heads: ReadonlyMap<string, StreamHead | null>;
  /** The requests' command ids that are already recorded. */
  readonly recordedCommands: ReadonlySet<string>;
  /** Current owners of every reservation key the requests release or claim. */
  readonly owners: ReadonlyMap<string, string>;
}

/** An event ready to insert, hashed, waiting only for its global position. */
export interface PlannedEvent {
  readonly stream: string;
  readonly revision: number;
  /** A copy of the caller's event, read back from its JSON: exactly what the store will return later. */
  readonly event: NewEvent;
  /** The JSON sent to PostgreSQL, so the hashed value and the stored value are one and the same. */
  readonly dataJson: string;
  readonly metadataJson: string;
  readonly previousHash: string | null;
  readonly hash: string;
}

/** Everything one transaction must write, derived from the requests and a snapshot. */
export interface AppendPlan {
  /** All events of all requests, in request order: position order. */
  readonly events: readonly PlannedEvent[];
  /** `[start, end)` into `events` for each request. */
  readonly ranges: readonly (readonly [number, number])[];
  /** Command ids to record, with the request each belongs to. */
  readonly commands: readonly { readonly commandId: string; readonly requestIndex: number }[];
  /** Reservation keys whose owner differs after every request ran, with that owner (`null`: free). */
  readonly finalOwners: ReadonlyMap<string, string | null>;
  /** Subjects whose key to create (first create wins) and subjects to destroy. */
  readonly keysToCreate: ReadonlyMap<string, string>;
  readonly subjectsToDestroy: ReadonlySet<string>;
}

/** A request the snapshot says must fail, and which one. */
export class PlanRejected extends Error {
  constructor(
    readonly requestIndex: number,
    readonly error: StoreError,
  ) {
    super(error.message);
  }
}

const matches = (expected: ExpectedRevision, actual: number | null): boolean => {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === null;
  if (expected === 'exists') return actual !== null;
  return actual === expected;
};

/**
 * Runs the requests one after another against a snapshot, exactly as if
 * each were its own append: the command check, then every stream's
 * expectation, then releases before claims, then the events (revisions and
 * hash links continue from the previous request's), then the keys. Throws
 * `PlanRejected` for the first request that must fail. Pure: the caller
 * decides whether the snapshot was authoritative (taken under the lock) or
 * needs confirming.
 */
export function planAppend(requests: readonly AppendRequest[], snapshot: AppendSnapshot): AppendPlan {
  const heads = new Map(snapshot.heads);
  const owners = new Map<string, string | null>(snapshot.owners);
  const recorded = new Set(snapshot.recordedCommands);
  const events: PlannedEvent[] = [];
  const ranges: (readonly [number, number])[] = [];
  const commands: { commandId: string; requestIndex: number }[] = [];
  const keysToCreate = new Map<string, string>();
  const subjectsToDestroy = new Set<string>();

  requests.forEach((request, requestIndex) => {
    const reject = (error: StoreError): never => {
      throw new PlanRejected(requestIndex, error);
    };
    if (request.commandId !== undefined) {
      if (recorded.has(request.commandId)) reject(new CommandAlreadyRecordedError(request.commandId));
      recorded.add(request.commandId);
      commands.push({ commandId: request.commandId, requestIndex });
    }
    for (const write of request.writes) {
      const actual = heads.get(write.stream)?.revision ?? null;
      if (!matches(write.expected, actual)) reject(new WrongExpectedRevisionError(write.stream, write.expected, actual));
    }
    for (const { key, owner } of request.reservations?.release ?? []) {
      if (owners.get(key) === owner) owners.set(key, null);
    }
    for (const { key, owner } of request.reservations?.claim ?? []) {
      const holder = owners.get(key) ?? null;
      if (holder !== null && holder !== owner) reject(new ReservationConflictError(key, holder));
      owners.set(key, owner);
    }
    const start = events.length;
    for (const write of request.writes) {
      let head = heads.get(write.stream) ?? null;
      for (const original of write.events) {
        // Round-tripping through JSON gives the caller a copy it cannot reach
        // into, and normalises what JSON cannot carry (-0 becomes 0) exactly
        // as a later read would, so the hash covers what is stored.
        const dataJson = JSON.stringify(original.data);
        const metadataJson = JSON.stringify(original.metadata);
        const event: NewEvent = {
          eventId: original.eventId,
          type: original.type,
          schemaVersion: original.schemaVersion,
          data: JSON.parse(dataJson) as NewEvent['data'],
          metadata: JSON.parse(metadataJson) as NewEvent['metadata'],
        };
        const revision = head === null ? 0 : head.revision + 1;
        const previousHash = head?.hash ?? null;
        const hash = hashEvent({
          stream: write.stream,
          revision,
          type: event.type,
          schemaVersion: event.schemaVersion,
          data: event.data,
          metadata: event.metadata,
          previousHash,
        });
        events.push({ stream: write.stream, revision, event, dataJson, metadataJson, previousHash, hash });
        head = { revision, hash };
      }
      heads.set(write.stream, head);
    }
    ranges.push([start, events.length]);
    for (const { subject, key } of request.keys?.create ?? []) {
      if (!keysToCreate.has(subject) && !subjectsToDestroy.has(subject)) keysToCreate.set(subject, key);
    }
    for (const subject of request.keys?.destroy ?? []) {
      subjectsToDestroy.add(subject);
      keysToCreate.delete(subject);
    }
  });

  const finalOwners = new Map<string, string | null>();
  for (const [key, owner] of owners) {
    if ((snapshot.owners.get(key) ?? null) !== owner) finalOwners.set(key, owner);
  }
  return { events, ranges, commands, finalOwners, keysToCreate, subjectsToDestroy };
}

/** Every stream, command id and reservation key the requests touch: what a snapshot must cover. */
export function appendFootprint(requests: readonly AppendRequest[]): {
  readonly streams: readonly string[];
  readonly commandIds: readonly string[];
  readonly reservationKeys: readonly string[];
} {
  const streams = new Set<string>();
  const commandIds = new Set<string>();
  const reservationKeys = new Set<string>();
  for (const request of requests) {
    for (const write of request.writes) streams.add(write.stream);
    if (request.commandId !== undefined) commandIds.add(request.commandId);
    for (const { key } of request.reservations?.release ?? []) reservationKeys.add(key);
    for (const { key } of request.reservations?.claim ?? []) reservationKeys.add(key);
  }
  return { streams: [...streams], commandIds: [...commandIds], reservationKeys: [...reservationKeys] };
}
