import { canonicalJson, hashEvent, isStoreError } from '@eventcrm/runtime';
import type { EventMetadata } from '@eventcrm/runtime';
import { describe, expect, it } from 'vitest';
import { chainOf, decodeEvent, encodeEvent, envelopeOf, eventIdNamespace, isServerEventId, metadataKeys, nameBasedUuid, serverEventId } from './codec.ts';
import type { OutgoingEvent, ServerEvent, UnpositionedEvent } from './codec.ts';

const metadata: EventMetadata = {
  commandId: 'command-1',
  actor: 'user-7',
  at: '2024-05-06T07:08:09.010Z',
  correlationId: 'correlation-1',
  causationId: null,
  tenant: 'acme',
  trace: { spanId: 'span-1', sampled: true, parent: null, tags: ['a', 'b'] },
};

function unpositioned(overrides: Partial<UnpositionedEvent> = {}): UnpositionedEvent {
  const fields = {
    stream: 'customer-1',
    revision: 3,
    eventId: '0b5f4c3e-8a8b-4f4e-9a6d-0d9c1f0e2a11',
    type: 'CustomerRenamed',
    schemaVersion: 2,
    data: { name: 'Grüße 👩‍💻', nested: { list: [1, null, 'x'] }, '': 'empty key' },
    metadata,
    previousHash: 'a'.repeat(64),
    ...overrides,
  };
  return { ...fields, hash: hashEvent(fields) };
}

/** What the server hands back for an event the adapter sent: JSON bytes parsed again. */
const recorded = (event: OutgoingEvent, stream: string, revision: bigint, commit: bigint): ServerEvent => ({
  streamId: stream,
  id: event.id,
  revision,
  type: event.type,
  data: JSON.parse(JSON.stringify(event.data)) as unknown,
  metadata: JSON.parse(JSON.stringify(event.metadata)) as unknown,
  isJson: true,
  position: { commit, prepare: commit },
});

const codeOf = (action: () => unknown): unknown => {
  try {
    action();
  } catch (error) {
    return isStoreError(error) ? error.code : error;
  }
  return 'no error';
};

describe('event ids', () => {
  it('computes RFC 9562 version 5 UUIDs (the RFC test vector)', () => {
    // RFC 9562 appendix A.4: the DNS namespace and "www.example.com".
    expect(nameBasedUuid('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('keeps canonical lower-case UUIDs and maps every other id deterministically', () => {
    const uuid = '0b5f4c3e-8a8b-4f4e-9a6d-0d9c1f0e2a11';
    expect(serverEventId(uuid)).toBe(uuid);
    for (const other of ['01HZY3J8Q6V4X2N9K5M7P0R3TB', uuid.toUpperCase(), 'evt-1', '00000000-0000-0000-0000-000000000000']) {
      const mapped = serverEventId(other);
      expect(isServerEventId(mapped), `${other} maps to a UUID`).toBe(true);
      expect(mapped, `${other} maps to a version 5 UUID`).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(serverEventId(other), 'the mapping is deterministic').toBe(mapped);
      expect(mapped).toBe(nameBasedUuid(eventIdNamespace, other));
    }
    expect(serverEventId('evt-1')).not.toBe(serverEventId('evt-2'));
  });
});

describe('encoding and decoding events', () => {
  it('puts data as it is and the envelope in flat string metadata', () => {
    const event = unpositioned();
    const encoded = encodeEvent(event);
    expect(encoded.id).toBe(event.eventId);
    expect(encoded.type).toBe('CustomerRenamed');
    expect(encoded.data).toBe(event.data);
    expect(Object.values(encoded.metadata).every((value) => typeof value === 'string'), 'multi-stream appends take string values only').toBe(true);
    expect(encoded.metadata).toEqual({
      [metadataKeys.format]: '1',
      [metadataKeys.schemaVersion]: '2',
      [metadataKeys.hash]: event.hash,
      [metadataKeys.previousHash]: 'a'.repeat(64),
      [metadataKeys.metadata]: canonicalJson(metadata),
      $correlationId: 'correlation-1',
    });
  });

  it('round-trips every field, and the decoded event hashes to its stored hash', () => {
    const event = unpositioned();
    const decoded = decodeEvent(recorded(encodeEvent(event), 'tenant/customer-1', 3n, 2n ** 60n), 'customer-1');
    expect(decoded).toEqual({ ...event, position: String(2n ** 60n) });
    expect(hashEvent(decoded)).toBe(decoded.hash);
    expect(decoded.metadata.causationId).toBeNull();
  });

  it('keeps a non-UUID event id in the metadata and gives it back', () => {
    const event = unpositioned({ eventId: 'evt-42', previousHash: null, revision: 0, metadata: { ...metadata, causationId: 'evt-41' } });
    const encoded = encodeEvent(event);
    expect(encoded.id).toBe(serverEventId('evt-42'));
    expect(encoded.metadata[metadataKeys.eventId]).toBe('evt-42');
    expect(encoded.metadata[metadataKeys.previousHash], 'revision 0 has no previous hash').toBeUndefined();
    expect(encoded.metadata.$causationId).toBe('evt-41');
    const decoded = decodeEvent(recorded(encoded, 'customer-1', 0n, 100n), 'customer-1');
    expect(decoded.eventId).toBe('evt-42');
    expect(decoded.previousHash).toBeNull();
  });

  it('ignores metadata keys it does not know (a server may add its own)', () => {
    const encoded = encodeEvent(unpositioned());
    const event = recorded({ ...encoded, metadata: { ...encoded.metadata, '$schema.format': 'Json', 'other.key': 'x' } }, 'customer-1', 3n, 9n);
    expect(decodeEvent(event, 'customer-1').hash).toBe(encoded.metadata[metadataKeys.hash]);
  });

  it('gives the hash chain of an event without decoding its data', () => {
    const event = unpositioned();
    expect(chainOf(recorded(encodeEvent(event), 'customer-1', 3n, 9n))).toEqual({ revision: 3, hash: event.hash });
  });

  it('refuses events the adapter did not write, or whose envelope was damaged, as STORE_CORRUPTED', () => {
    const good = recorded(encodeEvent(unpositioned()), 'customer-1', 3n, 9n);
    const envelope = good.metadata as Record<string, string>;
    const cases: [string, ServerEvent][] = [
      ['no metadata', { ...good, metadata: undefined }],
      ['binary metadata', { ...good, metadata: new Uint8Array([1, 2]) }],
      ['foreign JSON metadata', { ...good, metadata: { $correlationId: 'x' } }],
      ['another format version', { ...good, metadata: { ...envelope, [metadataKeys.format]: '2' } }],
      ['a binary event', { ...good, isJson: false, data: new Uint8Array([1]) }],
      ['data that did not parse', { ...good, data: '{not json' }],
      ['an array as data', { ...good, data: [1, 2] }],
      ['no hash', { ...good, metadata: { ...envelope, [metadataKeys.hash]: undefined } }],
      ['a bad schema version', { ...good, metadata: { ...envelope, [metadataKeys.schemaVersion]: '1.5' } }],
      ['eventcrm metadata that is not JSON', { ...good, metadata: { ...envelope, [metadataKeys.metadata]: '{' } }],
      ['eventcrm metadata without an actor', { ...good, metadata: { ...envelope, [metadataKeys.metadata]: JSON.stringify({ ...metadata, actor: 1 }) } }],
      ['a causation id that is a number', { ...good, metadata: { ...envelope, [metadataKeys.metadata]: JSON.stringify({ ...metadata, causationId: 5 }) } }],
      ['a revision beyond 2^53', { ...good, revision: 2n ** 53n }],
    ];
    for (const [what, event] of cases) expect(codeOf(() => decodeEvent(event, 'customer-1')), what).toBe('STORE_CORRUPTED');
    expect(codeOf(() => envelopeOf({ ...good, metadata: null })), 'envelopeOf(null metadata)').toBe('STORE_CORRUPTED');
  });
});
