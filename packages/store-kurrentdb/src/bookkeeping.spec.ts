import { isStoreError } from '@eventcrm/runtime';
import { describe, expect, it } from 'vitest';
import {
  bookkeepingTypes,
  commandRecordOf,
  commandRecorded,
  keyCreated,
  keyDestroyed,
  keyStateOf,
  reservationClaimed,
  reservationOwnerOf,
  reservationReleased,
} from './bookkeeping.ts';
import { metadataKeys } from './codec.ts';
import type { OutgoingEvent, ServerEvent } from './codec.ts';

const stored = (event: OutgoingEvent): ServerEvent => ({
  streamId: 'tenant/__eventcrm-x',
  id: event.id,
  revision: 0n,
  type: event.type,
  data: JSON.parse(JSON.stringify(event.data)) as unknown,
  metadata: JSON.parse(JSON.stringify(event.metadata)) as unknown,
  isJson: true,
  position: { commit: 1n, prepare: 1n },
});

const codeOf = (action: () => unknown): unknown => {
  try {
    action();
  } catch (error) {
    return isStoreError(error) ? error.code : error;
  }
  return 'no error';
};

describe('bookkeeping events', () => {
  it('round-trip a command record with its references (positions are looked up later)', () => {
    const references = [
      { stream: 'a', revision: 0, eventId: 'e-1', type: 'Opened' },
      { stream: 'b', revision: 4, eventId: 'e-2', type: 'Linked' },
    ];
    const event = commandRecorded('11111111-1111-4111-8111-111111111111', 'command-1', references);
    expect(event.type).toBe(bookkeepingTypes.commandRecorded);
    expect(event.metadata).toEqual({ [metadataKeys.format]: '1' });
    expect(commandRecordOf(stored(event))).toEqual({ commandId: 'command-1', events: references });
  });

  it('tell who holds a reservation from the last event of its stream', () => {
    expect(reservationOwnerOf(stored(reservationClaimed('id-1', 'customer-1')))).toBe('customer-1');
    expect(reservationOwnerOf(stored(reservationReleased('id-2', 'customer-1')))).toBeNull();
  });

  it('tell the state of a key from the last event of its stream', () => {
    expect(keyStateOf(stored(keyCreated('id-1', 'a2V5')))).toEqual({ kind: 'active', key: 'a2V5' });
    expect(keyStateOf(stored(keyDestroyed('id-2')))).toEqual({ kind: 'destroyed' });
  });

  it('refuse events of the wrong kind or shape as STORE_CORRUPTED', () => {
    const claimed = stored(reservationClaimed('id-1', 'owner'));
    expect(codeOf(() => commandRecordOf(claimed))).toBe('STORE_CORRUPTED');
    expect(codeOf(() => keyStateOf(claimed))).toBe('STORE_CORRUPTED');
    expect(codeOf(() => reservationOwnerOf(stored(keyCreated('id', 'k'))))).toBe('STORE_CORRUPTED');
    expect(codeOf(() => reservationOwnerOf({ ...claimed, data: {} }))).toBe('STORE_CORRUPTED');
    expect(codeOf(() => reservationOwnerOf({ ...claimed, metadata: {} })), 'no adapter envelope').toBe('STORE_CORRUPTED');
    expect(codeOf(() => keyStateOf({ ...stored(keyCreated('id', 'k')), data: { key: '' } }))).toBe('STORE_CORRUPTED');
    const record = stored(commandRecorded('id', 'command-1', [{ stream: 'a', revision: 0, eventId: 'e', type: 't' }]));
    expect(codeOf(() => commandRecordOf({ ...record, data: { commandId: 'command-1', events: [{ stream: 'a', revision: -1, eventId: 'e', type: 't' }] } }))).toBe('STORE_CORRUPTED');
    expect(codeOf(() => commandRecordOf({ ...record, data: { commandId: 'command-1' } }))).toBe('STORE_CORRUPTED');
    expect(codeOf(() => commandRecordOf({ ...record, data: [1] }))).toBe('STORE_CORRUPTED');
  });
});
