import { describe, expect, it } from 'vitest';
import type { AppendRequest, JsonObject } from '@eventcrm/runtime';
import { validateAppendRequest } from './validate.ts';
import { newEvent } from '../test/fixtures.ts';

const withData = (data: unknown): AppendRequest => ({ writes: [{ stream: 's', expected: 'any', events: [{ ...newEvent(), data: data as JsonObject }] }] });
const rejects = (request: unknown): void => {
  expect(() => validateAppendRequest(request as AppendRequest)).toThrow(expect.objectContaining({ code: 'INVALID_APPEND' }) as unknown);
};

describe('validateAppendRequest', () => {
  it('accepts a well-formed request with every side table', () => {
    expect(() =>
      validateAppendRequest({
        commandId: 'c',
        writes: [{ stream: 's', expected: 3, events: [newEvent('A', { nested: { list: [1, 'two', null, true], emoji: '😀' }, skipped: undefined } as unknown as JsonObject)] }],
        reservations: { claim: [{ key: 'k', owner: 'o' }], release: [{ key: 'k2', owner: 'o' }] },
        keys: { create: [{ subject: 's', key: 'a2V5' }], destroy: ['t'] },
      }),
    ).not.toThrow();
  });

  it('rejects what PostgreSQL cannot store: NUL in strings, keys, stream names and ids', () => {
    rejects(withData({ text: 'a\u0000b' }));
    rejects(withData({ ['k\u0000']: 1 }));
    rejects({ writes: [{ stream: 'nul\u0000', expected: 'any', events: [newEvent()] }] });
    rejects({ writes: [{ stream: 's', expected: 'any', events: [{ ...newEvent(), type: 'T\u0000' }] }] });
    rejects({ commandId: 'c\u0000', writes: [{ stream: 's', expected: 'any', events: [newEvent()] }] });
    rejects({ writes: [{ stream: 's', expected: 'any', events: [newEvent()] }], reservations: { claim: [{ key: 'k\u0000', owner: 'o' }] } });
  });

  it('rejects lone surrogates, non-finite numbers, holes, class instances and cycles', () => {
    rejects(withData({ text: '\uD800' }));
    rejects(withData({ n: Number.POSITIVE_INFINITY }));
     
    rejects(withData({ list: [1, , 3] }));
    rejects(withData({ when: new Date(0) }));
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    rejects(withData(cyclic));
  });

  it('rejects schema versions beyond a PostgreSQL integer', () => {
    rejects({ writes: [{ stream: 's', expected: 'any', events: [{ ...newEvent(), schemaVersion: 2 ** 31 }] }] });
  });

  it('rejects malformed side tables', () => {
    const write = { stream: 's', expected: 'any', events: [newEvent()] };
    rejects({ writes: [write], reservations: { claim: [{ key: '', owner: 'o' }] } });
    rejects({ writes: [write], reservations: { claim: 'k' } });
    rejects({ writes: [write], keys: { create: [{ subject: 's' }] } });
    rejects({ writes: [write], keys: { destroy: [''] } });
    rejects({ writes: [write], commandId: '' });
  });
});
