import { StoreError } from '@eventcrm/runtime';
import type { EventMetadata, JsonObject, StoredEvent } from '@eventcrm/runtime';

/**
 * The event columns as every read selects them. Positions and JSON come
 * back as text on purpose: a caller-supplied pool may have installed its own
 * type parsers (int8 as number, jsonb as something else), and the store must
 * not lose precision or shape because of that.
 */
export const eventColumns =
  'position::text AS position, stream, revision, event_id, type, schema_version, data::text AS data, metadata::text AS metadata, previous_hash, hash';

/** A row selected with `eventColumns`. */
export interface EventRow {
  readonly position: string;
  readonly stream: string;
  readonly revision: number;
  readonly event_id: string;
  readonly type: string;
  readonly schema_version: number;
  readonly data: string;
  readonly metadata: string;
  readonly previous_hash: string | null;
  readonly hash: string;
}

const parseObject = (text: string, what: string, row: EventRow): JsonObject => {
  const value = JSON.parse(text) as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StoreError('STORE_CORRUPTED', `event ${row.stream}@${row.revision} (position ${row.position}): stored ${what} is not a JSON object`);
  }
  return value as JsonObject;
};

/** Turns a stored row back into the port's shape. */
export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    eventId: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    data: parseObject(row.data, 'data', row),
    metadata: parseObject(row.metadata, 'metadata', row) as unknown as EventMetadata,
    stream: row.stream,
    revision: row.revision,
    position: row.position,
    previousHash: row.previous_hash,
    hash: row.hash,
  };
}
