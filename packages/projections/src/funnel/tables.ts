import type { TableSpec } from '../framework/types.ts';
import { configTable } from '../shared/configHistory.ts';
import { directoryTable } from '../shared/directory.ts';

/**
 * The tables of the `funnel` projection (projections.md §1): one row per
 * opportunity with the columns the sales-funnel filters need, one small
 * running tally per currency so the unfiltered and currency-only funnels
 * read a handful of rows instead of every opportunity, one row per customer
 * and per lifecycle stage for the customer lifecycle funnel, and the
 * projection's own member directory and configuration history.
 */

/** Table names, prefixed by the projection. */
export const FUNNEL_OPPORTUNITIES = 'funnel_opportunities';
export const FUNNEL_TOTALS = 'funnel_totals';
export const FUNNEL_CUSTOMERS = 'funnel_customers';
export const FUNNEL_LIFECYCLE = 'funnel_lifecycle';
export const FUNNEL_MEMBERS = 'funnel_members';
export const FUNNEL_CONFIG = 'funnel_config';

/**
 * One row per opportunity, kept at its latest state (a reopened one counts
 * by what it is now). `amount` is minor units of `currency` (the final
 * amount once won, the amount when lost once lost); `stages_visited` is the
 * sorted, comma-separated set of every pipeline stage it has been in (stage
 * ids cannot hold commas); `stays` holds the cumulative milliseconds of its
 * *ended* stays per stage (a stage appears once one stay in it ended, even
 * after zero milliseconds); `stay_started_at` is when the current stay
 * began (null while closed). Indexed for the owner + cohort filter and the
 * currency filter.
 */
export const opportunitiesTable: TableSpec = {
  name: FUNNEL_OPPORTUNITIES,
  columns: {
    opportunity_id: 'text',
    owner: 'text',
    opened_at: 'text',
    currency: 'text',
    status: 'text',
    stage: 'text',
    amount: 'text',
    stage_probability: 'real',
    probability_override: 'real',
    expected_close_date: 'text',
    stages_visited: 'text',
    stays: 'json',
    stay_started_at: 'text',
    lost_reason: 'text',
    closed_at: 'text',
  },
  key: ['opportunity_id'],
  indexes: [['owner', 'opened_at'], ['currency']],
};

/**
 * The running tally of every opportunity, one row per currency (the
 * opportunity's current currency), maintained incrementally by subtracting
 * an opportunity's old contribution and adding its new one. Resident: a few
 * rows that every opportunity event touches, so they stay in memory during
 * a run and cost no fetch. See `tally.ts` for the cell's layout.
 */
export const totalsTable: TableSpec = {
  name: FUNNEL_TOTALS,
  columns: { currency: 'text', tally: 'json' },
  key: ['currency'],
  resident: true,
};

/**
 * One row per customer: its lifecycle stage now, the furthest funnel stage
 * it has reached (never `dormant`), and whether it still counts (merged
 * duplicates and erased customers do not).
 */
export const customersTable: TableSpec = {
  name: FUNNEL_CUSTOMERS,
  columns: { customer_id: 'text', stage: 'text', furthest: 'text', active: 'boolean' },
  key: ['customer_id'],
};

/**
 * Counts per lifecycle stage over counted customers: how many are in it now
 * (`current`) and how many have it as their furthest reached stage
 * (`furthest`). Five rows at most, resident.
 */
export const lifecycleTable: TableSpec = {
  name: FUNNEL_LIFECYCLE,
  columns: { stage: 'text', current: 'integer', furthest: 'integer' },
  key: ['stage'],
  resident: true,
};

/** The projection's member directory (the team filter reads owners' current teams). */
export const membersTable: TableSpec = directoryTable(FUNNEL_MEMBERS);

/** The projection's configuration history (the funnel lists the pipeline in force now). */
export const configHistoryTable: TableSpec = configTable(FUNNEL_CONFIG);

/** Every table of the projection. */
export const funnelTables: readonly TableSpec[] = [opportunitiesTable, totalsTable, customersTable, lifecycleTable, membersTable, configHistoryTable];
