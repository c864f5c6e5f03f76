import type { TableSpec } from '../framework/types.ts';
import { directoryTable } from '../shared/directory.ts';

/**
 * The ownership read model's tables. The layout serves two goals: `apply`
 * reads one row per customer and never a period row (the open period sits
 * inline in the customer row; a period row is written once, blindly, when it
 * closes), and every query is a key lookup or an indexed scan.
 */

/**
 * One row per registered customer: the open period inline (`open_*`; all
 * `null` once merged), how many periods have closed (the next period row's
 * `seq`), and the merge, if any. Indexed on the open owner so a portfolio as
 * of T finds the customers a member still owns without scanning.
 */
export const customersTable: TableSpec = {
  name: 'ownership_customers',
  columns: {
    customer_id: 'text',
    registered_at: 'text',
    closed_periods: 'integer',
    open_owner: 'text',
    open_from: 'text',
    open_start_reason: 'text',
    open_start_detail: 'text',
    open_start_actor: 'text',
    open_event_id: 'text',
    open_position: 'text',
    merged_into: 'text',
    merged_at: 'text',
  },
  key: ['customer_id'],
  indexes: [['open_owner', 'open_from']],
};

/**
 * The closed periods, keyed by customer and sequence number (0, 1, 2, ... in
 * order), so a history is one key-prefix scan. Each row keeps both
 * boundaries with the event id and global position that caused them.
 * Indexed on (owner, to_at): a portfolio as of T asks for the member's
 * periods that ended after T (and started at or before it).
 */
export const periodsTable: TableSpec = {
  name: 'ownership_periods',
  columns: {
    customer_id: 'text',
    seq: 'integer',
    owner: 'text',
    from_at: 'text',
    to_at: 'text',
    start_reason: 'text',
    start_detail: 'text',
    start_actor: 'text',
    start_event_id: 'text',
    start_position: 'text',
    end_reason: 'text',
    end_detail: 'text',
    end_actor: 'text',
    end_event_id: 'text',
    end_position: 'text',
  },
  key: ['customer_id', 'seq'],
  indexes: [['owner', 'to_at']],
};

/**
 * Ownership counts per member and UTC month (`YYYY-MM`), so member stats for
 * a month, quarter or year add up at most twelve rows found by key prefix.
 */
export const memberMonthsTable: TableSpec = {
  name: 'ownership_member_months',
  columns: {
    member_id: 'text',
    month: 'text',
    claims: 'integer',
    assigned: 'integer',
    transfers_in: 'integer',
    transfers_out: 'integer',
    releases: 'integer',
    recycles: 'integer',
  },
  key: ['member_id', 'month'],
};

/** The projection's own copy of the member directory (resident), so queries about an unknown member answer `NOT_FOUND`. */
export const membersTable: TableSpec = directoryTable('ownership_members');

/** Every table of the ownership projection. */
export const ownershipTables: readonly TableSpec[] = [customersTable, periodsTable, memberMonthsTable, membersTable];
