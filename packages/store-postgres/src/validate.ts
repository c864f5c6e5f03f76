import { StoreError, assertValidAppendRequest } from '@eventcrm/runtime';
import type { AppendRequest } from '@eventcrm/runtime';

/** PostgreSQL `integer` upper bound: revisions and schema versions are stored as int4. */
export const maxInt4 = 2_147_483_647;

const invalid = (message: string): StoreError => new StoreError('INVALID_APPEND', `invalid append: ${message}`);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A string PostgreSQL stores as-is: no NUL (rejected by `text` and `jsonb`)
 * and no lone UTF-16 surrogate (rejected by `jsonb`, and not valid UTF-8).
 */
const storableString = (value: string): boolean => !value.includes('\u0000') && !loneSurrogate.test(value);

/** With the `u` flag a paired surrogate is one code point, so only lone halves match. */
const loneSurrogate = /[\uD800-\uDFFF]/u;

const checkName = (value: unknown, what: string): void => {
  if (typeof value !== 'string' || value.length === 0) throw invalid(`${what} must be a non-empty string`);
  if (!storableString(value)) throw invalid(`${what} contains a NUL character or a lone surrogate`);
};

/**
 * Checks that a value survives the trip through `jsonb` unchanged in meaning,
 * so the hash taken before the insert matches the value read back: plain
 * objects, arrays, finite numbers, storable strings, booleans and null.
 * `undefined` object members are allowed (both `JSON.stringify` and
 * `canonicalJson` drop them). Cycles never get here: the shared validator
 * runs first and refuses them.
 */
function checkJson(value: unknown, path: string): void {
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(`${path} is not a finite number`);
    return;
  }
  if (typeof value === 'string') {
    if (!storableString(value)) throw invalid(`${path} contains a NUL character or a lone surrogate`);
    return;
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      // Holes and undefined would silently become null in JSON: refuse instead of storing something else.
      if (!(index in value) || value[index] === undefined) throw invalid(`${path}[${index}] is undefined, which is not JSON`);
      checkJson(value[index], `${path}[${index}]`);
    }
    return;
  }
  if (isRecord(value)) {
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) throw invalid(`${path} is not a plain JSON object`);
    for (const [key, member] of Object.entries(value)) {
      if (!storableString(key)) throw invalid(`${path} has a key with a NUL character or a lone surrogate`);
      if (member !== undefined) checkJson(member, `${path}.${key}`);
    }
    return;
  }
  throw invalid(`${path} is not a JSON value (${typeof value})`);
}

const checkExpected = (value: unknown, path: string): void => {
  if (value === 'no_stream' || value === 'exists' || value === 'any') return;
  // Any safe integer: a revision beyond what a stream holds is simply a wrong expectation.
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return;
  throw invalid(`${path}.expected must be 'no_stream', 'exists', 'any' or a revision (a non-negative integer)`);
};

const checkList = (value: unknown, path: string): readonly unknown[] => {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid(`${path} must be an array`);
  return value as readonly unknown[];
};

/**
 * Validates one append request before anything touches the database, so a
 * malformed request fails with `INVALID_APPEND` and never writes partially.
 * It rejects what the reference (in-memory) store rejects: no writes, a
 * write without events, a stream written twice in one request (its
 * expectation would be ambiguous), a duplicate event id, metadata without
 * its required fields, data that is not plain JSON. On top of that it
 * rejects what PostgreSQL cannot store (NUL characters) and schema versions
 * beyond `integer`.
 */
export function validateAppendRequest(request: AppendRequest): void {
  // The shared rules first, so every adapter words its rejections alike.
  assertValidAppendRequest(request);
  if (!isRecord(request)) throw invalid('an append request must be an object');
  if (!Array.isArray(request.writes) || request.writes.length === 0) throw invalid('writes must be a non-empty array (an append must write at least one event)');
  const streams = new Set<string>();
  const eventIds = new Set<string>();
  (request.writes as readonly unknown[]).forEach((write, writeIndex) => {
    const path = `writes[${writeIndex}]`;
    if (!isRecord(write)) throw invalid(`${path} must be an object`);
    checkName(write.stream, `${path}.stream`);
    const stream = write.stream as string;
    if (streams.has(stream)) throw invalid(`${path}.stream ${stream} appears in more than one write of the request`);
    streams.add(stream);
    checkExpected(write.expected, path);
    if (!Array.isArray(write.events) || write.events.length === 0) throw invalid(`${path}.events must be a non-empty array`);
    (write.events as readonly unknown[]).forEach((event, eventIndex) => {
      const eventPath = `${path}.events[${eventIndex}]`;
      if (!isRecord(event)) throw invalid(`${eventPath} must be an object`);
      checkName(event.eventId, `${eventPath}.eventId`);
      const eventId = event.eventId as string;
      if (eventIds.has(eventId)) throw invalid(`${eventPath}.eventId ${eventId} appears more than once in the request`);
      eventIds.add(eventId);
      checkName(event.type, `${eventPath}.type`);
      const version = event.schemaVersion;
      if (typeof version !== 'number' || !Number.isInteger(version) || version < 0 || version > maxInt4) {
        throw invalid(`${eventPath}.schemaVersion must be a non-negative integer below 2^31`);
      }
      if (!isRecord(event.data)) throw invalid(`${eventPath}.data must be a plain JSON object`);
      checkJson(event.data, `${eventPath}.data`);
      checkMetadata(event.metadata, `${eventPath}.metadata`);
    });
  });
  if (request.commandId !== undefined) checkName(request.commandId, 'commandId');
  if (request.reservations !== undefined) {
    if (!isRecord(request.reservations)) throw invalid('reservations must be an object');
    for (const part of ['claim', 'release'] as const) {
      checkList(request.reservations[part], `reservations.${part}`).forEach((reservation, index) => {
        if (!isRecord(reservation)) throw invalid(`reservations.${part}[${index}] must be an object`);
        checkName(reservation.key, `reservations.${part}[${index}].key`);
        checkName(reservation.owner, `reservations.${part}[${index}].owner`);
      });
    }
  }
  if (request.keys !== undefined) {
    if (!isRecord(request.keys)) throw invalid('keys must be an object');
    checkList(request.keys.create, 'keys.create').forEach((entry, index) => {
      if (!isRecord(entry)) throw invalid(`keys.create[${index}] must be an object`);
      checkName(entry.subject, `keys.create[${index}].subject`);
      checkName(entry.key, `keys.create[${index}].key`);
    });
    checkList(request.keys.destroy, 'keys.destroy').forEach((subject, index) => checkName(subject, `keys.destroy[${index}]`));
  }
}

function checkMetadata(value: unknown, path: string): void {
  if (!isRecord(value)) throw invalid(`${path} must be a plain JSON object`);
  checkJson(value, path);
  for (const field of ['commandId', 'actor', 'at', 'correlationId'] as const) {
    if (typeof value[field] !== 'string') throw invalid(`${path}.${field} must be a string`);
  }
  const causationId = value['causationId'];
  if (causationId !== null && typeof causationId !== 'string') throw invalid(`${path}.causationId must be a string or null`);
}
