import { StoreError } from '@eventcrm/runtime';
import type { AppendRequest, ExpectedRevision } from '@eventcrm/runtime';

/**
 * Checks an append request's shape before any SQL runs, so a bad input fails
 * with `INVALID_APPEND`, names what is wrong, and never reaches the file.
 * Requests come from code (the runtime), not users, but a JavaScript caller
 * or a corrupt import file can still hand us anything, and a value that
 * `JSON.stringify` silently changes (NaN, undefined in an array, a Date)
 * would be stored differently from what was hashed and returned.
 */
export function validateAppendRequest(request: unknown): asserts request is AppendRequest {
  if (!isRecord(request)) invalid('the append request is not an object');
  const { writes, commandId, reservations, keys } = request;
  if (!Array.isArray(writes)) invalid('`writes` is not an array');
  if (commandId !== undefined && !isNonEmptyString(commandId)) invalid('`commandId` is not a non-empty string');

  const streams = new Set<string>();
  const eventIds = new Set<string>();
  for (const [writeIndex, write] of (writes as readonly unknown[]).entries()) {
    const at = `writes[${writeIndex}]`;
    if (!isRecord(write)) invalid(`${at} is not an object`);
    if (!isNonEmptyString(write.stream)) invalid(`${at}.stream is not a non-empty string`);
    if (streams.has(write.stream)) invalid(`stream ${write.stream} appears twice in one append; put its events in one write`);
    streams.add(write.stream);
    if (!isExpectedRevision(write.expected)) invalid(`${at}.expected is not 'no_stream', 'exists', 'any' or a non-negative integer`);
    if (!Array.isArray(write.events)) invalid(`${at}.events is not an array`);
    for (const [eventIndex, event] of (write.events as readonly unknown[]).entries()) {
      const place = `${at}.events[${eventIndex}]`;
      if (!isRecord(event)) invalid(`${place} is not an object`);
      if (!isNonEmptyString(event.eventId)) invalid(`${place}.eventId is not a non-empty string`);
      if (eventIds.has(event.eventId)) invalid(`event id ${event.eventId} appears twice in one append`);
      eventIds.add(event.eventId);
      if (!isNonEmptyString(event.type)) invalid(`${place}.type is not a non-empty string`);
      if (!Number.isSafeInteger(event.schemaVersion) || (event.schemaVersion as number) < 1) invalid(`${place}.schemaVersion is not a positive integer`);
      checkJsonObject(event.data, `${place}.data`);
      checkJsonObject(event.metadata, `${place}.metadata`);
      const metadata = event.metadata as Record<string, unknown>;
      for (const field of ['commandId', 'actor', 'at', 'correlationId'] as const) {
        if (typeof metadata[field] !== 'string') invalid(`${place}.metadata.${field} is not a string`);
      }
      if (metadata.causationId !== null && typeof metadata.causationId !== 'string') invalid(`${place}.metadata.causationId is not a string or null`);
    }
  }

  if (reservations !== undefined) {
    if (!isRecord(reservations)) invalid('`reservations` is not an object');
    for (const list of ['release', 'claim'] as const) {
      const entries = reservations[list];
      if (entries === undefined) continue;
      if (!Array.isArray(entries)) invalid(`reservations.${list} is not an array`);
      for (const [index, entry] of (entries as readonly unknown[]).entries()) {
        if (!isRecord(entry) || !isNonEmptyString(entry.key) || !isNonEmptyString(entry.owner)) {
          invalid(`reservations.${list}[${index}] is not { key, owner } with non-empty strings`);
        }
      }
    }
  }

  if (keys !== undefined) {
    if (!isRecord(keys)) invalid('`keys` is not an object');
    if (keys.create !== undefined) {
      if (!Array.isArray(keys.create)) invalid('keys.create is not an array');
      for (const [index, entry] of (keys.create as readonly unknown[]).entries()) {
        if (!isRecord(entry) || !isNonEmptyString(entry.subject) || !isNonEmptyString(entry.key)) {
          invalid(`keys.create[${index}] is not { subject, key } with non-empty strings`);
        }
      }
    }
    if (keys.destroy !== undefined) {
      if (!Array.isArray(keys.destroy)) invalid('keys.destroy is not an array');
      for (const [index, subject] of (keys.destroy as readonly unknown[]).entries()) {
        if (!isNonEmptyString(subject)) invalid(`keys.destroy[${index}] is not a non-empty string`);
      }
    }
  }
}

function invalid(message: string): never {
  throw new StoreError('INVALID_APPEND', `invalid append: ${message}`);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

const isExpectedRevision = (value: unknown): value is ExpectedRevision =>
  value === 'no_stream' || value === 'exists' || value === 'any' || (Number.isSafeInteger(value) && (value as number) >= 0);

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (!isRecord(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
};

/**
 * Only values that survive a JSON round trip unchanged are accepted.
 * Object members that are `undefined` are allowed because both
 * `JSON.stringify` and `canonicalJson` drop them alike; everywhere else
 * `undefined` would turn into `null` or vanish and is refused.
 */
function checkJsonObject(value: unknown, place: string): void {
  if (!isPlainObject(value)) invalid(`${place} is not a plain JSON object`);
  checkJson(value, place, new Set());
}

function checkJson(value: unknown, place: string, ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) invalid(`${place} is ${String(value)}, which JSON cannot hold`);
      return;
    case 'object': {
      if (value === null) return;
      if (ancestors.has(value)) invalid(`${place} refers to itself`);
      ancestors.add(value);
      if (Array.isArray(value)) {
        for (const [index, item] of (value as readonly unknown[]).entries()) {
          if (item === undefined) invalid(`${place}[${index}] is undefined, which JSON cannot hold`);
          checkJson(item, `${place}[${index}]`, ancestors);
        }
      } else if (isPlainObject(value)) {
        for (const [key, member] of Object.entries(value)) {
          if (member !== undefined) checkJson(member, `${place}.${key}`, ancestors);
        }
      } else {
        invalid(`${place} is a ${value.constructor?.name ?? 'non-plain object'}, not plain JSON`);
      }
      ancestors.delete(value);
      return;
    }
    case 'undefined':
    case 'bigint':
    case 'symbol':
    case 'function':
      invalid(`${place} is a ${typeof value}, which JSON cannot hold`);
  }
}
