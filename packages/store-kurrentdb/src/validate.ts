import { StoreError } from '@eventcrm/runtime';
import type { EventMetadata, ExpectedRevision, JsonObject, JsonValue, NewEvent, Reservation, StreamWrite } from '@eventcrm/runtime';
import type { StreamNaming } from './naming.ts';

/**
 * An append request after validation: deep copies the caller can no longer
 * change, in the shape the planner works with. Checked before anything is
 * read or written, so a bad input fails with `INVALID_APPEND`, names the
 * field, and never reaches the server. The rules are the reference store's
 * (`@eventcrm/runtime`'s in-memory store) plus KurrentDB's own: stream names
 * and event types must not start with `$` (system streams and events), and
 * streams must not use the adapter's internal marker.
 */
export interface CheckedRequest {
  readonly writes: readonly StreamWrite[];
  readonly commandId: string | undefined;
  readonly claims: readonly Reservation[];
  readonly releases: readonly Reservation[];
  readonly keysToCreate: readonly { readonly subject: string; readonly key: string }[];
  readonly keysToDestroy: readonly string[];
}

const invalid = (message: string): StoreError => new StoreError('INVALID_APPEND', `invalid append: ${message}`);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

// A lone UTF-16 surrogate is not valid Unicode; every store would mangle or refuse it differently.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkString(value: string, path: string): string {
  if (loneSurrogate.test(value)) throw invalid(`${path} contains an unpaired UTF-16 surrogate, which is not valid Unicode`);
  return value;
}

function copyJson(value: unknown, path: string, ancestors: Set<object>): JsonValue {
  switch (typeof value) {
    case 'string':
      return checkString(value, path);
    case 'number':
      if (!Number.isFinite(value)) throw invalid(`${path} is ${String(value)}, which is not a JSON number`);
      return value === 0 ? 0 : value; // JSON has no -0: the server hands back 0.
    case 'boolean':
      return value;
    case 'object': {
      if (value === null) return null;
      if (ancestors.has(value)) throw invalid(`${path} refers back to itself, which is not JSON`);
      ancestors.add(value);
      try {
        if (Array.isArray(value)) {
          const items: JsonValue[] = [];
          for (let index = 0; index < value.length; index += 1) {
            if (!(index in value) || value[index] === undefined) throw invalid(`${path}[${index}] is undefined, which is not JSON`);
            items.push(copyJson(value[index], `${path}[${index}]`, ancestors));
          }
          return items;
        }
        return copyObject(value, path, ancestors);
      } finally {
        ancestors.delete(value);
      }
    }
    case 'undefined':
    case 'bigint':
    case 'symbol':
    case 'function':
      throw invalid(`${path} is a ${typeof value}, which is not JSON`);
  }
}

function copyObject(value: object, path: string, ancestors: Set<object>): JsonObject {
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    throw invalid(`${path} is a ${typeof name === 'string' && name !== '' ? name : 'non-plain object'}, not a plain JSON object`);
  }
  const entries: [string, JsonValue][] = [];
  for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
    // An undefined member is absent, as in JSON.stringify and canonicalJson, so the hash agrees with what is stored.
    if (member === undefined) continue;
    entries.push([checkString(key, `${path}.${key}`), copyJson(member, `${path}.${key}`, ancestors)]);
  }
  // fromEntries defines own properties, so a "__proto__" key stays data.
  return Object.fromEntries(entries);
}

function copyTopLevel(value: unknown, path: string): JsonObject {
  if (!isRecord(value)) throw invalid(`${path} must be a plain JSON object`);
  return copyObject(value, path, new Set());
}

function copyMetadata(value: unknown, path: string): EventMetadata {
  const metadata = copyTopLevel(value, path);
  for (const field of ['commandId', 'actor', 'at', 'correlationId'] as const) {
    if (typeof metadata[field] !== 'string') throw invalid(`${path}.${field} must be a string`);
  }
  const causationId = metadata['causationId'];
  if (causationId !== null && typeof causationId !== 'string') throw invalid(`${path}.causationId must be a string or null`);
  return metadata as EventMetadata;
}

function checkExpected(value: unknown, path: string): ExpectedRevision {
  if (value === 'no_stream' || value === 'exists' || value === 'any') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw invalid(`${path} must be 'no_stream', 'exists', 'any' or a non-negative integer revision, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
}

function copyEvent(value: unknown, path: string, seenEventIds: Set<string>): NewEvent {
  if (!isRecord(value)) throw invalid(`${path} must be an event object`);
  const { eventId, type, schemaVersion } = value;
  if (!nonEmptyString(eventId)) throw invalid(`${path}.eventId must be a non-empty string`);
  if (seenEventIds.has(eventId)) throw invalid(`${path}.eventId ${eventId} appears more than once in the request`);
  seenEventIds.add(eventId);
  if (!nonEmptyString(type)) throw invalid(`${path}.type must be a non-empty string`);
  if (type.startsWith('$')) throw invalid(`${path}.type ${type} starts with \`$\`, which KurrentDB reserves for system events`);
  if (typeof schemaVersion !== 'number' || !Number.isSafeInteger(schemaVersion) || schemaVersion < 0) throw invalid(`${path}.schemaVersion must be a non-negative integer`);
  return {
    eventId: checkString(eventId, `${path}.eventId`),
    type: checkString(type, `${path}.type`),
    schemaVersion,
    data: copyTopLevel(value['data'], `${path}.data`),
    metadata: copyMetadata(value['metadata'], `${path}.metadata`),
  };
}

function copyList<T>(value: unknown, path: string, copyItem: (item: unknown, itemPath: string) => T): readonly T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid(`${path} must be an array`);
  return value.map((item, index) => copyItem(item, `${path}[${index}]`));
}

function copyReservation(value: unknown, path: string): Reservation {
  if (!isRecord(value) || !nonEmptyString(value['key']) || !nonEmptyString(value['owner'])) throw invalid(`${path} must be { key, owner } with non-empty strings`);
  return { key: value['key'], owner: value['owner'] };
}

/** Validates and copies one append request; throws `StoreError('INVALID_APPEND')` naming the first bad field. */
export function checkAppendRequest(request: unknown, naming: StreamNaming): CheckedRequest {
  if (!isRecord(request)) throw invalid('the request must be an object');
  const { writes, commandId, reservations, keys } = request;
  if (!Array.isArray(writes) || writes.length === 0) throw invalid('writes must be a non-empty array (an append must write at least one event)');
  if (commandId !== undefined && !nonEmptyString(commandId)) throw invalid('commandId must be a non-empty string when given');
  if (reservations !== undefined && !isRecord(reservations)) throw invalid('reservations must be an object');
  if (keys !== undefined && !isRecord(keys)) throw invalid('keys must be an object');

  const seenEventIds = new Set<string>();
  const seenStreams = new Set<string>();
  const checkedWrites = writes.map((write: unknown, index): StreamWrite => {
    const path = `writes[${index}]`;
    if (!isRecord(write)) throw invalid(`${path} must be an object`);
    const { stream, events } = write;
    if (!nonEmptyString(stream)) throw invalid(`${path}.stream must be a non-empty string`);
    const problem = naming.problemWith(stream);
    if (problem !== undefined) throw invalid(`${path}: ${problem}`);
    // Two writes to one stream would make "expected" ambiguous (before or after the first write?).
    if (seenStreams.has(stream)) throw invalid(`${path}.stream ${stream} appears in more than one write of the request`);
    seenStreams.add(stream);
    const expected = checkExpected(write['expected'], `${path}.expected`);
    if (!Array.isArray(events) || events.length === 0) throw invalid(`${path}.events must be a non-empty array`);
    return {
      stream: checkString(stream, `${path}.stream`),
      expected,
      events: events.map((event: unknown, eventIndex) => copyEvent(event, `${path}.events[${eventIndex}]`, seenEventIds)),
    };
  });

  return {
    writes: checkedWrites,
    commandId,
    claims: copyList(reservations?.['claim'], 'reservations.claim', copyReservation),
    releases: copyList(reservations?.['release'], 'reservations.release', copyReservation),
    keysToCreate: copyList(keys?.['create'], 'keys.create', (item, path) => {
      if (!isRecord(item) || !nonEmptyString(item['subject']) || !nonEmptyString(item['key'])) throw invalid(`${path} must be { subject, key } with non-empty strings`);
      return { subject: item['subject'], key: item['key'] };
    }),
    keysToDestroy: copyList(keys?.['destroy'], 'keys.destroy', (item, path) => {
      if (!nonEmptyString(item)) throw invalid(`${path} must be a non-empty string`);
      return item;
    }),
  };
}
