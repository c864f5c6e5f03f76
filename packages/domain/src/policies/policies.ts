import type { CrmCommand } from '../commands.ts';
import type { CrmConfig } from '../config/configuration.ts';
import type { MemberProfile } from '../context.ts';
import type { LifecycleStage, RecycleRule } from '../customer/commands.ts';
import { idleDays, ruleHoldingAt, type RecycleFacts } from '../customer/recycleClock.ts';
import type { EventOf, EventType } from '../events.ts';
import { SYSTEM_ACTOR } from '../shared/text.ts';
import type { Timestamp } from '../shared/time.ts';
import { policyCommandId } from './policyIds.ts';

/** A stored event as policies see it: the event and its id in the store. */
export interface Trigger<Type extends EventType> {
  readonly eventId: string;
  readonly event: EventOf<Type>;
}

const issued = <Name extends CrmCommand['command']>(
  trigger: { readonly eventId: string; readonly event: { readonly metadata: { readonly at: Timestamp; readonly correlationId: string } } },
  target: string,
  command: Name,
  data: Extract<CrmCommand, { command: Name }>['data'],
): CrmCommand =>
  ({
    command,
    id: policyCommandId(trigger.eventId, target, command),
    actor: SYSTEM_ACTOR,
    at: trigger.event.metadata.at,
    data,
    correlationId: trigger.event.metadata.correlationId,
    causationId: trigger.eventId,
  }) as CrmCommand;

/** What the departure handover needs to know about the departing member's holdings. */
export interface DepartureFacts {
  /** Customers the member owns. */
  readonly ownedCustomers: readonly string[];
  /** Open opportunities the member owns. */
  readonly openOpportunities: readonly string[];
  /** Open (unresolved) tickets assigned to the member. */
  readonly openTickets: readonly string[];
  /** The team directory after the deactivation. */
  readonly members: ReadonlyMap<string, MemberProfile>;
}

/**
 * Departure handover (domain.md §6.1, 人走客户留): every customer the member
 * owns goes to the successor (transfer, reason `departure`) or, without one,
 * back to the pool (release, reason `departure`); open opportunities go to
 * the successor, else to the active manager of its team with the lowest id,
 * else stay (orphaned, listed in reminders); open tickets are unassigned.
 */
export function departureHandover(trigger: Trigger<'MemberDeactivated'>, facts: DepartureFacts): readonly CrmCommand[] {
  const { memberId, successorId, team } = trigger.event.data;
  const sorted = (ids: readonly string[]) => [...ids].sort();
  const commands: CrmCommand[] = [];
  for (const customerId of sorted(facts.ownedCustomers)) {
    commands.push(
      successorId === null
        ? issued(trigger, `customer-${customerId}`, 'ReleaseCustomer', { customerId, reason: 'departure', note: `departure of ${memberId}` })
        : issued(trigger, `customer-${customerId}`, 'TransferCustomer', { customerId, to: successorId, reason: 'departure' }),
    );
  }
  const heir =
    successorId ??
    [...facts.members.values()]
      .filter((member) => member.active && member.role === 'manager' && team !== null && member.team === team && member.id !== memberId)
      .map((member) => member.id)
      .sort()[0] ??
    null;
  if (heir !== null) {
    for (const opportunityId of sorted(facts.openOpportunities)) {
      commands.push(issued(trigger, `opportunity-${opportunityId}`, 'ReassignOpportunity', { opportunityId, to: heir }));
    }
  }
  for (const ticketId of sorted(facts.openTickets)) {
    commands.push(issued(trigger, `ticket-${ticketId}`, 'UnassignTicket', { ticketId, reason: `departure of ${memberId}` }));
  }
  return commands;
}

/**
 * Deal won (domain.md §6.2): a customer still `potential` or `intent` when
 * one of its opportunities is won becomes a `customer`, reason `deal_won`.
 */
export function dealWon(trigger: Trigger<'OpportunityWon'>, customerStage: LifecycleStage | null): readonly CrmCommand[] {
  if (customerStage !== 'potential' && customerStage !== 'intent') return [];
  const customerId = trigger.event.data.customerId;
  return [issued(trigger, `customer-${customerId}`, 'ChangeCustomerStage', { customerId, stage: 'customer', reason: 'deal_won' })];
}

/** One customer as the pool sweep sees it. */
export interface SweepCandidate extends RecycleFacts {
  readonly customerId: string;
  /** The time of the customer stream's last event. */
  readonly lastEventAt: Timestamp;
}

/** A recycle the sweep issues (or would issue, in a dry run). */
export interface SweepRecycle {
  readonly customerId: string;
  readonly owner: string;
  readonly rule: RecycleRule;
  readonly idleDays: number;
  readonly command: CrmCommand;
}

/** A customer the sweep left alone, and why. */
export interface SweepSkip {
  readonly customerId: string;
  readonly reason: 'later_events';
  readonly lastEventAt: Timestamp;
}

/**
 * Pool sweep (domain.md §6.3): at `asOf`, every owned customer for which a
 * recycle rule holds gets a `RecycleCustomer` as system, effective at
 * `asOf` (`no_follow_up` first when both hold). An owned customer whose
 * stream already has later events is skipped and reported, whatever those
 * events are (its facts at `asOf` are not known). Deterministic: the same
 * candidates and time give the same commands, in customer id order, with ids
 * derived from the time and the customer.
 */
export function poolSweep(asOf: Timestamp, candidates: readonly SweepCandidate[], config: CrmConfig): { readonly recycles: readonly SweepRecycle[]; readonly skipped: readonly SweepSkip[] } {
  const recycles: SweepRecycle[] = [];
  const skipped: SweepSkip[] = [];
  for (const candidate of [...candidates].sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0))) {
    if (candidate.owner === null) continue;
    // The candidate's facts include its later events (a follow-up after
    // `asOf` hides a rule that held at `asOf`), so whether a rule held then
    // cannot be judged from them: such a customer is skipped and reported
    // before any rule is evaluated.
    if (candidate.lastEventAt > asOf) {
      skipped.push({ customerId: candidate.customerId, reason: 'later_events', lastEventAt: candidate.lastEventAt });
      continue;
    }
    const rule = ruleHoldingAt(candidate, asOf, config);
    if (rule === null) continue;
    const id = policyCommandId('pool-sweep', asOf, `customer-${candidate.customerId}`, candidate.ownedSince ?? '');
    recycles.push({
      customerId: candidate.customerId,
      owner: candidate.owner,
      rule,
      idleDays: idleDays(rule, candidate, asOf),
      command: {
        command: 'RecycleCustomer',
        id,
        actor: SYSTEM_ACTOR,
        at: asOf,
        data: { customerId: candidate.customerId, rule },
        correlationId: id,
        causationId: null,
      },
    });
  }
  return { recycles, skipped };
}
