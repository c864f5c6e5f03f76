import type { CommandName, LifecycleStage, MemberRole, TicketPriority, TicketStatus } from '@eventcrm/domain';

/**
 * The simulated world of the demo history: what the generator must remember
 * to issue only commands the domain accepts. Every field mirrors a fact the
 * domain decides on (owner, owned-since, holdings, claims per day, stages,
 * locks, SLA due times), plus the hidden traits that make the history
 * realistic (a rep's win rate and diligence, a lead's quality). Closed
 * opportunities and tickets are dropped, so the state stays proportional to
 * the active entities.
 */

/** A raw command input, exactly one line of the NDJSON format of cli.md. */
export interface DemoCommand {
  readonly command: CommandName;
  readonly id: string;
  readonly actor: string;
  readonly at: string;
  readonly data: { readonly [field: string]: unknown };
}

/** What a generated history amounts to, known once its last command has been produced. */
export interface DemoHistorySummary {
  /** Commands produced (including the deliberate duplicate registrations). */
  readonly commands: number;
  /** Events the commands append when executed in order with the policies inline. */
  readonly events: number;
  /** Customers registered (the rejected duplicates not counted). */
  readonly customers: number;
  /** Members registered over the whole history (new hires included). */
  readonly members: number;
  /** Ids of the commands that are meant to be rejected with `DUPLICATE_CUSTOMER`. */
  readonly rejectedDuplicates: readonly string[];
  /** Commands produced per command name. */
  readonly commandCounts: { readonly [command: string]: number };
  /** Subjects worth showing in a report. */
  readonly highlights: {
    /** The customer whose ownership changed most often (claims, recycles, transfers, a departure). */
    readonly busiestCustomerId: string | null;
    /** Members who left, with their successors. */
    readonly departures: readonly { readonly memberId: string; readonly successorId: string; readonly at: string }[];
  };
}

export type Currency = 'USD' | 'EUR';

export interface Team {
  readonly id: string;
  readonly currency: Currency;
  manager: Member | null;
  /** Reps currently in the team, active or not, in joining order. */
  readonly reps: Member[];
}

export interface Member {
  readonly id: string;
  readonly name: string;
  readonly role: MemberRole;
  team: Team | null;
  active: boolean;
  /** Share of its opportunities a rep wins. */
  readonly winRate: number;
  /** Typical follow-up gap as a share of `noFollowUpDays`. */
  readonly gapFactor: number;
  /** Chance, at each follow-up, that the next one is forgotten. */
  readonly neglect: number;
  /** Chance of reacting to a recycle reminder with a call. */
  readonly responsive: number;
  /** How many prospects the rep likes to hold. */
  readonly capacity: number;
  /** Pool claims the rep makes on a working day, at most. */
  readonly claimsPerDay: number;
  /** How well the rep turns a lead's quality into interest. */
  readonly persuasion: number;
  /** Owned customers whose stage is not `customer`/`vip` (the domain's holding count). */
  holdings: number;
  readonly owned: Set<Customer>;
  readonly openOpportunities: Set<Opportunity>;
  /** Unresolved tickets assigned to the member. */
  readonly openTickets: Set<Ticket>;
  claimDay: number;
  claimsToday: number;
  claimsWanted: number;
  /** Amount won per quarter (`2026-Q1`), in whole units of the team's currency: next quarter's target builds on it. */
  readonly wonByQuarter: Map<string, number>;
}

export interface Customer {
  readonly number: number;
  readonly id: string;
  readonly kind: 'company' | 'person';
  readonly name: string;
  readonly phone: string | null;
  readonly email: string | null;
  importance: 'A' | 'B' | 'C';
  /** Hidden: how likely the lead is to become interested. */
  readonly quality: number;
  owner: Member | null;
  /** When the current ownership (or pool period) started, epoch milliseconds. Times are kept as numbers and formatted only when the domain's recycle clock reads them. */
  ownedSinceMs: number;
  /** The last follow-up, epoch milliseconds, or -1. */
  lastFollowUpMs: number;
  /** The later of owned-since and the last follow-up (for cheap lower bounds of the recycle due time). */
  lastTouchMs: number;
  stage: LifecycleStage;
  locked: boolean;
  /** Bumped at every owner change: work scheduled for an earlier ownership is dropped. */
  epoch: number;
  /** Index in the pool list, or -1. */
  poolSlot: number;
  /** Former owners and when their ownership ended (the reclaim cooldown), recent ones only. */
  formerOwners: Member[];
  formerEnds: number[];
  contacts: string[];
  touches: number;
  patience: number;
  abandoned: boolean;
  opportunitiesThisOwnership: number;
  openOpportunities: number;
  wonDeals: number;
  /** The last won deal, epoch milliseconds, or -1. */
  lastDealWonMs: number;
  /** Bumped whenever the recycle check is rescheduled: older checks are dropped. */
  recycleToken: number;
  ticketsStarted: boolean;
  openTicket: boolean;
  /** Owner changes so far (to pick an interesting ownership history for the demo report). */
  ownerChanges: number;
}

export interface Opportunity {
  readonly id: string;
  readonly customer: Customer;
  owner: Member;
  readonly currency: Currency;
  /** Amount in minor units. */
  amount: number;
  /** Index of the current stage in the pipeline. */
  stage: number;
  expectedCloseMs: number;
  probabilityOverride: number | null;
  status: 'open' | 'won' | 'lost';
  outcome: 'won' | 'lost';
  /** The stage moves still to make before closing. */
  moves: number[];
  nextMove: number;
  reopened: boolean;
}

export type TicketStep = 'assign' | 'note' | 'respond' | 'escalate' | 'resolve' | 'reopen' | 'rate' | 'close';

export interface Ticket {
  readonly id: string;
  readonly customer: Customer;
  readonly category: string;
  priority: TicketPriority;
  readonly openedMs: number;
  firstResponseDue: number;
  resolutionDue: number;
  assignee: Member | null;
  status: TicketStatus;
  firstResponseMet: boolean | null;
  resolutionMet: boolean;
  resolutionBreached: boolean;
  rated: boolean;
  reopened: boolean;
  next: TicketStep;
  nextAt: number;
  respondAt: number;
  token: number;
  /** Who gets the ticket back after a departure unassigned it. */
  reassignTo: Member | null;
}

/** What the simulation does at a time; the agenda keeps the kind, a subject and a number (an epoch or token that must still match). */
export const ActionKind = {
  setup: 0,
  repDay: 1,
  claim: 2,
  register: 3,
  duplicate: 4,
  import: 5,
  assign: 6,
  touch: 7,
  reminderCall: 8,
  recycleWarn: 9,
  sweep: 10,
  opportunityStep: 11,
  reopen: 12,
  ticketArrival: 13,
  ticketStep: 14,
  ticketReassign: 15,
  targets: 16,
  rebalance: 17,
  moveMember: 18,
  hire: 19,
  depart: 20,
  reconfigure: 21,
} as const;
export type ActionKind = (typeof ActionKind)[keyof typeof ActionKind];

/** A manager's assignment of a pool customer, planned ahead. */
export interface PoolAssignment {
  readonly customer: Customer;
  readonly manager: Member;
  readonly to: Member;
}

/** What an agenda entry is about. */
export type ActionSubject = Member | Customer | Opportunity | Ticket | PlannedDeparture | PoolAssignment | string | null;

/** A departure planned at setup; the leaver and successor are chosen when it happens. */
export interface PlannedDeparture {
  readonly withHire: boolean;
  hire: Member | null;
  leaver: Member | null;
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** Whether a customer counts towards its owner's holdings (domain.md §3). */
export const countsForHoldings = (stage: LifecycleStage): boolean => stage !== 'customer' && stage !== 'vip';
