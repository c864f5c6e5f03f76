import { createHash } from 'node:crypto';
import type { EventMetadata, JsonObject, JsonValue } from './port.ts';

/**
 * Canonical JSON: object keys sorted, no whitespace. Stores may reorder keys
 * (PostgreSQL `jsonb` does), so hashes are always taken over this form of the
 * parsed value, never over the bytes a store happens to return.
 */
export function canonicalJson(value: JsonValue | EventMetadata | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let text = '[';
    for (let index = 0; index < value.length; index += 1) text += (index === 0 ? '' : ',') + canonicalJson((value as readonly JsonValue[])[index]);
    return `${text}]`;
  }
  const record = value as { readonly [key: string]: JsonValue | undefined };
  const keys = Object.keys(record).sort();
  let text = '{';
  let first = true;
  for (const key of keys) {
    const inner = record[key];
    if (inner === undefined) continue;
    text += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(inner)}`;
    first = false;
  }
  return `${text}}`;
}

/** The fields an event's hash covers. */
export interface HashedFields {
  readonly stream: string;
  readonly revision: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: JsonObject;
  readonly metadata: EventMetadata;
  readonly previousHash: string | null;
}

/**
 * The tamper-evidence hash of an event: SHA-256 (hex) over the canonical JSON
 * of (stream, revision, type, schemaVersion, stored data, metadata, previous
 * hash). Every adapter calls this one function so that the same log hashes
 * the same on every store.
 */
export function hashEvent(fields: HashedFields): string {
  const canonical = canonicalJson([
    fields.stream,
    fields.revision,
    fields.type,
    fields.schemaVersion,
    fields.data,
    fields.metadata as unknown as JsonValue,
    fields.previousHash,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
