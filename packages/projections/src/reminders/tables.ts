import type { TableSpec } from '../framework/types.ts';
import { configTable } from '../shared/configHistory.ts';
import { directoryTable } from '../shared/directory.ts';

/**
 * The reminders read model keeps, per subject, just the facts its due times
 * are computed from; the due times that depend on the configuration in force
 * at the query time (recycles) or on the query time itself (birthdays) are
 * computed by the query, so one row serves every `asOf`. Every table a
 * member query touches is indexed on its owner/assignee column first.
 */

/** The team directory (resident): roles, teams and active flags decide who sees orphans and unassigned tickets. */
export const remindersMembers: TableSpec = directoryTable('reminders_members');

/** The configuration history (resident): the recycle clock uses the configuration in force at the query time. */
export const remindersConfig: TableSpec = configTable('reminders_config');

/**
 * One row per registered customer: the recycle-clock facts, the pending
 * follow-up and the contacts' birthdays. `active` is false once the customer
 * is merged or erased (no customer reminders from then on). `birthdays` is a
 * JSON object `{ contactId: "MM-DD" | "YYYY-MM-DD" }` holding only contacts
 * with a birthday (personal data, cleared by erasure).
 */
export const remindersCustomers: TableSpec = {
  name: 'reminders_customers',
  columns: {
    customer_id: 'text',
    owner: 'text',
    active: 'boolean',
    stage: 'text',
    owned_since: 'text',
    last_follow_up_at: 'text',
    next_follow_up_at: 'text',
    locked: 'boolean',
    last_deal_won_at: 'text',
    birthdays: 'json',
  },
  key: ['customer_id'],
  indexes: [['owner']],
};

/**
 * One row per opportunity. `close_due_at` is the instant an open opportunity
 * becomes overdue (the start of the UTC day after its expected close date),
 * `null` once it is won or lost, so "overdue for a member" is one indexed
 * range scan on `(owner, close_due_at)`.
 */
export const remindersOpportunities: TableSpec = {
  name: 'reminders_opportunities',
  columns: {
    opportunity_id: 'text',
    customer_id: 'text',
    title: 'text',
    owner: 'text',
    open: 'boolean',
    stage: 'text',
    expected_close_date: 'text',
    close_due_at: 'text',
    open_since: 'text',
  },
  key: ['opportunity_id'],
  indexes: [['owner', 'close_due_at']],
};

/**
 * One row per ticket. `sla_due_at` is the earliest pending SLA due time while
 * the ticket is open or assigned (the first response while none was given,
 * the resolution), `null` otherwise, and `sla_target` names it; "tickets
 * due for a member" is one indexed range scan on `(assignee, sla_due_at)`,
 * and unassigned ones use the same index with `assignee IS NULL`.
 */
export const remindersTickets: TableSpec = {
  name: 'reminders_tickets',
  columns: {
    ticket_id: 'text',
    customer_id: 'text',
    assignee: 'text',
    status: 'text',
    priority: 'text',
    first_response_due_at: 'text',
    resolution_due_at: 'text',
    responded: 'boolean',
    sla_due_at: 'text',
    sla_target: 'text',
  },
  key: ['ticket_id'],
  indexes: [['assignee', 'sla_due_at']],
};

/** Every table of the reminders projection. */
export const remindersTables: readonly TableSpec[] = [remindersMembers, remindersConfig, remindersCustomers, remindersOpportunities, remindersTickets];
