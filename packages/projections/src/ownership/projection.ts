import { utcMonth, type EventType } from '@eventcrm/domain';
import { draftRow } from '../framework/rows.ts';
import type { DraftRow, ProjectedEvent, ProjectionDefinition, Row, RowRef, RowWriter } from '../framework/types.ts';
import { int, text, textOrNull } from '../shared/cells.ts';
import { applyToDirectory, directoryEventTypes } from '../shared/directory.ts';
import { ownershipChangeOf, ownershipEventTypes, type OwnershipChange } from './model.ts';
import { customersTable, memberMonthsTable, membersTable, ownershipTables, periodsTable } from './tables.ts';

const CUSTOMERS = customersTable.name;
const PERIODS = periodsTable.name;
const MEMBER_MONTHS = memberMonthsTable.name;
const MEMBERS = membersTable.name;

/** The per-member counters an ownership change moves, by column. */
type Counter = 'claims' | 'assigned' | 'transfers_in' | 'transfers_out' | 'releases' | 'recycles';

/**
 * Which member's monthly counter each change moves. Counts follow the
 * customer, not the actor: a manager releasing a rep's customer counts as a
 * release for the rep (the member who lost it), and a departure release or
 * recycle (actor `system`) counts for the departing or idle owner.
 */
function countersOf(change: OwnershipChange): readonly (readonly [member: string, counter: Counter])[] {
  switch (change.reason) {
    case 'claimed':
      return change.to === null ? [] : [[change.to, 'claims']];
    case 'assigned':
      return change.to === null ? [] : [[change.to, 'assigned']];
    case 'transferred': {
      const moves: (readonly [string, Counter])[] = [];
      if (change.from !== null) moves.push([change.from, 'transfers_out']);
      if (change.to !== null) moves.push([change.to, 'transfers_in']);
      return moves;
    }
    case 'released':
      return change.from === null ? [] : [[change.from, 'releases']];
    case 'recycled':
      return change.from === null ? [] : [[change.from, 'recycles']];
    case 'registered':
    case 'merged':
      return [];
  }
}

function count(rows: RowWriter, member: string, month: string, counter: Counter): void {
  const row = draftRow(rows, MEMBER_MONTHS, [member, month]);
  if (row === undefined) {
    rows.put(MEMBER_MONTHS, { member_id: member, month, claims: 0, assigned: 0, transfers_in: 0, transfers_out: 0, releases: 0, recycles: 0, [counter]: 1 });
    return;
  }
  row[counter] = int(row, counter) + 1;
  rows.put(MEMBER_MONTHS, row);
}

/** Writes the customer's open period as a closed period row ending with this event. */
function closeOpenPeriod(rows: RowWriter, customer: Row, event: ProjectedEvent, change: OwnershipChange): number {
  const seq = int(customer, 'closed_periods');
  rows.put(PERIODS, {
    customer_id: change.customerId,
    seq,
    owner: textOrNull(customer, 'open_owner'),
    from_at: text(customer, 'open_from'),
    to_at: event.metadata.at,
    start_reason: text(customer, 'open_start_reason'),
    start_detail: textOrNull(customer, 'open_start_detail'),
    start_actor: text(customer, 'open_start_actor'),
    start_event_id: text(customer, 'open_event_id'),
    start_position: text(customer, 'open_position'),
    end_reason: change.reason,
    end_detail: change.detail,
    end_actor: event.metadata.actor,
    end_event_id: event.eventId,
    end_position: event.position,
  });
  return seq + 1;
}

/** Opens the customer's next period with this event (the `open_*` columns). */
function openPeriod(row: DraftRow, event: ProjectedEvent, change: OwnershipChange): void {
  row['open_owner'] = change.to;
  row['open_from'] = event.metadata.at;
  row['open_start_reason'] = change.reason;
  row['open_start_detail'] = change.detail;
  row['open_start_actor'] = event.metadata.actor;
  row['open_event_id'] = event.eventId;
  row['open_position'] = event.position;
}

function applyOwnership(event: ProjectedEvent, change: OwnershipChange, rows: RowWriter): void {
  const month = utcMonth(event.metadata.at);
  for (const [member, counter] of countersOf(change)) count(rows, member, month, counter);

  if (change.reason === 'registered') {
    // A customer id is registered once (ALREADY_EXISTS), so the row is written blindly.
    const row: DraftRow = { customer_id: change.customerId, registered_at: event.metadata.at, closed_periods: 0 };
    openPeriod(row, event, change);
    row['merged_into'] = null;
    row['merged_at'] = null;
    rows.put(CUSTOMERS, row);
    return;
  }
  const customer = rows.get(CUSTOMERS, [change.customerId]);
  // Total on any log: a change to a customer never registered, or to one
  // already merged away, has no life to extend (the domain never emits either).
  if (customer === undefined || customer['merged_into'] !== null) return;
  const closedPeriods = closeOpenPeriod(rows, customer, event, change);
  // The period row above read the open period; the draft may be the same object, so it changes only now.
  const row = draftRow(rows, CUSTOMERS, [change.customerId])!;
  row['closed_periods'] = closedPeriods;
  if (change.reason === 'merged') {
    row['open_owner'] = null;
    row['open_from'] = null;
    row['open_start_reason'] = null;
    row['open_start_detail'] = null;
    row['open_start_actor'] = null;
    row['open_event_id'] = null;
    row['open_position'] = null;
    row['merged_into'] = change.detail;
    row['merged_at'] = event.metadata.at;
  } else {
    openPeriod(row, event, change);
  }
  rows.put(CUSTOMERS, row);
}

const consumed: readonly EventType[] = [...ownershipEventTypes, ...directoryEventTypes];

/**
 * The customer ownership history projection (projections.md §2): periods per
 * customer, the current owner, portfolios as of any time, and per-member
 * monthly ownership counts. See `tables.ts` for the layout; `apply` reads at
 * most one customer row and the member-month counters it increments.
 */
export const ownershipProjection: ProjectionDefinition = {
  name: 'ownership',
  version: 1,
  tables: ownershipTables,
  eventTypes: consumed,
  rowsNeeded(event: ProjectedEvent): readonly RowRef[] {
    const change = ownershipChangeOf(event);
    if (change === undefined || change.reason === 'registered') return [];
    const month = utcMonth(event.metadata.at);
    const refs: RowRef[] = [{ table: CUSTOMERS, key: [change.customerId] }];
    for (const [member] of countersOf(change)) refs.push({ table: MEMBER_MONTHS, key: [member, month] });
    return refs;
  },
  apply(event: ProjectedEvent, rows: RowWriter): void {
    if (applyToDirectory(MEMBERS, event, rows)) return;
    const change = ownershipChangeOf(event);
    if (change !== undefined) applyOwnership(event, change, rows);
  },
};
