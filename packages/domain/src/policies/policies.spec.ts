import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { CrmCommand } from '../commands.ts';
import { defaultConfig } from '../config/configuration.ts';
import type { MemberRole } from '../context.ts';
import { decide } from '../decide.ts';
import type { CrmEvent, EventOf } from '../events.ts';
import { event, foldWorld } from '../testing/index.ts';
import { dealWon, departureHandover, poolSweep } from './policies.ts';

// domain.md §6 Policies: idempotent process managers; the commands they issue
// have actor system, the effective time of the triggering event and the
// triggering event as causation.

const T0 = '2026-01-01T09:00:00.000Z';

const member = (memberId: string, role: MemberRole, team: string | null) => event('MemberRegistered', { memberId, name: `Name of ${memberId}`, role, team }, { at: T0 });
const directory = [
  member('admin', 'admin', null),
  member('mgr-n', 'manager', 'north'),
  member('mgr-m', 'manager', 'north'),
  member('mgr-k', 'manager', 'north'), // the lowest north manager id, but deactivated below
  member('mgr-e', 'manager', 'east'), // a lower id than mgr-m, of another team
  member('rep-a', 'rep', 'north'),
  member('rep-b', 'rep', 'north'),
  member('rep-s', 'rep', 'south'),
  member('rep-x', 'rep', null),
  event('MemberDeactivated', { memberId: 'mgr-k', successorId: null, role: 'manager', team: 'north' }, { at: T0, actor: 'admin' }),
];

type Registered = EventOf<'CustomerRegistered'>['data'];
const registered = (customerId: string, owner: string | null, overrides: Partial<Registered> = {}) =>
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
      ...overrides,
    },
    { at: T0, actor: owner ?? 'system' },
  );
const opened = (opportunityId: string, customerId: string, owner: string) =>
  event(
    'OpportunityOpened',
    { opportunityId, customerId, title: 'Deal', amount: { currency: 'USD', minor: '100000' }, expectedCloseDate: '2026-03-31', stage: 'proposal', probability: 60, owner },
    { at: T0, actor: owner },
  );
const wonEvent = (opportunityId: string, customerId: string, owner: string, at: string) =>
  event('OpportunityWon', { opportunityId, customerId, owner, amount: { currency: 'USD', minor: '100000' }, stage: 'proposal' }, { at, actor: owner, correlationId: 'corr-won' });
const ticketOpened = (ticketId: string) =>
  event(
    'TicketOpened',
    {
      ticketId,
      customerId: 'c1',
      subject: 'Help',
      description: null,
      category: 'question',
      priority: 'normal',
      channel: 'email',
      slaHours: { firstResponse: 8, resolution: 72 },
      firstResponseDueAt: '2026-01-01T17:00:00.000Z',
      resolutionDueAt: '2026-01-04T09:00:00.000Z',
    },
    { at: T0 },
  );
const ticketAssigned = (ticketId: string, to: string) => event('TicketAssigned', { ticketId, from: null, to }, { at: T0, actor: 'mgr-n' });

/** Runs policy-issued commands through the deciders against the folded world, as the runtime would (each on the state after the previous ones). */
function execute(history: readonly CrmEvent[], commands: readonly CrmCommand[]): CrmEvent[] {
  const produced: CrmEvent[] = [];
  for (const command of commands) {
    const world = foldWorld([...history, ...produced]);
    const result = decide(command, world.state, world.index.contextFor(command));
    if (E.isLeft(result)) throw new Error(`${command.command} rejected: ${JSON.stringify(result.left)}`);
    produced.push(...result.right);
  }
  return produced;
}

const shape = (events: readonly CrmEvent[]) => events.map(({ type, data }) => ({ type, data }));

describe('1. departure handover (人走客户留)', () => {
  const DEPARTED = '2026-02-01T09:00:00.000Z';
  const holdings = [
    registered('c1', 'rep-a'),
    registered('c2', 'rep-a'),
    registered('c3', 'rep-a'),
    registered('c4', 'rep-b'),
    event('CustomerMerged', { customerId: 'c3', survivorId: 'c4', owner: 'rep-a' }, { at: T0, actor: 'admin' }),
    opened('o1', 'c1', 'rep-a'),
    opened('o2', 'c2', 'rep-a'),
    opened('o3', 'c4', 'rep-a'), // rep-a's opportunity on rep-b's customer
    opened('o4', 'c1', 'rep-b'),
    wonEvent('o2', 'c2', 'rep-a', T0),
    ticketOpened('t1'),
    ticketOpened('t2'),
    ticketOpened('t3'),
    ticketAssigned('t1', 'rep-a'),
    ticketAssigned('t2', 'rep-a'),
    ticketAssigned('t3', 'rep-b'),
    event('TicketResolved', { ticketId: 't2', resolution: 'done', resolvedBy: 'rep-a', openedAt: T0, firstResponse: true, firstResponseMet: true, resolutionMet: true }, { at: T0, actor: 'rep-a' }),
  ];
  const departure = (memberId: string, successorId: string | null, role: MemberRole, team: string | null) =>
    event('MemberDeactivated', { memberId, successorId, role, team }, { at: DEPARTED, actor: 'admin', commandId: 'cmd-deactivate', correlationId: 'corr-9' });
  const handover = (history: readonly CrmEvent[], trigger: EventOf<'MemberDeactivated'>, eventId = 'evt-42') => {
    const all = [...history, trigger];
    return { all, commands: departureHandover({ eventId, event: trigger }, foldWorld(all).index.departureFacts(trigger.data.memberId)) };
  };
  /** Everything but the derived id. */
  const issued = (command: string, data: object) => ({ command, actor: 'system', at: DEPARTED, data, correlationId: 'corr-9', causationId: 'evt-42' });
  const withoutIds = (commands: readonly CrmCommand[]) => commands.map(({ id: _id, ...rest }) => rest);

  it('with a successor: its active customers are transferred (departure), its open opportunities reassigned, its open tickets unassigned', () => {
    const { commands } = handover([...directory, ...holdings], departure('rep-a', 'rep-b', 'rep', 'north'));
    expect(withoutIds(commands)).toEqual([
      issued('TransferCustomer', { customerId: 'c1', to: 'rep-b', reason: 'departure' }),
      issued('TransferCustomer', { customerId: 'c2', to: 'rep-b', reason: 'departure' }),
      issued('ReassignOpportunity', { opportunityId: 'o1', to: 'rep-b' }),
      issued('ReassignOpportunity', { opportunityId: 'o3', to: 'rep-b' }),
      issued('UnassignTicket', { ticketId: 't1', reason: 'departure of rep-a' }),
    ]);
  });

  it('the deciders accept what it issues: customers stay, staff leave', () => {
    const { all, commands } = handover([...directory, ...holdings], departure('rep-a', 'rep-b', 'rep', 'north'));
    expect(shape(execute(all, commands))).toEqual([
      { type: 'CustomerTransferred', data: { customerId: 'c1', from: 'rep-a', to: 'rep-b', reason: 'departure' } },
      { type: 'CustomerTransferred', data: { customerId: 'c2', from: 'rep-a', to: 'rep-b', reason: 'departure' } },
      { type: 'OpportunityReassigned', data: { opportunityId: 'o1', from: 'rep-a', to: 'rep-b' } },
      { type: 'OpportunityReassigned', data: { opportunityId: 'o3', from: 'rep-a', to: 'rep-b' } },
      { type: 'TicketUnassigned', data: { ticketId: 't1', from: 'rep-a', reason: 'departure of rep-a' } },
    ]);
  });

  it('without a successor: customers go back to the pool (release, reason departure); opportunities go to the active manager of its team with the lowest id', () => {
    const { all, commands } = handover([...directory, ...holdings], departure('rep-a', null, 'rep', 'north'));
    expect(withoutIds(commands)).toEqual([
      issued('ReleaseCustomer', { customerId: 'c1', reason: 'departure', note: 'departure of rep-a' }),
      issued('ReleaseCustomer', { customerId: 'c2', reason: 'departure', note: 'departure of rep-a' }),
      issued('ReassignOpportunity', { opportunityId: 'o1', to: 'mgr-m' }),
      issued('ReassignOpportunity', { opportunityId: 'o3', to: 'mgr-m' }),
      issued('UnassignTicket', { ticketId: 't1', reason: 'departure of rep-a' }),
    ]);
    expect(shape(execute(all, commands))).toEqual([
      { type: 'CustomerReleased', data: { customerId: 'c1', from: 'rep-a', reason: 'departure', note: 'departure of rep-a' } },
      { type: 'CustomerReleased', data: { customerId: 'c2', from: 'rep-a', reason: 'departure', note: 'departure of rep-a' } },
      { type: 'OpportunityReassigned', data: { opportunityId: 'o1', from: 'rep-a', to: 'mgr-m' } },
      { type: 'OpportunityReassigned', data: { opportunityId: 'o3', from: 'rep-a', to: 'mgr-m' } },
      { type: 'TicketUnassigned', data: { ticketId: 't1', from: 'rep-a', reason: 'departure of rep-a' } },
    ]);
  });

  it('a departing manager does not inherit its own opportunities', () => {
    const { commands } = handover([...directory, opened('o5', 'c9', 'mgr-m')], departure('mgr-m', null, 'manager', 'north'));
    expect(withoutIds(commands)).toEqual([issued('ReassignOpportunity', { opportunityId: 'o5', to: 'mgr-n' })]);
  });

  it('with neither successor nor an active manager of its team, opportunities stay with it (orphaned)', () => {
    const south = [...directory, registered('c7', 'rep-s'), opened('o7', 'c7', 'rep-s')];
    const { commands } = handover(south, departure('rep-s', null, 'rep', 'south'));
    expect(withoutIds(commands)).toEqual([issued('ReleaseCustomer', { customerId: 'c7', reason: 'departure', note: 'departure of rep-s' })]);
  });

  it('a member without a team has no manager heir', () => {
    const { commands } = handover([...directory, opened('o8', 'c9', 'rep-x')], departure('rep-x', null, 'rep', null));
    expect(commands).toEqual([]);
  });

  it('a member holding nothing: nothing to issue', () => {
    expect(handover(directory, departure('rep-b', null, 'rep', 'north')).commands).toEqual([]);
  });

  it('ids derive from the triggering event and the target: re-running issues the same commands; another trigger, other ids', () => {
    const history = [...directory, ...holdings];
    const first = handover(history, departure('rep-a', 'rep-b', 'rep', 'north')).commands;
    const again = handover(history, departure('rep-a', 'rep-b', 'rep', 'north')).commands;
    const other = handover(history, departure('rep-a', 'rep-b', 'rep', 'north'), 'evt-43').commands;
    expect(again).toEqual(first);
    const ids = first.map((command) => command.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9._:-]{1,64}$/);
    expect(other.map((command) => command.id).filter((id) => ids.includes(id))).toEqual([]);
  });
});

describe('2. deal won', () => {
  const WON = '2026-02-01T09:00:00.000Z';
  const trigger = (eventId = 'evt-won') => ({ eventId, event: wonEvent('o1', 'c1', 'rep-a', WON) });

  it.each(['potential', 'intent'] as const)('a %s customer moves to customer, reason deal_won', (stage) => {
    const commands = dealWon(trigger(), stage);
    expect(commands.map(({ id: _id, ...rest }) => rest)).toEqual([
      { command: 'ChangeCustomerStage', actor: 'system', at: WON, data: { customerId: 'c1', stage: 'customer', reason: 'deal_won' }, correlationId: 'corr-won', causationId: 'evt-won' },
    ]);
    const history = [...directory, registered('c1', 'rep-a', { stage }), opened('o1', 'c1', 'rep-a'), trigger().event];
    expect(shape(execute(history, commands))).toEqual([{ type: 'CustomerStageChanged', data: { customerId: 'c1', from: stage, to: 'customer', reason: 'deal_won' } }]);
  });

  it.each(['customer', 'vip', 'dormant', null] as const)('a customer in stage %s is left alone', (stage) => {
    expect(dealWon(trigger(), stage)).toEqual([]);
  });

  it('is idempotent: the same won event gives the same command id', () => {
    expect(dealWon(trigger(), 'potential')).toEqual(dealWon(trigger(), 'potential'));
    expect(dealWon(trigger('evt-other'), 'potential')[0]?.id).not.toBe(dealWon(trigger(), 'potential')[0]?.id);
  });
});

describe('3. pool sweep', () => {
  const AS_OF = '2026-04-01T09:00:00.000Z'; // T0 + 90 days
  const followedUp = (customerId: string, owner: string, at: string) =>
    event('FollowUpLogged', { customerId, channel: 'call', summary: 'called', contactId: null, nextFollowUpAt: null, owner }, { at, actor: owner });
  const claimed = (customerId: string, to: string, at: string) =>
    event(
      'CustomerClaimed',
      { customerId, to, holdingsBefore: 0, claimsTodayBefore: 0, policy: { holdingLimit: 200, dailyClaimLimit: 20, reclaimCooldownDays: 7 } },
      { at, actor: to },
    );
  const history = [
    ...directory,
    registered('c1', 'rep-a'), // no follow-up for 90 days: both rules hold → no_follow_up
    registered('c2', 'rep-a'),
    followedUp('c2', 'rep-a', '2026-03-31T09:00:00.000Z'), // followed up, but no deal in 90 days → no_deal
    registered('c3', 'rep-b'),
    followedUp('c3', 'rep-b', '2026-03-15T09:00:00.000Z'),
    wonEvent('o3', 'c3', 'rep-b', '2026-02-01T09:00:00.000Z'), // a won deal and a recent follow-up → nothing
    registered('c4', 'rep-a'),
    event('CustomerLocked', { customerId: 'c4' }, { at: T0, actor: 'rep-a' }), // locked → never
    registered('c5', 'rep-a', { stage: 'vip' }), // closed-deal customer → never
    registered('c6', null), // in the pool
    registered('c7', null),
    claimed('c7', 'rep-b', '2026-03-02T09:00:00.000Z'), // exactly 30 days before the as-of time → due
    registered('c8', null),
    claimed('c8', 'rep-b', '2026-03-02T09:00:00.001Z'), // 1 ms short of 30 days → not due
    registered('c9', 'rep-a'),
    event('ContactAdded', { customerId: 'c9', contact: { contactId: 'k1', name: 'Li', title: null, role: 'user', phone: null, email: 'li@example.com', birthday: null } }, { at: '2026-04-02T09:00:00.000Z' }),
    registered('c0', 'rep-a'),
    event('CustomerMerged', { customerId: 'c0', survivorId: 'c1', owner: 'rep-a' }, { at: T0, actor: 'admin' }), // merged → not a candidate
  ];
  const sweep = (events: readonly CrmEvent[], asOf = AS_OF) => poolSweep(asOf, foldWorld(events).index.sweepCandidates(), defaultConfig);

  it('recycles every owned customer a rule holds for at the as-of time, no_follow_up first, in customer id order', () => {
    const { recycles } = sweep(history);
    expect(recycles.map(({ command: _command, ...rest }) => rest)).toEqual([
      { customerId: 'c1', owner: 'rep-a', rule: 'no_follow_up', idleDays: 90 },
      { customerId: 'c2', owner: 'rep-a', rule: 'no_deal', idleDays: 90 },
      { customerId: 'c7', owner: 'rep-b', rule: 'no_follow_up', idleDays: 30 },
    ]);
  });

  it('issues RecycleCustomer as system, effective at the as-of time', () => {
    const { recycles } = sweep(history);
    expect(recycles.map(({ command: { id: _id, correlationId: _correlation, ...rest } }) => rest)).toEqual([
      { command: 'RecycleCustomer', actor: 'system', at: AS_OF, data: { customerId: 'c1', rule: 'no_follow_up' }, causationId: null },
      { command: 'RecycleCustomer', actor: 'system', at: AS_OF, data: { customerId: 'c2', rule: 'no_deal' }, causationId: null },
      { command: 'RecycleCustomer', actor: 'system', at: AS_OF, data: { customerId: 'c7', rule: 'no_follow_up' }, causationId: null },
    ]);
  });

  it('skips and reports a due customer whose stream already has later events', () => {
    expect(sweep(history).skipped).toEqual([{ customerId: 'c9', reason: 'later_events', lastEventAt: '2026-04-02T09:00:00.000Z' }]);
  });

  it('the deciders accept every recycle it issues', () => {
    expect(shape(execute(history, sweep(history).recycles.map((recycle) => recycle.command)))).toEqual([
      {
        type: 'CustomerRecycled',
        data: {
          customerId: 'c1',
          from: 'rep-a',
          rule: 'no_follow_up',
          idleDays: 90,
          ownedSince: T0,
          lastFollowUpAt: null,
          lastDealWonAt: null,
          policy: { noFollowUpDays: 30, noDealDays: 90, protectionDays: 0 },
        },
      },
      {
        type: 'CustomerRecycled',
        data: {
          customerId: 'c2',
          from: 'rep-a',
          rule: 'no_deal',
          idleDays: 90,
          ownedSince: T0,
          lastFollowUpAt: '2026-03-31T09:00:00.000Z',
          lastDealWonAt: null,
          policy: { noFollowUpDays: 30, noDealDays: 90, protectionDays: 0 },
        },
      },
      {
        type: 'CustomerRecycled',
        data: {
          customerId: 'c7',
          from: 'rep-b',
          rule: 'no_follow_up',
          idleDays: 30,
          ownedSince: '2026-03-02T09:00:00.000Z',
          lastFollowUpAt: null,
          lastDealWonAt: null,
          policy: { noFollowUpDays: 30, noDealDays: 90, protectionDays: 0 },
        },
      },
    ]);
  });

  it('is deterministic: the same events and as-of time give the same recycles and ids, whatever the candidates\' order', () => {
    const candidates = foldWorld(history).index.sweepCandidates();
    const first = poolSweep(AS_OF, candidates, defaultConfig);
    expect(poolSweep(AS_OF, [...candidates].reverse(), defaultConfig)).toEqual(first);
    expect(sweep(history)).toEqual(first);
    const ids = first.recycles.map((recycle) => recycle.command.id);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9._:-]{1,64}$/);
  });

  it('re-running after its recycles were applied issues nothing new', () => {
    const applied = [...history, ...execute(history, sweep(history).recycles.map((recycle) => recycle.command))];
    expect(sweep(applied).recycles).toEqual([]);
  });

  it('at an earlier as-of time, every owned customer with later events is skipped and reported (its facts then are not known)', () => {
    const laterEvents = [
      { customerId: 'c2', reason: 'later_events', lastEventAt: '2026-03-31T09:00:00.000Z' }, // due then, but followed up since
      { customerId: 'c3', reason: 'later_events', lastEventAt: '2026-03-15T09:00:00.000Z' },
      { customerId: 'c7', reason: 'later_events', lastEventAt: '2026-03-02T09:00:00.000Z' },
      { customerId: 'c8', reason: 'later_events', lastEventAt: '2026-03-02T09:00:00.001Z' },
      { customerId: 'c9', reason: 'later_events', lastEventAt: '2026-04-02T09:00:00.000Z' },
    ];
    expect(sweep(history, '2026-01-31T08:59:59.999Z')).toEqual({ recycles: [], skipped: laterEvents });
    const atThirtyDays = sweep(history, '2026-01-31T09:00:00.000Z');
    expect(atThirtyDays.recycles.map((recycle) => [recycle.customerId, recycle.rule, recycle.idleDays])).toEqual([['c1', 'no_follow_up', 30]]);
    expect(atThirtyDays.skipped).toEqual(laterEvents);
  });
});
