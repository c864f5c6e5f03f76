import { StoreError, isPosition, toPosition } from '@eventcrm/runtime';
import type { ExpectedRevision, Position } from '@eventcrm/runtime';

/**
 * Revisions and positions between the port (numbers, decimal strings) and
 * KurrentDB (64-bit unsigned `bigint`s).
 *
 * Global positions. A KurrentDB `$all` position is a pair (commit, prepare)
 * of transaction-file offsets. The port's position is the commit position
 * alone, as a decimal string, because for every event a gRPC client can write
 * the two are equal: appends (single- and multi-stream) are implicit
 * transactions whose prepare records carry the `IsCommitted` flag, and the
 * server's `$all` reader reports each such event at
 * `TFPos(prepare.LogPosition, prepare.LogPosition)` (KurrentDB
 * `AllReader.ReadAllEventsForwardInternal`). Only explicit transactions,
 * a TCP-protocol feature that gRPC never had, give several events one commit
 * position with different prepare positions (maintainers said as much in
 * EventStore/EventStore#3989). So the commit position alone identifies an
 * event and orders the log.
 *
 * `after` maps to `fromPosition: { commit: after, prepare: after }`. A
 * forwards `$all` read from an event's position includes that event (the
 * reader keeps records with `TFPos >= pos`) and a subscription starts after
 * it, so the adapter drops every event whose commit position is not strictly
 * greater than `after` itself: the exclusive bound holds either way. `after`
 * should be a position this store handed out (or "0"): the server repositions
 * its reader at that offset and an offset in the middle of a record is not
 * meaningful to it.
 */

/** The largest revision the port can carry: revisions are JavaScript numbers. */
const maxRevision = BigInt(Number.MAX_SAFE_INTEGER);

/** A KurrentDB stream revision as a port revision; beyond 2^53 - 1 the store cannot be represented faithfully. */
export function revisionFromServer(revision: bigint, where: string): number {
  if (revision < 0n || revision > maxRevision) {
    throw new StoreError('STORE_CORRUPTED', `${where}: revision ${revision} does not fit the port's revisions (0..${Number.MAX_SAFE_INTEGER})`);
  }
  return Number(revision);
}

/** A port revision (already validated as a non-negative safe integer) as a KurrentDB revision. */
export function revisionToServer(revision: number): bigint {
  if (!Number.isSafeInteger(revision) || revision < 0) throw new RangeError(`a revision must be a non-negative integer, got ${String(revision)}`);
  return BigInt(revision);
}

/** The port position of a recorded event: its commit position in decimal. */
export function positionFromServer(position: { readonly commit: bigint } | undefined, where: string): Position {
  if (position === undefined) {
    throw new StoreError('STORE_UNAVAILABLE', `${where}: the server did not report the event's $all position (KurrentDB / EventStoreDB 22.6 or later reports it on stream reads)`);
  }
  if (position.commit < 0n) throw new StoreError('STORE_CORRUPTED', `${where}: negative commit position ${position.commit}`);
  return toPosition(position.commit);
}

/** `after` as a commit position, `undefined` for "from the start"; a malformed position is a caller bug. */
export function parseAfter(after: Position | undefined): bigint | undefined {
  if (after === undefined) return undefined;
  if (!isPosition(after)) throw new RangeError(`after must be a position (a non-negative decimal integer string), got ${JSON.stringify(after)}`);
  return BigInt(after);
}

/** The `fromPosition` of a forwards read or subscription that resumes after `after`. */
export function fromPositionAfter(after: bigint | undefined): 'start' | { readonly commit: bigint; readonly prepare: bigint } {
  return after === undefined || after === 0n ? 'start' : { commit: after, prepare: after };
}

/** True when an event at `commit` lies strictly after the cursor (no cursor: everything does). */
export const isAfter = (commit: bigint, after: bigint | undefined): boolean => after === undefined || commit > after;

/**
 * A KurrentDB stream state (`no_stream` or an exact revision) as the port's
 * "actual revision" (`null` for no stream). Deleted (-5) and tombstoned (-6)
 * states, which consistency violations can report, also mean "no readable
 * stream".
 */
export function actualRevisionFromServer(state: 'no_stream' | bigint | undefined, where: string): number | null {
  if (state === undefined || state === 'no_stream' || state < 0n) return null;
  return revisionFromServer(state, where);
}

/**
 * The stream state sent to the server for a stream whose last revision the
 * adapter has just read. The adapter never sends `any` or `stream_exists`:
 * the event it appends carries the hash of the predecessor it read, so the
 * write is only correct if nothing was appended in between, which only an
 * exact expectation (or `no_stream`) guarantees. The caller's own expectation
 * is checked against the same read first; see `satisfiesExpectation`.
 */
export const streamStateFor = (actual: number | null): 'no_stream' | bigint => (actual === null ? 'no_stream' : BigInt(actual));

/** Whether a stream whose last revision is `actual` (`null`: no stream) meets the writer's expectation. */
export function satisfiesExpectation(expected: ExpectedRevision, actual: number | null): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === null;
    case 'exists':
      return actual !== null;
    default:
      return actual === expected;
  }
}
