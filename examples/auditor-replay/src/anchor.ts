import { createHash } from 'node:crypto';
import { canonicalJson, comparePositions, type EventStore, type Position } from '@eventcrm/runtime';

/**
 * External anchors for the hash chains. Each event's hash covers its
 * predecessor's hash, so the hash of a stream's newest event commits to the
 * whole stream before it. But the hashes use no secret: someone with write
 * access who edits an event and recomputes every hash after it leaves a
 * chain that `verify` finds intact. What catches that is a copy of a head
 * hash kept where that person cannot reach it (a signed audit report, a
 * ticket, write-once storage, a timestamping service): if any event up to
 * the anchored one changed, the anchored revision no longer has that hash.
 */

/** The head of one stream when it was anchored. */
export interface StreamAnchor {
  readonly stream: string;
  readonly revision: number;
  readonly hash: string;
}

/** How a stream compares with an anchor taken earlier. */
export type AnchorCheck =
  | { readonly status: 'holds'; readonly anchor: StreamAnchor }
  /** The anchored revision now has another hash: it, or an event before it, was rewritten (hashes recomputed or not). */
  | { readonly status: 'changed'; readonly anchor: StreamAnchor; readonly hashNow: string }
  /** The anchored revision is gone: events were cut from the end of the stream (or the whole stream). */
  | { readonly status: 'missing'; readonly anchor: StreamAnchor; readonly headRevisionNow: number | null };

/** The stream's newest event as an anchor, `null` for a stream with no events. */
export async function anchorStream(store: EventStore, stream: string): Promise<StreamAnchor | null> {
  const [head] = await store.readStream(stream, { direction: 'backwards', limit: 1 });
  return head === undefined ? null : { stream, revision: head.revision, hash: head.hash };
}

/** `stream@revision:hash`: one line to write down, parsed back by `parseAnchor`. */
export const formatAnchor = (anchor: StreamAnchor): string => `${anchor.stream}@${anchor.revision}:${anchor.hash}`;

/** Parses `stream@revision:hash` (as `formatAnchor` writes it); `undefined` when malformed. */
export function parseAnchor(text: string): StreamAnchor | undefined {
  const match = /^(.+)@(\d+):([0-9a-f]{64})$/.exec(text.trim());
  if (match === null) return undefined;
  const [, stream, revision, hash] = match;
  return stream === undefined || revision === undefined || hash === undefined ? undefined : { stream, revision: Number(revision), hash };
}

/**
 * Compares a stream with an anchor taken earlier. Events appended since
 * are not covered by the anchor (the stream may legitimately grow); that
 * they link back to the anchored event is what `verify` checks.
 */
export async function checkAnchor(store: EventStore, anchor: StreamAnchor): Promise<AnchorCheck> {
  const [event] = await store.readStream(anchor.stream, { from: anchor.revision, limit: 1 });
  if (event === undefined || event.revision !== anchor.revision) return { status: 'missing', anchor, headRevisionNow: await store.streamRevision(anchor.stream) };
  return event.hash === anchor.hash ? { status: 'holds', anchor } : { status: 'changed', anchor, hashNow: event.hash };
}

/** One digest for the whole log up to a position: every stream's head as of then, hashed together. */
export interface LogAnchor {
  /** The newest position covered. */
  readonly position: Position | null;
  readonly streams: number;
  readonly events: number;
  /** SHA-256 (hex) over the canonical JSON of the sorted `[stream, revision, hash]` heads. */
  readonly digest: string;
}

/**
 * Anchors the whole log: publish `digest` (and `position`) somewhere out of
 * reach, then later `anchorLog(store, anchor.position)` must give the same
 * digest; events appended after the position do not change it. Reads the
 * log once and keeps one head per stream in memory. On PostgreSQL, a
 * transaction still open while the anchor is taken may later commit an
 * event below the anchored position and change the digest: take log
 * anchors when writers are quiet, or anchor single streams.
 */
export async function anchorLog(store: EventStore, upTo?: Position): Promise<LogAnchor> {
  const heads = new Map<string, { revision: number; hash: string }>();
  let position: Position | null = null;
  let events = 0;
  reading: for await (const batch of store.readAll({ batchSize: 1000 })) {
    for (const event of batch) {
      if (upTo !== undefined && comparePositions(event.position, upTo) > 0) break reading;
      heads.set(event.stream, { revision: event.revision, hash: event.hash });
      position = event.position;
      events += 1;
    }
  }
  const sorted = [...heads].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([stream, head]) => [stream, head.revision, head.hash]);
  return { position, streams: heads.size, events, digest: createHash('sha256').update(canonicalJson(sorted)).digest('hex') };
}
