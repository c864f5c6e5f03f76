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
  if (Array.isArray(value)) return `[${(value as readonly JsonValue[]).map(canonicalJson).join(',')}]`;
  const record = value as { readonly [key: string]: JsonValue | undefined };
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
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
