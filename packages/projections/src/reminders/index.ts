/**
 * Reminders (projections.md §4, 智能提醒): the to-do list of follow-ups due,
 * recycles coming up, ticket SLAs about to pass, overdue and orphaned
 * opportunities and contact birthdays, for one member or for everyone.
 */
export { nextBirthday } from './birthdays.ts';
export type { BirthdayOccurrence } from './birthdays.ts';
export { remindersProjection } from './projection.ts';
export { BIRTHDAY_WINDOW_DAYS, compareReminders, reminderKinds, reminders, TICKET_WINDOW_HOURS } from './queries.ts';
export type {
  BirthdayDetail,
  FollowUpDetail,
  OpportunityOrphanedDetail,
  OpportunityOverdueDetail,
  RecycleDueDetail,
  Reminder,
  ReminderKind,
  RemindersQuery,
  RemindersReport,
  TicketSlaDetail,
} from './queries.ts';
export { remindersConfig, remindersCustomers, remindersMembers, remindersOpportunities, remindersTables, remindersTickets } from './tables.ts';
