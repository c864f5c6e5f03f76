import * as E from 'fp-ts/lib/Either.js';
import { match } from 'ts-pattern';
import type { CrmConfig, TicketPriority } from '../config/configuration.ts';
import type { DecisionContext } from '../context.ts';
import type { CustomerState } from '../customer/state.ts';
import { activeMember, checkClock, forbidden, isManager, isSystemOrAdmin, resolveActor, type Actor } from '../shared/actors.ts';
import { domainError, type DomainError } from '../shared/errors.ts';
import { eventOf, type Command } from '../shared/messages.ts';
import { addHours, type Timestamp } from '../shared/time.ts';
import type { TicketCommandData } from './commands.ts';
import type { TicketEvent } from './events.ts';
import { withBreaches, type TicketState } from './state.ts';

/** A validated ticket command. */
export type TicketCommand = { [Name in keyof TicketCommandData]: Command<Name, TicketCommandData[Name]> }[keyof TicketCommandData];
type CommandNamed<Name extends TicketCommand['command']> = Extract<TicketCommand, { command: Name }>;
type Decision = E.Either<DomainError, readonly TicketEvent[]>;

/** The stream of a ticket. */
export const ticketStream = (ticketId: string): string => `ticket-${ticketId}`;

/** SLA due times of a priority, counted in calendar hours from the opening time. */
export function slaDueTimes(config: CrmConfig, priority: TicketPriority, openedAt: Timestamp) {
  const slaHours = config.sla[priority];
  return {
    slaHours: { firstResponse: slaHours.firstResponse, resolution: slaHours.resolution },
    firstResponseDueAt: addHours(openedAt, slaHours.firstResponse),
    resolutionDueAt: addHours(openedAt, slaHours.resolution),
  };
}

const transition = (state: TicketState, action: string): DomainError =>
  domainError('INVALID_TRANSITION', `ticket ${state.id} is ${state.status} and cannot be ${action}`, { ticketId: state.id, status: state.status });

/**
 * Decides a ticket command (domain.md §5). `OpenTicket` also reads the
 * customer's state. Check order: actor → target exists → clock → customer
 * active → permission → the command's rules.
 */
export function decideTicket(command: TicketCommand, state: TicketState, customer: CustomerState, context: DecisionContext): Decision {
  const actorResult = resolveActor(command, context);
  if (E.isLeft(actorResult)) return actorResult;
  const actor = actorResult.right;
  if (command.command === 'OpenTicket') return decideOpening(command, state, customer, context);

  const ticketId = command.data.ticketId;
  if (!state.exists) return E.left(domainError('NOT_FOUND', `ticket ${ticketId} does not exist`, { ticketId }));
  const clock = checkClock(command, ticketStream(ticketId), state.lastEventAt);
  if (E.isLeft(clock)) return clock;
  const current = withBreaches(state, command.at);

  const isAssignee = actor.kind === 'member' && state.assignee === actor.profile.id;
  const staff = isSystemOrAdmin(actor) || isManager(actor);
  const assigneeOrStaff = (cmd: Command, decide: () => Decision): Decision =>
    isAssignee || staff ? decide() : E.left(forbidden(cmd, `ticket ${ticketId} is not assigned to them`));
  const notClosed = (action: string, decide: () => Decision): Decision => (state.status === 'closed' ? E.left(transition(state, action)) : decide());

  return match(command)
    .with({ command: 'AssignTicket' }, (cmd): Decision => {
      const selfAssign = actor.kind === 'member' && cmd.data.to === actor.profile.id && state.assignee === null;
      if (!staff && !selfAssign) return E.left(forbidden(cmd, 'only a manager, an admin or system assigns tickets; a member may take an unassigned one'));
      if (state.status !== 'open' && state.status !== 'assigned') return E.left(transition(state, 'assigned'));
      const to = activeMember(context, cmd.data.to, 'assignee');
      if (E.isLeft(to)) return to;
      if (state.assignee === cmd.data.to) return E.right([]);
      return E.right([eventOf(cmd, 'TicketAssigned', { ticketId, from: state.assignee, to: cmd.data.to })]);
    })
    .with({ command: 'UnassignTicket' }, (cmd) =>
      assigneeOrStaff(cmd, (): Decision => {
        if (state.status !== 'open' && state.status !== 'assigned') return E.left(transition(state, 'unassigned'));
        if (state.assignee === null) return E.right([]);
        return E.right([eventOf(cmd, 'TicketUnassigned', { ticketId, from: state.assignee, reason: cmd.data.reason ?? null })]);
      }),
    )
    // Any active member may comment (domain.md §2); the first public comment by a member is the first response.
    .with({ command: 'CommentOnTicket' }, (cmd) =>
      notClosed('commented on', (): Decision => {
        const firstResponse = cmd.data.visibility === 'public' && actor.kind === 'member' && current.firstResponseAt === null;
        const firstResponseMet = firstResponse ? !current.firstResponseBreached && cmd.at <= current.firstResponseDueAt : null;
        return E.right([eventOf(cmd, 'TicketCommented', { ticketId, body: cmd.data.body, visibility: cmd.data.visibility, firstResponse, firstResponseMet })]);
      }),
    )
    .with({ command: 'ChangeTicketPriority' }, (cmd) =>
      assigneeOrStaff(cmd, () =>
        notClosed('reprioritised', (): Decision => {
          if (cmd.data.priority === state.priority || state.openedAt === null) return E.right([]);
          return E.right([
            eventOf(cmd, 'TicketPriorityChanged', { ticketId, from: state.priority, to: cmd.data.priority, ...slaDueTimes(context.config, cmd.data.priority, state.openedAt) }),
          ]);
        }),
      ),
    )
    .with({ command: 'EscalateTicket' }, (cmd) =>
      assigneeOrStaff(cmd, () =>
        notClosed('escalated', (): Decision => E.right([eventOf(cmd, 'TicketEscalated', { ticketId, level: state.escalationLevel + 1, reason: cmd.data.reason })])),
      ),
    )
    .with({ command: 'ResolveTicket' }, (cmd) => assigneeOrStaff(cmd, () => decideResolution(cmd, actor, current)))
    .with({ command: 'CloseTicket' }, (cmd) =>
      assigneeOrStaff(cmd, (): Decision => (state.status === 'resolved' ? E.right([eventOf(cmd, 'TicketClosed', { ticketId })]) : E.left(transition(state, 'closed')))),
    )
    .with({ command: 'ReopenTicket' }, (cmd) =>
      assigneeOrStaff(cmd, (): Decision => {
        if (state.status !== 'resolved' && state.status !== 'closed') return E.left(transition(state, 'reopened'));
        return E.right([eventOf(cmd, 'TicketReopened', { ticketId, reason: cmd.data.reason, status: state.assignee === null ? ('open' as const) : ('assigned' as const) })]);
      }),
    )
    .with({ command: 'RateTicket' }, (cmd): Decision => {
      if (state.status !== 'resolved' && state.status !== 'closed') return E.left(transition(state, 'rated'));
      if (state.rated) return E.left(domainError('ALREADY_RATED', `ticket ${ticketId} is already rated`, { ticketId }));
      return E.right([eventOf(cmd, 'TicketRated', { ticketId, score: cmd.data.score, comment: cmd.data.comment ?? null, resolvedBy: state.resolvedBy })]);
    })
    .exhaustive();
}

function decideResolution(command: CommandNamed<'ResolveTicket'>, actor: Actor, state: TicketState): Decision {
  if (state.status !== 'open' && state.status !== 'assigned') return E.left(transition(state, 'resolved'));
  // Credit: the assignee; an unassigned ticket resolved by a manager or admin is credited to that member.
  const resolvedBy = state.assignee ?? (actor.kind === 'member' ? actor.profile.id : null);
  const firstResponse = state.firstResponseAt === null;
  const firstResponseMet = firstResponse ? !state.firstResponseBreached && command.at <= state.firstResponseDueAt : (state.firstResponseMet ?? false);
  const resolutionMet = !state.resolutionBreached && command.at <= state.resolutionDueAt;
  return E.right([
    eventOf(command, 'TicketResolved', {
      ticketId: state.id,
      resolution: command.data.resolution,
      resolvedBy,
      openedAt: state.openedAt ?? command.at,
      firstResponse,
      firstResponseMet,
      resolutionMet,
    }),
  ]);
}

function decideOpening(command: CommandNamed<'OpenTicket'>, state: TicketState, customer: CustomerState, context: DecisionContext): Decision {
  const data = command.data;
  if (state.exists) return E.left(domainError('ALREADY_EXISTS', `ticket ${data.ticketId} already exists`, { ticketId: data.ticketId }));
  if (!customer.exists) return E.left(domainError('NOT_FOUND', `customer ${data.customerId} does not exist`, { customerId: data.customerId }));
  if (customer.status !== 'active') {
    return E.left(domainError('CUSTOMER_INACTIVE', `customer ${data.customerId} is ${customer.status}`, { customerId: data.customerId, status: customer.status }));
  }
  return E.right([
    eventOf(command, 'TicketOpened', {
      ticketId: data.ticketId,
      customerId: data.customerId,
      subject: data.subject,
      description: data.description ?? null,
      category: data.category,
      priority: data.priority,
      channel: data.channel,
      ...slaDueTimes(context.config, data.priority, command.at),
    }),
  ]);
}
