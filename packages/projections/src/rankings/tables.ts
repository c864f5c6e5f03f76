import type { TableSpec } from '../framework/types.ts';
import { directoryTable } from '../shared/directory.ts';

/**
 * The tables of the `rankings` projection. Credits are pre-aggregated per
 * member, per team the member was in when the fact happened, and per UTC
 * month: a month, quarter or year query sums one, three or twelve months,
 * and a member who changed team mid-period keeps one row per team, so team
 * rankings split correctly without replaying anything at query time.
 */

/** The team directory as it stands in log order (resident): the team a fact is credited to. */
export const MEMBERS = 'rankings_members';

/**
 * Every state a member went through (resident, one snapshot per member event):
 * who was an active rep or manager at any time in a period, and which team a
 * member was in at the end of it.
 */
export const MEMBER_HISTORY = 'rankings_member_history';

/** Count-type credits per member, team at the time of the fact (`''` for none) and month. */
export const CREDITS = 'rankings_credits';

/** Money credits per member, team, month and currency: wins and pipeline opened. */
export const MONEY = 'rankings_money';

/** The latest closure of each closed opportunity, to find losses a later closure supersedes. */
export const CLOSURES = 'rankings_closures';

/**
 * Losses that do not count for a period label because the same opportunity
 * closed again later within that period (reopened and then won or lost
 * again): an opportunity closed in a period counts once, by its last closure.
 */
export const SUPERSEDED = 'rankings_superseded_losses';

/** Sales targets per member and period label (the latest `SalesTargetSet` wins). */
export const TARGETS = 'rankings_targets';

/** The table specs of the projection, in a stable order. */
export const rankingsTables: readonly TableSpec[] = [
  directoryTable(MEMBERS),
  {
    name: MEMBER_HISTORY,
    columns: { member_id: 'text', position: 'integer', at: 'text', role: 'text', team: 'text', active: 'boolean' },
    key: ['member_id', 'position'],
    resident: true,
  },
  {
    name: CREDITS,
    columns: {
      member_id: 'text',
      team: 'text',
      month: 'text',
      lost_count: 'integer',
      follow_ups: 'integer',
      claims: 'integer',
      resolved: 'integer',
      resolution_ms: 'integer',
      sla_met: 'integer',
      rating_sum: 'integer',
      rating_count: 'integer',
    },
    key: ['member_id', 'team', 'month'],
    indexes: [['month']],
  },
  {
    name: MONEY,
    columns: {
      member_id: 'text',
      team: 'text',
      month: 'text',
      currency: 'text',
      won_count: 'integer',
      won_minor: 'text',
      opened_count: 'integer',
      opened_minor: 'text',
    },
    key: ['member_id', 'team', 'month', 'currency'],
    indexes: [['month']],
  },
  {
    name: CLOSURES,
    columns: { opportunity_id: 'text', outcome: 'text', at: 'text', position: 'text', member_id: 'text', team: 'text' },
    key: ['opportunity_id'],
  },
  {
    name: SUPERSEDED,
    columns: { opportunity_id: 'text', loss_position: 'text', period: 'text', member_id: 'text', team: 'text' },
    key: ['opportunity_id', 'loss_position', 'period'],
    indexes: [['period']],
  },
  {
    name: TARGETS,
    columns: { member_id: 'text', period: 'text', currency: 'text', minor: 'text', set_at: 'text' },
    key: ['member_id', 'period'],
    indexes: [['period']],
  },
];
