import { StoreError, assertValidAppendRequest } from '@eventcrm/runtime';
import type { AppendRequest, EventMetadata, JsonObject, Reservation, StreamWrite } from '@eventcrm/runtime';
import type { StreamNaming } from './naming.ts';

/**
 * An append request after validation: copies the caller can no longer
 * change, in the shape the planner works with.
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

/**
 * A JSON value as the server will hand it back: a JSON round trip drops
 * `undefined` members and turns -0 into 0, exactly as storing and reading
 * does, so what `append` returns equals what `readStream` reads later.
 */
const asStored = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * Validates one append request and copies it. The shared rules come first
 * (`assertValidAppendRequest` from `@eventcrm/runtime`, so every store
 * rejects the same inputs the same way: empty writes, bad expectations,
 * duplicate event ids, data that is not plain JSON, …); then KurrentDB's own:
 * stream names and event types must not start with `$` (KurrentDB's system
 * streams and events), and stream names must not start with the adapter's
 * internal marker. Throws `StoreError('INVALID_APPEND')` before anything is
 * read or written.
 */
export function checkAppendRequest(request: AppendRequest, naming: StreamNaming): CheckedRequest {
  assertValidAppendRequest(request);
  const writes = request.writes.map((write, index): StreamWrite => {
    const problem = naming.problemWith(write.stream);
    if (problem !== undefined) throw invalid(`writes[${index}]: ${problem}`);
    return {
      stream: write.stream,
      expected: write.expected,
      events: write.events.map((event, eventIndex) => {
        if (event.type.startsWith('$')) throw invalid(`writes[${index}].events[${eventIndex}].type ${event.type} starts with \`$\`, which KurrentDB reserves for system events`);
        return {
          eventId: event.eventId,
          type: event.type,
          schemaVersion: event.schemaVersion,
          data: asStored<JsonObject>(event.data),
          metadata: asStored<EventMetadata>(event.metadata),
        };
      }),
    };
  });
  return {
    writes,
    commandId: request.commandId,
    claims: (request.reservations?.claim ?? []).map(({ key, owner }) => ({ key, owner })),
    releases: (request.reservations?.release ?? []).map(({ key, owner }) => ({ key, owner })),
    keysToCreate: (request.keys?.create ?? []).map(({ subject, key }) => ({ subject, key })),
    keysToDestroy: [...(request.keys?.destroy ?? [])],
  };
}
