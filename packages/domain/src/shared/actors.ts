import * as E from 'fp-ts/lib/Either.js';
import type { DecisionContext, MemberProfile } from '../context.ts';
import { domainError, type DomainError } from './errors.ts';
import type { Command } from './messages.ts';
import { SYSTEM_ACTOR } from './text.ts';

/** Who is acting: the built-in system actor or an active member. */
export type Actor = { readonly kind: 'system' } | { readonly kind: 'member'; readonly profile: MemberProfile };

/** The first check of every decision after the schema: the actor exists and is active. */
export function resolveActor(command: Command, context: DecisionContext): E.Either<DomainError, Actor> {
  if (command.actor === SYSTEM_ACTOR) return E.right({ kind: 'system' });
  const profile = context.members.get(command.actor);
  if (profile === undefined) return E.left(domainError('NOT_FOUND', `actor ${command.actor} is not a registered member`, { memberId: command.actor }));
  if (!profile.active) return E.left(domainError('MEMBER_INACTIVE', `actor ${command.actor} is deactivated`, { memberId: command.actor }));
  return E.right({ kind: 'member', profile });
}

/** `system` and admins act on everything. */
export const isSystemOrAdmin = (actor: Actor): boolean => actor.kind === 'system' || actor.profile.role === 'admin';

/** True when the actor is a member with role `manager`. */
export const isManager = (actor: Actor): boolean => actor.kind === 'member' && actor.profile.role === 'manager';

/** The acting member's id, or `system`. */
export const actorId = (actor: Actor): string => (actor.kind === 'system' ? SYSTEM_ACTOR : actor.profile.id);

/** True when the actor is a manager whose team is `team` (a manager without a team manages nobody). */
export const managesTeam = (actor: Actor, team: string | null): boolean =>
  isManager(actor) && team !== null && actor.kind === 'member' && actor.profile.team === team;

/**
 * True when the actor may act on something owned by `ownerId` (domain.md §2):
 * system and admins always; the owner itself; a manager of the owner's team.
 */
export function actsOnOwnedBy(actor: Actor, ownerId: string | null, context: DecisionContext): boolean {
  if (isSystemOrAdmin(actor)) return true;
  if (actor.kind !== 'member' || ownerId === null) return false;
  if (actor.profile.id === ownerId) return true;
  return managesTeam(actor, context.members.get(ownerId)?.team ?? null);
}

/** The rejection for an actor whose role or ownership does not allow the command. */
export const forbidden = (command: Command, why: string): DomainError =>
  domainError('FORBIDDEN', `${command.actor} may not ${command.command}: ${why}`, { actor: command.actor, command: command.command });

/**
 * A member a command names as a target (`to`, `owner`, `successorId`):
 * `NOT_FOUND` when unknown, `MEMBER_INACTIVE` when deactivated.
 */
export function activeMember(context: DecisionContext, memberId: string, role: string): E.Either<DomainError, MemberProfile> {
  const profile = context.members.get(memberId);
  if (profile === undefined) return E.left(domainError('NOT_FOUND', `${role} ${memberId} is not a registered member`, { memberId }));
  if (!profile.active) return E.left(domainError('MEMBER_INACTIVE', `${role} ${memberId} is deactivated`, { memberId }));
  return E.right(profile);
}

/** `CLOCK_SKEW` when a command's effective time is earlier than its stream's last event. */
export function checkClock(command: Command, stream: string, lastEventAt: string | null): E.Either<DomainError, void> {
  if (lastEventAt !== null && command.at < lastEventAt) {
    return E.left(
      domainError('CLOCK_SKEW', `${stream}: effective time ${command.at} is earlier than its last event at ${lastEventAt}`, {
        stream,
        at: command.at,
        lastEventAt,
      }),
    );
  }
  return E.right(undefined);
}
