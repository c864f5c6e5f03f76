import { describe, expect, it } from 'vitest';
import type { MemberRole } from '../context.ts';
import { event, given } from '../testing/index.ts';

// domain.md §2 Members (team directory), stream member-<id>.

const T0 = '2026-01-05T09:00:00.000Z';

const member = (memberId: string, role: MemberRole, team: string | null) => event('MemberRegistered', { memberId, name: `Name of ${memberId}`, role, team }, { at: T0, actor: 'system' });

/** The team directory every spec starts from: two teams, their managers, an admin. */
const directory = [
  member('admin', 'admin', null),
  member('mgr-n', 'manager', 'north'),
  member('mgr-s', 'manager', 'south'),
  member('rep-a', 'rep', 'north'),
  member('rep-b', 'rep', 'north'),
  member('rep-s', 'rep', 'south'),
];

const deactivated = (memberId: string, role: MemberRole, team: string | null, at = T0) =>
  event('MemberDeactivated', { memberId, successorId: null, role, team }, { at, actor: 'admin' });

describe('RegisterMember', () => {
  it('an admin registers a member', () => {
    given(...directory)
      .when({ command: 'RegisterMember', actor: 'admin', data: { memberId: 'rep-c', name: ' Chen Jie ', role: 'rep', team: 'north' } })
      .then({ type: 'MemberRegistered', data: { memberId: 'rep-c', name: 'Chen Jie', role: 'rep', team: 'north' } });
  });

  it('system registers a member; without a team it has none', () => {
    given()
      .when({ command: 'RegisterMember', actor: 'system', data: { memberId: 'admin', name: 'First Admin', role: 'admin' } })
      .then({ type: 'MemberRegistered', data: { memberId: 'admin', name: 'First Admin', role: 'admin', team: null } });
  });

  it.each(['mgr-n', 'rep-a'])('only admins and system register members: %s is FORBIDDEN', (actor) => {
    given(...directory).when({ command: 'RegisterMember', actor, data: { memberId: 'rep-c', name: 'Chen Jie', role: 'rep', team: 'north' } }).thenRejects('FORBIDDEN');
  });

  it('a taken id is ALREADY_EXISTS', () => {
    given(...directory)
      .when({ command: 'RegisterMember', actor: 'admin', data: { memberId: 'rep-a', name: 'Another Ann', role: 'rep' } })
      .thenRejects('ALREADY_EXISTS', { memberId: 'rep-a' });
  });

  it('an id that is taken wins over the permission (target before permission)', () => {
    given(...directory).when({ command: 'RegisterMember', actor: 'rep-b', data: { memberId: 'rep-a', name: 'Ann', role: 'rep' } }).thenRejects('ALREADY_EXISTS');
  });

  it('a deactivated member id stays taken', () => {
    given(...directory, deactivated('rep-b', 'rep', 'north'))
      .when({ command: 'RegisterMember', actor: 'admin', data: { memberId: 'rep-b', name: 'Bo again', role: 'rep' } })
      .thenRejects('ALREADY_EXISTS');
  });

  it('an unknown role is INVALID_COMMAND at data.role', () => {
    const error = given(...directory)
      .when({ command: 'RegisterMember', actor: 'admin', data: { memberId: 'rep-c', name: 'Chen', role: 'intern' } })
      .thenRejects('INVALID_COMMAND');
    expect((error.details?.['issues'] as { path: string }[]).map((issue) => issue.path)).toEqual(['data.role']);
  });
});

describe('ChangeMemberRole (admin/system)', () => {
  it('an admin promotes a rep', () => {
    given(...directory)
      .when({ command: 'ChangeMemberRole', actor: 'admin', data: { memberId: 'rep-a', role: 'manager' } })
      .then({ type: 'MemberRoleChanged', data: { memberId: 'rep-a', from: 'rep', to: 'manager' } });
  });

  it('system changes a role', () => {
    given(...directory)
      .when({ command: 'ChangeMemberRole', actor: 'system', data: { memberId: 'mgr-s', role: 'rep' } })
      .then({ type: 'MemberRoleChanged', data: { memberId: 'mgr-s', from: 'manager', to: 'rep' } });
  });

  it('the same role again emits nothing', () => {
    given(...directory).when({ command: 'ChangeMemberRole', actor: 'admin', data: { memberId: 'rep-a', role: 'rep' } }).thenNothing();
  });

  it.each(['mgr-n', 'mgr-s', 'rep-a'])('%s may not change roles: FORBIDDEN', (actor) => {
    given(...directory).when({ command: 'ChangeMemberRole', actor, data: { memberId: 'rep-a', role: 'manager' } }).thenRejects('FORBIDDEN');
  });

  it('an unknown member is NOT_FOUND', () => {
    given(...directory).when({ command: 'ChangeMemberRole', actor: 'admin', data: { memberId: 'rep-z', role: 'manager' } }).thenRejects('NOT_FOUND', { memberId: 'rep-z' });
  });

  it('a deactivated member is MEMBER_INACTIVE', () => {
    given(...directory, deactivated('rep-b', 'rep', 'north'))
      .when({ command: 'ChangeMemberRole', actor: 'admin', data: { memberId: 'rep-b', role: 'manager' } })
      .thenRejects('MEMBER_INACTIVE', { memberId: 'rep-b' });
  });

  it('an effective time before the member stream\'s last event is CLOCK_SKEW', () => {
    given(...directory, event('MemberRoleChanged', { memberId: 'rep-a', from: 'rep', to: 'manager' }, { at: '2026-01-10T00:00:00.000Z', actor: 'admin' }))
      .when({ command: 'ChangeMemberRole', actor: 'admin', at: '2026-01-09T23:59:59.999Z', data: { memberId: 'rep-a', role: 'rep' } })
      .thenRejects('CLOCK_SKEW', { stream: 'member-rep-a', at: '2026-01-09T23:59:59.999Z', lastEventAt: '2026-01-10T00:00:00.000Z' });
  });

  it('an effective time equal to the stream\'s last event is fine', () => {
    given(...directory, event('MemberRoleChanged', { memberId: 'rep-a', from: 'rep', to: 'manager' }, { at: '2026-01-10T00:00:00.000Z', actor: 'admin' }))
      .when({ command: 'ChangeMemberRole', actor: 'admin', at: '2026-01-10T00:00:00.000Z', data: { memberId: 'rep-a', role: 'rep' } })
      .then({ type: 'MemberRoleChanged', data: { memberId: 'rep-a', from: 'manager', to: 'rep' } });
  });
});

describe('MoveMemberToTeam (manager of either team/admin/system)', () => {
  it('the manager of the member\'s current team moves it', () => {
    given(...directory)
      .when({ command: 'MoveMemberToTeam', actor: 'mgr-n', data: { memberId: 'rep-a', team: 'south' } })
      .then({ type: 'MemberMovedToTeam', data: { memberId: 'rep-a', from: 'north', to: 'south' } });
  });

  it('the manager of the team it joins moves it', () => {
    given(...directory)
      .when({ command: 'MoveMemberToTeam', actor: 'mgr-s', data: { memberId: 'rep-a', team: 'south' } })
      .then({ type: 'MemberMovedToTeam', data: { memberId: 'rep-a', from: 'north', to: 'south' } });
  });

  it.each(['admin', 'system'])('%s moves anyone, also a member without a team', (actor) => {
    given(...directory)
      .when({ command: 'MoveMemberToTeam', actor, data: { memberId: 'admin', team: 'east' } })
      .then({ type: 'MemberMovedToTeam', data: { memberId: 'admin', from: null, to: 'east' } });
  });

  it('a manager of neither team is FORBIDDEN', () => {
    given(...directory).when({ command: 'MoveMemberToTeam', actor: 'mgr-s', data: { memberId: 'rep-a', team: 'east' } }).thenRejects('FORBIDDEN');
  });

  it('a rep is FORBIDDEN, even moving itself', () => {
    given(...directory).when({ command: 'MoveMemberToTeam', actor: 'rep-a', data: { memberId: 'rep-a', team: 'south' } }).thenRejects('FORBIDDEN');
  });

  it('the same team again emits nothing', () => {
    given(...directory).when({ command: 'MoveMemberToTeam', actor: 'mgr-n', data: { memberId: 'rep-a', team: 'north' } }).thenNothing();
  });

  it('a deactivated member is MEMBER_INACTIVE', () => {
    given(...directory, deactivated('rep-b', 'rep', 'north'))
      .when({ command: 'MoveMemberToTeam', actor: 'admin', data: { memberId: 'rep-b', team: 'south' } })
      .thenRejects('MEMBER_INACTIVE');
  });

  it('an unknown member is NOT_FOUND', () => {
    given(...directory).when({ command: 'MoveMemberToTeam', actor: 'admin', data: { memberId: 'rep-z', team: 'south' } }).thenRejects('NOT_FOUND');
  });
});

describe('SetSalesTarget (manager/admin/system; replaces the target of that period)', () => {
  const target = (actor: string, amount: string, period = '2026-Q1') => ({
    command: 'SetSalesTarget',
    actor,
    data: { memberId: 'rep-a', period, amount: { amount, currency: 'USD' } },
  });

  it('the manager of the member\'s team sets a target, in minor units', () => {
    given(...directory)
      .when(target('mgr-n', '100000.00'))
      .then({ type: 'SalesTargetSet', data: { memberId: 'rep-a', period: '2026-Q1', amount: { currency: 'USD', minor: '10000000' }, previous: null } });
  });

  it('a new target for the same period replaces the earlier one, which the event records', () => {
    given(...directory, event('SalesTargetSet', { memberId: 'rep-a', period: '2026-Q1', amount: { currency: 'USD', minor: '10000000' }, previous: null }, { at: T0, actor: 'mgr-n' }))
      .when(target('admin', '120000'))
      .then({
        type: 'SalesTargetSet',
        data: { memberId: 'rep-a', period: '2026-Q1', amount: { currency: 'USD', minor: '12000000' }, previous: { currency: 'USD', minor: '10000000' } },
      });
  });

  it('another period is a separate target', () => {
    given(...directory, event('SalesTargetSet', { memberId: 'rep-a', period: '2026-Q1', amount: { currency: 'USD', minor: '10000000' }, previous: null }, { at: T0 }))
      .when(target('system', '40000', '2026-04'))
      .then({ type: 'SalesTargetSet', data: { memberId: 'rep-a', period: '2026-04', amount: { currency: 'USD', minor: '4000000' }, previous: null } });
  });

  it('the same target again emits nothing', () => {
    given(...directory, event('SalesTargetSet', { memberId: 'rep-a', period: '2026-Q1', amount: { currency: 'USD', minor: '10000000' }, previous: null }, { at: T0 }))
      .when(target('mgr-n', '100000'))
      .thenNothing();
  });

  it.each(['mgr-s', 'rep-a', 'rep-b'])('%s (a rep, or a manager of another team) is FORBIDDEN', (actor) => {
    given(...directory).when(target(actor, '1000')).thenRejects('FORBIDDEN');
  });

  it('a deactivated member gets no target: MEMBER_INACTIVE', () => {
    given(...directory, deactivated('rep-a', 'rep', 'north')).when(target('admin', '1000')).thenRejects('MEMBER_INACTIVE');
  });
});

describe('DeactivateMember (admin/system; successor active)', () => {
  it('an admin deactivates a member, naming a successor', () => {
    given(...directory)
      .when({ command: 'DeactivateMember', actor: 'admin', data: { memberId: 'rep-a', successorId: 'rep-b' } })
      .then({ type: 'MemberDeactivated', data: { memberId: 'rep-a', successorId: 'rep-b', role: 'rep', team: 'north' } });
  });

  it('system deactivates a member without a successor', () => {
    given(...directory)
      .when({ command: 'DeactivateMember', actor: 'system', data: { memberId: 'mgr-s' } })
      .then({ type: 'MemberDeactivated', data: { memberId: 'mgr-s', successorId: null, role: 'manager', team: 'south' } });
  });

  it.each(['mgr-n', 'rep-b'])('%s is FORBIDDEN', (actor) => {
    given(...directory).when({ command: 'DeactivateMember', actor, data: { memberId: 'rep-a' } }).thenRejects('FORBIDDEN');
  });

  it('a deactivated successor is MEMBER_INACTIVE', () => {
    given(...directory, deactivated('rep-b', 'rep', 'north'))
      .when({ command: 'DeactivateMember', actor: 'admin', data: { memberId: 'rep-a', successorId: 'rep-b' } })
      .thenRejects('MEMBER_INACTIVE', { memberId: 'rep-b' });
  });

  it('an unknown successor is NOT_FOUND', () => {
    given(...directory)
      .when({ command: 'DeactivateMember', actor: 'admin', data: { memberId: 'rep-a', successorId: 'rep-z' } })
      .thenRejects('NOT_FOUND', { memberId: 'rep-z' });
  });

  it('a member cannot succeed itself (INVALID_COMMAND at data.successorId)', () => {
    given(...directory)
      .when({ command: 'DeactivateMember', actor: 'admin', data: { memberId: 'rep-a', successorId: 'rep-a' } })
      .thenRejects('INVALID_COMMAND', { issues: [{ path: 'data.successorId', message: 'a member cannot succeed itself' }] });
  });

  it('deactivating twice is MEMBER_INACTIVE', () => {
    given(...directory, deactivated('rep-a', 'rep', 'north')).when({ command: 'DeactivateMember', actor: 'admin', data: { memberId: 'rep-a' } }).thenRejects('MEMBER_INACTIVE');
  });

  it('an unknown member is NOT_FOUND', () => {
    given(...directory).when({ command: 'DeactivateMember', actor: 'admin', data: { memberId: 'rep-z' } }).thenRejects('NOT_FOUND', { memberId: 'rep-z' });
  });
});

describe('actors: an active member id, or system', () => {
  it('a deactivated member cannot act: MEMBER_INACTIVE', () => {
    given(...directory, deactivated('mgr-n', 'manager', 'north'))
      .when({ command: 'MoveMemberToTeam', actor: 'mgr-n', data: { memberId: 'rep-a', team: 'south' } })
      .thenRejects('MEMBER_INACTIVE', { memberId: 'mgr-n' });
  });

  it('an unknown actor is NOT_FOUND', () => {
    given(...directory).when({ command: 'ChangeMemberRole', actor: 'ghost', data: { memberId: 'rep-a', role: 'manager' } }).thenRejects('NOT_FOUND', { memberId: 'ghost' });
  });

  it('a member whose role changed acts with its new role', () => {
    given(...directory, event('MemberRoleChanged', { memberId: 'rep-a', from: 'rep', to: 'admin' }, { at: T0, actor: 'admin' }))
      .when({ command: 'ChangeMemberRole', actor: 'rep-a', data: { memberId: 'rep-b', role: 'manager' } })
      .then({ type: 'MemberRoleChanged', data: { memberId: 'rep-b', from: 'rep', to: 'manager' } });
  });

  it('a manager moved to another team manages that team only', () => {
    given(...directory, event('MemberMovedToTeam', { memberId: 'mgr-n', from: 'north', to: 'east' }, { at: T0, actor: 'admin' }))
      .when({ command: 'SetSalesTarget', actor: 'mgr-n', data: { memberId: 'rep-a', period: '2026', amount: { amount: '1', currency: 'USD' } } })
      .thenRejects('FORBIDDEN');
  });
});

describe('every command on a member stream', () => {
  const commands = (memberId: string) => [
    { command: 'ChangeMemberRole', actor: 'admin', data: { memberId, role: 'manager' } },
    { command: 'MoveMemberToTeam', actor: 'admin', data: { memberId, team: 'south' } },
    { command: 'SetSalesTarget', actor: 'admin', data: { memberId, period: '2026', amount: { amount: '1000', currency: 'USD' } } },
    { command: 'DeactivateMember', actor: 'admin', data: { memberId } },
  ];
  const touched = event('SalesTargetSet', { memberId: 'rep-a', period: '2025', amount: { currency: 'USD', minor: '1' }, previous: null }, { at: '2026-02-01T00:00:00.000Z', actor: 'admin' });

  it.each(commands('rep-z').map((input) => [input.command, input] as const))('%s on an unknown member is NOT_FOUND', (_name, input) => {
    given(...directory).when(input).thenRejects('NOT_FOUND', { memberId: 'rep-z' });
  });

  it.each(commands('rep-a').map((input) => [input.command, input] as const))('%s earlier than the stream\'s last event is CLOCK_SKEW', (_name, input) => {
    given(...directory, touched)
      .when({ ...input, at: '2026-01-31T23:59:59.999Z' })
      .thenRejects('CLOCK_SKEW', { stream: 'member-rep-a', lastEventAt: '2026-02-01T00:00:00.000Z' });
  });

  it.each(commands('rep-a').map((input) => [input.command, input] as const))('%s on a deactivated member is MEMBER_INACTIVE', (_name, input) => {
    given(...directory, deactivated('rep-a', 'rep', 'north')).when(input).thenRejects('MEMBER_INACTIVE', { memberId: 'rep-a' });
  });
});
