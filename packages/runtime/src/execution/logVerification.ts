import { verifyChains, type ChainBreak } from '../store/verify.ts';
import { EventCodec, UndecodableEventError } from '../events/codec.ts';
import type { EventStore, Position } from '../store/port.ts';

/** An event that does not decode or upcast to its current schema. */
export interface UndecodableEvent {
  readonly stream: string;
  readonly revision: number;
  readonly position: Position;
  readonly type: string;
  readonly schemaVersion: number;
  readonly message: string;
}

/** The outcome of `verifyLog`: the hash chains, and whether every event still decodes. */
export interface LogVerification {
  readonly eventsChecked: number;
  readonly streamsChecked: number;
  readonly breaks: readonly ChainBreak[];
  readonly undecodable: readonly UndecodableEvent[];
  readonly intact: boolean;
}

/**
 * Walks the whole log once (CLI `verify`): every stream's hash chain is intact
 * (no changed, deleted or reordered event), revisions are contiguous, and
 * every event decodes and upcasts to its current schema. Personal fields
 * are checked in their stored (encrypted) form, so erased data verifies too.
 */
export async function verifyLog(store: EventStore, options: { readonly onProgress?: (eventsChecked: number) => void } = {}): Promise<LogVerification> {
  const codec = new EventCodec(store);
  const undecodable: UndecodableEvent[] = [];
  const chains = await verifyChains(store, {
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    onEvent: (event) => {
      try {
        codec.decode(event, 'opaque');
      } catch (error) {
        if (!(error instanceof UndecodableEventError)) throw error;
        undecodable.push({ stream: event.stream, revision: event.revision, position: event.position, type: event.type, schemaVersion: event.schemaVersion, message: error.failure.message });
      }
    },
  });
  return { ...chains, undecodable, intact: chains.intact && undecodable.length === 0 };
}
