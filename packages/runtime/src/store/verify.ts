import { hashEvent } from './hash.ts';
import type { EventStore, Position, StoredEvent } from './port.ts';

/** Why a place in the log fails verification. */
export type ChainProblem =
  /** The event's content does not hash to its stored hash: data, metadata, type or revision changed. */
  | 'hash_mismatch'
  /** The event's stored previous hash is not the hash of its stream predecessor: an event before it was deleted, changed or moved. */
  | 'broken_link'
  /** A revision is missing before this event (an event was deleted). */
  | 'revision_gap'
  /** A revision repeats or goes backwards in global order (events were reordered or duplicated). */
  | 'revision_out_of_order';

/** One broken place in the log. */
export interface ChainBreak {
  readonly stream: string;
  readonly revision: number;
  readonly position: Position;
  readonly problem: ChainProblem;
  readonly message: string;
}

/** The outcome of walking the log. */
export interface ChainReport {
  readonly eventsChecked: number;
  readonly streamsChecked: number;
  readonly breaks: readonly ChainBreak[];
  readonly intact: boolean;
}

interface StreamCursor {
  nextRevision: number;
  lastHash: string | null;
}

/**
 * Walks the whole log in global order and checks every stream's hash chain:
 * each event hashes to its stored hash, links to its predecessor's hash, and
 * revisions run 0, 1, 2, … without gaps or repeats. Memory grows with the
 * number of streams (one cursor each), not with the number of events.
 */
export async function verifyChains(
  store: EventStore,
  options: {
    readonly onProgress?: (eventsChecked: number) => void;
    readonly batchSize?: number;
    /** Called for every event in log order, for checks beyond the chain (the runtime decodes each event here). */
    readonly onEvent?: (event: StoredEvent) => void;
  } = {},
): Promise<ChainReport> {
  const cursors = new Map<string, StreamCursor>();
  const breaks: ChainBreak[] = [];
  let eventsChecked = 0;
  const report = (event: StoredEvent, problem: ChainProblem, message: string): void => {
    breaks.push({ stream: event.stream, revision: event.revision, position: event.position, problem, message });
  };

  for await (const batch of store.readAll({ batchSize: options.batchSize ?? 5000 })) {
    for (const event of batch) {
      eventsChecked += 1;
      options.onEvent?.(event);
      const cursor = cursors.get(event.stream) ?? { nextRevision: 0, lastHash: null };
      if (event.revision > cursor.nextRevision) {
        report(event, 'revision_gap', `revisions ${cursor.nextRevision}..${event.revision - 1} are missing`);
      } else if (event.revision < cursor.nextRevision) {
        report(event, 'revision_out_of_order', `revision ${event.revision} comes after revision ${cursor.nextRevision - 1}`);
      }
      const expectedHash = hashEvent(event);
      if (expectedHash !== event.hash) {
        report(event, 'hash_mismatch', 'the stored content does not match its hash');
      }
      if (event.previousHash !== cursor.lastHash) {
        report(event, 'broken_link', cursor.lastHash === null && event.revision > 0
          ? 'the stream has no earlier event to link to'
          : 'the previous hash does not match the predecessor');
      }
      cursor.nextRevision = Math.max(cursor.nextRevision, event.revision + 1);
      cursor.lastHash = event.hash;
      cursors.set(event.stream, cursor);
    }
    options.onProgress?.(eventsChecked);
  }
  return { eventsChecked, streamsChecked: cursors.size, breaks, intact: breaks.length === 0 };
}
