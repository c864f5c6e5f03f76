import type * as E from 'fp-ts/lib/Either.js';
import type { CrmCommand } from './commands.ts';
import { CONFIG_STREAM, decideConfigure, evolveConfig, initialConfigState, type ConfigState } from './config/configure.ts';
import type { DecisionContext, FactsNeeded } from './context.ts';
import { contactPointKeys, customerStream, decideCustomer } from './customer/decide.ts';
import type { CustomerEvent } from './customer/events.ts';
import { evolveCustomer, initialCustomerState, type CustomerState } from './customer/state.ts';
import type { CrmEvent } from './events.ts';
import { decideMember, memberStream } from './member/decide.ts';
import type { MemberEvent } from './member/events.ts';
import { evolveMember, initialMemberState, type MemberState } from './member/state.ts';
import { decideOpportunity, opportunityStream } from './opportunity/decide.ts';
import type { OpportunityEvent } from './opportunity/events.ts';
import { evolveOpportunity, initialOpportunityState, type OpportunityState } from './opportunity/state.ts';
import type { DomainError } from './shared/errors.ts';
import type { Reservation } from './shared/reservations.ts';
import { foldName } from './shared/text.ts';
import { utcDay } from './shared/time.ts';
import { decideTicket, ticketStream } from './ticket/decide.ts';
import type { TicketEvent } from './ticket/events.ts';
import { evolveTicket, initialTicketState, type TicketState } from './ticket/state.ts';

/** The state of any stream, tagged by `kind`. */
export type AggregateState = MemberState | CustomerState | OpportunityState | TicketState | ConfigState;

/** The aggregate a stream belongs to, from its name, or `undefined` for streams eventcrm does not own. */
export function aggregateOfStream(stream: string): AggregateState['kind'] | undefined {
  if (stream === CONFIG_STREAM) return 'config';
  const prefix = stream.slice(0, stream.indexOf('-'));
  return prefix === 'member' || prefix === 'customer' || prefix === 'opportunity' || prefix === 'ticket' ? prefix : undefined;
}

/** The state of a stream with no events. */
export function initialStateOf(stream: string): AggregateState {
  switch (aggregateOfStream(stream)) {
    case 'member':
      return initialMemberState;
    case 'customer':
      return initialCustomerState;
    case 'opportunity':
      return initialOpportunityState;
    case 'ticket':
      return initialTicketState;
    case 'config':
    case undefined:
      return initialConfigState;
  }
}

/**
 * Folds one event into the state of its stream. Total: an event that does
 * not belong to the state's aggregate leaves the state as it is.
 */
export function evolve(state: AggregateState, event: CrmEvent): AggregateState {
  switch (state.kind) {
    case 'member':
      return isMemberEvent(event) ? evolveMember(state, event) : state;
    case 'customer':
      return isCustomerEvent(event) ? evolveCustomer(state, event) : state;
    case 'opportunity':
      return event.type.startsWith('Opportunity') ? evolveOpportunity(state, event as OpportunityEvent) : state;
    case 'ticket':
      return event.type.startsWith('Ticket') ? evolveTicket(state, event as TicketEvent) : state;
    case 'config':
      return event.type === 'ConfigurationChanged' ? evolveConfig(state, event) : state;
  }
}

const memberEventTypes: ReadonlySet<string> = new Set(['MemberRegistered', 'MemberRoleChanged', 'MemberMovedToTeam', 'SalesTargetSet', 'MemberDeactivated']);
const isMemberEvent = (event: CrmEvent): event is MemberEvent => memberEventTypes.has(event.type);
const isCustomerEvent = (event: CrmEvent): event is CustomerEvent =>
  !memberEventTypes.has(event.type) && !event.type.startsWith('Opportunity') && !event.type.startsWith('Ticket') && event.type !== 'ConfigurationChanged';

/**
 * The streams a command reads, the one it writes first. `MergeCustomers`
 * writes two; opening an opportunity or a ticket also reads the customer.
 */
export function streamsOf(command: CrmCommand): readonly string[] {
  switch (command.command) {
    case 'Configure':
      return [CONFIG_STREAM];
    case 'MergeCustomers':
      return [customerStream(command.data.duplicateId), customerStream(command.data.survivorId)];
    case 'OpenOpportunity':
      return [opportunityStream(command.data.opportunityId), customerStream(command.data.customerId)];
    case 'OpenTicket':
      return [ticketStream(command.data.ticketId), customerStream(command.data.customerId)];
    default: {
      const data = command.data as { readonly memberId?: string; readonly customerId?: string; readonly opportunityId?: string; readonly ticketId?: string };
      if (data.ticketId !== undefined) return [ticketStream(data.ticketId)];
      if (data.opportunityId !== undefined) return [opportunityStream(data.opportunityId)];
      if (data.customerId !== undefined) return [customerStream(data.customerId)];
      return [memberStream(data.memberId ?? '')];
    }
  }
}

/** Reads the state of a loaded stream, expecting a given aggregate. */
const stateOf =
  (states: (stream: string) => AggregateState) =>
  <Kind extends AggregateState['kind']>(stream: string, kind: Kind): Extract<AggregateState, { kind: Kind }> => {
    const state = states(stream);
    return (state.kind === kind ? state : initialStateOf(stream)) as Extract<AggregateState, { kind: Kind }>;
  };

/**
 * Decides any command. `states` returns the folded state of each stream that
 * `streamsOf(command)` names (the initial state for a stream with no events).
 * Returns the new events, each belonging to the stream `streamOfEvent` names.
 */
export function decide(command: CrmCommand, states: (stream: string) => AggregateState, context: DecisionContext): E.Either<DomainError, readonly CrmEvent[]> {
  const get = stateOf(states);
  const customer = (customerId: string) => get(customerStream(customerId), 'customer');
  switch (command.command) {
    case 'Configure':
      return decideConfigure(command, get(CONFIG_STREAM, 'config'), context);
    case 'RegisterMember':
    case 'ChangeMemberRole':
    case 'MoveMemberToTeam':
    case 'SetSalesTarget':
    case 'DeactivateMember':
      return decideMember(command, get(memberStream(command.data.memberId), 'member'), context);
    case 'OpenOpportunity':
    case 'MoveOpportunityStage':
    case 'ReviseOpportunity':
    case 'ReassignOpportunity':
    case 'WinOpportunity':
    case 'LoseOpportunity':
    case 'ReopenOpportunity': {
      const opportunity = get(opportunityStream(command.data.opportunityId), 'opportunity');
      const customerId = command.command === 'OpenOpportunity' ? command.data.customerId : opportunity.customerId;
      return decideOpportunity(command, opportunity, customer(customerId), context);
    }
    case 'OpenTicket':
    case 'AssignTicket':
    case 'UnassignTicket':
    case 'CommentOnTicket':
    case 'ChangeTicketPriority':
    case 'EscalateTicket':
    case 'ResolveTicket':
    case 'CloseTicket':
    case 'ReopenTicket':
    case 'RateTicket': {
      const ticket = get(ticketStream(command.data.ticketId), 'ticket');
      const customerId = command.command === 'OpenTicket' ? command.data.customerId : ticket.customerId;
      return decideTicket(command, ticket, customer(customerId), context);
    }
    default:
      return decideCustomer(command, customer, context);
  }
}

/**
 * The cross-aggregate facts a command needs in its context, so the runtime
 * fetches exactly those (see `DecisionContext`).
 */
export function factsNeeded(command: CrmCommand): FactsNeeded {
  const none: FactsNeeded = { reservationKeys: [], foldedNames: [], claimsOn: null, lastDealWonFor: [], openOpportunityStages: false };
  switch (command.command) {
    case 'RegisterCustomer':
      return { ...none, reservationKeys: contactPointKeys(command.data.phone, command.data.email), foldedNames: [foldName(command.data.name)] };
    case 'UpdateCustomerProfile':
      return {
        ...none,
        reservationKeys: contactPointKeys(command.data.changes.phone, command.data.changes.email),
        foldedNames: command.data.changes.name === undefined ? [] : [foldName(command.data.changes.name)],
      };
    case 'ClaimCustomer':
      return { ...none, claimsOn: utcDay(command.at) };
    case 'RecycleCustomer':
      return { ...none, lastDealWonFor: [command.data.customerId] };
    case 'Configure':
      return { ...none, openOpportunityStages: true };
    default:
      return none;
  }
}

/**
 * The unique reservations (phone/email) that new events take and free, for
 * the store to apply atomically with the append: a registration or profile
 * change takes its new contact points and frees the old ones; a merged or
 * erased customer frees its own.
 */
export function reservationChanges(
  events: readonly CrmEvent[],
  states: (stream: string) => AggregateState,
): { readonly claim: readonly Reservation[]; readonly release: readonly Reservation[] } {
  const claim: Reservation[] = [];
  const release: Reservation[] = [];
  const current = new Map<string, { phone: string | null; email: string | null }>();
  const pointsOf = (customerId: string) => {
    const known = current.get(customerId);
    if (known !== undefined) return known;
    const state = states(customerStream(customerId));
    const points = state.kind === 'customer' ? { phone: state.phone, email: state.email } : { phone: null, email: null };
    current.set(customerId, points);
    return points;
  };
  const take = (owner: string, phone: string | null | undefined, email: string | null | undefined) =>
    contactPointKeys(phone, email).forEach((key) => claim.push({ key, owner }));
  const free = (owner: string, phone: string | null | undefined, email: string | null | undefined) =>
    contactPointKeys(phone, email).forEach((key) => release.push({ key, owner }));
  for (const event of events) {
    switch (event.type) {
      case 'CustomerRegistered':
        take(event.data.customerId, event.data.phone, event.data.email);
        current.set(event.data.customerId, { phone: event.data.phone, email: event.data.email });
        break;
      case 'CustomerProfileUpdated': {
        const { data } = event;
        const points = pointsOf(data.customerId);
        if (data.changes.phone !== undefined) {
          free(data.customerId, points.phone, null);
          take(data.customerId, data.changes.phone, null);
          points.phone = data.changes.phone;
        }
        if (data.changes.email !== undefined) {
          free(data.customerId, null, points.email);
          take(data.customerId, null, data.changes.email);
          points.email = data.changes.email;
        }
        break;
      }
      case 'CustomerMerged':
      case 'PersonalDataErased': {
        const points = pointsOf(event.data.customerId);
        free(event.data.customerId, points.phone, points.email);
        break;
      }
      default:
        break;
    }
  }
  return { claim, release };
}
