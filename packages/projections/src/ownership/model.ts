import type { CrmEvent } from '@eventcrm/domain';

/**
 * The vocabulary of ownership history (projections.md §2), shared by the
 * projection, its queries and the audit so that the three can never disagree
 * on what an ownership event means.
 */

/** Why a period started: registration, or the change that opened it (`released`/`recycled` open pool periods). */
export type OwnershipStartReason = 'registered' | 'claimed' | 'assigned' | 'transferred' | 'released' | 'recycled';

/** Why a period ended (`claimed`/`assigned` end pool periods; `merged` ends a customer's life). */
export type OwnershipEndReason = 'claimed' | 'assigned' | 'transferred' | 'released' | 'recycled' | 'merged';

/** Every reason an ownership event carries. */
export type OwnershipReason = OwnershipStartReason | OwnershipEndReason;

/**
 * One boundary of a period as the spec prints it: the reason, the sub-reason
 * in `detail` when there is one (the key is left out otherwise, as in the
 * spec's example) and the actor of the event.
 */
export interface PeriodBoundary<Reason extends OwnershipReason = OwnershipReason> {
  readonly reason: Reason;
  readonly detail?: string;
  readonly actor: string;
}

/**
 * One period of a customer's ownership history. `owner: null` is the pool;
 * `to`/`end` are `null` for the open (current) period. `eventId` and
 * `position` name the event that started the period, so an auditor can find
 * it in the log (extra fields the spec allows).
 */
export interface OwnershipPeriod {
  readonly owner: string | null;
  readonly from: string;
  readonly to: string | null;
  readonly start: PeriodBoundary<OwnershipStartReason>;
  readonly end: PeriodBoundary<OwnershipEndReason> | null;
  readonly eventId: string;
  readonly position: string;
}

/**
 * A customer's ownership history (projections.md §2). `mergedInto` (an
 * extra field) names the survivor once the customer was merged away; such a
 * customer has `currentOwner: null` but is *not* in the pool: its last period
 * ended with `merged` and nothing follows it.
 */
export interface OwnershipHistory {
  readonly customerId: string;
  readonly currentOwner: string | null;
  readonly mergedInto: string | null;
  readonly periods: readonly OwnershipPeriod[];
}

/**
 * What one ownership event says, read from the event alone: the customer, the
 * reason and sub-reason, the owner before (`from`, as the event records it:
 * `null` for registration, claims and assignments, which leave the pool or
 * start a life) and after (`to`: `null` for the pool and for a merge, after
 * which there is no owner at all).
 */
export interface OwnershipChange {
  readonly customerId: string;
  readonly reason: 'registered' | OwnershipEndReason;
  readonly detail: string | null;
  readonly from: string | null;
  readonly to: string | null;
}

/** The event types that change (or start, or end) ownership. */
export const ownershipEventTypes = [
  'CustomerRegistered',
  'CustomerClaimed',
  'CustomerAssigned',
  'CustomerTransferred',
  'CustomerReleased',
  'CustomerRecycled',
  'CustomerMerged',
] as const;

/** One of the ownership event types. */
export type OwnershipEventType = (typeof ownershipEventTypes)[number];

/**
 * The ownership change an event records, or `undefined` for any other event.
 * Transfers carry their reason, releases theirs, recycles their rule, and a
 * merge the survivor id, as `detail`.
 */
export function ownershipChangeOf(event: CrmEvent): OwnershipChange | undefined {
  switch (event.type) {
    case 'CustomerRegistered':
      return { customerId: event.data.customerId, reason: 'registered', detail: null, from: null, to: event.data.owner };
    case 'CustomerClaimed':
      return { customerId: event.data.customerId, reason: 'claimed', detail: null, from: null, to: event.data.to };
    case 'CustomerAssigned':
      return { customerId: event.data.customerId, reason: 'assigned', detail: null, from: null, to: event.data.to };
    case 'CustomerTransferred':
      return { customerId: event.data.customerId, reason: 'transferred', detail: event.data.reason, from: event.data.from, to: event.data.to };
    case 'CustomerReleased':
      return { customerId: event.data.customerId, reason: 'released', detail: event.data.reason, from: event.data.from, to: null };
    case 'CustomerRecycled':
      return { customerId: event.data.customerId, reason: 'recycled', detail: event.data.rule, from: event.data.from, to: null };
    case 'CustomerMerged':
      return { customerId: event.data.customerId, reason: 'merged', detail: event.data.survivorId, from: event.data.owner, to: null };
    default:
      return undefined;
  }
}

/** A boundary object, leaving `detail` out when there is none (the spec's shape). */
export function boundary<Reason extends OwnershipReason>(reason: Reason, detail: string | null, actor: string): PeriodBoundary<Reason> {
  return detail === null ? { reason, actor } : { reason, detail, actor };
}
