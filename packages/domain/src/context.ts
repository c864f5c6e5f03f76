import type { CrmConfig } from './config/configuration.ts';
import type { Timestamp } from './shared/time.ts';

/** Member roles. */
export const memberRoles = ['rep', 'manager', 'admin'] as const;
export type MemberRole = (typeof memberRoles)[number];

/** What a decision needs to know about a member (from the team directory). */
export interface MemberProfile {
  readonly id: string;
  readonly name: string;
  readonly role: MemberRole;
  readonly team: string | null;
  readonly active: boolean;
}

/**
 * The cross-aggregate facts a decision needs, handed in by the runtime (the
 * domain never fetches anything). Each command reads only the facts that
 * `factsNeeded` lists for it; the others may be empty. Keeping the context a
 * plain value makes every decision reproducible from its inputs.
 */
export interface DecisionContext {
  /** The configuration in force at the command's effective time. */
  readonly config: CrmConfig;
  /** The team directory. */
  readonly members: ReadonlyMap<string, MemberProfile>;
  /** Customers the actor owns whose stage is not `customer` or `vip` (for claims). */
  readonly actorHoldings: number;
  /** Pool claims by the actor within the UTC day of the effective time. */
  readonly actorClaimsToday: number;
  /** The current holder (customer id) of each reservation key asked for (`phone:…`, `email:…`). */
  readonly reservations: ReadonlyMap<string, string>;
  /** Active customers per folded name asked for (similar-name flagging). */
  readonly similarNames: ReadonlyMap<string, readonly string[]>;
  /** The time of each asked-for customer's last won deal. */
  readonly lastDealWonAt: ReadonlyMap<string, Timestamp>;
  /** Open opportunities per pipeline stage (for `Configure`, which may not remove an occupied stage). */
  readonly openOpportunityStages: ReadonlyMap<string, number>;
}

/** Which facts a command needs, so the runtime fetches only those. */
export interface FactsNeeded {
  readonly reservationKeys: readonly string[];
  readonly foldedNames: readonly string[];
  /** The actor's holdings and claims on this day (`YYYY-MM-DD`). */
  readonly claimsOn: string | null;
  readonly lastDealWonFor: readonly string[];
  readonly openOpportunityStages: boolean;
}

/** A context with no facts, for commands that need none beyond the config and directory. */
export const emptyFacts = {
  actorHoldings: 0,
  actorClaimsToday: 0,
  reservations: new Map<string, string>(),
  similarNames: new Map<string, readonly string[]>(),
  lastDealWonAt: new Map<string, Timestamp>(),
  openOpportunityStages: new Map<string, number>(),
} as const satisfies Omit<DecisionContext, 'config' | 'members'>;
