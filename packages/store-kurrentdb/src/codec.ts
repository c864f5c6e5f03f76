import { createHash } from 'node:crypto';
import { StoreError, canonicalJson } from '@eventcrm/runtime';
import type { EventMetadata, JsonObject, JsonValue, StoredEvent } from '@eventcrm/runtime';
import { positionFromServer, revisionFromServer } from './positions.ts';

/**
 * How an eventcrm event is laid out in a KurrentDB event:
 * - the KurrentDB event type is the eventcrm type, the data is the stored
 *   (already encrypted) JSON data, unchanged;
 * - the KurrentDB metadata is a flat JSON object of string values (the only
 *   shape multi-stream appends accept) holding the eventcrm envelope:
 *   schema version, the hash chain, the eventcrm metadata as canonical JSON,
 *   the original event id when it had to be mapped, and `$correlationId` /
 *   `$causationId`, which KurrentDB's system projections understand.
 * Keys the adapter does not know (a server may add its own) are ignored when
 * decoding, and the hash is always recomputed over the decoded values, never
 * over bytes.
 */

/** A recorded KurrentDB event as both clients (KurrentDB 1.x, EventStoreDB 6.x) return it. */
export interface ServerEvent {
  readonly streamId: string;
  readonly id: string;
  readonly revision: bigint;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly isJson: boolean;
  readonly position?: { readonly commit: bigint; readonly prepare: bigint } | undefined;
}

/** An event as the adapter sends it: the fields of a client `EventData` with JSON content. */
export interface OutgoingEvent {
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Names of the adapter's keys in KurrentDB event metadata. */
export const metadataKeys = {
  format: 'eventcrm.format',
  eventId: 'eventcrm.eventId',
  schemaVersion: 'eventcrm.schemaVersion',
  previousHash: 'eventcrm.previousHash',
  hash: 'eventcrm.hash',
  metadata: 'eventcrm.metadata',
  correlationId: '$correlationId',
  causationId: '$causationId',
} as const;

/** The version of this layout, so a later layout can be told apart. */
export const formatVersion = '1';

// ---------------------------------------------------------------------------
// Event ids. KurrentDB event ids are UUIDs. An eventcrm id that already is a
// canonical (lower-case) UUID is used as it is; any other id (a ULID, an
// upper-case UUID, which the server would hand back in lower case) is mapped
// to a name-based UUID (version 5: SHA-1 over a fixed eventcrm namespace and
// the id), and the original is kept in the metadata. The mapping is
// deterministic, so a retried append sends the same KurrentDB ids.
// ---------------------------------------------------------------------------

const canonicalUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const nilUuid = '00000000-0000-0000-0000-000000000000';

/** The namespace of eventcrm's name-based event ids (a random UUID, fixed forever). */
export const eventIdNamespace = 'fc7701df-4d4f-4bbf-afd4-4deed01a1479';

/** A version 5 (SHA-1, name-based) UUID, as RFC 9562 section 5.5 defines it. */
export function nameBasedUuid(namespace: string, name: string): string {
  const bytes = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** True when the id can be a KurrentDB event id as it is. */
export const isServerEventId = (eventId: string): boolean => canonicalUuid.test(eventId) && eventId !== nilUuid;

/** The KurrentDB event id of an eventcrm event id. */
export const serverEventId = (eventId: string): string => (isServerEventId(eventId) ? eventId : nameBasedUuid(eventIdNamespace, eventId));

// ---------------------------------------------------------------------------
// Encoding and decoding.
// ---------------------------------------------------------------------------

/** An event the adapter is about to append: everything but the position, which only the server assigns. */
export type UnpositionedEvent = Omit<StoredEvent, 'position'>;

/** The KurrentDB event for an eventcrm event (its hash already computed). */
export function encodeEvent(event: UnpositionedEvent): OutgoingEvent {
  const id = serverEventId(event.eventId);
  const metadata: Record<string, string> = {
    [metadataKeys.format]: formatVersion,
    [metadataKeys.schemaVersion]: String(event.schemaVersion),
    [metadataKeys.hash]: event.hash,
    [metadataKeys.metadata]: canonicalJson(event.metadata),
    [metadataKeys.correlationId]: event.metadata.correlationId,
  };
  if (id !== event.eventId) metadata[metadataKeys.eventId] = event.eventId;
  if (event.previousHash !== null) metadata[metadataKeys.previousHash] = event.previousHash;
  if (event.metadata.causationId !== null) metadata[metadataKeys.causationId] = event.metadata.causationId;
  return { id, type: event.type, data: event.data, metadata };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);

/** Where a recorded event is, for error messages. */
export const placeOf = (event: Pick<ServerEvent, 'streamId' | 'revision'>): string => `KurrentDB event ${event.streamId}@${event.revision}`;

const corrupted = (event: ServerEvent, problem: string): StoreError => new StoreError('STORE_CORRUPTED', `${placeOf(event)} ${problem}`);

/** The adapter's metadata of a recorded event, as a map of strings; anything else was not written by this adapter. */
export function envelopeOf(event: ServerEvent): Readonly<Record<string, unknown>> {
  if (!isRecord(event.metadata) || event.metadata[metadataKeys.format] !== formatVersion) {
    throw corrupted(event, `was not written by the eventcrm KurrentDB adapter (no "${metadataKeys.format}": "${formatVersion}" in its metadata)`);
  }
  return event.metadata;
}

function stringField(event: ServerEvent, envelope: Readonly<Record<string, unknown>>, key: string): string {
  const value = envelope[key];
  if (typeof value !== 'string') throw corrupted(event, `has no string "${key}" in its metadata`);
  return value;
}

function parseJsonObject(event: ServerEvent, text: string, what: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StoreError('STORE_CORRUPTED', `${placeOf(event)}: ${what} is not valid JSON`, { cause: error });
  }
  if (!isRecord(value)) throw corrupted(event, `has ${what} that is not a JSON object`);
  return value as JsonObject;
}

/** The data of a recorded event: JSON content that parsed to an object. */
function dataOf(event: ServerEvent): JsonObject {
  if (!event.isJson) throw corrupted(event, 'is not a JSON event');
  // The clients fall back to the raw string when JSON data does not parse.
  if (!isRecord(event.data)) throw corrupted(event, 'has data that is not a JSON object');
  return event.data as JsonObject;
}

/** The eventcrm metadata of a recorded event, checked for the fields the port promises. */
function eventMetadataOf(event: ServerEvent, text: string): EventMetadata {
  const metadata = parseJsonObject(event, text, 'its eventcrm metadata');
  for (const field of ['commandId', 'actor', 'at', 'correlationId'] as const) {
    if (typeof metadata[field] !== 'string') throw corrupted(event, `has eventcrm metadata without a string ${field}`);
  }
  const causationId: JsonValue | undefined = metadata['causationId'];
  if (causationId !== null && typeof causationId !== 'string') throw corrupted(event, 'has eventcrm metadata whose causationId is neither a string nor null');
  return metadata as EventMetadata;
}

/** The hash fields of a recorded event, without decoding its data: enough to chain the next event onto it. */
export function chainOf(event: ServerEvent): { readonly revision: number; readonly hash: string } {
  const envelope = envelopeOf(event);
  return { revision: revisionFromServer(event.revision, placeOf(event)), hash: stringField(event, envelope, metadataKeys.hash) };
}

/** A recorded event of a port stream as the port's `StoredEvent`; anything the adapter did not write fails as `STORE_CORRUPTED`. */
export function decodeEvent(event: ServerEvent, stream: string): StoredEvent {
  const envelope = envelopeOf(event);
  const where = placeOf(event);
  const schemaText = stringField(event, envelope, metadataKeys.schemaVersion);
  const schemaVersion = Number(schemaText);
  if (!/^(0|[1-9][0-9]*)$/.test(schemaText) || !Number.isSafeInteger(schemaVersion)) throw corrupted(event, `has schema version ${JSON.stringify(schemaText)}`);
  const originalId = envelope[metadataKeys.eventId];
  if (originalId !== undefined && typeof originalId !== 'string') throw corrupted(event, `has a non-string "${metadataKeys.eventId}"`);
  const previousHash = envelope[metadataKeys.previousHash];
  if (previousHash !== undefined && typeof previousHash !== 'string') throw corrupted(event, `has a non-string "${metadataKeys.previousHash}"`);
  return {
    stream,
    revision: revisionFromServer(event.revision, where),
    position: positionFromServer(event.position, where),
    eventId: originalId ?? event.id,
    type: event.type,
    schemaVersion,
    data: dataOf(event),
    metadata: eventMetadataOf(event, stringField(event, envelope, metadataKeys.metadata)),
    previousHash: previousHash ?? null,
    hash: stringField(event, envelope, metadataKeys.hash),
  };
}
