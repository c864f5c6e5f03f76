import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { currentSchemaVersions, decodeEvent, eventTypes, streamOfEvent, type CrmEvent } from './events.ts';
import type { EventMetadata } from './shared/messages.ts';
import { event } from './testing/index.ts';

// Events read back from a store are decoded once at the edge: upcast to the
// current schema version, then validated (STYLE.md §4). Money is stored as
// integer minor units (domain.md §0).

const metadata: EventMetadata = { commandId: 'cmd-1', actor: 'rep-a', at: '2026-01-05T09:00:00.000Z', correlationId: 'cmd-1', causationId: null };

const openedV1 = {
  opportunityId: 'o1',
  customerId: 'c1',
  title: 'Fleet renewal',
  amount: '12500.50',
  currency: 'USD',
  expectedCloseDate: '2026-03-31',
  stage: 'proposal',
  probability: 60,
  owner: 'rep-a',
};

describe('OpportunityOpened v1 (decimal amount string + currency) upcasts to v2 (integer minor units)', () => {
  it('decodes to the current shape', () => {
    expect(decodeEvent({ type: 'OpportunityOpened', schemaVersion: 1, data: openedV1, metadata })).toEqual(
      E.right({
        type: 'OpportunityOpened',
        data: {
          opportunityId: 'o1',
          customerId: 'c1',
          title: 'Fleet renewal',
          amount: { currency: 'USD', minor: '1250050' },
          expectedCloseDate: '2026-03-31',
          stage: 'proposal',
          probability: 60,
          owner: 'rep-a',
        },
        metadata,
      }),
    );
  });

  it('uses the currency\'s own minor digits (JPY 0, BHD 3)', () => {
    const decoded = (amount: string, currency: string) => {
      const result = decodeEvent({ type: 'OpportunityOpened', schemaVersion: 1, data: { ...openedV1, amount, currency }, metadata });
      return E.isRight(result) ? (result.right.data as { amount: unknown }).amount : result.left;
    };
    expect(decoded('1500000', 'JPY')).toEqual({ currency: 'JPY', minor: '1500000' });
    expect(decoded('12.345', 'BHD')).toEqual({ currency: 'BHD', minor: '12345' });
  });

  it('v2 is the current version of OpportunityOpened; every other event is at version 1', () => {
    expect(currentSchemaVersions.OpportunityOpened).toBe(2);
    expect(eventTypes.filter((type) => currentSchemaVersions[type] !== 1)).toEqual(['OpportunityOpened']);
  });

  it('a v2 event decodes as it is', () => {
    const data = { ...openedV1, amount: { currency: 'USD', minor: '1250050' } } as Record<string, unknown>;
    delete data['currency'];
    expect(decodeEvent({ type: 'OpportunityOpened', schemaVersion: 2, data, metadata })).toEqual(E.right({ type: 'OpportunityOpened', data, metadata }));
  });

  // A v1 amount that is not a valid amount of its currency cannot be
  // turned into minor units; inventing a value (zero, or a currency) would
  // silently misstate the pipeline, so decoding fails instead.
  it.each([
    ['an amount with too many digits for its currency', { amount: '12.345', currency: 'USD' }],
    ['an amount that is not a decimal string', { amount: 12500.5, currency: 'USD' }],
    ['an unknown currency', { amount: '1.00', currency: 'XYZ' }],
    ['no currency at all', { amount: '1.00', currency: undefined }],
  ])('a v1 event with %s fails to decode (no invented amount)', (_why, money) => {
    const result = decodeEvent({ type: 'OpportunityOpened', schemaVersion: 1, data: { ...openedV1, ...money }, metadata });
    expect(E.isLeft(result)).toBe(true);
  });
});

describe('decoding failures are values, never exceptions', () => {
  it('an unknown event type', () => {
    expect(decodeEvent({ type: 'CustomerTeleported', schemaVersion: 1, data: {}, metadata })).toEqual(
      E.left({ type: 'CustomerTeleported', schemaVersion: 1, message: 'unknown event type CustomerTeleported' }),
    );
  });

  it.each([0, 3, 1.5, -1])('a schema version outside 1..current (%s)', (schemaVersion) => {
    expect(E.isLeft(decodeEvent({ type: 'OpportunityOpened', schemaVersion, data: openedV1, metadata }))).toBe(true);
  });

  it('data that does not fit the schema', () => {
    const result = decodeEvent({ type: 'CustomerClaimed', schemaVersion: 1, data: { customerId: 'c1' }, metadata });
    expect(E.isLeft(result)).toBe(true);
  });

  it.each([null, 'text', 42, []])('data that is not an object (%s)', (data) => {
    expect(E.isLeft(decodeEvent({ type: 'CustomerLocked', schemaVersion: 1, data, metadata }))).toBe(true);
    expect(E.isLeft(decodeEvent({ type: 'OpportunityOpened', schemaVersion: 1, data, metadata }))).toBe(true);
  });
});

describe('round trip: every event the deciders produce decodes at its current version', () => {
  const samples: CrmEvent[] = [
    event('MemberRegistered', { memberId: 'rep-a', name: 'Ann', role: 'rep', team: 'north' }),
    event('CustomerRegistered', {
      customerId: 'c1',
      name: null, // an erased personal field reads back as null
      kind: 'company',
      phone: null,
      email: null,
      address: null,
      industry: null,
      region: null,
      source: 'web',
      importance: 'A',
      stage: 'potential',
      owner: 'rep-a',
      possibleDuplicateOf: [],
    }),
    event('OpportunityWon', { opportunityId: 'o1', customerId: 'c1', owner: 'rep-a', amount: { currency: 'USD', minor: '100' }, stage: 'proposal' }),
    event('TicketRated', { ticketId: 't1', score: 5, comment: null, resolvedBy: 'rep-a' }),
  ];
  it.each(samples.map((sample) => [sample.type, sample] as const))('%s', (type, sample) => {
    expect(decodeEvent({ type, schemaVersion: currentSchemaVersions[sample.type], data: sample.data, metadata: sample.metadata })).toEqual(E.right(sample));
  });
});

describe('the stream of an event follows from its type and data', () => {
  it.each([
    [event('MemberDeactivated', { memberId: 'rep-a', successorId: null, role: 'rep', team: 'north' }), 'member-rep-a'],
    [event('CustomerLocked', { customerId: 'c1' }), 'customer-c1'],
    [event('OpportunityReopened', { opportunityId: 'o1', stage: 'proposal', probability: 60 }), 'opportunity-o1'],
    [event('TicketClosed', { ticketId: 't1' }), 'ticket-t1'],
  ])('%# %s', (given, stream) => {
    expect(streamOfEvent(given)).toBe(stream);
  });
});
