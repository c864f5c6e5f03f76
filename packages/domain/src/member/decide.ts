import * as E from 'fp-ts/lib/Either.js';
import { match } from 'ts-pattern';
import type { DecisionContext } from '../context.ts';
import { activeMember, checkClock, forbidden, isSystemOrAdmin, managesTeam, resolveActor, type Actor } from '../shared/actors.ts';
import { domainError, type DomainError } from '../shared/errors.ts';
import { eventOf, type Command } from '../shared/messages.ts';
import { sameMoney } from '../shared/money.ts';
import { own } from '../shared/records.ts';
import type { MemberCommandData } from './commands.ts';
import type { MemberEvent } from './events.ts';
import type { MemberState } from './state.ts';

/** A validated member command. */
export type MemberCommand = { [Name in keyof MemberCommandData]: Command<Name, MemberCommandData[Name]> }[keyof MemberCommandData];

type Decision = E.Either<DomainError, readonly MemberEvent[]>;

/** The stream of a member. */
export const memberStream = (memberId: string): string => `member-${memberId}`;

const notFound = (memberId: string): DomainError => domainError('NOT_FOUND', `member ${memberId} does not exist`, { memberId });

/**
 * Decides a member command (domain.md §2) against the member's stream state.
 * Check order: actor → target exists (or not, for registration) → clock →
 * permission → the command's rules.
 */
export function decideMember(command: MemberCommand, state: MemberState, context: DecisionContext): Decision {
  const actorResult = resolveActor(command, context);
  if (E.isLeft(actorResult)) return actorResult;
  const actor = actorResult.right;
  const memberId = command.data.memberId;

  if (command.command === 'RegisterMember') {
    if (state.exists) return E.left(domainError('ALREADY_EXISTS', `member ${memberId} already exists`, { memberId }));
    if (!isSystemOrAdmin(actor)) return E.left(forbidden(command, 'only an admin or system registers members'));
    const { name, role, team } = command.data;
    return E.right([eventOf(command, 'MemberRegistered', { memberId, name, role, team: team ?? null })]);
  }

  if (!state.exists) return E.left(notFound(memberId));
  const clock = checkClock(command, memberStream(memberId), state.lastEventAt);
  if (E.isLeft(clock)) return clock;
  return match(command)
    .with({ command: 'ChangeMemberRole' }, (cmd): Decision => {
      if (!isSystemOrAdmin(actor)) return E.left(forbidden(cmd, 'only an admin or system changes roles'));
      if (!state.active) return E.left(inactive(memberId));
      if (cmd.data.role === state.role) return E.right([]);
      return E.right([eventOf(cmd, 'MemberRoleChanged', { memberId, from: state.role, to: cmd.data.role })]);
    })
    .with({ command: 'MoveMemberToTeam' }, (cmd): Decision => {
      if (!isSystemOrAdmin(actor) && !managesTeam(actor, state.team) && !managesTeam(actor, cmd.data.team)) {
        return E.left(forbidden(cmd, 'only a manager of either team, an admin or system moves members'));
      }
      if (!state.active) return E.left(inactive(memberId));
      if (cmd.data.team === state.team) return E.right([]);
      return E.right([eventOf(cmd, 'MemberMovedToTeam', { memberId, from: state.team, to: cmd.data.team })]);
    })
    .with({ command: 'SetSalesTarget' }, (cmd): Decision => {
      if (!isSystemOrAdmin(actor) && !managesTeam(actor, state.team)) {
        return E.left(forbidden(cmd, "only a manager of the member's team, an admin or system sets targets"));
      }
      if (!state.active) return E.left(inactive(memberId));
      const previous = own(state.targets, cmd.data.period) ?? null;
      if (previous !== null && sameMoney(previous, cmd.data.amount)) return E.right([]);
      return E.right([eventOf(cmd, 'SalesTargetSet', { memberId, period: cmd.data.period, amount: cmd.data.amount, previous })]);
    })
    .with({ command: 'DeactivateMember' }, (cmd): Decision => decideDeactivation(cmd, actor, state, context))
    .exhaustive();
}

const inactive = (memberId: string): DomainError => domainError('MEMBER_INACTIVE', `member ${memberId} is deactivated`, { memberId });

function decideDeactivation(
  command: Extract<MemberCommand, { command: 'DeactivateMember' }>,
  actor: Actor,
  state: MemberState,
  context: DecisionContext,
): Decision {
  if (!isSystemOrAdmin(actor)) return E.left(forbidden(command, 'only an admin or system deactivates members'));
  const { memberId, successorId } = command.data;
  if (!state.active) return E.left(inactive(memberId));
  if (successorId !== undefined) {
    if (successorId === memberId) {
      return E.left(domainError('INVALID_COMMAND', 'data.successorId: a member cannot succeed itself', { issues: [{ path: 'data.successorId', message: 'a member cannot succeed itself' }] }));
    }
    const successor = activeMember(context, successorId, 'successor');
    if (E.isLeft(successor)) return successor;
  }
  return E.right([
    eventOf(command, 'MemberDeactivated', { memberId, successorId: successorId ?? null, role: state.role, team: state.team }),
  ]);
}
