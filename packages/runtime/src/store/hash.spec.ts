import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, hashEvent } from './hash.ts';
import type { HashedFields } from './hash.ts';
import type { JsonValue } from './port.ts';

/** The same value with every object's keys in reverse insertion order. */
function reverseKeys(value: JsonValue): JsonValue {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return (value as readonly JsonValue[]).map(reverseKeys);
  const record = value as { readonly [key: string]: JsonValue };
  return Object.fromEntries(Object.keys(record).reverse().map((key) => [key, reverseKeys(record[key]!)]));
}

const registered: HashedFields = {
  stream: 'customer-1',
  revision: 0,
  type: 'CustomerRegistered',
  schemaVersion: 1,
  data: { tags: ['a', 'b'], name: 'Ada' },
  metadata: { commandId: 'c-1', actor: 'user-1', at: '2024-01-02T03:04:05.678Z', correlationId: 'c-1', causationId: null },
  previousHash: null,
};

describe('canonicalJson', () => {
  it('sorts object keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: { d: 1, c: [{ z: true, y: null }] }, a: 'x' })).toBe('{"a":"x","b":{"c":[{"y":null,"z":true}],"d":1}}');
  });

  it('sorts keys by UTF-16 code units, so every store agrees on one order', () => {
    expect(canonicalJson({ é: 3, a: 2, B: 1, 9: 5, 10: 4 })).toBe('{"10":4,"9":5,"B":1,"a":2,"é":3}');
  });

  it('keeps array order, which is meaningful', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('writes scalars as JSON does', () => {
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(-1.5)).toBe('-1.5');
    expect(canonicalJson('quote " backslash \\ newline \n')).toBe('"quote \\" backslash \\\\ newline \\n"');
    expect(canonicalJson('日本語 👩‍💻')).toBe('"日本語 👩‍💻"');
  });

  it('treats a key whose value is undefined as absent, as JSON.stringify does', () => {
    expect(canonicalJson({ a: 1, b: undefined } as unknown as JsonValue)).toBe('{"a":1}');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('distinguishes values that differ only in type or presence', () => {
    const distinct: JsonValue[] = [{ a: 1 }, { a: '1' }, { a: true }, { a: null }, {}, { a: [1] }, { a: { b: 1 } }, [], [null], ''];
    const forms = distinct.map(canonicalJson);
    expect(new Set(forms).size).toBe(distinct.length);
  });

  it('does not depend on key order (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(reverseKeys(value as JsonValue))).toBe(canonicalJson(value as JsonValue));
      }),
    );
  });

  it('parses back to an equal value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        // JSON has no negative zero: canonical JSON, like JSON itself, writes -0 as 0.
        expect(JSON.parse(canonicalJson(value as JsonValue))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});

describe('hashEvent', () => {
  it('is SHA-256 (hex) over the canonical JSON of the covered fields: a fixed input has a known hash', () => {
    // Computed independently: printf '%s' '<canonical form>' | sha256sum
    expect(hashEvent(registered)).toBe('046ec07a60b0b5e54ce60046034dc691fa0f20be5af8673cd178b6906b449878');
    expect(
      hashEvent({
        stream: 'customer-1',
        revision: 1,
        type: 'CustomerRenamed',
        schemaVersion: 2,
        data: { name: 'Ada Lovelace' },
        metadata: { commandId: 'c-2', actor: 'user-1', at: '2024-01-02T03:04:06.000Z', correlationId: 'c-1', causationId: 'c-1' },
        previousHash: '0'.repeat(64),
      }),
    ).toBe('e882c0825e6e96effb4ac2225a262456bbc68c2ed388823492cbf75df809629f');
  });

  it('ignores key order in data and metadata, as a store like PostgreSQL jsonb may reorder them', () => {
    const reordered: HashedFields = {
      ...registered,
      data: { name: 'Ada', tags: ['a', 'b'] },
      metadata: { causationId: null, correlationId: 'c-1', at: '2024-01-02T03:04:05.678Z', actor: 'user-1', commandId: 'c-1' },
    };
    expect(hashEvent(reordered)).toBe(hashEvent(registered));
  });

  it('changes when any covered field changes', () => {
    const base = hashEvent(registered);
    const changes: Partial<HashedFields>[] = [
      { stream: 'customer-2' },
      { revision: 1 },
      { type: 'CustomerRenamed' },
      { schemaVersion: 2 },
      { data: { tags: ['a', 'b'], name: 'Eve' } },
      { data: { tags: ['b', 'a'], name: 'Ada' } },
      { metadata: { ...registered.metadata, actor: 'user-2' } },
      { metadata: { ...registered.metadata, extra: 'key' } },
      { previousHash: 'f'.repeat(64) },
    ];
    for (const change of changes) {
      expect(hashEvent({ ...registered, ...change }), `changing ${JSON.stringify(change)}`).not.toBe(base);
    }
  });

  it('covers only the hashed fields: the event id and the position are outside the hash', () => {
    const stored = { ...registered, eventId: 'e-1', position: '1', hash: 'ignored' };
    const elsewhere = { ...stored, eventId: 'e-2', position: '99' };
    expect(hashEvent(stored)).toBe(hashEvent(registered));
    expect(hashEvent(elsewhere)).toBe(hashEvent(registered));
  });
});
