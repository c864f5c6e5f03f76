import { StoreError } from '@eventcrm/runtime';
import type { JsonObject } from '@eventcrm/runtime';
import { envelopeOf, formatVersion, metadataKeys, placeOf } from './codec.ts';
import type { OutgoingEvent, ServerEvent } from './codec.ts';

/**
 * KurrentDB has no tables, so the port's three side tables live in streams
 * of their own, each written in the same atomic append as the events they
 * belong to and each guarded by an exact expected revision:
 *
 * - command records: one stream per command id, written once with
 *   `no_stream`, so a second append with the same id loses the race on the
 *   server even if both passed the adapter's read;
 * - reservations: one stream per key; its last event says who holds the key
 *   (`ReservationClaimed`) or that nobody does (`ReservationReleased`), and
 *   every change is appended at the exact revision read, so two owners
 *   claiming one free key cannot both win;
 * - encryption keys: one stream per subject holding `KeyCreated` (the key
 *   material) and, once destroyed, `KeyDestroyed`, which is the authoritative
 *   "destroyed" mark; after the append commits, the adapter tombstones the
 *   stream. See `crypto-shredding` in the README: on KurrentDB a tombstone
 *   hides the key from every read at once, but the bytes leave the disk only
 *   when a scavenge runs, and backups taken before that still hold them.
 *
 * These events are the adapter's own, in streams behind `internalMarker`;
 * they never appear in `readAll`, `subscribe` or `headPosition`.
 */
export const bookkeepingTypes = {
  commandRecorded: 'eventcrm.CommandRecorded',
  reservationClaimed: 'eventcrm.ReservationClaimed',
  reservationReleased: 'eventcrm.ReservationReleased',
  keyCreated: 'eventcrm.KeyCreated',
  keyDestroyed: 'eventcrm.KeyDestroyed',
} as const;

/** A reference to an event kept in a command record: the position is looked up when the record is read (it is not known before the append commits). */
export interface RecordedReference {
  readonly stream: string;
  readonly revision: number;
  readonly eventId: string;
  readonly type: string;
}

/** The state of one subject's encryption key, from the last event of its stream. */
export type KeyState = { readonly kind: 'none' } | { readonly kind: 'active'; readonly key: string } | { readonly kind: 'destroyed' };

const bookkeepingEvent = (id: string, type: string, data: JsonObject): OutgoingEvent => ({
  id,
  type,
  data,
  metadata: { [metadataKeys.format]: formatVersion },
});

/** The event that records a command id and the events its append wrote. */
export const commandRecorded = (id: string, commandId: string, events: readonly RecordedReference[]): OutgoingEvent =>
  bookkeepingEvent(id, bookkeepingTypes.commandRecorded, { commandId, events: events.map((event) => ({ ...event })) });

/** The event that gives a reservation key to an owner. */
export const reservationClaimed = (id: string, owner: string): OutgoingEvent => bookkeepingEvent(id, bookkeepingTypes.reservationClaimed, { owner });

/** The event that frees a reservation key (it names the owner that released it, for audits). */
export const reservationReleased = (id: string, owner: string): OutgoingEvent => bookkeepingEvent(id, bookkeepingTypes.reservationReleased, { owner });

/** The event that stores a subject's encryption key. */
export const keyCreated = (id: string, key: string): OutgoingEvent => bookkeepingEvent(id, bookkeepingTypes.keyCreated, { key });

/** The event that marks a subject's key destroyed for good. */
export const keyDestroyed = (id: string): OutgoingEvent => bookkeepingEvent(id, bookkeepingTypes.keyDestroyed, {});

const corrupted = (event: ServerEvent, problem: string): StoreError => new StoreError('STORE_CORRUPTED', `${placeOf(event)} ${problem}`);

function dataOf(event: ServerEvent): Readonly<Record<string, unknown>> {
  envelopeOf(event);
  if (typeof event.data !== 'object' || event.data === null || Array.isArray(event.data) || event.data instanceof Uint8Array) {
    throw corrupted(event, 'has data that is not a JSON object');
  }
  return event.data as Record<string, unknown>;
}

const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** The command record in the (only) event of a command stream. */
export function commandRecordOf(event: ServerEvent): { readonly commandId: string; readonly events: readonly RecordedReference[] } {
  if (event.type !== bookkeepingTypes.commandRecorded) throw corrupted(event, `is a ${event.type}, not a ${bookkeepingTypes.commandRecorded}`);
  const data = dataOf(event);
  const { commandId, events } = data;
  if (!nonEmptyString(commandId) || !Array.isArray(events)) throw corrupted(event, 'is not a well-formed command record');
  const references = (events as readonly unknown[]).map((reference): RecordedReference => {
    const candidate = reference as Partial<Record<keyof RecordedReference, unknown>> | null;
    if (
      candidate === null ||
      typeof candidate !== 'object' ||
      !nonEmptyString(candidate.stream) ||
      !Number.isSafeInteger(candidate.revision) ||
      (candidate.revision as number) < 0 ||
      !nonEmptyString(candidate.eventId) ||
      !nonEmptyString(candidate.type)
    ) {
      throw corrupted(event, 'holds a malformed event reference');
    }
    return { stream: candidate.stream, revision: candidate.revision as number, eventId: candidate.eventId, type: candidate.type };
  });
  return { commandId, events: references };
}

/** The owner a reservation stream's last event gives the key to, or `null` when it is free. */
export function reservationOwnerOf(event: ServerEvent): string | null {
  const { owner } = dataOf(event);
  if (!nonEmptyString(owner)) throw corrupted(event, 'names no owner');
  switch (event.type) {
    case bookkeepingTypes.reservationClaimed:
      return owner;
    case bookkeepingTypes.reservationReleased:
      return null;
    default:
      throw corrupted(event, `is a ${event.type}, not a reservation event`);
  }
}

/** The key state a key stream's last event leaves. */
export function keyStateOf(event: ServerEvent): KeyState {
  const data = dataOf(event);
  switch (event.type) {
    case bookkeepingTypes.keyCreated:
      if (!nonEmptyString(data['key'])) throw corrupted(event, 'holds no key');
      return { kind: 'active', key: data['key'] };
    case bookkeepingTypes.keyDestroyed:
      return { kind: 'destroyed' };
    default:
      throw corrupted(event, `is a ${event.type}, not a key event`);
  }
}
