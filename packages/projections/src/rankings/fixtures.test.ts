import { isDomainError, type CrmEvent, type DomainError, type MemberRole } from '@eventcrm/domain';
import { event } from '@eventcrm/domain/testing';
import { inLog, projectEvents } from '@eventcrm/projections/testing';
import type { ReadModelReader } from '../framework/types.ts';
import { rankingsProjection } from './projection.ts';
import { memberPerformance, rankings, type MemberPerformance, type MemberRankingRow, type RankingsQuery, type RankingsReport, type TeamRankingRow } from './queries.ts';

/**
 * Event builders for the rankings specs, with only the fields that matter to
 * rankings as arguments, and helpers that project and query. (`.test.ts`:
 * shared by the `*.spec.ts` files, kept out of the build and the test include.)
 */

const JAN_1 = '2026-01-01T00:00:00.000Z';

export const registered = (memberId: string, role: MemberRole, team: string | null, at = JAN_1): CrmEvent =>
  event('MemberRegistered', { memberId, name: memberId, role, team }, { at, actor: 'system' });

export const moved = (memberId: string, from: string | null, to: string, at: string): CrmEvent =>
  event('MemberMovedToTeam', { memberId, from, to }, { at, actor: 'system' });

export const roleChanged = (memberId: string, from: MemberRole, to: MemberRole, at: string): CrmEvent =>
  event('MemberRoleChanged', { memberId, from, to }, { at, actor: 'system' });

export const deactivated = (memberId: string, at: string, role: MemberRole = 'rep', team: string | null = null): CrmEvent =>
  event('MemberDeactivated', { memberId, successorId: null, role, team }, { at, actor: 'system' });

export const targetSet = (memberId: string, period: string, currency: string, minor: string, at = JAN_1): CrmEvent =>
  event('SalesTargetSet', { memberId, period, amount: { currency, minor }, previous: null }, { at, actor: 'system' });

export const opened = (opportunityId: string, owner: string, currency: string, minor: string, at: string): CrmEvent =>
  event(
    'OpportunityOpened',
    { opportunityId, customerId: `cus-${opportunityId}`, title: opportunityId, amount: { currency, minor }, expectedCloseDate: '2026-12-31', stage: 'prospecting', probability: 10, owner },
    { at, actor: owner },
  );

export const won = (opportunityId: string, owner: string, currency: string, minor: string, at: string): CrmEvent =>
  event('OpportunityWon', { opportunityId, customerId: `cus-${opportunityId}`, owner, amount: { currency, minor }, stage: 'negotiation' }, { at, actor: owner });

export const lost = (opportunityId: string, owner: string, at: string, currency = 'USD', minor = '100000'): CrmEvent =>
  event(
    'OpportunityLost',
    { opportunityId, customerId: `cus-${opportunityId}`, owner, reason: 'price', competitor: null, note: null, amount: { currency, minor }, stage: 'proposal' },
    { at, actor: owner },
  );

export const reopened = (opportunityId: string, at: string): CrmEvent => event('OpportunityReopened', { opportunityId, stage: 'proposal', probability: 60 }, { at, actor: 'system' });

export const reassigned = (opportunityId: string, from: string, to: string, at: string): CrmEvent => event('OpportunityReassigned', { opportunityId, from, to }, { at, actor: 'system' });

/** A follow-up logged by `actor` on a customer owned by `owner`. */
export const followUp = (customerId: string, actor: string, at: string, owner = actor): CrmEvent =>
  event('FollowUpLogged', { customerId, channel: 'call', summary: 'called', contactId: null, nextFollowUpAt: null, owner }, { at, actor });

export const claimed = (customerId: string, to: string, at: string): CrmEvent =>
  event(
    'CustomerClaimed',
    { customerId, to, holdingsBefore: 0, claimsTodayBefore: 0, policy: { holdingLimit: 200, dailyClaimLimit: 20, reclaimCooldownDays: 7 } },
    { at, actor: to },
  );

export const assignedCustomer = (customerId: string, to: string, at: string): CrmEvent => event('CustomerAssigned', { customerId, to }, { at, actor: 'system' });

/** A resolution of a ticket opened at `openedAt`, credited to `resolvedBy`, with its SLA outcomes. */
export const resolved = (ticketId: string, resolvedBy: string | null, openedAt: string, at: string, sla: { firstResponseMet: boolean; resolutionMet: boolean } = { firstResponseMet: true, resolutionMet: true }): CrmEvent =>
  event('TicketResolved', { ticketId, resolution: 'fixed', resolvedBy, openedAt, firstResponse: false, ...sla }, { at, actor: resolvedBy ?? 'system' });

export const ticketReopened = (ticketId: string, at: string): CrmEvent => event('TicketReopened', { ticketId, reason: 'again', status: 'assigned' }, { at, actor: 'system' });

export const rated = (ticketId: string, score: number, resolvedBy: string | null, at: string): CrmEvent =>
  event('TicketRated', { ticketId, score, comment: null, resolvedBy }, { at, actor: 'system' });

/** Projects events (in this order) through the rankings projection alone. */
export const project = (events: readonly CrmEvent[]): ReadModelReader => projectEvents([rankingsProjection], inLog(events));

const unwrap = <Value>(result: Value | DomainError): Value => {
  if (isDomainError(result)) throw new Error(`expected an answer, got ${result.code}: ${result.message}`);
  return result;
};

/** A member ranking that must succeed. */
export const memberRanking = async (reader: ReadModelReader, query: Omit<RankingsQuery, 'teams'>): Promise<RankingsReport<MemberRankingRow>> =>
  unwrap<RankingsReport>(await rankings(reader, query)) as RankingsReport<MemberRankingRow>;

/** A team ranking that must succeed. */
export const teamRanking = async (reader: ReadModelReader, query: Omit<RankingsQuery, 'teams'>): Promise<RankingsReport<TeamRankingRow>> =>
  unwrap<RankingsReport>(await rankings(reader, { ...query, teams: true })) as RankingsReport<TeamRankingRow>;

/** One member's performance that must succeed. */
export const performance = async (reader: ReadModelReader, memberId: string, period: string, currency?: string): Promise<MemberPerformance> =>
  unwrap<MemberPerformance>(await memberPerformance(reader, memberId, period, currency === undefined ? {} : { currency }));

/** `[id, rank, value]` of each row, in order: the shape of a ranking at a glance. */
export const standings = (report: RankingsReport<MemberRankingRow | TeamRankingRow>): [string, number | null, string | number | null][] =>
  report.rows.map((row) => ['memberId' in row ? row.memberId : row.team, row.rank, row.value]);

/** The metrics of a member with no credit in the period. */
export const noCredit = {
  wonAmount: {},
  wonCount: 0,
  winRate: null,
  avgDealSize: {},
  pipelineCreated: {},
  followUps: 0,
  customersClaimed: 0,
  ticketsResolved: 0,
  avgResolutionHours: null,
  slaMetRate: null,
  csat: null,
  targetAttainment: null,
} as const;
