import { SYSTEM_ACTOR, toMillis, type EventType } from '@eventcrm/domain';
import { draftRow } from '../framework/rows.ts';
import type { DraftRow, ProjectedEvent, ProjectionDefinition, Row, RowRef, RowView, RowWriter } from '../framework/types.ts';
import { int, textOrNull } from '../shared/cells.ts';
import { applyToDirectory, directoryEventTypes } from '../shared/directory.ts';
import { labelsOf } from './periods.ts';
import { CLOSURES, CREDITS, MEMBER_HISTORY, MEMBERS, MONEY, rankingsTables, SUPERSEDED, TARGETS } from './tables.ts';

/**
 * The team a fact is credited to: the member's team as the directory stands
 * at this point of the log (`''` when the member has none or is unknown, so
 * it can be part of a key). Resident, so `rowsNeeded` and `apply` agree.
 */
function teamAt(rows: RowView, memberId: string): string {
  const team = rows.get(MEMBERS, [memberId])?.['team'];
  return typeof team === 'string' ? team : '';
}

/** Who an event credits, or `null` when it credits nobody (a system follow-up, an unattributed ticket). */
function creditedMember(event: ProjectedEvent): string | null {
  switch (event.type) {
    case 'OpportunityOpened':
    case 'OpportunityWon':
    case 'OpportunityLost':
      return event.data.owner;
    case 'FollowUpLogged':
      return event.metadata.actor === SYSTEM_ACTOR ? null : event.metadata.actor;
    case 'CustomerClaimed':
      return event.data.to;
    case 'TicketResolved':
    case 'TicketRated':
      return event.data.resolvedBy;
    default:
      return null;
  }
}

const month = (event: ProjectedEvent): string => event.metadata.at.slice(0, 7);

/** The credit row an event adds to, by table. */
function creditRef(event: ProjectedEvent, memberId: string, team: string): RowRef {
  switch (event.type) {
    case 'OpportunityOpened':
    case 'OpportunityWon':
      return { table: MONEY, key: [memberId, team, month(event), event.data.amount.currency] };
    default:
      return { table: CREDITS, key: [memberId, team, month(event)] };
  }
}

/** The member's credit row for the fact's month as a draft, a new one when there is none yet. */
function creditsDraft(rows: RowWriter, memberId: string, team: string, at: string): DraftRow {
  const month = at.slice(0, 7);
  return (
    draftRow(rows, CREDITS, [memberId, team, month]) ?? {
      member_id: memberId,
      team,
      month,
      lost_count: 0,
      follow_ups: 0,
      claims: 0,
      resolved: 0,
      resolution_ms: 0,
      sla_met: 0,
      rating_sum: 0,
      rating_count: 0,
    }
  );
}

/** The member's money row for the fact's month and currency as a draft, a new one when there is none yet. */
function moneyDraft(rows: RowWriter, memberId: string, team: string, at: string, currency: string): DraftRow {
  const month = at.slice(0, 7);
  return (
    draftRow(rows, MONEY, [memberId, team, month, currency]) ?? {
      member_id: memberId,
      team,
      month,
      currency,
      won_count: 0,
      won_minor: '0',
      opened_count: 0,
      opened_minor: '0',
    }
  );
}

const addMinor = (row: Row, column: string, minor: string): string => (BigInt(textOrNull(row, column) ?? '0') + BigInt(minor)).toString();

/**
 * Records a closure (win or loss) of an opportunity. When its previous
 * closure was a loss (it was reopened since), that loss no longer counts in
 * any period label both closures fall in: an opportunity closed in a period
 * counts once for the win rate, by its last closure there.
 */
function recordClosure(event: ProjectedEvent & { type: 'OpportunityWon' | 'OpportunityLost' }, team: string, rows: RowWriter): void {
  const opportunityId = event.data.opportunityId;
  const previous = rows.get(CLOSURES, [opportunityId]);
  if (previous !== undefined && previous['outcome'] === 'lost') {
    const before = labelsOf(textOrNull(previous, 'at') ?? '');
    const now = labelsOf(event.metadata.at);
    for (let level = 0; level < now.length; level += 1) {
      if (before[level] !== now[level]) continue;
      rows.put(SUPERSEDED, {
        opportunity_id: opportunityId,
        loss_position: previous['position'] ?? '',
        period: now[level]!,
        member_id: previous['member_id'] ?? '',
        team: previous['team'] ?? '',
      });
    }
  }
  rows.put(CLOSURES, {
    opportunity_id: opportunityId,
    outcome: event.type === 'OpportunityWon' ? 'won' : 'lost',
    at: event.metadata.at,
    position: event.position,
    member_id: event.data.owner,
    team,
  });
}

function applyMemberEvent(event: ProjectedEvent, rows: RowWriter): void {
  if (event.type === 'SalesTargetSet') {
    // A later target for the same period replaces the earlier one (domain.md §2): a blind write.
    rows.put(TARGETS, {
      member_id: event.data.memberId,
      period: event.data.period,
      currency: event.data.amount.currency,
      minor: event.data.amount.minor,
      set_at: event.metadata.at,
    });
    return;
  }
  if (!applyToDirectory(MEMBERS, event, rows) || !('memberId' in event.data)) return;
  const member = rows.get(MEMBERS, [event.data.memberId]);
  if (member === undefined) return;
  rows.put(MEMBER_HISTORY, {
    member_id: event.data.memberId,
    position: Number(event.position),
    at: event.metadata.at,
    role: member['role'] ?? null,
    team: member['team'] ?? null,
    active: member['active'] ?? false,
  });
}

function applyCredit(event: ProjectedEvent, memberId: string, rows: RowWriter): void {
  const team = teamAt(rows, memberId);
  const at = event.metadata.at;
  switch (event.type) {
    case 'OpportunityOpened': {
      const row = moneyDraft(rows, memberId, team, at, event.data.amount.currency);
      row['opened_count'] = int(row, 'opened_count') + 1;
      row['opened_minor'] = addMinor(row, 'opened_minor', event.data.amount.minor);
      rows.put(MONEY, row);
      return;
    }
    case 'OpportunityWon': {
      const row = moneyDraft(rows, memberId, team, at, event.data.amount.currency);
      row['won_count'] = int(row, 'won_count') + 1;
      row['won_minor'] = addMinor(row, 'won_minor', event.data.amount.minor);
      rows.put(MONEY, row);
      recordClosure(event, team, rows);
      return;
    }
    case 'OpportunityLost': {
      const row = creditsDraft(rows, memberId, team, at);
      row['lost_count'] = int(row, 'lost_count') + 1;
      rows.put(CREDITS, row);
      recordClosure(event, team, rows);
      return;
    }
    case 'FollowUpLogged': {
      const row = creditsDraft(rows, memberId, team, at);
      row['follow_ups'] = int(row, 'follow_ups') + 1;
      rows.put(CREDITS, row);
      return;
    }
    case 'CustomerClaimed': {
      const row = creditsDraft(rows, memberId, team, at);
      row['claims'] = int(row, 'claims') + 1;
      rows.put(CREDITS, row);
      return;
    }
    case 'TicketResolved': {
      const row = creditsDraft(rows, memberId, team, at);
      const elapsed = Math.max(0, toMillis(at) - toMillis(event.data.openedAt));
      row['resolved'] = int(row, 'resolved') + 1;
      row['resolution_ms'] = int(row, 'resolution_ms') + elapsed;
      row['sla_met'] = int(row, 'sla_met') + (event.data.firstResponseMet && event.data.resolutionMet ? 1 : 0);
      rows.put(CREDITS, row);
      return;
    }
    case 'TicketRated': {
      const row = creditsDraft(rows, memberId, team, at);
      row['rating_sum'] = int(row, 'rating_sum') + event.data.score;
      row['rating_count'] = int(row, 'rating_count') + 1;
      rows.put(CREDITS, row);
      return;
    }
    default:
      return;
  }
}

const consumed: readonly EventType[] = [
  ...directoryEventTypes,
  'SalesTargetSet',
  'OpportunityOpened',
  'OpportunityWon',
  'OpportunityLost',
  'FollowUpLogged',
  'CustomerClaimed',
  'TicketResolved',
  'TicketRated',
];

/**
 * The `rankings` projection (projections.md §3): per member, team at the
 * time of the fact and UTC month, everything the performance metrics are
 * computed from — wins and pipeline opened per currency, losses, follow-ups,
 * pool claims, ticket resolutions (durations and SLA outcomes) and ratings —
 * plus the directory history (who ranks in a period) and sales targets. The
 * metrics themselves are derived at query time (`rankings`,
 * `memberPerformance`), so every ratio is recomputed from sums.
 */
export const rankingsProjection: ProjectionDefinition = {
  name: 'rankings',
  version: 1,
  tables: rankingsTables,
  eventTypes: consumed,
  rowsNeeded(event: ProjectedEvent, resident: RowView): readonly RowRef[] {
    const memberId = creditedMember(event);
    if (memberId === null) return [];
    const credit = creditRef(event, memberId, teamAt(resident, memberId));
    if (event.type === 'OpportunityWon' || event.type === 'OpportunityLost') {
      return [credit, { table: CLOSURES, key: [event.data.opportunityId] }];
    }
    return [credit];
  },
  apply(event: ProjectedEvent, rows: RowWriter): void {
    const memberId = creditedMember(event);
    if (memberId === null) {
      applyMemberEvent(event, rows);
      return;
    }
    applyCredit(event, memberId, rows);
  },
};
