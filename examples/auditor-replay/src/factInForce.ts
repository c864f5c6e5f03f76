import type { OwnershipAudit } from '@eventcrm/runtime';

/** One ownership fact as `crm.audit` reads it from the customer's stream (revision, position, event id, actor, command id, time, reason, from, to). */
export type OwnershipFact = OwnershipAudit['facts'][number];

/**
 * What the log says about one instant of a customer's life:
 * - `not_registered`: the instant is before the registration;
 * - `owned`: `owner` held it (`null`: the public pool) because of `fact`,
 *   until `until` moved it on (`null`: still in force);
 * - `merged`: it had been merged into `survivorId` and has no owner of its own.
 */
export type FactInForce =
  | { readonly kind: 'not_registered'; readonly registeredAt: string | null }
  | {
      readonly kind: 'owned';
      readonly owner: string | null;
      readonly fact: OwnershipFact;
      readonly until: OwnershipFact | null;
      /** Facts at this very instant that the chosen one superseded (zero-length periods: kept in the log, owning no instant). */
      readonly supersededAtSameInstant: readonly OwnershipFact[];
    }
  | { readonly kind: 'merged'; readonly survivorId: string; readonly fact: OwnershipFact };

/**
 * The ownership fact in force at `instant` (canonical UTC), from the facts
 * alone: the last one in stream order whose time is at or before the
 * instant. Periods are half-open `[from, to)`, so at the exact instant of a
 * change the new owner holds the customer, and when several changes share
 * one instant the last of them counts (the ones before own no instant).
 * This is the rule of projections.md §2 for "owner as of T", applied to the
 * log instead of the read model, so the two answers can be compared.
 */
export function factInForce(facts: readonly OwnershipFact[], instant: string): FactInForce {
  const ordered = [...facts].sort((a, b) => a.revision - b.revision);
  let index = -1;
  for (let candidate = 0; candidate < ordered.length; candidate += 1) {
    if ((ordered[candidate]?.at ?? '') <= instant) index = candidate;
  }
  const fact = ordered[index];
  if (fact === undefined) return { kind: 'not_registered', registeredAt: ordered[0]?.at ?? null };
  if (fact.reason === 'merged') return { kind: 'merged', survivorId: fact.detail ?? '(unknown)', fact };
  const supersededAtSameInstant = ordered.slice(0, index).filter((earlier) => earlier.at === fact.at);
  return { kind: 'owned', owner: fact.to, fact, until: ordered[index + 1] ?? null, supersededAtSameInstant };
}
