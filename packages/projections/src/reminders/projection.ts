import { addDays, isCalendarDate, type EventType } from '@eventcrm/domain';
import type { ProjectedEvent, ProjectionDefinition, Row, RowRef, RowWriter } from '../framework/types.ts';
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

const withTicketSla = (row: Row): Row => ({
  ...row,
  ...pendingSla(text(row, 'status'), bool(row, 'responded'), text(row, 'first_response_due_at'), text(row, 'resolution_due_at')),
});

const birthdaysOf = (row: Row): Birthdays => (row['birthdays'] ?? {}) as Birthdays;

/** A birthdays cell with one contact's birthday set (or removed when `null`); `null` when none remain. */
function withBirthday(current: Birthdays, contactId: string, birthday: string | null): Birthdays | null {
  const next: Record<string, string> = {};
  for (const [id, value] of Object.entries(current)) if (id !== contactId) next[id] = value;
  if (birthday !== null) next[contactId] = birthday;
  return Object.keys(next).length === 0 ? null : next;
}

/** Changes a row of a non-resident table when it exists (events of unknown subjects are ignored: total). */
function update(rows: RowWriter, table: string, key: string, change: (row: Row) => Row | undefined): void {
  const row = rows.get(table, [key]);
  if (row === undefined) return;
  const changed = change(row);
  if (changed !== undefined) rows.put(table, changed);
}

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
    case 'CustomerStageChanged': {
      const stage = event.data.to;
      return update(rows, CUSTOMERS, event.data.customerId, (row) => ({ ...row, stage }));
    }
    case 'ContactAdded': {
      const { contactId, birthday } = event.data.contact;
      if (birthday === null) return;
      return update(rows, CUSTOMERS, event.data.customerId, (row) => ({ ...row, birthdays: withBirthday(birthdaysOf(row), contactId, birthday) }));
    }
    case 'ContactUpdated': {
      const { contactId, changes } = event.data;
      const birthday = changes.birthday;
      if (birthday === undefined) return;
      return update(rows, CUSTOMERS, event.data.customerId, (row) => ({ ...row, birthdays: withBirthday(birthdaysOf(row), contactId, birthday) }));
    }
    case 'ContactRemoved': {
      const contactId = event.data.contactId;
      return update(rows, CUSTOMERS, event.data.customerId, (row) =>
        !Object.prototype.hasOwnProperty.call(birthdaysOf(row), contactId) ? undefined : { ...row, birthdays: withBirthday(birthdaysOf(row), contactId, null) },
      );
    }
    case 'FollowUpLogged': {
      const next = event.data.nextFollowUpAt;
      return update(rows, CUSTOMERS, event.data.customerId, (row) => ({ ...row, last_follow_up_at: at, next_follow_up_at: next }));
    }
    case 'CustomerClaimed':
    case 'CustomerAssigned': {
      const owner = event.data.to;
      return update(rows, CUSTOMERS, event.data.customerId, (row) => ({ ...row, owner, owned_since: at, next_follow_up_at: null }));
    }
    case 'CustomerTransferred': {
      // The customer state keeps a scheduled follow-up across a transfer: the new owner inherits it.
      const owner = event.data.to;
      return update(rows, CUSTOMERS, event.data.customerId, (row) => ({ ...row, owner, owned_since: at }));
    }
    case 'CustomerReleased':
    case 'CustomerRecycled':
      return update(rows, CUSTOMERS, event.data.customerId, (row) => ({ ...row, owner: null, owned_since: at, next_follow_up_at: null }));
    case 'CustomerLocked':
      return update(rows, CUSTOMERS, event.data.customerId, (row) => ({ ...row, locked: true }));
    case 'CustomerUnlocked':
      return update(rows, CUSTOMERS, event.data.customerId, (row) => ({ ...row, locked: false }));
    case 'CustomerMerged':
      // Its contacts move to the survivor (DuplicateCustomerAbsorbed); nothing is reminded about it any more.
      return update(rows, CUSTOMERS, event.data.customerId, (row) => ({ ...row, active: false, birthdays: null }));
    case 'DuplicateCustomerAbsorbed': {
      const contacts = event.data.contacts;
      return update(rows, CUSTOMERS, event.data.customerId, (row) => {
        let birthdays: Birthdays | null = birthdaysOf(row);
        // Same rule as the customer state: an absorbed contact replaces a survivor's contact with the same id.
        for (const contact of contacts) birthdays = withBirthday(birthdays ?? {}, contact.contactId, contact.birthday);
        return { ...row, birthdays };
      });
    }
    case 'PersonalDataErased':
      return update(rows, CUSTOMERS, event.data.customerId, (row) => ({ ...row, active: false, birthdays: null }));
    case 'OpportunityWon': {
      const customerId = event.data.customerId;
      return update(rows, CUSTOMERS, customerId, (row) => {
        const previous = row['last_deal_won_at'];
        return typeof previous === 'string' && previous >= at ? undefined : { ...row, last_deal_won_at: at };
      });
    }
    default:
      return;
  }
}

function applyOpportunity(event: ProjectedEvent, rows: RowWriter): void {
  const at = event.metadata.at;
  switch (event.type) {
    case 'OpportunityOpened':
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
    case 'OpportunityStageMoved': {
      const stage = event.data.to;
      return update(rows, OPPORTUNITIES, event.data.opportunityId, (row) => ({ ...row, stage }));
    }
    case 'OpportunityRevised': {
      const date = event.data.changes.expectedCloseDate;
      if (date === undefined) return;
      return update(rows, OPPORTUNITIES, event.data.opportunityId, (row) => ({
        ...row,
        expected_close_date: date,
        close_due_at: row['open'] === true ? closeDueAt(date) : null,
      }));
    }
    case 'OpportunityReassigned': {
      const owner = event.data.to;
      return update(rows, OPPORTUNITIES, event.data.opportunityId, (row) => ({ ...row, owner }));
    }
    case 'OpportunityWon':
    case 'OpportunityLost':
      return update(rows, OPPORTUNITIES, event.data.opportunityId, (row) => ({ ...row, open: false, close_due_at: null }));
    case 'OpportunityReopened': {
      const stage = event.data.stage;
      return update(rows, OPPORTUNITIES, event.data.opportunityId, (row) => ({
        ...row,
        open: true,
        stage,
        close_due_at: closeDueAt(text(row, 'expected_close_date')),
        open_since: at,
      }));
    }
    default:
      return;
  }
}

function applyTicket(event: ProjectedEvent, rows: RowWriter): void {
  switch (event.type) {
    case 'TicketOpened':
      rows.put(
        TICKETS,
        withTicketSla({
          ticket_id: event.data.ticketId,
          customer_id: event.data.customerId,
          assignee: null,
          status: 'open',
          priority: event.data.priority,
          first_response_due_at: event.data.firstResponseDueAt,
          resolution_due_at: event.data.resolutionDueAt,
          responded: false,
        }),
      );
      return;
    case 'TicketAssigned': {
      const assignee = event.data.to;
      return update(rows, TICKETS, event.data.ticketId, (row) => withTicketSla({ ...row, assignee, status: row['status'] === 'open' ? 'assigned' : row['status'] ?? null }));
    }
    case 'TicketUnassigned':
      return update(rows, TICKETS, event.data.ticketId, (row) => withTicketSla({ ...row, assignee: null, status: row['status'] === 'assigned' ? 'open' : row['status'] ?? null }));
    case 'TicketCommented':
      if (!event.data.firstResponse) return;
      return update(rows, TICKETS, event.data.ticketId, (row) => withTicketSla({ ...row, responded: true }));
    case 'TicketPriorityChanged': {
      const { to, firstResponseDueAt, resolutionDueAt } = event.data;
      return update(rows, TICKETS, event.data.ticketId, (row) =>
        withTicketSla({ ...row, priority: to, first_response_due_at: firstResponseDueAt, resolution_due_at: resolutionDueAt }),
      );
    }
    case 'TicketResolved': {
      const firstResponse = event.data.firstResponse;
      return update(rows, TICKETS, event.data.ticketId, (row) =>
        withTicketSla({ ...row, status: 'resolved', responded: firstResponse || row['responded'] === true }),
      );
    }
    case 'TicketClosed':
      return update(rows, TICKETS, event.data.ticketId, (row) => withTicketSla({ ...row, status: 'closed' }));
    case 'TicketReopened': {
      const status = event.data.status;
      return update(rows, TICKETS, event.data.ticketId, (row) => withTicketSla({ ...row, status }));
    }
    default:
      return;
  }
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
