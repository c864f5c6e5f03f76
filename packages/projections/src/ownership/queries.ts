import { domainError, invalidCommand, normaliseInstant, parsePeriod, type DomainError } from '@eventcrm/domain';
import type { ReadModelReader, Row } from '../framework/types.ts';
import { int, text, textOrNull } from '../shared/cells.ts';
import { boundary, type OwnershipEndReason, type OwnershipHistory, type OwnershipPeriod, type OwnershipStartReason } from './model.ts';
import { customersTable, memberMonthsTable, membersTable, periodsTable } from './tables.ts';

/**
 * The ownership queries (projections.md §2), pure async functions over a
 * read-model reader. A query that cannot answer returns a `DomainError`
 * value (`NOT_FOUND`, or `INVALID_COMMAND` for an unreadable time or
 * period), never `undefined` and never a throw, so the CLI prints it like any
 * rejection; tell the two apart with `isDomainError`.
 */

/** `{ customerId, asOf, owner }`: the owner at an instant (`null` = the pool). */
export interface OwnerAsOf {
  readonly customerId: string;
  readonly asOf: string;
  readonly owner: string | null;
}

/** `{ memberId, asOf, customers }`: the customers a member owned at an instant, ids sorted. */
export interface PortfolioAsOf {
  readonly memberId: string;
  readonly asOf: string;
  readonly customers: readonly string[];
}

/** A member's ownership counts over a period (`2026`, `2026-Q1`, `2026-03`, UTC). */
export interface MemberOwnershipStats {
  readonly memberId: string;
  readonly period: string;
  readonly claims: number;
  readonly assigned: number;
  readonly transfersIn: number;
  readonly transfersOut: number;
  readonly releases: number;
  readonly recycles: number;
}

const customerNotFound = (customerId: string): DomainError =>
  domainError('NOT_FOUND', `customer ${customerId} does not exist`, { customerId });

const memberNotFound = (memberId: string): DomainError => domainError('NOT_FOUND', `member ${memberId} does not exist`, { memberId });

/** An instant in canonical form, or the `INVALID_COMMAND` naming the argument. */
function instant(value: string, path: string): string | DomainError {
  const normalised = normaliseInstant(value);
  return normalised ?? invalidCommand([{ path, message: 'must be an ISO-8601 date-time with a UTC offset, e.g. 2026-01-05T09:00:00Z' }]);
}

function closedPeriod(row: Row): OwnershipPeriod {
  return {
    owner: textOrNull(row, 'owner'),
    from: text(row, 'from_at'),
    to: text(row, 'to_at'),
    start: boundary(text(row, 'start_reason') as OwnershipStartReason, textOrNull(row, 'start_detail'), text(row, 'start_actor')),
    end: boundary(text(row, 'end_reason') as OwnershipEndReason, textOrNull(row, 'end_detail'), text(row, 'end_actor')),
    eventId: text(row, 'start_event_id'),
    position: text(row, 'start_position'),
  };
}

function openPeriod(customer: Row): OwnershipPeriod {
  return {
    owner: textOrNull(customer, 'open_owner'),
    from: text(customer, 'open_from'),
    to: null,
    start: boundary(text(customer, 'open_start_reason') as OwnershipStartReason, textOrNull(customer, 'open_start_detail'), text(customer, 'open_start_actor')),
    end: null,
    eventId: text(customer, 'open_event_id'),
    position: text(customer, 'open_position'),
  };
}

/**
 * A customer's ownership history: every period since registration in order,
 * the open one last (none after a merge). An unknown customer is `NOT_FOUND`.
 */
export async function ownershipHistory(reader: ReadModelReader, customerId: string): Promise<OwnershipHistory | DomainError> {
  const customer = await reader.get(customersTable.name, [customerId]);
  if (customer === undefined) return customerNotFound(customerId);
  const closed = await reader.scan(periodsTable.name, { where: { customer_id: customerId }, orderBy: [['seq', 'asc']] });
  const periods = closed.map(closedPeriod);
  const mergedInto = textOrNull(customer, 'merged_into');
  if (mergedInto === null) periods.push(openPeriod(customer));
  return { customerId, currentOwner: mergedInto === null ? textOrNull(customer, 'open_owner') : null, mergedInto, periods };
}

/**
 * The owner of a customer at an instant. Periods are half-open `[from, to)`,
 * so at the exact instant of a change the new owner is the owner, and a
 * zero-length period (two changes at one instant) owns no instant at all.
 * Before registration the answer is `NOT_FOUND` (details: `registeredAt`).
 * From the instant of a merge on it is `NOT_FOUND` too, with `mergedInto`
 * and `mergedAt` in the details: the customer no longer exists on its own,
 * and `owner: null` would wrongly say it sits in the pool (it cannot be
 * claimed), while its last owner's period has ended. Ask about the survivor.
 */
export async function ownerAsOf(reader: ReadModelReader, customerId: string, asOf: string): Promise<OwnerAsOf | DomainError> {
  const at = instant(asOf, 'asOf');
  if (typeof at !== 'string') return at;
  const customer = await reader.get(customersTable.name, [customerId]);
  if (customer === undefined) return customerNotFound(customerId);
  const registeredAt = text(customer, 'registered_at');
  if (at < registeredAt) {
    return domainError('NOT_FOUND', `customer ${customerId} was not registered yet at ${at}`, { customerId, asOf: at, registeredAt });
  }
  const mergedInto = textOrNull(customer, 'merged_into');
  const mergedAt = textOrNull(customer, 'merged_at');
  if (mergedInto !== null && mergedAt !== null && at >= mergedAt) {
    return domainError('NOT_FOUND', `customer ${customerId} was merged into ${mergedInto} at ${mergedAt}`, { customerId, asOf: at, mergedInto, mergedAt });
  }
  if (mergedInto === null && at >= text(customer, 'open_from')) return { customerId, asOf: at, owner: textOrNull(customer, 'open_owner') };
  // The latest period that started at or before T: later zero-length periods at T come after earlier ones by seq.
  const [period] = await reader.scan(periodsTable.name, {
    where: { customer_id: customerId, from_at: { lte: at } },
    orderBy: [['seq', 'desc']],
    limit: 1,
  });
  // Registration opened the first period at registeredAt ≤ T, so one exists unless the rows are damaged.
  if (period === undefined) return customerNotFound(customerId);
  return { customerId, asOf: at, owner: textOrNull(period, 'owner') };
}

/**
 * The customers a member owned at an instant, sorted by id: its closed
 * periods with `from ≤ T < to` (index on owner and end time) plus the open
 * periods it holds since T or earlier (index on the open owner). An unknown
 * member is `NOT_FOUND`.
 */
export async function portfolioAsOf(reader: ReadModelReader, memberId: string, asOf: string): Promise<PortfolioAsOf | DomainError> {
  const at = instant(asOf, 'asOf');
  if (typeof at !== 'string') return at;
  if ((await reader.get(membersTable.name, [memberId])) === undefined) return memberNotFound(memberId);
  const [closed, open] = await Promise.all([
    reader.scan(periodsTable.name, { where: { owner: memberId, to_at: { gt: at }, from_at: { lte: at } } }),
    reader.scan(customersTable.name, { where: { open_owner: memberId, open_from: { lte: at } } }),
  ]);
  const customers = new Set<string>();
  for (const row of closed) customers.add(text(row, 'customer_id'));
  for (const row of open) customers.add(text(row, 'customer_id'));
  return { memberId, asOf: at, customers: [...customers].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) };
}

/**
 * A member's ownership counts over a UTC year, quarter or month, summed from
 * the monthly rows: `claims` (pool claims it made), `assigned` (customers
 * assigned to it from the pool), `transfersIn`/`transfersOut` (customers
 * transferred to/from it), `releases` and `recycles` (its customers released
 * or recycled to the pool, whoever the actor; departure releases included).
 * An unreadable period is `INVALID_COMMAND` (path `period`), an unknown
 * member `NOT_FOUND`.
 */
export async function memberOwnershipStats(reader: ReadModelReader, memberId: string, period: string): Promise<MemberOwnershipStats | DomainError> {
  const parsed = parsePeriod(period);
  if (parsed === undefined) return invalidCommand([{ path: 'period', message: 'must be a period: YYYY, YYYY-Qn or YYYY-MM' }]);
  if ((await reader.get(membersTable.name, [memberId])) === undefined) return memberNotFound(memberId);
  const months = await reader.scan(memberMonthsTable.name, { where: { member_id: memberId, month: { in: parsed.months } } });
  const stats = { memberId, period: parsed.label, claims: 0, assigned: 0, transfersIn: 0, transfersOut: 0, releases: 0, recycles: 0 };
  for (const row of months) {
    stats.claims += int(row, 'claims');
    stats.assigned += int(row, 'assigned');
    stats.transfersIn += int(row, 'transfers_in');
    stats.transfersOut += int(row, 'transfers_out');
    stats.releases += int(row, 'releases');
    stats.recycles += int(row, 'recycles');
  }
  return stats;
}
