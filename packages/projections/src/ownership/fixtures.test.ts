import type { CrmEvent, EventMetadata } from '@eventcrm/domain';
import { event } from '@eventcrm/domain/testing';
import { inLog, projectEvents } from '@eventcrm/projections/testing';
import type { ProjectedEvent, ReadModelReader, Row } from '../framework/types.ts';
import { ownershipProjection } from './projection.ts';

/**
 * Event builders for the ownership specs, with only the fields that matter
 * to ownership as arguments. (`.test.ts`: shared by the `*.spec.ts` files,
 * kept out of the build and out of the test include.)
 */

/** Who did it and when (and, for audit specs, by which command). */
export interface When {
  readonly at: string;
  readonly actor: string;
  readonly commandId?: string;
}

const meta = (when: When): Partial<EventMetadata> => (when.commandId === undefined ? { at: when.at, actor: when.actor } : { at: when.at, actor: when.actor, commandId: when.commandId });

export const memberRegistered = (memberId: string, at = '2026-01-01T00:00:00.000Z'): CrmEvent =>
  event('MemberRegistered', { memberId, name: memberId, role: 'rep', team: 'north' }, { at, actor: 'system' });

export const registered = (customerId: string, owner: string | null, when: When): CrmEvent =>
  event(
    'CustomerRegistered',
    {
      customerId,
      name: 'enc:name',
      kind: 'company',
      phone: 'enc:phone',
      email: null,
      address: null,
      industry: null,
      region: null,
      source: 'web',
      importance: 'B',
      stage: 'potential',
      owner,
      possibleDuplicateOf: [],
    },
    meta(when),
  );

export const claimed = (customerId: string, to: string, at: string, commandId?: string): CrmEvent =>
  event(
    'CustomerClaimed',
    { customerId, to, holdingsBefore: 0, claimsTodayBefore: 0, policy: { holdingLimit: 200, dailyClaimLimit: 20, reclaimCooldownDays: 7 } },
    meta(commandId === undefined ? { at, actor: to } : { at, actor: to, commandId }),
  );

export const assigned = (customerId: string, to: string, when: When): CrmEvent => event('CustomerAssigned', { customerId, to }, meta(when));

export const transferred = (customerId: string, from: string, to: string, reason: 'rebalance' | 'request' | 'departure', when: When): CrmEvent =>
  event('CustomerTransferred', { customerId, from, to, reason }, meta(when));

export const released = (customerId: string, from: string, reason: 'voluntary' | 'departure', when: When): CrmEvent =>
  event('CustomerReleased', { customerId, from, reason, note: null }, meta(when));

export const recycled = (customerId: string, from: string, rule: 'no_follow_up' | 'no_deal', at: string, commandId?: string): CrmEvent =>
  event(
    'CustomerRecycled',
    {
      customerId,
      from,
      rule,
      idleDays: 30,
      ownedSince: '2026-01-01T00:00:00.000Z',
      lastFollowUpAt: null,
      lastDealWonAt: null,
      policy: { noFollowUpDays: 30, noDealDays: 90, protectionDays: 0 },
    },
    meta(commandId === undefined ? { at, actor: 'system' } : { at, actor: 'system', commandId }),
  );

export const merged = (customerId: string, survivorId: string, owner: string | null, when: When): CrmEvent =>
  event('CustomerMerged', { customerId, survivorId, owner }, meta(when));

/** Events that do not change ownership, to show they are ignored. */
export const followUp = (customerId: string, owner: string, at: string): CrmEvent =>
  event('FollowUpLogged', { customerId, channel: 'call', summary: 'called', contactId: null, nextFollowUpAt: null, owner }, { at, actor: owner });

/** Puts events in a log and projects them with the ownership projection. */
export function project(events: readonly CrmEvent[]): { readonly log: ProjectedEvent[]; readonly reader: ReadModelReader & { readonly tables: ReadonlyMap<string, ReadonlyMap<string, Row>> } } {
  const log = inLog(events);
  return { log, reader: projectEvents([ownershipProjection], log) };
}

/** Drops the extra fields (event id, position, mergedInto) to compare with the spec's JSON as printed there. */
export function specShape(history: unknown): unknown {
  return JSON.parse(JSON.stringify(history, (key, value: unknown) => (key === 'eventId' || key === 'position' || key === 'mergedInto' ? undefined : value)));
}
