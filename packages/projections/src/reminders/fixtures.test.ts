import { applyConfigPatch, defaultConfig, isDomainError, type ConfigPatch, type CrmEvent, type CrmConfig, type LifecycleStage, type MemberRole, type TicketPriority } from '@eventcrm/domain';
import { event } from '@eventcrm/domain/testing';
import { inLog, projectEvents } from '@eventcrm/projections/testing';
import type { ReadModelReader } from '../framework/types.ts';
import { remindersProjection } from './projection.ts';
import { reminders, type Reminder, type RemindersReport } from './queries.ts';

/**
 * Event builders for the reminders specs, with only the fields reminders
 * read as arguments. (`.test.ts`: shared by the `*.spec.ts` files, kept out
 * of the build and out of the test include.)
 */

export const DIRECTORY_AT = '2025-12-01T00:00:00.000Z';

export const member = (memberId: string, role: MemberRole = 'rep', team: string | null = 'north', at = DIRECTORY_AT): CrmEvent =>
  event('MemberRegistered', { memberId, name: `Name of ${memberId}`, role, team }, { at, actor: 'system' });

export const deactivated = (memberId: string, at: string, role: MemberRole = 'rep', team: string | null = 'north', successorId: string | null = null): CrmEvent =>
  event('MemberDeactivated', { memberId, successorId, role, team }, { at, actor: 'admin' });

export const movedToTeam = (memberId: string, from: string | null, to: string, at: string): CrmEvent =>
  event('MemberMovedToTeam', { memberId, from, to }, { at, actor: 'admin' });

/** A configuration change: `config` is the whole configuration in force afterwards (a patch over `base`). */
export const configured = (changes: ConfigPatch, at: string, base: CrmConfig = defaultConfig): CrmEvent =>
  event('ConfigurationChanged', { changes, config: applyConfigPatch(base, changes) }, { at, actor: 'admin' });

export const registered = (customerId: string, owner: string | null, at: string, stage: LifecycleStage = 'potential'): CrmEvent =>
  event(
    'CustomerRegistered',
    {
      customerId,
      name: `Customer ${customerId}`,
      kind: 'company',
      phone: null,
      email: `${customerId}@example.com`,
      address: null,
      industry: null,
      region: null,
      source: 'web',
      importance: 'B',
      stage,
      owner,
      possibleDuplicateOf: [],
    },
    { at, actor: owner ?? 'system' },
  );

export const followedUp = (customerId: string, owner: string, at: string, nextFollowUpAt: string | null = null): CrmEvent =>
  event('FollowUpLogged', { customerId, channel: 'call', summary: 'called', contactId: null, nextFollowUpAt, owner }, { at, actor: owner });

export const claimed = (customerId: string, to: string, at: string): CrmEvent =>
  event(
    'CustomerClaimed',
    { customerId, to, holdingsBefore: 0, claimsTodayBefore: 0, policy: { holdingLimit: 200, dailyClaimLimit: 20, reclaimCooldownDays: 7 } },
    { at, actor: to },
  );
export const assigned = (customerId: string, to: string, at: string): CrmEvent => event('CustomerAssigned', { customerId, to }, { at, actor: 'admin' });
export const transferred = (customerId: string, from: string, to: string, at: string): CrmEvent =>
  event('CustomerTransferred', { customerId, from, to, reason: 'rebalance' }, { at, actor: 'admin' });
export const released = (customerId: string, from: string, at: string): CrmEvent =>
  event('CustomerReleased', { customerId, from, reason: 'voluntary', note: null }, { at, actor: from });
export const recycled = (customerId: string, from: string, at: string, ownedSince: string): CrmEvent =>
  event(
    'CustomerRecycled',
    { customerId, from, rule: 'no_follow_up', idleDays: 30, ownedSince, lastFollowUpAt: null, lastDealWonAt: null, policy: { noFollowUpDays: 30, noDealDays: 90, protectionDays: 0 } },
    { at, actor: 'system' },
  );
export const stageChanged = (customerId: string, from: LifecycleStage, to: LifecycleStage, at: string): CrmEvent =>
  event('CustomerStageChanged', { customerId, from, to, reason: null }, { at, actor: 'admin' });
export const locked = (customerId: string, at: string): CrmEvent => event('CustomerLocked', { customerId }, { at, actor: 'admin' });
export const unlocked = (customerId: string, at: string): CrmEvent => event('CustomerUnlocked', { customerId }, { at, actor: 'admin' });

export const contact = (contactId: string, birthday: string | null) => ({
  contactId,
  name: `Contact ${contactId}`,
  title: null,
  role: 'decision_maker' as const,
  phone: null,
  email: `${contactId}@example.com`,
  birthday,
});
export const contactAdded = (customerId: string, contactId: string, birthday: string | null, at: string): CrmEvent =>
  event('ContactAdded', { customerId, contact: contact(contactId, birthday) }, { at, actor: 'admin' });
export const birthdayChanged = (customerId: string, contactId: string, birthday: string | null, previous: string | null, at: string): CrmEvent =>
  event('ContactUpdated', { customerId, contactId, changes: { birthday }, previous: { birthday: previous } }, { at, actor: 'admin' });
export const contactRenamed = (customerId: string, contactId: string, at: string): CrmEvent =>
  event('ContactUpdated', { customerId, contactId, changes: { name: 'Renamed' }, previous: { name: `Contact ${contactId}` } }, { at, actor: 'admin' });
export const contactRemoved = (customerId: string, contactId: string, at: string): CrmEvent => event('ContactRemoved', { customerId, contactId }, { at, actor: 'admin' });
export const merged = (duplicateId: string, survivorId: string, owner: string | null, at: string): CrmEvent =>
  event('CustomerMerged', { customerId: duplicateId, survivorId, owner }, { at, actor: 'admin' });
export const absorbed = (survivorId: string, duplicateId: string, contacts: readonly ReturnType<typeof contact>[], at: string): CrmEvent =>
  event('DuplicateCustomerAbsorbed', { customerId: survivorId, duplicateId, contacts: [...contacts] }, { at, actor: 'admin' });
export const erased = (customerId: string, at: string): CrmEvent => event('PersonalDataErased', { customerId }, { at, actor: 'admin' });

const usd = (minor: string) => ({ currency: 'USD', minor });

export const opportunityOpened = (opportunityId: string, customerId: string, owner: string, expectedCloseDate: string, at: string): CrmEvent =>
  event(
    'OpportunityOpened',
    { opportunityId, customerId, title: `Deal ${opportunityId}`, amount: usd('100000'), expectedCloseDate, stage: 'prospecting', probability: 10, owner },
    { at, actor: owner },
  );
export const closeDateRevised = (opportunityId: string, expectedCloseDate: string, previous: string, at: string): CrmEvent =>
  event('OpportunityRevised', { opportunityId, changes: { expectedCloseDate }, previous: { expectedCloseDate: previous } }, { at, actor: 'admin' });
export const amountRevised = (opportunityId: string, at: string): CrmEvent =>
  event('OpportunityRevised', { opportunityId, changes: { amount: usd('200000') }, previous: { amount: usd('100000') } }, { at, actor: 'admin' });
export const opportunityMoved = (opportunityId: string, from: string, to: string, at: string): CrmEvent =>
  event('OpportunityStageMoved', { opportunityId, from, to, probability: 20 }, { at, actor: 'admin' });
export const opportunityReassigned = (opportunityId: string, from: string, to: string, at: string): CrmEvent =>
  event('OpportunityReassigned', { opportunityId, from, to }, { at, actor: 'admin' });
export const opportunityWon = (opportunityId: string, customerId: string, owner: string, at: string): CrmEvent =>
  event('OpportunityWon', { opportunityId, customerId, owner, amount: usd('100000'), stage: 'prospecting' }, { at, actor: owner });
export const opportunityLost = (opportunityId: string, customerId: string, owner: string, at: string): CrmEvent =>
  event(
    'OpportunityLost',
    { opportunityId, customerId, owner, reason: 'price', competitor: null, note: null, amount: usd('100000'), stage: 'prospecting' },
    { at, actor: owner },
  );
export const opportunityReopened = (opportunityId: string, at: string): CrmEvent =>
  event('OpportunityReopened', { opportunityId, stage: 'qualification', probability: 20 }, { at, actor: 'admin' });

/** SLA hours by priority under the default configuration (domain.md §1). */
const defaultSla: { readonly [P in TicketPriority]: readonly [number, number] } = { urgent: [1, 4], high: [4, 24], normal: [8, 72], low: [24, 120] };

export const ticketOpened = (ticketId: string, customerId: string, priority: TicketPriority, at: string, firstResponseDueAt: string, resolutionDueAt: string): CrmEvent =>
  event(
    'TicketOpened',
    {
      ticketId,
      customerId,
      subject: 'broken',
      description: null,
      category: 'repair',
      priority,
      channel: 'phone',
      slaHours: { firstResponse: defaultSla[priority][0], resolution: defaultSla[priority][1] },
      firstResponseDueAt,
      resolutionDueAt,
    },
    { at, actor: 'admin' },
  );
export const ticketAssigned = (ticketId: string, to: string, at: string, from: string | null = null): CrmEvent =>
  event('TicketAssigned', { ticketId, from, to }, { at, actor: 'admin' });
export const ticketUnassigned = (ticketId: string, from: string, at: string): CrmEvent =>
  event('TicketUnassigned', { ticketId, from, reason: null }, { at, actor: 'system' });
export const ticketCommented = (ticketId: string, at: string, firstResponse: boolean, actor = 'carol'): CrmEvent =>
  event('TicketCommented', { ticketId, body: 'looking into it', visibility: 'public', firstResponse, firstResponseMet: firstResponse ? true : null }, { at, actor });
export const ticketPriorityChanged = (ticketId: string, from: TicketPriority, to: TicketPriority, at: string, firstResponseDueAt: string, resolutionDueAt: string): CrmEvent =>
  event(
    'TicketPriorityChanged',
    { ticketId, from, to, slaHours: { firstResponse: defaultSla[to][0], resolution: defaultSla[to][1] }, firstResponseDueAt, resolutionDueAt },
    { at, actor: 'admin' },
  );
export const ticketResolved = (ticketId: string, at: string, openedAt: string, firstResponse = false, resolvedBy: string | null = 'carol'): CrmEvent =>
  event(
    'TicketResolved',
    { ticketId, resolution: 'fixed', resolvedBy, openedAt, firstResponse, firstResponseMet: true, resolutionMet: true },
    { at, actor: resolvedBy ?? 'admin' },
  );
export const ticketClosed = (ticketId: string, at: string): CrmEvent => event('TicketClosed', { ticketId }, { at, actor: 'admin' });
export const ticketReopened = (ticketId: string, status: 'open' | 'assigned', at: string): CrmEvent =>
  event('TicketReopened', { ticketId, reason: 'again', status }, { at, actor: 'admin' });
export const ticketEscalated = (ticketId: string, at: string): CrmEvent => event('TicketEscalated', { ticketId, level: 1, reason: 'slow' }, { at, actor: 'admin' });

/** Projects events (in this order, positions 1, 2, …) into the reminders read model. */
export const project = (events: readonly CrmEvent[]): ReadModelReader & ReturnType<typeof projectEvents> => projectEvents([remindersProjection], inLog(events));

/** The reminders report, failing the spec on an error value. */
export async function report(reader: ReadModelReader, asOf: string, memberId?: string): Promise<RemindersReport> {
  const result = await reminders(reader, memberId === undefined ? { asOf } : { asOf, memberId });
  if (isDomainError(result)) throw new Error(`unexpected ${result.code}: ${result.message}`);
  return result;
}

/** The items of a report. */
export const items = async (reader: ReadModelReader, asOf: string, memberId?: string): Promise<readonly Reminder[]> => (await report(reader, asOf, memberId)).items;

/** The items of one kind. */
export const ofKind = async (reader: ReadModelReader, kind: Reminder['kind'], asOf: string, memberId?: string): Promise<readonly Reminder[]> =>
  (await items(reader, asOf, memberId)).filter((item) => item.kind === kind);

/** `kind memberId subjectId dueAt` lines: a compact, readable shape for order assertions. */
export const lines = (list: readonly Reminder[]): string[] => list.map((item) => `${item.kind} ${item.memberId ?? '-'} ${item.subjectId} ${item.dueAt}`);
