import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommand, type CrmCommand } from './commands.ts';
import type { MemberRole } from './context.ts';
import { aggregateOfStream, decide, factsNeeded, reservationChanges, streamsOf } from './decide.ts';
import type { CrmEvent, EventOf } from './events.ts';
import type { CustomerState } from './customer/state.ts';
import { event, foldWorld, given } from './testing/index.ts';

// domain.md §0 Order of checks (the first failure wins): idempotent replay of
// a known command id → schema → actor exists and is active → the target
// exists (or, for creation, does not) → CLOCK_SKEW → CUSTOMER_INACTIVE →
// permission → the command's rules in the order its table lists them.
// (The idempotent replay is the runtime's: it never reaches `decide`.)

const T0 = '2026-01-01T09:00:00.000Z';
const LATER = '2026-02-01T09:00:00.000Z';
const EARLIER = '2026-01-15T09:00:00.000Z';

const member = (memberId: string, role: MemberRole, team: string | null) => event('MemberRegistered', { memberId, name: `Name of ${memberId}`, role, team }, { at: T0 });
const directory = [
  member('admin', 'admin', null),
  member('mgr-n', 'manager', 'north'),
  member('rep-a', 'rep', 'north'),
  member('rep-b', 'rep', 'north'),
  member('rep-x', 'rep', 'north'),
  event('MemberDeactivated', { memberId: 'rep-x', successorId: null, role: 'rep', team: 'north' }, { at: T0, actor: 'admin' }),
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
const touched = (customerId: string, at = LATER) => event('CustomerLocked', { customerId }, { at, actor: 'admin' });
const mergedAway = (customerId: string) => event('CustomerMerged', { customerId, survivorId: 'c2', owner: 'rep-a' }, { at: LATER, actor: 'admin' });
const opened = event(
  'OpportunityOpened',
  { opportunityId: 'o1', customerId: 'c1', title: 'Deal', amount: { currency: 'USD', minor: '100' }, expectedCloseDate: '2026-03-31', stage: 'proposal', probability: 60, owner: 'rep-a' },
  { at: T0, actor: 'rep-a' },
);
const world = [...directory, registered('c1', 'rep-a'), registered('c2', 'rep-b'), registered('p1', null)];

describe('order of checks: inputs failing two checks, the first one wins', () => {
  it('schema before actor: an unknown actor with bad data is INVALID_COMMAND', () => {
    given(...world).when({ command: 'ClaimCustomer', actor: 'ghost', data: { customerId: 'not an id' } }).thenRejects('INVALID_COMMAND');
  });

  it('schema before target: bad data for an unknown customer is INVALID_COMMAND', () => {
    given(...world).when({ command: 'UpdateCustomerProfile', actor: 'admin', data: { customerId: 'c9', changes: { importance: 'Z' } } }).thenRejects('INVALID_COMMAND');
  });

  it('actor before target: an unknown actor on an unknown customer is NOT_FOUND for the actor', () => {
    given(...world).when({ command: 'LockCustomer', actor: 'ghost', data: { customerId: 'c9' } }).thenRejects('NOT_FOUND', { memberId: 'ghost' });
  });

  it('actor before target: a deactivated actor on an unknown customer is MEMBER_INACTIVE', () => {
    given(...world).when({ command: 'LockCustomer', actor: 'rep-x', data: { customerId: 'c9' } }).thenRejects('MEMBER_INACTIVE', { memberId: 'rep-x' });
  });

  it('actor before creation: a deactivated actor registering a taken id is MEMBER_INACTIVE', () => {
    given(...world)
      .when({ command: 'RegisterCustomer', actor: 'rep-x', data: { customerId: 'c1', name: 'X', kind: 'person', email: 'x@example.com', source: 'web', importance: 'C' } })
      .thenRejects('MEMBER_INACTIVE');
  });

  it('target before clock: an unknown survivor is NOT_FOUND even when the duplicate\'s clock is ahead', () => {
    given(...world, touched('c1'))
      .when({ command: 'MergeCustomers', actor: 'admin', at: EARLIER, data: { survivorId: 'c9', duplicateId: 'c1' } })
      .thenRejects('NOT_FOUND', { customerId: 'c9' });
  });

  it('clock before CUSTOMER_INACTIVE: a merged customer acted on too early is CLOCK_SKEW', () => {
    given(...world, mergedAway('c1')).when({ command: 'LockCustomer', actor: 'admin', at: EARLIER, data: { customerId: 'c1' } }).thenRejects('CLOCK_SKEW');
  });

  it('clock before permission: a foreign rep acting too early is CLOCK_SKEW', () => {
    given(...world, touched('c1')).when({ command: 'LockCustomer', actor: 'rep-b', at: EARLIER, data: { customerId: 'c1' } }).thenRejects('CLOCK_SKEW');
  });

  it('CUSTOMER_INACTIVE before permission: a foreign rep on a merged customer is CUSTOMER_INACTIVE', () => {
    given(...world, mergedAway('c1')).when({ command: 'LockCustomer', actor: 'rep-b', data: { customerId: 'c1' } }).thenRejects('CUSTOMER_INACTIVE');
  });

  it('CUSTOMER_INACTIVE before permission when opening an opportunity or a ticket on a merged customer', () => {
    given(...world, mergedAway('c1'))
      .when({ command: 'OpenOpportunity', actor: 'rep-b', data: { opportunityId: 'o2', customerId: 'c1', title: 'x', amount: { amount: '1', currency: 'USD' }, expectedCloseDate: '2026-03-31' } })
      .thenRejects('CUSTOMER_INACTIVE');
  });

  describe('permission before the rules', () => {
    it.each([
      ['TransferCustomer on a pool customer by a rep (not CUSTOMER_IN_POOL)', { command: 'TransferCustomer', actor: 'rep-a', data: { customerId: 'p1', to: 'rep-b', reason: 'request' } }],
      ['RecycleCustomer on a pool customer by an admin (not CUSTOMER_IN_POOL)', { command: 'RecycleCustomer', actor: 'admin', data: { customerId: 'p1', rule: 'no_deal' } }],
      ['ReleaseCustomer on a pool customer by a rep (not CUSTOMER_IN_POOL)', { command: 'ReleaseCustomer', actor: 'rep-a', data: { customerId: 'p1' } }],
      ['LogFollowUp on a pool customer by a rep (not CUSTOMER_IN_POOL)', { command: 'LogFollowUp', actor: 'rep-a', data: { customerId: 'p1', channel: 'call', summary: 'x' } }],
      ['AssignCustomer of an owned customer to a deactivated member by a rep (not CUSTOMER_NOT_IN_POOL)', { command: 'AssignCustomer', actor: 'rep-a', data: { customerId: 'c1', to: 'rep-x' } }],
      ['TransferCustomer to a deactivated member by a rep', { command: 'TransferCustomer', actor: 'rep-a', data: { customerId: 'c1', to: 'rep-x', reason: 'request' } }],
      ['ChangeMemberRole of a deactivated member by a rep (not MEMBER_INACTIVE)', { command: 'ChangeMemberRole', actor: 'rep-a', data: { memberId: 'rep-x', role: 'manager' } }],
      ['Configure with an invalid configuration by a manager (not INVALID_CONFIGURATION)', { command: 'Configure', actor: 'mgr-n', data: { pool: { holdingLimit: -1 } } }],
    ] as const)('%s is FORBIDDEN', (_case, input) => {
      given(...world).when(input).thenRejects('FORBIDDEN');
    });

    it('WinOpportunity in another currency by a foreign rep is FORBIDDEN (not CURRENCY_MISMATCH)', () => {
      given(...world, opened).when({ command: 'WinOpportunity', actor: 'rep-b', data: { opportunityId: 'o1', amount: { amount: '1', currency: 'EUR' } } }).thenRejects('FORBIDDEN');
    });

    it('MoveOpportunityStage of a won opportunity by a foreign rep is FORBIDDEN (not OPPORTUNITY_CLOSED)', () => {
      given(...world, opened, event('OpportunityWon', { opportunityId: 'o1', customerId: 'c1', owner: 'rep-a', amount: { currency: 'USD', minor: '100' }, stage: 'proposal' }, { at: T0 }))
        .when({ command: 'MoveOpportunityStage', actor: 'rep-b', data: { opportunityId: 'o1', stage: 'negotiation' } })
        .thenRejects('FORBIDDEN');
    });
  });
});

describe('every event records the actor, the command id, the effective time and a correlation id', () => {
  it('from the command that produced it', () => {
    given(...world)
      .when({ command: 'LockCustomer', actor: 'rep-a', id: 'cmd-7', at: '2026-01-20T18:00:00+08:00', data: { customerId: 'c1' } })
      .then({
        type: 'CustomerLocked',
        data: { customerId: 'c1' },
        metadata: { commandId: 'cmd-7', actor: 'rep-a', at: '2026-01-20T10:00:00.000Z', correlationId: 'cmd-7', causationId: null },
      });
  });

  it('both events of a merge carry the same metadata', () => {
    const events = given(...world).when({ command: 'MergeCustomers', actor: 'admin', id: 'cmd-8', data: { survivorId: 'c1', duplicateId: 'c2' } }).outcome.result;
    expect(E.isRight(events) && events.right.map((produced) => produced.metadata.commandId)).toEqual(['cmd-8', 'cmd-8']);
  });
});

describe('streams and facts a command needs', () => {
  const command = (input: object): CrmCommand => {
    const parsed = parseCommand({ actor: 'admin', ...input }, { now: T0, newId: () => 'id-1' });
    if (E.isLeft(parsed)) throw new Error(JSON.stringify(parsed.left));
    return parsed.right;
  };

  it('names the streams each command reads, the written one first', () => {
    expect(streamsOf(command({ command: 'Configure', data: {} }))).toEqual(['config']);
    expect(streamsOf(command({ command: 'MergeCustomers', data: { survivorId: 'c1', duplicateId: 'c2' } }))).toEqual(['customer-c2', 'customer-c1']);
    expect(
      streamsOf(command({ command: 'OpenOpportunity', data: { opportunityId: 'o1', customerId: 'c1', title: 't', amount: { amount: '1', currency: 'USD' }, expectedCloseDate: '2026-01-31' } })),
    ).toEqual(['opportunity-o1', 'customer-c1']);
    expect(streamsOf(command({ command: 'OpenTicket', data: { ticketId: 't1', customerId: 'c1', subject: 's', category: 'question', priority: 'low', channel: 'web' } }))).toEqual([
      'ticket-t1',
      'customer-c1',
    ]);
    expect(streamsOf(command({ command: 'CloseTicket', data: { ticketId: 't1' } }))).toEqual(['ticket-t1']);
    expect(streamsOf(command({ command: 'WinOpportunity', data: { opportunityId: 'o1' } }))).toEqual(['opportunity-o1']);
    expect(streamsOf(command({ command: 'ClaimCustomer', data: { customerId: 'c1' } }))).toEqual(['customer-c1']);
    expect(streamsOf(command({ command: 'DeactivateMember', data: { memberId: 'rep-a' } }))).toEqual(['member-rep-a']);
  });

  it('knows which aggregate a stream belongs to', () => {
    expect(['config', 'member-a', 'customer-c-1', 'opportunity-o1', 'ticket-t1', 'outbox-1', 'customer'].map(aggregateOfStream)).toEqual([
      'config',
      'member',
      'customer',
      'opportunity',
      'ticket',
      undefined,
      undefined,
    ]);
  });

  it('asks for the reservation keys and folded names of a registration', () => {
    expect(
      factsNeeded(command({ command: 'RegisterCustomer', data: { customerId: 'c1', name: 'ACME, Ltd.', kind: 'company', phone: '+86 10 1234 5678', email: 'Info@Acme.com', source: 'web', importance: 'A' } })),
    ).toEqual({ reservationKeys: ['phone:861012345678', 'email:info@acme.com'], foldedNames: ['acmeltd'], claimsOn: null, lastDealWonFor: [], openOpportunityStages: false });
  });

  it('asks for the claims on the UTC day of a claim, the last won deal of a recycle, the open stages of a Configure', () => {
    expect(factsNeeded(command({ command: 'ClaimCustomer', at: '2026-01-01T07:00:00+08:00', data: { customerId: 'c1' } })).claimsOn).toBe('2025-12-31');
    expect(factsNeeded(command({ command: 'RecycleCustomer', data: { customerId: 'c1', rule: 'no_deal' } })).lastDealWonFor).toEqual(['c1']);
    expect(factsNeeded(command({ command: 'Configure', data: {} })).openOpportunityStages).toBe(true);
  });
});

describe('reservations the store must apply with the append (duplicate check under concurrency)', () => {
  const states = foldWorld([...world, registered('c3', 'rep-a', { phone: '+861012345678', email: 'info@acme.com' })]).state;
  const decided = (input: object) => {
    const result = given(...world, registered('c3', 'rep-a', { phone: '+861012345678', email: 'info@acme.com' })).when(input as never).outcome.result;
    if (E.isLeft(result)) throw new Error(JSON.stringify(result.left));
    return result.right;
  };

  it('a registration takes its phone (by digits) and email', () => {
    const events = decided({ command: 'RegisterCustomer', actor: 'rep-a', data: { customerId: 'c4', name: 'New', kind: 'person', phone: '+86 21 5555 0100', email: 'New@X.com', source: 'web', importance: 'C' } });
    expect(reservationChanges(events, states)).toEqual({
      claim: [
        { key: 'phone:862155550100', owner: 'c4' },
        { key: 'email:new@x.com', owner: 'c4' },
      ],
      release: [],
    });
  });

  it('a profile change frees the old contact point and takes the new one; clearing only frees', () => {
    const events = decided({ command: 'UpdateCustomerProfile', actor: 'rep-a', data: { customerId: 'c3', changes: { phone: '+86 21 5555 0199', email: null } } });
    expect(reservationChanges(events, states)).toEqual({
      claim: [{ key: 'phone:862155550199', owner: 'c3' }],
      release: [
        { key: 'phone:861012345678', owner: 'c3' },
        { key: 'email:info@acme.com', owner: 'c3' },
      ],
    });
  });

  it('a merge frees the duplicate\'s contact points; an erasure frees the customer\'s', () => {
    const merge = decided({ command: 'MergeCustomers', actor: 'admin', data: { survivorId: 'c1', duplicateId: 'c3' } });
    expect(reservationChanges(merge, states)).toEqual({
      claim: [],
      release: [
        { key: 'phone:861012345678', owner: 'c3' },
        { key: 'email:info@acme.com', owner: 'c3' },
      ],
    });
    const erase = decided({ command: 'ErasePersonalData', actor: 'admin', data: { customerId: 'c3' } });
    expect(reservationChanges(erase, states).release).toEqual([
      { key: 'phone:861012345678', owner: 'c3' },
      { key: 'email:info@acme.com', owner: 'c3' },
    ]);
  });
});

describe('ownership invariant (domain.md §3): one owner or the pool at every instant; every owner change is an event with from and to', () => {
  const members = ['rep-a', 'rep-b', 'mgr-n', 'admin', 'system', 'rep-x'] as const;
  const step = fc.record({
    command: fc.constantFrom('ClaimCustomer', 'AssignCustomer', 'TransferCustomer', 'ReleaseCustomer', 'RecycleCustomer', 'LockCustomer', 'UnlockCustomer', 'LogFollowUp'),
    actor: fc.constantFrom(...members),
    to: fc.constantFrom(...members),
    rule: fc.constantFrom('no_follow_up', 'no_deal'),
    // Mostly short gaps, sometimes long enough for a recycle rule to fall due.
    hoursLater: fc.oneof(fc.integer({ min: 0, max: 48 }), fc.integer({ min: 24 * 25, max: 24 * 45 })),
  });

  it('holds for any sequence of ownership commands', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), fc.boolean(), (steps, startsInPool) => {
        const history: CrmEvent[] = [...world, registered('c9', startsInPool ? null : 'rep-a')];
        let owner: string | null = startsInPool ? null : 'rep-a';
        let millis = Date.parse(T0);
        for (const { command, actor, to, rule, hoursLater } of steps) {
          millis += hoursLater * 3_600_000;
          const data = {
            customerId: 'c9',
            ...(command === 'AssignCustomer' ? { to } : {}),
            ...(command === 'TransferCustomer' ? { to, reason: 'rebalance' } : {}),
            ...(command === 'RecycleCustomer' ? { rule } : {}),
            ...(command === 'LogFollowUp' ? { channel: 'call', summary: 'hi' } : {}),
          };
          const parsed = parseCommand({ command, actor, at: new Date(millis).toISOString(), data }, { now: new Date(millis).toISOString(), newId: () => `cmd-${history.length}` });
          if (E.isLeft(parsed)) continue;
          const folded = foldWorld(history);
          const result = decide(parsed.right, folded.state, folded.index.contextFor(parsed.right));
          if (E.isLeft(result)) continue;
          for (const produced of result.right) {
            const change = produced as CrmEvent & { data: { from?: string; to?: string } };
            switch (produced.type) {
              case 'CustomerClaimed':
              case 'CustomerAssigned':
                expect(owner).toBeNull();
                owner = change.data.to!;
                break;
              case 'CustomerTransferred':
                expect(change.data.from).toBe(owner);
                expect(change.data.to).not.toBe(owner);
                owner = change.data.to!;
                break;
              case 'CustomerReleased':
              case 'CustomerRecycled':
                expect(change.data.from).toBe(owner);
                owner = null;
                break;
              default:
                break;
            }
            history.push(produced);
          }
          const state = foldWorld(history).state('customer-c9') as CustomerState;
          expect(state.owner).toBe(owner);
          if (owner !== null) expect(['rep-a', 'rep-b', 'mgr-n', 'admin']).toContain(owner);
        }
      }),
      { numRuns: 200 },
    );
  });
});
