import { describe, it } from 'vitest';
import { applyConfigPatch, defaultConfig, type ConfigPatch } from '../config/configuration.ts';
import type { MemberRole } from '../context.ts';
import { event, given } from '../testing/index.ts';

// domain.md §5 Ticket (after-sales service, complaints), stream ticket-<id>.

const T0 = '2026-01-01T09:00:00.000Z';

const member = (memberId: string, role: MemberRole, team: string | null) => event('MemberRegistered', { memberId, name: `Name of ${memberId}`, role, team }, { at: T0 });
const directory = [
  member('admin', 'admin', null),
  member('mgr-n', 'manager', 'north'),
  member('mgr-s', 'manager', 'south'),
  member('rep-a', 'rep', 'north'),
  member('rep-b', 'rep', 'north'),
  member('rep-s', 'rep', 'south'),
];
const deactivated = (memberId: string, role: MemberRole, team: string | null) => event('MemberDeactivated', { memberId, successorId: null, role, team }, { at: T0, actor: 'admin' });
const registered = (customerId: string, owner: string | null) =>
  event(
    'CustomerRegistered',
    {
      customerId,
      name: `Customer ${customerId}`,
      kind: 'company',
      phone: null,
      email: `${customerId}@example.com`,
      address: null,
      industry: null,
      region: null,
      source: 'web',
      importance: 'B',
      stage: 'potential',
      owner,
      possibleDuplicateOf: [],
    },
    { at: T0, actor: owner ?? 'system' },
  );
const configured = (changes: ConfigPatch, at = T0) => event('ConfigurationChanged', { changes, config: applyConfigPatch(defaultConfig, changes) }, { at, actor: 'admin' });

/** SLA due times of a ticket opened at T0 (2026-01-01 09:00Z), by the default hours of §1, computed by hand. */
const dueAtT0 = {
  urgent: { slaHours: { firstResponse: 1, resolution: 4 }, firstResponseDueAt: '2026-01-01T10:00:00.000Z', resolutionDueAt: '2026-01-01T13:00:00.000Z' },
  high: { slaHours: { firstResponse: 4, resolution: 24 }, firstResponseDueAt: '2026-01-01T13:00:00.000Z', resolutionDueAt: '2026-01-02T09:00:00.000Z' },
  normal: { slaHours: { firstResponse: 8, resolution: 72 }, firstResponseDueAt: '2026-01-01T17:00:00.000Z', resolutionDueAt: '2026-01-04T09:00:00.000Z' },
  low: { slaHours: { firstResponse: 24, resolution: 120 }, firstResponseDueAt: '2026-01-02T09:00:00.000Z', resolutionDueAt: '2026-01-06T09:00:00.000Z' },
} as const;

type Priority = keyof typeof dueAtT0;

const opened = (priority: Priority = 'normal') =>
  event(
    'TicketOpened',
    { ticketId: 't1', customerId: 'c1', subject: 'Scanner broken', description: null, category: 'repair', priority, channel: 'phone', ...dueAtT0[priority] },
    { at: T0, actor: 'rep-a' },
  );
const assigned = (to: string, at = T0, from: string | null = null) => event('TicketAssigned', { ticketId: 't1', from, to }, { at, actor: 'mgr-n' });
const commented = (at: string, actor: string, firstResponse: boolean, firstResponseMet: boolean | null, visibility: 'public' | 'internal' = 'public') =>
  event('TicketCommented', { ticketId: 't1', body: 'On it', visibility, firstResponse, firstResponseMet }, { at, actor });
const resolved = (at: string, resolvedBy: string | null, outcome: { firstResponse: boolean; firstResponseMet: boolean; resolutionMet: boolean }) =>
  event('TicketResolved', { ticketId: 't1', resolution: 'Replaced', resolvedBy, openedAt: T0, ...outcome }, { at, actor: resolvedBy ?? 'system' });
const closed = (at: string) => event('TicketClosed', { ticketId: 't1' }, { at, actor: 'mgr-n' });
const reopened = (at: string, status: 'open' | 'assigned') => event('TicketReopened', { ticketId: 't1', reason: 'still broken', status }, { at, actor: 'mgr-n' });
const priorityChanged = (at: string, from: Priority, to: Priority, due: { firstResponseDueAt: string; resolutionDueAt: string }) =>
  event('TicketPriorityChanged', { ticketId: 't1', from, to, slaHours: dueAtT0[to].slaHours, ...due }, { at, actor: 'mgr-n' });

const world = [...directory, registered('c1', 'rep-a'), registered('p1', null)];
const open = [...world, opened()];
const assignedToA = [...open, assigned('rep-a')];
const resolvedByA = [...assignedToA, resolved('2026-01-01T11:00:00.000Z', 'rep-a', { firstResponse: true, firstResponseMet: true, resolutionMet: true })];

/** "assignee or staff" on t1 (assigned to rep-a). */
const assigneeOrStaff = [
  ['rep-a', 'the assignee', true],
  ['rep-b', 'another rep', false],
  ['mgr-n', 'a manager', true],
  ['mgr-s', 'a manager of another team', true],
  ['admin', 'an admin', true],
  ['system', 'system', true],
] as const;

describe('OpenTicket (customer exists; SLA due times from config)', () => {
  const openTicket = (actor: string, data: Record<string, unknown> = {}, at = T0) => ({
    command: 'OpenTicket',
    actor,
    at,
    data: { ticketId: 't2', customerId: 'c1', subject: ' Scanner broken ', category: 'repair', priority: 'normal', channel: 'phone', ...data },
  });
  const expected = (overrides: Record<string, unknown> = {}) => ({
    type: 'TicketOpened',
    data: {
      ticketId: 't2',
      customerId: 'c1',
      subject: 'Scanner broken',
      description: null,
      category: 'repair',
      priority: 'normal',
      channel: 'phone',
      ...dueAtT0.normal,
      ...overrides,
    },
  });

  it('opened with the SLA hours in force and the due times they give, counted from the opening', () => {
    given(...world).when(openTicket('rep-a')).then(expected());
  });

  it.each(['urgent', 'high', 'low'] as const)('priority %s', (priority) => {
    given(...world).when(openTicket('rep-a', { priority })).then(expected({ priority, ...dueAtT0[priority] }));
  });

  it('due times are calendar hours after the effective time', () => {
    given(...world)
      .when(openTicket('rep-a', { priority: 'urgent' }, '2026-01-02T22:30:00.000Z'))
      .then(
        expected({
          priority: 'urgent',
          slaHours: { firstResponse: 1, resolution: 4 },
          firstResponseDueAt: '2026-01-02T23:30:00.000Z',
          resolutionDueAt: '2026-01-03T02:30:00.000Z',
        }),
      );
  });

  it('SLA hours come from the configuration in force', () => {
    given(...world, configured({ sla: { normal: { firstResponse: 2 } } }))
      .when(openTicket('rep-a'))
      .then(expected({ slaHours: { firstResponse: 2, resolution: 72 }, firstResponseDueAt: '2026-01-01T11:00:00.000Z' }));
  });

  it('with a description, every category and channel', () => {
    given(...world)
      .when(openTicket('rep-a', { description: ' It beeps ', category: 'complaint', channel: 'chat' }))
      .then(expected({ description: 'It beeps', category: 'complaint', channel: 'chat' }));
  });

  it.each(['rep-a', 'rep-s', 'mgr-s', 'admin', 'system'])('%s may open a ticket for any customer', (actor) => {
    given(...world).when(openTicket(actor)).then({ ...expected(), metadata: { actor } });
  });

  it('for a pool customer too', () => {
    given(...world).when(openTicket('rep-b', { customerId: 'p1' })).then(expected({ customerId: 'p1' }));
  });

  it('an unknown customer is NOT_FOUND', () => {
    given(...world).when(openTicket('rep-a', { customerId: 'c9' })).thenRejects('NOT_FOUND', { customerId: 'c9' });
  });

  it('a merged or erased customer is CUSTOMER_INACTIVE', () => {
    given(...world, event('CustomerMerged', { customerId: 'c1', survivorId: 'p1', owner: 'rep-a' }, { at: T0, actor: 'admin' }))
      .when(openTicket('rep-a'))
      .thenRejects('CUSTOMER_INACTIVE', { customerId: 'c1', status: 'merged' });
    given(...world, event('PersonalDataErased', { customerId: 'c1' }, { at: T0, actor: 'admin' })).when(openTicket('rep-a')).thenRejects('CUSTOMER_INACTIVE', { status: 'erased' });
  });

  it('a taken id is ALREADY_EXISTS', () => {
    given(...open).when(openTicket('rep-a', { ticketId: 't1' })).thenRejects('ALREADY_EXISTS', { ticketId: 't1' });
  });

  it('an unknown priority, category or channel is INVALID_COMMAND', () => {
    given(...world).when(openTicket('rep-a', { priority: 'critical' })).thenRejects('INVALID_COMMAND');
    given(...world).when(openTicket('rep-a', { category: 'praise' })).thenRejects('INVALID_COMMAND');
    given(...world).when(openTicket('rep-a', { channel: 'fax' })).thenRejects('INVALID_COMMAND');
  });

  it('a deactivated actor is MEMBER_INACTIVE', () => {
    given(...world, deactivated('rep-b', 'rep', 'north')).when(openTicket('rep-b')).thenRejects('MEMBER_INACTIVE');
  });
});

describe('AssignTicket (manager/admin/system, or self-assign of an unassigned ticket)', () => {
  const assign = (actor: string, to: string) => ({ command: 'AssignTicket', actor, data: { ticketId: 't1', to } });

  it.each(['mgr-n', 'mgr-s', 'admin', 'system'])('%s assigns it', (actor) => {
    given(...open).when(assign(actor, 'rep-a')).then({ type: 'TicketAssigned', data: { ticketId: 't1', from: null, to: 'rep-a' }, metadata: { actor } });
  });

  it('a manager reassigns it', () => {
    given(...assignedToA).when(assign('mgr-n', 'rep-b')).then({ type: 'TicketAssigned', data: { ticketId: 't1', from: 'rep-a', to: 'rep-b' } });
  });

  it('a rep takes an unassigned ticket for itself', () => {
    given(...open).when(assign('rep-s', 'rep-s')).then({ type: 'TicketAssigned', data: { ticketId: 't1', from: null, to: 'rep-s' } });
  });

  it('a rep may not assign it to somebody else (FORBIDDEN)', () => {
    given(...open).when(assign('rep-a', 'rep-b')).thenRejects('FORBIDDEN');
  });

  it('a rep may not take a ticket assigned to somebody else (FORBIDDEN)', () => {
    given(...assignedToA).when(assign('rep-b', 'rep-b')).thenRejects('FORBIDDEN');
  });

  it('assigning it to the current assignee emits nothing', () => {
    given(...assignedToA).when(assign('mgr-n', 'rep-a')).thenNothing();
  });

  it('the assignee must be active (MEMBER_INACTIVE) and known (NOT_FOUND)', () => {
    given(...open, deactivated('rep-b', 'rep', 'north')).when(assign('mgr-n', 'rep-b')).thenRejects('MEMBER_INACTIVE', { memberId: 'rep-b' });
    given(...open).when(assign('mgr-n', 'rep-z')).thenRejects('NOT_FOUND', { memberId: 'rep-z' });
  });

  it('a resolved or closed ticket is INVALID_TRANSITION', () => {
    given(...resolvedByA).when(assign('mgr-n', 'rep-b')).thenRejects('INVALID_TRANSITION', { ticketId: 't1', status: 'resolved' });
    given(...resolvedByA, closed('2026-01-01T12:00:00.000Z')).when(assign('mgr-n', 'rep-b')).thenRejects('INVALID_TRANSITION', { status: 'closed' });
  });
});

describe('UnassignTicket (our addition for the departure handover; assignee or staff)', () => {
  const unassign = (actor: string, reason?: string) => ({ command: 'UnassignTicket', actor, data: { ticketId: 't1', ...(reason === undefined ? {} : { reason }) } });

  it('takes the ticket off its assignee, back to open', () => {
    given(...assignedToA).when(unassign('system', 'departure of rep-a')).then({ type: 'TicketUnassigned', data: { ticketId: 't1', from: 'rep-a', reason: 'departure of rep-a' } });
  });

  it('without a reason the reason is null', () => {
    given(...assignedToA).when(unassign('rep-a')).then({ type: 'TicketUnassigned', data: { ticketId: 't1', from: 'rep-a', reason: null } });
  });

  it('an unassigned ticket emits nothing', () => {
    given(...open).when(unassign('mgr-n')).thenNothing();
  });

  it('once unassigned, a rep may take it', () => {
    given(...assignedToA, event('TicketUnassigned', { ticketId: 't1', from: 'rep-a', reason: null }, { at: T0 }))
      .when({ command: 'AssignTicket', actor: 'rep-b', data: { ticketId: 't1', to: 'rep-b' } })
      .then({ type: 'TicketAssigned', data: { ticketId: 't1', from: null, to: 'rep-b' } });
  });

  it('a resolved ticket is INVALID_TRANSITION (it keeps its credit)', () => {
    given(...resolvedByA).when(unassign('system')).thenRejects('INVALID_TRANSITION', { status: 'resolved' });
  });

  it.each(assigneeOrStaff)('%s (%s) may unassign: %s', (actor, _who, allowed) => {
    const clause = given(...assignedToA).when(unassign(actor));
    if (allowed) clause.then({ type: 'TicketUnassigned', data: { ticketId: 't1', from: 'rep-a', reason: null } });
    else clause.thenRejects('FORBIDDEN');
  });
});

describe('CommentOnTicket (not closed; the first public comment by a member is the first response)', () => {
  const comment = (actor: string, at: string, visibility = 'public') => ({ command: 'CommentOnTicket', actor, at, data: { ticketId: 't1', body: ' On it ', visibility } });
  const commentedEvent = (firstResponse: boolean, firstResponseMet: boolean | null, visibility = 'public') => ({
    type: 'TicketCommented',
    data: { ticketId: 't1', body: 'On it', visibility, firstResponse, firstResponseMet },
  });

  it('the first public comment by a member is the first response, met within the SLA', () => {
    given(...assignedToA).when(comment('rep-a', '2026-01-01T10:00:00.000Z')).then(commentedEvent(true, true));
  });

  it('met exactly at the due time', () => {
    given(...assignedToA).when(comment('rep-a', '2026-01-01T17:00:00.000Z')).then(commentedEvent(true, true));
  });

  it('missed 1 ms after the due time', () => {
    given(...assignedToA).when(comment('rep-a', '2026-01-01T17:00:00.001Z')).then(commentedEvent(true, false));
  });

  it('a later public comment is not a first response', () => {
    given(...assignedToA, commented('2026-01-01T10:00:00.000Z', 'rep-a', true, true)).when(comment('rep-a', '2026-01-01T11:00:00.000Z')).then(commentedEvent(false, null));
  });

  it('an internal comment is not a first response; the public one after it is', () => {
    given(...assignedToA).when(comment('rep-a', '2026-01-01T10:00:00.000Z', 'internal')).then(commentedEvent(false, null, 'internal'));
    given(...assignedToA, commented('2026-01-01T10:00:00.000Z', 'rep-a', false, null, 'internal'))
      .when(comment('rep-a', '2026-01-01T11:00:00.000Z'))
      .then(commentedEvent(true, true));
  });

  it('a public comment by system is not a first response (it is not a member)', () => {
    given(...assignedToA).when(comment('system', '2026-01-01T10:00:00.000Z')).then(commentedEvent(false, null));
  });

  it('any active member may comment, and its public comment is the first response', () => {
    given(...assignedToA).when(comment('rep-s', '2026-01-01T10:00:00.000Z')).then(commentedEvent(true, true));
  });

  it('a resolved ticket takes comments; the resolution already was the first response', () => {
    given(...resolvedByA).when(comment('rep-a', '2026-01-01T12:00:00.000Z')).then(commentedEvent(false, null));
  });

  it('a closed ticket is INVALID_TRANSITION', () => {
    given(...resolvedByA, closed('2026-01-01T12:00:00.000Z')).when(comment('rep-a', '2026-01-01T13:00:00.000Z')).thenRejects('INVALID_TRANSITION', { status: 'closed' });
  });

  it('an unknown visibility is INVALID_COMMAND', () => {
    given(...assignedToA).when(comment('rep-a', '2026-01-01T10:00:00.000Z', 'secret')).thenRejects('INVALID_COMMAND');
  });
});

describe('ChangeTicketPriority (not closed; due times recomputed from the opening time)', () => {
  const change = (priority: string, at: string, actor = 'mgr-n') => ({ command: 'ChangeTicketPriority', actor, at, data: { ticketId: 't1', priority } });

  it('recomputes both due times from the opening time, not from the change', () => {
    given(...assignedToA)
      .when(change('urgent', '2026-01-01T09:30:00.000Z'))
      .then({ type: 'TicketPriorityChanged', data: { ticketId: 't1', from: 'normal', to: 'urgent', ...dueAtT0.urgent } });
  });

  it('uses the SLA hours in force at the change', () => {
    given(...assignedToA, configured({ sla: { urgent: { firstResponse: 2 } } }, '2026-01-01T09:10:00.000Z'))
      .when(change('urgent', '2026-01-01T09:30:00.000Z'))
      .then({
        type: 'TicketPriorityChanged',
        data: {
          ticketId: 't1',
          from: 'normal',
          to: 'urgent',
          slaHours: { firstResponse: 2, resolution: 4 },
          firstResponseDueAt: '2026-01-01T11:00:00.000Z',
          resolutionDueAt: '2026-01-01T13:00:00.000Z',
        },
      });
  });

  it('the same priority emits nothing', () => {
    given(...assignedToA).when(change('normal', '2026-01-01T09:30:00.000Z')).thenNothing();
  });

  it('a resolved ticket may change priority; a closed one is INVALID_TRANSITION', () => {
    given(...resolvedByA)
      .when(change('low', '2026-01-01T12:00:00.000Z'))
      .then({ type: 'TicketPriorityChanged', data: { ticketId: 't1', from: 'normal', to: 'low', ...dueAtT0.low } });
    given(...resolvedByA, closed('2026-01-01T12:00:00.000Z')).when(change('low', '2026-01-01T13:00:00.000Z')).thenRejects('INVALID_TRANSITION', { status: 'closed' });
  });

  it('lowering the priority before a due time passes extends it', () => {
    given(...[...world, opened('urgent'), assigned('rep-a')], priorityChanged('2026-01-01T09:30:00.000Z', 'urgent', 'low', dueAtT0.low))
      .when({ command: 'CommentOnTicket', actor: 'rep-a', at: '2026-01-01T12:00:00.000Z', data: { ticketId: 't1', body: 'On it', visibility: 'public' } })
      .then({ type: 'TicketCommented', data: { ticketId: 't1', body: 'On it', visibility: 'public', firstResponse: true, firstResponseMet: true } });
  });

  it('once a due time has passed the target stays breached, even if a lower priority moves the due time later', () => {
    given(...[...world, opened('urgent'), assigned('rep-a')], priorityChanged('2026-01-01T11:00:00.000Z', 'urgent', 'low', dueAtT0.low))
      .when({ command: 'CommentOnTicket', actor: 'rep-a', at: '2026-01-01T12:00:00.000Z', data: { ticketId: 't1', body: 'On it', visibility: 'public' } })
      .then({ type: 'TicketCommented', data: { ticketId: 't1', body: 'On it', visibility: 'public', firstResponse: true, firstResponseMet: false } });
  });

  it.each(assigneeOrStaff)('%s (%s) may change the priority: %s', (actor, _who, allowed) => {
    const clause = given(...assignedToA).when(change('urgent', '2026-01-01T09:30:00.000Z', actor));
    if (allowed) clause.then({ type: 'TicketPriorityChanged', data: { ticketId: 't1', from: 'normal', to: 'urgent', ...dueAtT0.urgent } });
    else clause.thenRejects('FORBIDDEN');
  });
});

describe('EscalateTicket (not closed; level + 1)', () => {
  const escalate = (actor = 'rep-a') => ({ command: 'EscalateTicket', actor, data: { ticketId: 't1', reason: ' customer angry ' } });

  it('escalates to level 1, then 2', () => {
    given(...assignedToA).when(escalate()).then({ type: 'TicketEscalated', data: { ticketId: 't1', level: 1, reason: 'customer angry' } });
    given(...assignedToA, event('TicketEscalated', { ticketId: 't1', level: 1, reason: 'x' }, { at: T0 }))
      .when(escalate())
      .then({ type: 'TicketEscalated', data: { ticketId: 't1', level: 2, reason: 'customer angry' } });
  });

  it('a resolved ticket may be escalated; a closed one is INVALID_TRANSITION', () => {
    given(...resolvedByA).when(escalate()).then({ type: 'TicketEscalated', data: { ticketId: 't1', level: 1, reason: 'customer angry' } });
    given(...resolvedByA, closed('2026-01-01T12:00:00.000Z')).when(escalate()).thenRejects('INVALID_TRANSITION');
  });

  it('a reason is required', () => {
    given(...assignedToA).when({ command: 'EscalateTicket', actor: 'rep-a', data: { ticketId: 't1', reason: '  ' } }).thenRejects('INVALID_COMMAND');
  });

  it.each(assigneeOrStaff)('%s (%s) may escalate: %s', (actor, _who, allowed) => {
    const clause = given(...assignedToA).when(escalate(actor));
    if (allowed) clause.then({ type: 'TicketEscalated', data: { ticketId: 't1', level: 1, reason: 'customer angry' } });
    else clause.thenRejects('FORBIDDEN');
  });
});

describe('ResolveTicket (open/assigned; by the assignee, a manager, an admin or system)', () => {
  const resolve = (actor: string, at: string) => ({ command: 'ResolveTicket', actor, at, data: { ticketId: 't1', resolution: ' Replaced the unit ' } });
  const resolvedEvent = (resolvedBy: string | null, outcome: { firstResponse: boolean; firstResponseMet: boolean; resolutionMet: boolean }) => ({
    type: 'TicketResolved',
    data: { ticketId: 't1', resolution: 'Replaced the unit', resolvedBy, openedAt: T0, ...outcome },
  });

  it('by the assignee, credited to it; with no earlier public comment the resolution is also the first response', () => {
    given(...assignedToA)
      .when(resolve('rep-a', '2026-01-01T11:00:00.000Z'))
      .then(resolvedEvent('rep-a', { firstResponse: true, firstResponseMet: true, resolutionMet: true }));
  });

  it('after a public comment, the first response was that comment (and its outcome stands)', () => {
    given(...assignedToA, commented('2026-01-01T10:00:00.000Z', 'rep-a', true, true))
      .when(resolve('rep-a', '2026-01-02T11:00:00.000Z'))
      .then(resolvedEvent('rep-a', { firstResponse: false, firstResponseMet: true, resolutionMet: true }));
    given(...assignedToA, commented('2026-01-01T18:00:00.000Z', 'rep-a', true, false))
      .when(resolve('rep-a', '2026-01-02T11:00:00.000Z'))
      .then(resolvedEvent('rep-a', { firstResponse: false, firstResponseMet: false, resolutionMet: true }));
  });

  it('an internal comment does not count as the first response', () => {
    given(...assignedToA, commented('2026-01-01T10:00:00.000Z', 'rep-a', false, null, 'internal'))
      .when(resolve('rep-a', '2026-01-01T18:00:00.000Z'))
      .then(resolvedEvent('rep-a', { firstResponse: true, firstResponseMet: false, resolutionMet: true }));
  });

  it('resolution met exactly at its due time, missed 1 ms later', () => {
    given(...assignedToA)
      .when(resolve('rep-a', '2026-01-04T09:00:00.000Z'))
      .then(resolvedEvent('rep-a', { firstResponse: true, firstResponseMet: false, resolutionMet: true }));
    given(...assignedToA)
      .when(resolve('rep-a', '2026-01-04T09:00:00.001Z'))
      .then(resolvedEvent('rep-a', { firstResponse: true, firstResponseMet: false, resolutionMet: false }));
  });

  it('an unassigned ticket resolved by a manager or an admin is credited to that member', () => {
    given(...open).when(resolve('mgr-s', '2026-01-01T11:00:00.000Z')).then(resolvedEvent('mgr-s', { firstResponse: true, firstResponseMet: true, resolutionMet: true }));
    given(...open).when(resolve('admin', '2026-01-01T11:00:00.000Z')).then(resolvedEvent('admin', { firstResponse: true, firstResponseMet: true, resolutionMet: true }));
  });

  it('an unassigned ticket resolved by system is credited to nobody', () => {
    given(...open).when(resolve('system', '2026-01-01T11:00:00.000Z')).then(resolvedEvent(null, { firstResponse: true, firstResponseMet: true, resolutionMet: true }));
  });

  it('an assigned ticket resolved by a manager is credited to the assignee', () => {
    given(...assignedToA).when(resolve('mgr-n', '2026-01-01T11:00:00.000Z')).then(resolvedEvent('rep-a', { firstResponse: true, firstResponseMet: true, resolutionMet: true }));
  });

  it('a rep may not resolve an unassigned ticket (FORBIDDEN)', () => {
    given(...open).when(resolve('rep-a', '2026-01-01T11:00:00.000Z')).thenRejects('FORBIDDEN');
  });

  it.each(assigneeOrStaff)('%s (%s) may resolve: %s', (actor, _who, allowed) => {
    const clause = given(...assignedToA).when(resolve(actor, '2026-01-01T11:00:00.000Z'));
    if (allowed) clause.then(resolvedEvent('rep-a', { firstResponse: true, firstResponseMet: true, resolutionMet: true }));
    else clause.thenRejects('FORBIDDEN');
  });

  it('a resolved or closed ticket is INVALID_TRANSITION', () => {
    given(...resolvedByA).when(resolve('rep-a', '2026-01-01T12:00:00.000Z')).thenRejects('INVALID_TRANSITION', { status: 'resolved' });
    given(...resolvedByA, closed('2026-01-01T12:00:00.000Z')).when(resolve('rep-a', '2026-01-01T13:00:00.000Z')).thenRejects('INVALID_TRANSITION', { status: 'closed' });
  });

  describe('once breached, a target stays breached: a reopen does not heal it', () => {
    const urgentAssigned = [...world, opened('urgent'), assigned('rep-a')];

    it('resolved late, reopened, given a lower priority (later due time) and resolved again: still missed', () => {
      given(
        ...urgentAssigned,
        resolved('2026-01-01T14:00:00.000Z', 'rep-a', { firstResponse: true, firstResponseMet: false, resolutionMet: false }),
        reopened('2026-01-01T14:30:00.000Z', 'assigned'),
        priorityChanged('2026-01-01T14:40:00.000Z', 'urgent', 'low', dueAtT0.low),
      )
        .when(resolve('rep-a', '2026-01-01T15:00:00.000Z'))
        .then(resolvedEvent('rep-a', { firstResponse: false, firstResponseMet: false, resolutionMet: false }));
    });

    it('resolved on time, reopened before the due time and given a later due time: met again', () => {
      given(
        ...urgentAssigned,
        resolved('2026-01-01T09:30:00.000Z', 'rep-a', { firstResponse: true, firstResponseMet: true, resolutionMet: true }),
        reopened('2026-01-01T12:30:00.000Z', 'assigned'),
        priorityChanged('2026-01-01T12:40:00.000Z', 'urgent', 'low', dueAtT0.low),
      )
        .when(resolve('rep-a', '2026-01-01T15:00:00.000Z'))
        .then(resolvedEvent('rep-a', { firstResponse: false, firstResponseMet: true, resolutionMet: true }));
    });

    it('reopened after the resolution due time: open past due is breached', () => {
      given(
        ...urgentAssigned,
        resolved('2026-01-01T09:30:00.000Z', 'rep-a', { firstResponse: true, firstResponseMet: true, resolutionMet: true }),
        reopened('2026-01-01T14:30:00.000Z', 'assigned'),
        priorityChanged('2026-01-01T14:40:00.000Z', 'urgent', 'low', dueAtT0.low),
      )
        .when(resolve('rep-a', '2026-01-01T15:00:00.000Z'))
        .then(resolvedEvent('rep-a', { firstResponse: false, firstResponseMet: true, resolutionMet: false }));
    });
  });
});

describe('CloseTicket (resolved)', () => {
  const close = (actor = 'rep-a') => ({ command: 'CloseTicket', actor, data: { ticketId: 't1' } });

  it('closes a resolved ticket', () => {
    given(...resolvedByA).when(close()).then({ type: 'TicketClosed', data: { ticketId: 't1' } });
  });

  it('an open, assigned or closed ticket is INVALID_TRANSITION', () => {
    given(...open).when(close('mgr-n')).thenRejects('INVALID_TRANSITION', { status: 'open' });
    given(...assignedToA).when(close()).thenRejects('INVALID_TRANSITION', { status: 'assigned' });
    given(...resolvedByA, closed('2026-01-01T12:00:00.000Z')).when(close()).thenRejects('INVALID_TRANSITION', { status: 'closed' });
  });

  it.each(assigneeOrStaff)('%s (%s) may close: %s', (actor, _who, allowed) => {
    const clause = given(...resolvedByA).when(close(actor));
    if (allowed) clause.then({ type: 'TicketClosed', data: { ticketId: 't1' } });
    else clause.thenRejects('FORBIDDEN');
  });
});

describe('ReopenTicket (resolved/closed; back to assigned, or open when nobody is assigned)', () => {
  const reopen = (actor = 'rep-a') => ({ command: 'ReopenTicket', actor, data: { ticketId: 't1', reason: ' still broken ' } });

  it('a resolved ticket with an assignee returns to assigned', () => {
    given(...resolvedByA).when(reopen()).then({ type: 'TicketReopened', data: { ticketId: 't1', reason: 'still broken', status: 'assigned' } });
  });

  it('a closed ticket reopens too', () => {
    given(...resolvedByA, closed('2026-01-01T12:00:00.000Z')).when(reopen()).then({ type: 'TicketReopened', data: { ticketId: 't1', reason: 'still broken', status: 'assigned' } });
  });

  it('with nobody assigned it returns to open', () => {
    given(...open, resolved('2026-01-01T11:00:00.000Z', 'mgr-n', { firstResponse: true, firstResponseMet: true, resolutionMet: true }))
      .when(reopen('mgr-n'))
      .then({ type: 'TicketReopened', data: { ticketId: 't1', reason: 'still broken', status: 'open' } });
  });

  it('an open or assigned ticket is INVALID_TRANSITION', () => {
    given(...open).when(reopen('mgr-n')).thenRejects('INVALID_TRANSITION', { status: 'open' });
    given(...assignedToA).when(reopen()).thenRejects('INVALID_TRANSITION', { status: 'assigned' });
  });

  it('a reason is required', () => {
    given(...resolvedByA).when({ command: 'ReopenTicket', actor: 'rep-a', data: { ticketId: 't1' } }).thenRejects('INVALID_COMMAND');
  });

  it.each(assigneeOrStaff)('%s (%s) may reopen: %s', (actor, _who, allowed) => {
    const clause = given(...resolvedByA).when(reopen(actor));
    if (allowed) clause.then({ type: 'TicketReopened', data: { ticketId: 't1', reason: 'still broken', status: 'assigned' } });
    else clause.thenRejects('FORBIDDEN');
  });
});

describe('RateTicket (resolved/closed; once; any member or system on the customer\'s behalf)', () => {
  const rate = (actor: string, score = 4, comment?: string) => ({ command: 'RateTicket', actor, data: { ticketId: 't1', score, ...(comment === undefined ? {} : { comment }) } });
  const rated = () => event('TicketRated', { ticketId: 't1', score: 4, comment: null, resolvedBy: 'rep-a' }, { at: '2026-01-01T12:00:00.000Z' });

  it('records the score for the member credited with the resolution', () => {
    given(...resolvedByA).when(rate('system', 5, ' quick and friendly ')).then({ type: 'TicketRated', data: { ticketId: 't1', score: 5, comment: 'quick and friendly', resolvedBy: 'rep-a' } });
  });

  it.each(['rep-a', 'rep-s', 'mgr-s', 'admin', 'system'])('%s may record it', (actor) => {
    given(...resolvedByA).when(rate(actor)).then({ type: 'TicketRated', data: { ticketId: 't1', score: 4, comment: null, resolvedBy: 'rep-a' }, metadata: { actor } });
  });

  it('a closed ticket is rated too', () => {
    given(...resolvedByA, closed('2026-01-01T12:00:00.000Z')).when(rate('system', 1)).then({ type: 'TicketRated', data: { ticketId: 't1', score: 1, comment: null, resolvedBy: 'rep-a' } });
  });

  it('a second rating is ALREADY_RATED', () => {
    given(...resolvedByA, rated()).when(rate('system', 5)).thenRejects('ALREADY_RATED', { ticketId: 't1' });
  });

  it('still once after a reopen and a new resolution', () => {
    given(
      ...resolvedByA,
      rated(),
      reopened('2026-01-01T13:00:00.000Z', 'assigned'),
      resolved('2026-01-01T14:00:00.000Z', 'rep-a', { firstResponse: false, firstResponseMet: true, resolutionMet: true }),
    )
      .when(rate('system', 5))
      .thenRejects('ALREADY_RATED');
  });

  it('an open or assigned ticket is INVALID_TRANSITION (checked before ALREADY_RATED)', () => {
    given(...assignedToA).when(rate('system')).thenRejects('INVALID_TRANSITION', { status: 'assigned' });
    given(...resolvedByA, rated(), reopened('2026-01-01T13:00:00.000Z', 'assigned')).when(rate('system')).thenRejects('INVALID_TRANSITION');
  });

  it.each([0, 6, 3.5])('a score of %s is INVALID_COMMAND', (score) => {
    given(...resolvedByA).when(rate('system', score)).thenRejects('INVALID_COMMAND');
  });
});

describe('every command on a ticket stream', () => {
  const commands = (ticketId: string) => [
    { command: 'AssignTicket', actor: 'admin', data: { ticketId, to: 'rep-b' } },
    { command: 'UnassignTicket', actor: 'admin', data: { ticketId } },
    { command: 'CommentOnTicket', actor: 'admin', data: { ticketId, body: 'hi', visibility: 'public' } },
    { command: 'ChangeTicketPriority', actor: 'admin', data: { ticketId, priority: 'high' } },
    { command: 'EscalateTicket', actor: 'admin', data: { ticketId, reason: 'slow' } },
    { command: 'ResolveTicket', actor: 'admin', data: { ticketId, resolution: 'done' } },
    { command: 'CloseTicket', actor: 'admin', data: { ticketId } },
    { command: 'ReopenTicket', actor: 'admin', data: { ticketId, reason: 'again' } },
    { command: 'RateTicket', actor: 'admin', data: { ticketId, score: 3 } },
  ];

  it.each(commands('t9').map((input) => [input.command, input] as const))('%s on an unknown ticket is NOT_FOUND', (_name, input) => {
    given(...assignedToA).when(input).thenRejects('NOT_FOUND', { ticketId: 't9' });
  });

  it.each(commands('t1').map((input) => [input.command, input] as const))('%s earlier than the stream\'s last event is CLOCK_SKEW', (_name, input) => {
    given(...resolvedByA)
      .when({ ...input, at: '2026-01-01T10:59:59.999Z' })
      .thenRejects('CLOCK_SKEW', { stream: 'ticket-t1', lastEventAt: '2026-01-01T11:00:00.000Z' });
  });

  it.each(commands('t1').map((input) => [input.command, input] as const))('%s by a deactivated member is MEMBER_INACTIVE', (_name, input) => {
    given(...assignedToA, deactivated('mgr-n', 'manager', 'north')).when({ ...input, actor: 'mgr-n' }).thenRejects('MEMBER_INACTIVE', { memberId: 'mgr-n' });
  });

  it('a ticket of a customer merged away is still worked on (its customer is not re-checked)', () => {
    given(...assignedToA, event('CustomerMerged', { customerId: 'c1', survivorId: 'p1', owner: 'rep-a' }, { at: T0, actor: 'admin' }))
      .when({ command: 'ResolveTicket', actor: 'rep-a', at: '2026-01-01T11:00:00.000Z', data: { ticketId: 't1', resolution: 'done' } })
      .then({ type: 'TicketResolved', data: { ticketId: 't1', resolution: 'done', resolvedBy: 'rep-a', openedAt: T0, firstResponse: true, firstResponseMet: true, resolutionMet: true } });
  });
});
