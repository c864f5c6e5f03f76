import { addDays, isCalendarDate, type EventType } from '@eventcrm/domain';
import { draftRow } from '../framework/rows.ts';
import type { DraftRow, ProjectedEvent, ProjectionDefinition, Row, RowRef, RowWriter } from '../framework/types.ts';
import { bool, text } from '../shared/cells.ts';
import { applyToConfig } from '../shared/configHistory.ts';
import { applyToDirectory, directoryEventTypes } from '../shared/directory.ts';
import { remindersConfig, remindersCustomers, remindersMembers, remindersOpportunities, remindersTables, remindersTickets } from './tables.ts';

const CUSTOMERS = remindersCustomers.name;
const OPPORTUNITIES = remindersOpportunities.name;
const TICKETS = remindersTickets.name;

/** Contact id → birthday, only for contacts that have one. */
type Birthdays = { readonly [contactId: string]: string };

const customerRef = (customerId: string): RowRef => ({ table: CUSTOMERS, key: [customerId] });
const opportunityRef = (opportunityId: string): RowRef => ({ table: OPPORTUNITIES, key: [opportunityId] });
const ticketRef = (ticketId: string): RowRef => ({ table: TICKETS, key: [ticketId] });

/** An open opportunity is overdue from the start of the UTC day after its expected close date. */
export function closeDueAt(expectedCloseDate: string): string | null {
  return isCalendarDate(expectedCloseDate) ? addDays(`${expectedCloseDate}T00:00:00.000Z`, 1) : null;
}

/**
 * The SLA due time a ticket is waiting on, or none once it is resolved or
 * closed: the first response while none was given, and the resolution; the
 * earlier of the two (the first response on a tie, it comes first in the
 * ticket's life).
 */
export function pendingSla(
  status: string,
  responded: boolean,
  firstResponseDueAt: string,
  resolutionDueAt: string,
): { readonly sla_due_at: string | null; readonly sla_target: 'first_response' | 'resolution' | null } {
  if (status !== 'open' && status !== 'assigned') return { sla_due_at: null, sla_target: null };
  if (!responded && firstResponseDueAt <= resolutionDueAt) return { sla_due_at: firstResponseDueAt, sla_target: 'first_response' };
  return { sla_due_at: resolutionDueAt, sla_target: 'resolution' };
}

/** Sets a ticket draft's pending SLA from its status, response and due times. */
function setTicketSla(row: DraftRow): void {
  const sla = pendingSla(text(row, 'status'), bool(row, 'responded'), text(row, 'first_response_due_at'), text(row, 'resolution_due_at'));
  row['sla_due_at'] = sla.sla_due_at;
  row['sla_target'] = sla.sla_target;
}

const birthdaysOf = (row: Row): Birthdays => (row['birthdays'] ?? {}) as Birthdays;

/** A birthdays cell with one contact's birthday set (or removed when `null`); `null` when none remain. */
function withBirthday(current: Birthdays, contactId: string, birthday: string | null): Birthdays | null {
  const next: Record<string, string> = {};
  for (const [id, value] of Object.entries(current)) if (id !== contactId) next[id] = value;
  if (birthday !== null) next[contactId] = birthday;
  return Object.keys(next).length === 0 ? null : next;
}

/**
 * The row of a non-resident table as a draft to change, or `undefined`
 * when it does not exist (events of unknown subjects are ignored: total).
 * Changes are made in place and the draft put back (see `draftRow`).
 */
const edit = (rows: RowWriter, table: string, key: string): DraftRow | undefined => draftRow(rows, table, [key]);

const customerEvents = [
  'CustomerRegistered',
  'CustomerStageChanged',
  'ContactAdded',
  'ContactUpdated',
  'ContactRemoved',
  'FollowUpLogged',
  'CustomerClaimed',
  'CustomerAssigned',
  'CustomerTransferred',
  'CustomerReleased',
  'CustomerRecycled',
  'CustomerLocked',
  'CustomerUnlocked',
  'CustomerMerged',
  'DuplicateCustomerAbsorbed',
  'PersonalDataErased',
] as const satisfies readonly EventType[];

const opportunityEvents = [
  'OpportunityOpened',
  'OpportunityStageMoved',
  'OpportunityRevised',
  'OpportunityReassigned',
  'OpportunityWon',
  'OpportunityLost',
  'OpportunityReopened',
] as const satisfies readonly EventType[];

const ticketEvents = [
  'TicketOpened',
  'TicketAssigned',
  'TicketUnassigned',
  'TicketCommented',
  'TicketPriorityChanged',
  'TicketResolved',
  'TicketClosed',
  'TicketReopened',
] as const satisfies readonly EventType[];

const customerEventSet: ReadonlySet<string> = new Set(customerEvents);
const opportunityEventSet: ReadonlySet<string> = new Set(opportunityEvents);
const ticketEventSet: ReadonlySet<string> = new Set(ticketEvents);

/** The rows an event reads; creations are blind writes and read nothing. */
function rowsNeeded(event: ProjectedEvent): readonly RowRef[] {
  switch (event.type) {
    case 'CustomerRegistered':
    case 'OpportunityOpened':
    case 'TicketOpened':
      return [];
    case 'ContactAdded':
      return event.data.contact.birthday === null ? [] : [customerRef(event.data.customerId)];
    case 'ContactUpdated':
      return event.data.changes.birthday === undefined ? [] : [customerRef(event.data.customerId)];
    case 'CustomerStageChanged':
    case 'ContactRemoved':
    case 'FollowUpLogged':
    case 'CustomerClaimed':
    case 'CustomerAssigned':
    case 'CustomerTransferred':
    case 'CustomerReleased':
    case 'CustomerRecycled':
    case 'CustomerLocked':
    case 'CustomerUnlocked':
    case 'CustomerMerged':
    case 'DuplicateCustomerAbsorbed':
    case 'PersonalDataErased':
      return [customerRef(event.data.customerId)];
    case 'OpportunityRevised':
      return event.data.changes.expectedCloseDate === undefined ? [] : [opportunityRef(event.data.opportunityId)];
    case 'OpportunityWon':
      return [opportunityRef(event.data.opportunityId), customerRef(event.data.customerId)];
    case 'OpportunityStageMoved':
    case 'OpportunityReassigned':
    case 'OpportunityLost':
    case 'OpportunityReopened':
      return [opportunityRef(event.data.opportunityId)];
    case 'TicketCommented':
      return event.data.firstResponse ? [ticketRef(event.data.ticketId)] : [];
    case 'TicketAssigned':
    case 'TicketUnassigned':
    case 'TicketPriorityChanged':
    case 'TicketResolved':
    case 'TicketClosed':
    case 'TicketReopened':
      return [ticketRef(event.data.ticketId)];
    default:
      return [];
  }
}

function applyCustomer(event: ProjectedEvent, rows: RowWriter): void {
  const at = event.metadata.at;
  switch (event.type) {
    case 'CustomerRegistered':
      rows.put(CUSTOMERS, {
        customer_id: event.data.customerId,
        owner: event.data.owner,
        active: true,
        stage: event.data.stage,
        owned_since: at,
        last_follow_up_at: null,
        next_follow_up_at: null,
        locked: false,
        last_deal_won_at: null,
        birthdays: null,
      });
      return;
    case 'OpportunityWon': {
      // Only a later win moves the clock (wins are not necessarily logged in time order across opportunities).
      const previous = rows.get(CUSTOMERS, [event.data.customerId])?.['last_deal_won_at'];
      if (typeof previous === 'string' && previous >= at) return;
      break;
    }
    case 'ContactAdded':
      if (event.data.contact.birthday === null) return;
      break;
    case 'ContactUpdated':
      if (event.data.changes.birthday === undefined) return;
      break;
    case 'ContactRemoved': {
      const current = rows.get(CUSTOMERS, [event.data.customerId]);
      if (current === undefined || !Object.prototype.hasOwnProperty.call(birthdaysOf(current), event.data.contactId)) return;
      break;
    }
    default:
      break;
  }
  if (!('customerId' in event.data)) return;
  const row = edit(rows, CUSTOMERS, event.data.customerId);
  if (row === undefined) return;
  switch (event.type) {
    case 'CustomerStageChanged':
      row['stage'] = event.data.to;
      break;
    case 'ContactAdded':
      row['birthdays'] = withBirthday(birthdaysOf(row), event.data.contact.contactId, event.data.contact.birthday);
      break;
    case 'ContactUpdated':
      row['birthdays'] = withBirthday(birthdaysOf(row), event.data.contactId, event.data.changes.birthday ?? null);
      break;
    case 'ContactRemoved':
      row['birthdays'] = withBirthday(birthdaysOf(row), event.data.contactId, null);
      break;
    case 'FollowUpLogged':
      row['last_follow_up_at'] = at;
      row['next_follow_up_at'] = event.data.nextFollowUpAt;
      break;
    case 'CustomerClaimed':
    case 'CustomerAssigned':
      row['owner'] = event.data.to;
      row['owned_since'] = at;
      row['next_follow_up_at'] = null;
      break;
    case 'CustomerTransferred':
      // The customer state keeps a scheduled follow-up across a transfer: the new owner inherits it.
      row['owner'] = event.data.to;
      row['owned_since'] = at;
      break;
    case 'CustomerReleased':
    case 'CustomerRecycled':
      row['owner'] = null;
      row['owned_since'] = at;
      row['next_follow_up_at'] = null;
      break;
    case 'CustomerLocked':
      row['locked'] = true;
      break;
    case 'CustomerUnlocked':
      row['locked'] = false;
      break;
    case 'CustomerMerged':
    case 'PersonalDataErased':
      // A merged duplicate's contacts move to the survivor (DuplicateCustomerAbsorbed) and an erased
      // customer is gone: nothing is reminded about either any more.
      row['active'] = false;
      row['birthdays'] = null;
      break;
    case 'DuplicateCustomerAbsorbed': {
      let birthdays: Birthdays | null = birthdaysOf(row);
      // Same rule as the customer state: an absorbed contact replaces a survivor's contact with the same id.
      for (const contact of event.data.contacts) birthdays = withBirthday(birthdays ?? {}, contact.contactId, contact.birthday);
      row['birthdays'] = birthdays;
      break;
    }
    case 'OpportunityWon':
      row['last_deal_won_at'] = at;
      break;
    default:
      return;
  }
  rows.put(CUSTOMERS, row);
}

function applyOpportunity(event: ProjectedEvent, rows: RowWriter): void {
  const at = event.metadata.at;
  if (event.type === 'OpportunityOpened') {
    rows.put(OPPORTUNITIES, {
      opportunity_id: event.data.opportunityId,
      customer_id: event.data.customerId,
      title: event.data.title,
      owner: event.data.owner,
      open: true,
      stage: event.data.stage,
      expected_close_date: event.data.expectedCloseDate,
      close_due_at: closeDueAt(event.data.expectedCloseDate),
      open_since: at,
    });
    return;
  }
  if (event.type === 'OpportunityRevised' && event.data.changes.expectedCloseDate === undefined) return;
  if (!('opportunityId' in event.data)) return;
  const row = edit(rows, OPPORTUNITIES, event.data.opportunityId);
  if (row === undefined) return;
  switch (event.type) {
    case 'OpportunityStageMoved':
      row['stage'] = event.data.to;
      break;
    case 'OpportunityRevised': {
      const date = event.data.changes.expectedCloseDate ?? text(row, 'expected_close_date');
      row['expected_close_date'] = date;
      row['close_due_at'] = row['open'] === true ? closeDueAt(date) : null;
      break;
    }
    case 'OpportunityReassigned':
      row['owner'] = event.data.to;
      break;
    case 'OpportunityWon':
    case 'OpportunityLost':
      row['open'] = false;
      row['close_due_at'] = null;
      break;
    case 'OpportunityReopened':
      row['open'] = true;
      row['stage'] = event.data.stage;
      row['close_due_at'] = closeDueAt(text(row, 'expected_close_date'));
      row['open_since'] = at;
      break;
    default:
      return;
  }
  rows.put(OPPORTUNITIES, row);
}

function applyTicket(event: ProjectedEvent, rows: RowWriter): void {
  if (event.type === 'TicketOpened') {
    const row: DraftRow = {
      ticket_id: event.data.ticketId,
      customer_id: event.data.customerId,
      assignee: null,
      status: 'open',
      priority: event.data.priority,
      first_response_due_at: event.data.firstResponseDueAt,
      resolution_due_at: event.data.resolutionDueAt,
      responded: false,
      sla_due_at: null,
      sla_target: null,
    };
    setTicketSla(row);
    rows.put(TICKETS, row);
    return;
  }
  if (event.type === 'TicketCommented' && !event.data.firstResponse) return;
  if (!('ticketId' in event.data)) return;
  const row = edit(rows, TICKETS, event.data.ticketId);
  if (row === undefined) return;
  switch (event.type) {
    case 'TicketAssigned':
      row['assignee'] = event.data.to;
      if (row['status'] === 'open') row['status'] = 'assigned';
      break;
    case 'TicketUnassigned':
      row['assignee'] = null;
      if (row['status'] === 'assigned') row['status'] = 'open';
      break;
    case 'TicketCommented':
      row['responded'] = true;
      break;
    case 'TicketPriorityChanged':
      row['priority'] = event.data.to;
      row['first_response_due_at'] = event.data.firstResponseDueAt;
      row['resolution_due_at'] = event.data.resolutionDueAt;
      break;
    case 'TicketResolved':
      row['status'] = 'resolved';
      row['responded'] = event.data.firstResponse || row['responded'] === true;
      break;
    case 'TicketClosed':
      row['status'] = 'closed';
      break;
    case 'TicketReopened':
      row['status'] = event.data.status;
      break;
    default:
      return;
  }
  setTicketSla(row);
  rows.put(TICKETS, row);
}

/**
 * The reminders projection (projections.md §4): the facts behind the to-do
 * list, kept per customer, opportunity and ticket, with the team directory
 * and the configuration history resident. It decrypts personal data because
 * contact birthdays are personal: they are kept only while readable and
 * dropped on erasure, so a rebuild after an erasure gives the same rows as
 * live processing did.
 */
export const remindersProjection: ProjectionDefinition = {
  name: 'reminders',
  version: 1,
  tables: remindersTables,
  eventTypes: [...directoryEventTypes, 'ConfigurationChanged', ...customerEvents, ...opportunityEvents, ...ticketEvents],
  personalData: 'decrypt',
  // Birthdays are the only personal data it keeps.
  personalFields: { ContactAdded: ['contact.birthday'], ContactUpdated: ['changes.birthday'], DuplicateCustomerAbsorbed: ['contacts.*.birthday'] },
  rowsNeeded,
  apply(event, rows) {
    if (applyToDirectory(remindersMembers.name, event, rows)) return;
    if (applyToConfig(remindersConfig.name, event, rows)) return;
    if (ticketEventSet.has(event.type)) return applyTicket(event, rows);
    if (opportunityEventSet.has(event.type)) applyOpportunity(event, rows);
    // A won deal also stops the customer's no-deal clock.
    if (customerEventSet.has(event.type) || event.type === 'OpportunityWon') applyCustomer(event, rows);
  },
};
