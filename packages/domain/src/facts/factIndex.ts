import type { CrmCommand } from '../commands.ts';
import { configAt, type ConfigHistoryEntry } from '../config/configuration.ts';
import type { DecisionContext, MemberProfile } from '../context.ts';
import type { LifecycleStage } from '../customer/commands.ts';
import { factsNeeded } from '../decide.ts';
import type { CrmEvent } from '../events.ts';
import type { DepartureFacts, SweepCandidate } from '../policies/policies.ts';
import { emailKey, foldName, phoneKey } from '../shared/text.ts';
import { utcDay, type Timestamp } from '../shared/time.ts';

interface CustomerFacts {
  owner: string | null;
  stage: LifecycleStage;
  active: boolean;
  foldedName: string | null;
  phone: string | null;
  email: string | null;
  ownedSince: Timestamp;
  lastFollowUpAt: Timestamp | null;
  locked: boolean;
  lastEventAt: Timestamp;
}

interface OpportunityFacts {
  owner: string;
  open: boolean;
  stage: string;
}

interface TicketFacts {
  assignee: string | null;
  open: boolean;
}

const holdsCount = (customer: CustomerFacts): boolean => customer.active && customer.stage !== 'customer' && customer.stage !== 'vip';

/**
 * An in-memory index of the cross-aggregate facts decisions and policies
 * need (the team directory, holdings, claims per day, unique contact
 * points, similar names, won deals, open opportunities and tickets, the
 * configuration history), built by folding events in log order.
 *
 * It is deterministic (a pure function of the events applied) and is what
 * the given/when/then helper and the in-memory runtime use to fill a
 * `DecisionContext`; persistent runtimes may keep the same facts in tables.
 */
export class FactIndex {
  readonly members = new Map<string, MemberProfile>();
  private readonly customers = new Map<string, CustomerFacts>();
  private readonly claims = new Map<string, number>();
  private readonly reservations = new Map<string, string>();
  private readonly names = new Map<string, Set<string>>();
  private readonly dealsWon = new Map<string, Timestamp>();
  private readonly opportunities = new Map<string, OpportunityFacts>();
  private readonly tickets = new Map<string, TicketFacts>();
  private readonly holdings = new Map<string, number>();
  private configHistory: ConfigHistoryEntry[] = [];

  /** Folds one event (in log order) into the index. */
  apply(event: CrmEvent): void {
    const at = event.metadata.at;
    switch (event.type) {
      case 'MemberRegistered': {
        const { data } = event;

        this.members.set(data.memberId, { id: data.memberId, name: data.name, role: data.role, team: data.team, active: true });

        break;
      }
      case 'MemberRoleChanged': {
        const { data } = event;
        this.updateMember(data.memberId, { role: data.to });
        break;
      }
      case 'MemberMovedToTeam': {
        const { data } = event;
        this.updateMember(data.memberId, { team: data.to });
        break;
      }
      case 'MemberDeactivated': {
        const { data } = event;
        this.updateMember(data.memberId, { active: false });
        break;
      }
      case 'SalesTargetSet': {
        // Not a fact decisions need.
        break;
      }
      case 'CustomerRegistered': {
        const { data } = event;

        const facts: CustomerFacts = {
          owner: data.owner,
          stage: data.stage,
          active: true,
          foldedName: data.name === null ? null : foldName(data.name),
          phone: data.phone,
          email: data.email,
          ownedSince: at,
          lastFollowUpAt: null,
          locked: false,
          lastEventAt: at,
        };
        this.customers.set(data.customerId, facts);
        this.reserve(data.customerId, facts);
        if (facts.foldedName !== null) this.addName(facts.foldedName, data.customerId);
        this.countHolding(facts, +1);

        break;
      }
      case 'CustomerProfileUpdated': {
        const { data } = event;
        this.updateCustomer(data.customerId, at, (facts) => {
          this.unreserve(data.customerId, facts);
          if (data.changes.phone !== undefined) facts.phone = data.changes.phone;
          if (data.changes.email !== undefined) facts.email = data.changes.email;
          this.reserve(data.customerId, facts);
          if (data.changes.name !== undefined && data.changes.name !== null) {
            if (facts.foldedName !== null) this.removeName(facts.foldedName, data.customerId);
            facts.foldedName = foldName(data.changes.name);
            this.addName(facts.foldedName, data.customerId);
          }
        });
        break;
      }
      case 'CustomerStageChanged': {
        const { data } = event;
        this.updateCustomer(data.customerId, at, (facts) => (facts.stage = data.to));
        break;
      }
      case 'FollowUpLogged': {
        const { data } = event;
        this.updateCustomer(data.customerId, at, (facts) => (facts.lastFollowUpAt = at));
        break;
      }
      case 'CustomerClaimed': {
        const { data } = event;

        const key = `${data.to}|${utcDay(at)}`;
        this.claims.set(key, (this.claims.get(key) ?? 0) + 1);
        this.updateCustomer(data.customerId, at, (facts) => this.changeOwner(facts, data.to, at));

        break;
      }
      case 'CustomerAssigned':
      case 'CustomerTransferred': {
        const { data } = event;
        this.updateCustomer(data.customerId, at, (facts) => this.changeOwner(facts, data.to, at));
        break;
      }
      case 'CustomerReleased':
      case 'CustomerRecycled': {
        const { data } = event;
        this.updateCustomer(data.customerId, at, (facts) => this.changeOwner(facts, null, at));
        break;
      }
      case 'CustomerLocked': {
        const { data } = event;
        this.updateCustomer(data.customerId, at, (facts) => (facts.locked = true));
        break;
      }
      case 'CustomerUnlocked': {
        const { data } = event;
        this.updateCustomer(data.customerId, at, (facts) => (facts.locked = false));
        break;
      }
      case 'CustomerMerged':
      case 'PersonalDataErased': {
        const { data } = event;
        this.updateCustomer(data.customerId, at, (facts) => {
          if (!facts.active) return;
          this.unreserve(data.customerId, facts);
          if (facts.foldedName !== null) this.removeName(facts.foldedName, data.customerId);
          facts.active = false;
        });
        break;
      }
      case 'ContactAdded':
      case 'ContactUpdated':
      case 'ContactRemoved':
      case 'DuplicateCustomerAbsorbed': {
        const { data } = event;
        this.updateCustomer(data.customerId, at, () => undefined);
        break;
      }
      case 'OpportunityOpened': {
        const { data } = event;
        this.opportunities.set(data.opportunityId, { owner: data.owner, open: true, stage: data.stage });
        break;
      }
      case 'OpportunityStageMoved': {
        const { data } = event;
        this.updateOpportunity(data.opportunityId, (facts) => (facts.stage = data.to));
        break;
      }
      case 'OpportunityReassigned': {
        const { data } = event;
        this.updateOpportunity(data.opportunityId, (facts) => (facts.owner = data.to));
        break;
      }
      case 'OpportunityWon': {
        const { data } = event;

        this.updateOpportunity(data.opportunityId, (facts) => (facts.open = false));
        const previous = this.dealsWon.get(data.customerId);
        if (previous === undefined || previous < at) this.dealsWon.set(data.customerId, at);

        break;
      }
      case 'OpportunityLost': {
        const { data } = event;
        this.updateOpportunity(data.opportunityId, (facts) => (facts.open = false));
        break;
      }
      case 'OpportunityReopened': {
        const { data } = event;
        this.updateOpportunity(data.opportunityId, (facts) => {
          facts.open = true;
          facts.stage = data.stage;
        });
        break;
      }
      case 'OpportunityRevised': {
        // Not a fact decisions need.
        break;
      }
      case 'TicketOpened': {
        const { data } = event;
        this.tickets.set(data.ticketId, { assignee: null, open: true });
        break;
      }
      case 'TicketAssigned': {
        const { data } = event;
        this.updateTicket(data.ticketId, (facts) => (facts.assignee = data.to));
        break;
      }
      case 'TicketUnassigned': {
        const { data } = event;
        this.updateTicket(data.ticketId, (facts) => (facts.assignee = null));
        break;
      }
      case 'TicketResolved':
      case 'TicketClosed': {
        const { data } = event;
        this.updateTicket(data.ticketId, (facts) => (facts.open = false));
        break;
      }
      case 'TicketReopened': {
        const { data } = event;
        this.updateTicket(data.ticketId, (facts) => (facts.open = true));
        break;
      }
      case 'TicketCommented':
      case 'TicketPriorityChanged':
      case 'TicketEscalated':
      case 'TicketRated': {
        // Not a fact decisions need.
        break;
      }
      case 'ConfigurationChanged': {
        const { data } = event;

        this.configHistory = [...this.configHistory, { at, config: data.config }];

        break;
      }
    }
  }

  /** The decision context for a command: the config in force at its time, the directory and the facts it needs. */
  contextFor(command: CrmCommand): DecisionContext {
    const needs = factsNeeded(command);
    const pick = <Value>(keys: readonly string[], source: ReadonlyMap<string, Value>) =>
      new Map(keys.flatMap((key) => (source.has(key) ? [[key, source.get(key)!] as const] : [])));
    return {
      config: configAt(this.configHistory, command.at),
      members: this.members,
      actorHoldings: needs.claimsOn === null ? 0 : (this.holdings.get(command.actor) ?? 0),
      actorClaimsToday: needs.claimsOn === null ? 0 : (this.claims.get(`${command.actor}|${needs.claimsOn}`) ?? 0),
      reservations: pick(needs.reservationKeys, this.reservations),
      similarNames: new Map(needs.foldedNames.map((name) => [name, [...(this.names.get(name) ?? [])].sort()])),
      lastDealWonAt: pick(needs.lastDealWonFor, this.dealsWon),
      openOpportunityStages: needs.openOpportunityStages ? this.openStages() : new Map(),
    };
  }

  /** The configuration history (for callers that need the config at some time). */
  get configurations(): readonly ConfigHistoryEntry[] {
    return this.configHistory;
  }

  /** What the departure handover needs about a member. */
  departureFacts(memberId: string): DepartureFacts {
    return {
      ownedCustomers: [...this.customers.entries()].filter(([, facts]) => facts.active && facts.owner === memberId).map(([id]) => id),
      openOpportunities: [...this.opportunities.entries()].filter(([, facts]) => facts.open && facts.owner === memberId).map(([id]) => id),
      openTickets: [...this.tickets.entries()].filter(([, facts]) => facts.open && facts.assignee === memberId).map(([id]) => id),
      members: this.members,
    };
  }

  /** The owned, active customers, as the pool sweep sees them. */
  sweepCandidates(): readonly SweepCandidate[] {
    return [...this.customers.entries()]
      .filter(([, facts]) => facts.active && facts.owner !== null)
      .map(([customerId, facts]) => ({
        customerId,
        owner: facts.owner,
        ownedSince: facts.ownedSince,
        lastFollowUpAt: facts.lastFollowUpAt,
        stage: facts.stage,
        locked: facts.locked,
        active: facts.active,
        lastDealWonAt: this.dealsWon.get(customerId) ?? null,
        lastEventAt: facts.lastEventAt,
      }));
  }

  private openStages(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const facts of this.opportunities.values()) if (facts.open) counts.set(facts.stage, (counts.get(facts.stage) ?? 0) + 1);
    return counts;
  }

  private updateMember(memberId: string, change: Partial<MemberProfile>): void {
    const profile = this.members.get(memberId);
    if (profile !== undefined) this.members.set(memberId, { ...profile, ...change });
  }

  private updateCustomer(customerId: string, at: Timestamp, change: (facts: CustomerFacts) => void): void {
    const facts = this.customers.get(customerId);
    if (facts === undefined) return;
    this.countHolding(facts, -1);
    change(facts);
    facts.lastEventAt = at;
    this.countHolding(facts, +1);
  }

  private changeOwner(facts: CustomerFacts, owner: string | null, at: Timestamp): void {
    facts.owner = owner;
    facts.ownedSince = at;
  }

  private countHolding(facts: CustomerFacts, delta: number): void {
    if (facts.owner === null || !holdsCount(facts)) return;
    this.holdings.set(facts.owner, (this.holdings.get(facts.owner) ?? 0) + delta);
  }

  private reserve(customerId: string, facts: CustomerFacts): void {
    if (facts.phone !== null) this.reservations.set(phoneKey(facts.phone), customerId);
    if (facts.email !== null) this.reservations.set(emailKey(facts.email), customerId);
  }

  private unreserve(customerId: string, facts: CustomerFacts): void {
    for (const key of [facts.phone === null ? null : phoneKey(facts.phone), facts.email === null ? null : emailKey(facts.email)]) {
      if (key !== null && this.reservations.get(key) === customerId) this.reservations.delete(key);
    }
  }

  private addName(name: string, customerId: string): void {
    const ids = this.names.get(name) ?? new Set<string>();
    ids.add(customerId);
    this.names.set(name, ids);
  }

  private removeName(name: string, customerId: string): void {
    this.names.get(name)?.delete(customerId);
  }

  private updateOpportunity(opportunityId: string, change: (facts: OpportunityFacts) => void): void {
    const facts = this.opportunities.get(opportunityId);
    if (facts !== undefined) change(facts);
  }

  private updateTicket(ticketId: string, change: (facts: TicketFacts) => void): void {
    const facts = this.tickets.get(ticketId);
    if (facts !== undefined) change(facts);
  }
}
