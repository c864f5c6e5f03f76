import {
  currentSchemaVersions,
  decodeEvent,
  isEventType,
  personalDataSubject,
  personalFields,
  type CrmEvent,
  type DecodeFailure,
} from '@eventcrm/domain';
import * as E from 'fp-ts/lib/Either.js';
import { newId } from '../ids.ts';
import { StoreError } from '../store/errors.ts';
import type { EventStore, JsonObject, NewEvent, StoredEvent } from '../store/port.ts';
import { decryptFields, encryptFields, newDataKey } from './personalData.ts';

/**
 * A decoded event as the runtime hands it out: the domain event (current
 * schema version, personal fields decrypted or `null` when erased) plus
 * where it sits in the log.
 */
export type RecordedEvent = CrmEvent & {
  readonly stream: string;
  readonly revision: number;
  readonly position: string;
  readonly eventId: string;
};

/**
 * How personal fields are read back: `decrypt` (the default) reveals them
 * (or `null` once erased); `opaque` leaves the ciphertext, which read
 * models never need and which saves the decryption cost on rebuilds.
 */
export type PersonalDataMode = 'decrypt' | 'opaque';

/** Raised when a stored event cannot be decoded: the log is damaged or from an unknown version. */
export class UndecodableEventError extends StoreError {
  constructor(
    readonly stream: string,
    readonly revision: number,
    readonly failure: DecodeFailure,
  ) {
    super('STORE_CORRUPTED', `${stream}@${revision} (${failure.type} v${failure.schemaVersion}) cannot be decoded: ${failure.message}`);
    this.name = 'UndecodableEventError';
  }
}

/**
 * Translates between domain events and stored events: assigns event ids and
 * schema versions, encrypts personal fields with the subject's data key on
 * the way in, and upcasts, decrypts and validates on the way out. Data keys
 * are cached per process; a destroyed key is remembered as destroyed.
 */
export class EventCodec {
  private readonly keys = new Map<string, Buffer | null>();

  constructor(private readonly store: EventStore) {}

  /** Loads the data keys of these subjects into the cache (one store round trip for all missing ones). */
  async loadKeys(subjects: Iterable<string>): Promise<void> {
    const missing = [...new Set(subjects)].filter((subject) => !this.keys.has(subject));
    if (missing.length === 0) return;
    const found = await this.store.loadKeys(missing);
    for (const subject of missing) {
      const key = found.get(subject);
      this.keys.set(subject, key === undefined ? null : Buffer.from(key, 'base64'));
    }
  }

  /**
   * The data key for a subject's new events (its keys must have been loaded),
   * creating one for a new subject or one that never had a key. Returns the
   * base64 key to create alongside the append, when it is new.
   */
  keyForWrite(subject: string, newSubject: boolean): { readonly key: Buffer; readonly created?: string } {
    const known = newSubject ? undefined : this.keys.get(subject);
    if (known !== undefined && known !== null) return { key: known };
    const created = newDataKey();
    return { key: Buffer.from(created, 'base64'), created };
  }

  /** Remembers the outcome of an append: new keys are usable, destroyed keys are gone. */
  settleKeys(created: ReadonlyMap<string, string>, destroyed: Iterable<string>): void {
    for (const [subject, key] of created) this.keys.set(subject, Buffer.from(key, 'base64'));
    for (const subject of destroyed) this.keys.set(subject, null);
  }

  /** Forgets cached keys (after a failed append that may have created some). */
  forgetKeys(subjects: Iterable<string>): void {
    for (const subject of subjects) this.keys.delete(subject);
  }

  /** A domain event as a new stored event (personal fields encrypted with `key`). */
  encode(event: CrmEvent, key: Buffer | null): NewEvent {
    const paths = personalFields[event.type];
    const plain = event.data as unknown as JsonObject;
    const data = paths === undefined || key === null ? plain : encryptFields(plain, paths, key);
    return {
      eventId: newId(),
      type: event.type,
      schemaVersion: currentSchemaVersions[event.type],
      data,
      metadata: { ...event.metadata },
    };
  }

  /**
   * Decodes one stored event; its subject's key must have been loaded
   * (`loadKeys`) in `decrypt` mode. With `validate: false` (the projection
   * runner's fast path) an event already at its current schema version is not
   * re-validated: it was validated when it was decided and the hash chain
   * guards it since; `verify` validates every event.
   */
  decode(stored: StoredEvent, mode: PersonalDataMode = 'decrypt', validate = true): RecordedEvent {
    const paths = mode === 'decrypt' ? personalFields[stored.type as CrmEvent['type']] : undefined;
    let data: unknown = stored.data;
    if (paths !== undefined) {
      const subject = personalDataSubject(stored.stream);
      const key = subject === null ? undefined : (this.keys.get(subject) ?? undefined);
      data = decryptFields(stored.data, paths, key);
    }
    if (!validate && isEventType(stored.type) && stored.schemaVersion === currentSchemaVersions[stored.type]) {
      // Nothing to change: the stored event already has every field a recorded one has (and the hashes besides).
      if (data === stored.data) return stored as unknown as RecordedEvent;
      return { type: stored.type, data, metadata: stored.metadata, stream: stored.stream, revision: stored.revision, position: stored.position, eventId: stored.eventId } as RecordedEvent;
    }
    const decoded = decodeEvent({ type: stored.type, schemaVersion: stored.schemaVersion, data, metadata: stored.metadata });
    if (E.isLeft(decoded)) throw new UndecodableEventError(stored.stream, stored.revision, decoded.left);
    return { ...decoded.right, stream: stored.stream, revision: stored.revision, position: stored.position, eventId: stored.eventId };
  }

  /** Decodes a batch, loading the keys it needs first (see `decode` for `validate`). */
  async decodeAll(batch: readonly StoredEvent[], mode: PersonalDataMode = 'decrypt', validate = true): Promise<RecordedEvent[]> {
    if (mode === 'decrypt') {
      const subjects = batch.flatMap((stored) => {
        if (personalFields[stored.type as CrmEvent['type']] === undefined) return [];
        const subject = personalDataSubject(stored.stream);
        return subject === null ? [] : [subject];
      });
      await this.loadKeys(subjects);
    }
    return batch.map((stored) => this.decode(stored, mode, validate));
  }
}
