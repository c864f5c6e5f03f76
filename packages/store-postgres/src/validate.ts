import { StoreError } from '@eventcrm/runtime';
import type { AppendRequest } from '@eventcrm/runtime';

/** PostgreSQL `integer` upper bound: revisions and schema versions are stored as int4. */
export const maxInt4 = 2_147_483_647;

/** Nesting deeper than this is refused instead of risking a stack overflow while hashing. */
const maxJsonDepth = 256;

const invalid = (message: string): StoreError => new StoreError('INVALID_APPEND', message);

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
 * `canonicalJson` drop them).
 */
function checkJson(value: unknown, path: string, depth: number): void {
  if (depth > maxJsonDepth) throw invalid(`${path} is nested more than ${maxJsonDepth} levels deep`);
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
    value.forEach((item: unknown, index) => {
      if (item === undefined) throw invalid(`${path}[${index}] is undefined`);
      checkJson(item, `${path}[${index}]`, depth + 1);
    });
    return;
  }
  if (isRecord(value)) {
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) throw invalid(`${path} is not a plain JSON object`);
    for (const [key, member] of Object.entries(value)) {
      if (!storableString(key)) throw invalid(`${path} has a key with a NUL character or a lone surrogate`);
      if (member !== undefined) checkJson(member, `${path}.${key}`, depth + 1);
    }
    return;
  }
  throw invalid(`${path} is not a JSON value (${typeof value})`);
}

const checkExpected = (value: unknown, path: string): void => {
  if (value === 'no_stream' || value === 'exists' || value === 'any') return;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= maxInt4) return;
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
 * A stream may appear only once per request, because two expectations for
 * one stream in one atomic write have no sensible meaning.
 */
export function validateAppendRequest(request: AppendRequest): void {
  if (!isRecord(request)) throw invalid('an append request must be an object');
  const writes = checkList(request.writes, 'writes');
  const streams = new Set<string>();
  writes.forEach((write, writeIndex) => {
    const path = `writes[${writeIndex}]`;
    if (!isRecord(write)) throw invalid(`${path} must be an object`);
    checkName(write.stream, `${path}.stream`);
    const stream = write.stream as string;
    if (streams.has(stream)) throw invalid(`stream ${stream} appears more than once in one append`);
    streams.add(stream);
    checkExpected(write.expected, path);
    checkList(write.events, `${path}.events`).forEach((event, eventIndex) => {
      const eventPath = `${path}.events[${eventIndex}]`;
      if (!isRecord(event)) throw invalid(`${eventPath} must be an object`);
      checkName(event.eventId, `${eventPath}.eventId`);
      checkName(event.type, `${eventPath}.type`);
      const version = event.schemaVersion;
      if (typeof version !== 'number' || !Number.isInteger(version) || version < 0 || version > maxInt4) {
        throw invalid(`${eventPath}.schemaVersion must be a non-negative integer`);
      }
      if (!isRecord(event.data)) throw invalid(`${eventPath}.data must be a JSON object`);
      checkJson(event.data, `${eventPath}.data`, 0);
      if (!isRecord(event.metadata)) throw invalid(`${eventPath}.metadata must be a JSON object`);
      checkJson(event.metadata, `${eventPath}.metadata`, 0);
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
