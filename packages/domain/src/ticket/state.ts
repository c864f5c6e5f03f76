import type { TicketPriority } from '../config/configuration.ts';
import type { Timestamp } from '../shared/time.ts';
import type { TicketStatus } from './commands.ts';
import type { TicketEvent } from './events.ts';

/** A ticket's stream state (`ticket-<id>`). */
export interface TicketState {
  readonly kind: 'ticket';
  readonly exists: boolean;
  readonly id: string;
  readonly customerId: string;
  readonly priority: TicketPriority;
  readonly status: TicketStatus;
  readonly assignee: string | null;
  readonly openedAt: Timestamp | null;
  readonly firstResponseDueAt: Timestamp;
  readonly resolutionDueAt: Timestamp;
  readonly firstResponseAt: Timestamp | null;
  readonly firstResponseMet: boolean | null;
  /** Sticky: once a target is breached it stays breached (a reopen does not heal it). */
  readonly firstResponseBreached: boolean;
  readonly resolutionBreached: boolean;
  readonly escalationLevel: number;
  readonly resolvedBy: string | null;
  readonly rated: boolean;
  readonly lastEventAt: Timestamp | null;
}

/** The state of a ticket stream with no events. */
export const initialTicketState: TicketState = {
  kind: 'ticket',
  exists: false,
  id: '',
  customerId: '',
  priority: 'normal',
  status: 'open',
  assignee: null,
  openedAt: null,
  firstResponseDueAt: '',
  resolutionDueAt: '',
  firstResponseAt: null,
  firstResponseMet: null,
  firstResponseBreached: false,
  resolutionBreached: false,
  escalationLevel: 0,
  resolvedBy: null,
  rated: false,
  lastEventAt: null,
};

/**
 * Marks targets breached when time `at` is past their due time while they
 * are still unmet. Breach is only observable at event times, which is enough:
 * every SLA outcome is decided at an event (first response, resolution).
 */
export function withBreaches(state: TicketState, at: Timestamp): TicketState {
  const firstResponseBreached = state.firstResponseBreached || (state.firstResponseAt === null && at > state.firstResponseDueAt);
  const unresolved = state.status === 'open' || state.status === 'assigned';
  const resolutionBreached = state.resolutionBreached || (unresolved && at > state.resolutionDueAt);
  return firstResponseBreached === state.firstResponseBreached && resolutionBreached === state.resolutionBreached
    ? state
    : { ...state, firstResponseBreached, resolutionBreached };
}

/** Folds one ticket event into the state. Total: never throws. */
export function evolveTicket(state: TicketState, event: TicketEvent): TicketState {
  const at = event.metadata.at;
  const before: TicketState = { ...(state.exists ? withBreaches(state, at) : state), lastEventAt: at };
  const after = applyTicketEvent(before, event, at);
  return after.exists ? withBreaches(after, at) : after;
}

function applyTicketEvent(before: TicketState, event: TicketEvent, at: Timestamp): TicketState {
  switch (event.type) {
    case 'TicketOpened': {
      const { data } = event;
      return {
        ...before,
        exists: true,
        id: data.ticketId,
        customerId: data.customerId,
        priority: data.priority,
        status: 'open',
        openedAt: at,
        firstResponseDueAt: data.firstResponseDueAt,
        resolutionDueAt: data.resolutionDueAt,
      };
    }
    case 'TicketAssigned': {
      const { data } = event;
      return { ...before, assignee: data.to, status: before.status === 'open' ? 'assigned' : before.status };
    }
    case 'TicketUnassigned': {
      return { ...before, assignee: null, status: before.status === 'assigned' ? 'open' : before.status };
    }
    case 'TicketCommented': {
      const { data } = event;
      return data.firstResponse ? { ...before, firstResponseAt: at, firstResponseMet: data.firstResponseMet } : before;
    }
    case 'TicketPriorityChanged': {
      const { data } = event;
      return {
        ...before,
        priority: data.to,
        firstResponseDueAt: data.firstResponseDueAt,
        resolutionDueAt: data.resolutionDueAt,
      };
    }
    case 'TicketEscalated': {
      const { data } = event;
      return { ...before, escalationLevel: data.level };
    }
    case 'TicketResolved': {
      const { data } = event;
      return {
        ...before,
        status: 'resolved',
        resolvedBy: data.resolvedBy,
        ...(data.firstResponse ? { firstResponseAt: at, firstResponseMet: data.firstResponseMet } : {}),
        resolutionBreached: before.resolutionBreached || !data.resolutionMet,
      };
    }
    case 'TicketClosed': {
      return { ...before, status: 'closed' };
    }
    case 'TicketReopened': {
      const { data } = event;
      return { ...before, status: data.status };
    }
    case 'TicketRated': {
      return { ...before, rated: true };
    }
  }
}
