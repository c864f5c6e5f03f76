import type { EventStore, JsonObject } from './port.ts';

/**
 * What a store adapter hands to the contract suite: a way to make fresh,
 * empty stores, and raw access to tamper with stored rows (the suite proves
 * that `verify` notices). Tampering bypasses the adapter's API on purpose.
 */
export interface StoreHarness {
  /** A fresh, empty store (its own file, schema or namespace). */
  create(): Promise<EventStore>;
  /** Drops everything `create` made. Called once after the suite. */
  dispose?(): Promise<void>;
  /** Raw tampering, for tamper-evidence tests. Omit when the store cannot be tampered with (e.g. KurrentDB). */
  readonly tamper?: {
    /** Overwrites the stored data of one event, leaving its hashes as they were. */
    replaceData(store: EventStore, stream: string, revision: number, data: JsonObject): Promise<void>;
    /** Deletes one event row. */
    deleteEvent(store: EventStore, stream: string, revision: number): Promise<void>;
    /** Swaps the contents (type, data, metadata, hashes) of two events of one stream, keeping their revisions. */
    swapEvents(store: EventStore, stream: string, revisionA: number, revisionB: number): Promise<void>;
  };
}
