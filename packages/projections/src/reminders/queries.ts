import {
  addDays,
  addHours,
  configAt,
  domainError,
  invalidCommand,
  nextRecycle,
  normaliseInstant,
  utcDay,
  wholeDaysBetween,
  type DomainError,
  type LifecycleStage,
  type RecycleRule,
  type TicketPriority,
} from '@eventcrm/domain';
import type { ReadModelReader, Row } from '../framework/types.ts';
import { bool, json, text, textOrNull } from '../shared/cells.ts';
import { historyOf } from '../shared/configHistory.ts';
import { nextBirthday } from './birthdays.ts';
import { remindersConfig, remindersCustomers, remindersMembers, remindersOpportunities, remindersTickets } from './tables.ts';

/**
 * The kinds of reminder, in the order ties on `dueAt` are listed (plain
 * string order of the names, so any consumer can reproduce it).
 */
export const reminderKinds = ['birthday', 'follow_up', 'opportunity_orphaned', 'opportunity_overdue', 'recycle_due', 'ticket_sla'] as const;
/** A kind of reminder. */
export type ReminderKind = (typeof reminderKinds)[number];

/** How far ahead birthdays are listed: the next occurrence at most this many days after T's UTC day. */
export const BIRTHDAY_WINDOW_DAYS = 7;
/** How far ahead SLA due times are listed. */
export const TICKET_WINDOW_HOURS = 24;

/** A follow-up the owner scheduled (`nextFollowUpAt`) that is due. `dueAt` = `nextFollowUpAt`. */
export interface FollowUpDetail {
  readonly customerId: string;
  readonly nextFollowUpAt: string;
  /** When the follow-up that scheduled it was logged. */
  readonly lastFollowUpAt: string | null;
}

/** The customer's earliest recycle (domain.md §3 recycle clock). `dueAt` = the time the rule starts to hold. */
export interface RecycleDueDetail {
  readonly customerId: string;
  readonly rule: RecycleRule;
  readonly dueAt: string;
  /** True when the rule already holds at T (a pool sweep at T would recycle the customer). */
  readonly holds: boolean;
  /** The warning window in force at T, in days. */
  readonly warnDaysBefore: number;
  readonly ownedSince: string;
  readonly lastFollowUpAt: string | null;
  readonly lastDealWonAt: string | null;
}

/** A ticket's pending SLA target. `dueAt` = that target's due time. */
export interface TicketSlaDetail {
  readonly ticketId: string;
  readonly customerId: string;
  readonly target: 'first_response' | 'resolution';
  readonly dueAt: string;
  /** True when T is past the due time (a target met exactly at its due time is still met). */
  readonly breached: boolean;
  readonly status: 'open' | 'assigned';
  readonly priority: TicketPriority;
  readonly assignee: string | null;
  /** `null` once the first response was given. */
  readonly firstResponseDueAt: string | null;
  readonly resolutionDueAt: string;
}

/** An open opportunity past its expected close date. `dueAt` = the start of the UTC day after that date. */
export interface OpportunityOverdueDetail {
  readonly opportunityId: string;
  readonly customerId: string;
  readonly title: string;
  readonly stage: string;
  readonly expectedCloseDate: string;
  /** Whole days since `dueAt`, rounded down. */
  readonly daysOverdue: number;
}

/**
 * An open opportunity whose owner is deactivated and that was not
 * reassigned (domain.md §6.1). `dueAt` = when it became orphaned: the later
 * of the owner's deactivation and the opportunity's (re)opening.
 */
export interface OpportunityOrphanedDetail {
  readonly opportunityId: string;
  readonly customerId: string;
  readonly title: string;
  readonly stage: string;
  readonly expectedCloseDate: string;
  /** The inactive owner (also the item's `memberId`). */
  readonly owner: string;
  /** The owner's last team: its active managers get the reminder. */
  readonly ownerTeam: string | null;
  readonly ownerDeactivatedAt: string | null;
  /** True when it is also past its expected close date. */
  readonly overdue: boolean;
}

/** A contact's birthday within the window. `dueAt` = the start (UTC) of the day it falls on. */
export interface BirthdayDetail {
  readonly customerId: string;
  readonly contactId: string;
  /** As recorded: `MM-DD` or `YYYY-MM-DD`. */
  readonly birthday: string;
  /** The day of the next occurrence on or after T's UTC day (February 29 falls on February 28 in common years). */
  readonly date: string;
  readonly daysUntil: number;
  /** The age reached that day, when the birthday carries a year. */
  readonly age: number | null;
}

interface Item<Kind extends ReminderKind, Detail> {
  readonly kind: Kind;
  /** Whom the reminder is for: the customer's or opportunity's owner, the ticket's assignee (`null`: unassigned). */
  readonly memberId: string | null;
  /** The customer, opportunity or ticket id. */
  readonly subjectId: string;
  readonly dueAt: string;
  readonly detail: Detail;
}

/** One entry of the to-do list (projections.md §4). */
export type Reminder =
  | Item<'follow_up', FollowUpDetail>
  | Item<'recycle_due', RecycleDueDetail>
  | Item<'ticket_sla', TicketSlaDetail>
  | Item<'opportunity_overdue', OpportunityOverdueDetail>
  | Item<'opportunity_orphaned', OpportunityOrphanedDetail>
  | Item<'birthday', BirthdayDetail>;

/** The arguments of the reminders query: the time and, optionally, the member whose list it is. */
export interface RemindersQuery {
  /** Any ISO-8601 instant; normalised to UTC. */
  readonly asOf: string;
  /** Omitted: every member's reminders (and unassigned tickets). */
  readonly memberId?: string;
}

/** The to-do list: `{ asOf, items }` as projections.md §4 prints it (`memberId` is an extra field). */
export interface RemindersReport {
  readonly asOf: string;
  readonly memberId: string | null;
  readonly items: readonly Reminder[];
}

/** A member as the query sees it. */
interface Member {
  readonly id: string;
  readonly role: string;
  readonly team: string | null;
  readonly active: boolean;
  readonly deactivatedAt: string | null;
}

/** The instants the query compares due times against. */
interface Horizon {
  readonly asOf: string;
  readonly today: string;
  readonly recycleUntil: string;
  readonly warnDaysBefore: number;
  readonly ticketsUntil: string;
}

const customerReminders = (row: Row, horizon: Horizon, config: Parameters<typeof nextRecycle>[1], out: Reminder[]): void => {
  const customerId = text(row, 'customer_id');
  const owner = textOrNull(row, 'owner');
  if (owner === null || !bool(row, 'active')) return;
  const ownedSince = text(row, 'owned_since');
  const lastFollowUpAt = textOrNull(row, 'last_follow_up_at');
  const nextFollowUpAt = textOrNull(row, 'next_follow_up_at');
  if (nextFollowUpAt !== null && nextFollowUpAt <= horizon.asOf) {
    out.push({ kind: 'follow_up', memberId: owner, subjectId: customerId, dueAt: nextFollowUpAt, detail: { customerId, nextFollowUpAt, lastFollowUpAt } });
  }
  const lastDealWonAt = textOrNull(row, 'last_deal_won_at');
  const recycle = nextRecycle(
    { owner, ownedSince, lastFollowUpAt, stage: text(row, 'stage') as LifecycleStage, locked: bool(row, 'locked'), active: true, lastDealWonAt },
    config,
  );
  if (recycle !== null && recycle.dueAt <= horizon.recycleUntil) {
    out.push({
      kind: 'recycle_due',
      memberId: owner,
      subjectId: customerId,
      dueAt: recycle.dueAt,
      detail: {
        customerId,
        rule: recycle.rule,
        dueAt: recycle.dueAt,
        holds: recycle.dueAt <= horizon.asOf,
        warnDaysBefore: horizon.warnDaysBefore,
        ownedSince,
        lastFollowUpAt,
        lastDealWonAt,
      },
    });
  }
  const birthdays = json<{ readonly [contactId: string]: string }>(row, 'birthdays');
  if (birthdays === null) return;
  for (const [contactId, birthday] of Object.entries(birthdays)) {
    const next = nextBirthday(birthday, horizon.today);
    if (next === null || next.daysUntil > BIRTHDAY_WINDOW_DAYS) continue;
    out.push({
      kind: 'birthday',
      memberId: owner,
      subjectId: customerId,
      dueAt: `${next.date}T00:00:00.000Z`,
      detail: { customerId, contactId, birthday, date: next.date, daysUntil: next.daysUntil, age: next.age },
    });
  }
};

const opportunityReminder = (row: Row, horizon: Horizon, directory: ReadonlyMap<string, Member>, out: Reminder[]): void => {
  if (!bool(row, 'open')) return;
  const opportunityId = text(row, 'opportunity_id');
  const owner = text(row, 'owner');
  const closeDueAt = textOrNull(row, 'close_due_at');
  const overdue = closeDueAt !== null && closeDueAt <= horizon.asOf;
  const base = { opportunityId, customerId: text(row, 'customer_id'), title: text(row, 'title'), stage: text(row, 'stage'), expectedCloseDate: text(row, 'expected_close_date') };
  const member = directory.get(owner);
  if (member !== undefined && !member.active) {
    const openSince = text(row, 'open_since');
    const since = member.deactivatedAt !== null && member.deactivatedAt > openSince ? member.deactivatedAt : openSince;
    out.push({
      kind: 'opportunity_orphaned',
      memberId: owner,
      subjectId: opportunityId,
      dueAt: since,
      detail: { ...base, owner, ownerTeam: member.team, ownerDeactivatedAt: member.deactivatedAt, overdue },
    });
    return;
  }
  if (!overdue) return;
  out.push({ kind: 'opportunity_overdue', memberId: owner, subjectId: opportunityId, dueAt: closeDueAt, detail: { ...base, daysOverdue: wholeDaysBetween(closeDueAt, horizon.asOf) } });
};

const ticketReminder = (row: Row, horizon: Horizon, out: Reminder[]): void => {
  const dueAt = textOrNull(row, 'sla_due_at');
  const target = textOrNull(row, 'sla_target');
  const status = text(row, 'status');
  if (dueAt === null || dueAt > horizon.ticketsUntil || (target !== 'first_response' && target !== 'resolution') || (status !== 'open' && status !== 'assigned')) return;
  const ticketId = text(row, 'ticket_id');
  const assignee = textOrNull(row, 'assignee');
  out.push({
    kind: 'ticket_sla',
    memberId: assignee,
    subjectId: ticketId,
    dueAt,
    detail: {
      ticketId,
      customerId: text(row, 'customer_id'),
      target,
      dueAt,
      breached: horizon.asOf > dueAt,
      status,
      priority: text(row, 'priority') as TicketPriority,
      assignee,
      firstResponseDueAt: bool(row, 'responded') ? null : text(row, 'first_response_due_at'),
      resolutionDueAt: text(row, 'resolution_due_at'),
    },
  });
};

const compareText = (a: string | null, b: string | null): number => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1);

/** The list order: `dueAt`, then kind, then subject id; then member (unassigned first) and contact, so the order is total. */
export function compareReminders(a: Reminder, b: Reminder): number {
  return (
    compareText(a.dueAt, b.dueAt) ||
    compareText(a.kind, b.kind) ||
    compareText(a.subjectId, b.subjectId) ||
    compareText(a.memberId, b.memberId) ||
    compareText(a.kind === 'birthday' ? a.detail.contactId : null, b.kind === 'birthday' ? b.detail.contactId : null)
  );
}

const memberOf = (row: Row): Member => ({
  id: text(row, 'member_id'),
  role: text(row, 'role'),
  team: textOrNull(row, 'team'),
  active: bool(row, 'active'),
  deactivatedAt: textOrNull(row, 'deactivated_at'),
});

/**
 * The to-do list of projections.md §4 as of T, for one member or for all.
 *
 * Facts are the read model's current ones; T decides what is due, and the
 * recycle clock uses the configuration in force at T. All members: every
 * reminder, each under the member it is for (`memberId: null` for
 * unassigned tickets; the inactive owner for orphaned opportunities). One
 * member: the reminders whose `memberId` is that member, plus, when the
 * member is an active manager or admin, the unassigned tickets, and the
 * orphaned opportunities of inactive members of the manager's team (an
 * admin: of everyone); those keep their own `memberId`. Every scan of a
 * member query goes through an owner/assignee index.
 *
 * Like the other queries, it answers with a `DomainError` value rather than
 * a throw: `INVALID_COMMAND` (path `asOf`) for an unreadable time,
 * `NOT_FOUND` for a member id the directory does not know.
 */
export async function reminders(reader: ReadModelReader, query: RemindersQuery): Promise<RemindersReport | DomainError> {
  const asOf = normaliseInstant(query.asOf);
  if (asOf === undefined) return invalidCommand([{ path: 'asOf', message: 'must be an ISO-8601 date-time with a UTC offset, e.g. 2026-01-05T09:00:00Z' }]);
  const memberId = query.memberId ?? null;
  const [memberRows, configRows] = await Promise.all([reader.scan(remindersMembers.name), reader.scan(remindersConfig.name)]);
  const directory = new Map(memberRows.map((row) => [text(row, 'member_id'), memberOf(row)]));
  if (memberId !== null && !directory.has(memberId)) return domainError('NOT_FOUND', `member ${memberId} does not exist`, { memberId });
  const config = configAt(historyOf(configRows), asOf);
  const warnDaysBefore = config.pool.recycle.warnDaysBefore;
  const horizon: Horizon = {
    asOf,
    today: utcDay(asOf),
    recycleUntil: addDays(asOf, warnDaysBefore),
    warnDaysBefore,
    ticketsUntil: addHours(asOf, TICKET_WINDOW_HOURS),
  };
  const ticketDue = { lte: horizon.ticketsUntil };

  let customers: readonly Row[];
  let opportunities: readonly Row[];
  let tickets: readonly Row[];
  if (memberId === null) {
    [customers, opportunities, tickets] = await Promise.all([
      reader.scan(remindersCustomers.name, { where: { owner: { notNull: true }, active: true } }),
      reader.scan(remindersOpportunities.name, { where: { open: true } }),
      reader.scan(remindersTickets.name, { where: { sla_due_at: ticketDue } }),
    ]);
  } else {
    const member = directory.get(memberId);
    const supervisor = member !== undefined && member.active && (member.role === 'admin' || member.role === 'manager') ? member : undefined;
    const orphanOwners = [...directory.values()]
      .filter((other) =>
        !other.active &&
        (other.id === memberId || supervisor?.role === 'admin' || (supervisor?.role === 'manager' && supervisor.team !== null && other.team === supervisor.team)),
      )
      .map((other) => other.id)
      .sort();
    const scans: Promise<readonly Row[]>[] = [
      reader.scan(remindersCustomers.name, { where: { owner: memberId, active: true } }),
      // An inactive owner's open opportunities are orphans (below), never merely overdue.
      member?.active === false ? Promise.resolve([]) : reader.scan(remindersOpportunities.name, { where: { owner: memberId, close_due_at: { lte: asOf } } }),
      orphanOwners.length === 0 ? Promise.resolve([]) : reader.scan(remindersOpportunities.name, { where: { owner: { in: orphanOwners }, open: true } }),
      reader.scan(remindersTickets.name, { where: { assignee: memberId, sla_due_at: ticketDue } }),
      supervisor === undefined ? Promise.resolve([]) : reader.scan(remindersTickets.name, { where: { assignee: null, sla_due_at: ticketDue } }),
    ];
    const [owned, overdue, orphaned, assigned, unassigned] = await Promise.all(scans);
    customers = owned!;
    opportunities = [...overdue!, ...orphaned!];
    tickets = [...assigned!, ...unassigned!];
  }

  const items: Reminder[] = [];
  for (const row of customers) customerReminders(row, horizon, config, items);
  for (const row of opportunities) opportunityReminder(row, horizon, directory, items);
  for (const row of tickets) ticketReminder(row, horizon, items);
  items.sort(compareReminders);
  return { asOf, memberId, items };
}
