import type { MemberRole } from '../context.ts';
import type { Money } from '../shared/money.ts';
import type { Timestamp } from '../shared/time.ts';
import type { MemberEvent } from './events.ts';

/** A member's stream state (`member-<id>`). */
export interface MemberState {
  readonly kind: 'member';
  readonly exists: boolean;
  readonly id: string;
  readonly name: string;
  readonly role: MemberRole;
  readonly team: string | null;
  readonly active: boolean;
  /** Sales targets per period label. */
  readonly targets: { readonly [period: string]: Money };
  readonly lastEventAt: Timestamp | null;
}

/** The state of a member stream with no events. */
export const initialMemberState: MemberState = {
  kind: 'member',
  exists: false,
  id: '',
  name: '',
  role: 'rep',
  team: null,
  active: false,
  targets: {},
  lastEventAt: null,
};

/** Folds one member event into the state. Total: never throws. */
export function evolveMember(state: MemberState, event: MemberEvent): MemberState {
  const next = { ...state, lastEventAt: event.metadata.at };
  switch (event.type) {
    case 'MemberRegistered': {
      const { data } = event;
      return {
        ...next,
        exists: true,
        id: data.memberId,
        name: data.name,
        role: data.role,
        team: data.team,
        active: true,
      };
    }
    case 'MemberRoleChanged': {
      const { data } = event;
      return { ...next, role: data.to };
    }
    case 'MemberMovedToTeam': {
      const { data } = event;
      return { ...next, team: data.to };
    }
    case 'SalesTargetSet': {
      const { data } = event;
      return { ...next, targets: { ...state.targets, [data.period]: data.amount } };
    }
    case 'MemberDeactivated': {
      return { ...next, active: false };
    }
  }
}
