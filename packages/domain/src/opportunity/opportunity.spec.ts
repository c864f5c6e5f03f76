import { describe, it } from 'vitest';
import { applyConfigPatch, defaultConfig, type ConfigPatch } from '../config/configuration.ts';
import type { MemberRole } from '../context.ts';
import type { EventOf } from '../events.ts';
import { event, given } from '../testing/index.ts';

// domain.md §4 Opportunity, stream opportunity-<id>, with the permissions of §2.

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

const usd = (minor: string) => ({ currency: 'USD', minor });

type Opened = EventOf<'OpportunityOpened'>['data'];
/** o1: on c1, owned by rep-a (team north), USD 12,500.50, in qualification (20 %). */
const opened = (overrides: Partial<Opened> = {}) =>
  event(
    'OpportunityOpened',
    {
      opportunityId: 'o1',
      customerId: 'c1',
      title: 'Fleet renewal',
      amount: usd('1250050'),
      expectedCloseDate: '2026-03-31',
      stage: 'qualification',
      probability: 20,
      owner: 'rep-a',
      ...overrides,
    },
    { at: T0, actor: 'rep-a' },
  );
const won = () => event('OpportunityWon', { opportunityId: 'o1', customerId: 'c1', owner: 'rep-a', amount: usd('1250050'), stage: 'qualification' }, { at: T0, actor: 'rep-a' });
const lost = () =>
  event(
    'OpportunityLost',
    { opportunityId: 'o1', customerId: 'c1', owner: 'rep-a', reason: 'price', competitor: null, note: null, amount: usd('1250050'), stage: 'qualification' },
    { at: T0, actor: 'rep-a' },
  );
const revisedProbability = (probability: number, previous: number | null) =>
  event('OpportunityRevised', { opportunityId: 'o1', changes: { probability }, previous: { probability: previous } }, { at: T0, actor: 'rep-a' });

const world = [...directory, registered('c1', 'rep-a'), registered('p1', null), registered('c3', 'rep-s')];
const withOpportunity = [...world, opened()];

/** "owner/manager" on o1 (owned by rep-a, team north). */
const ownerOrManager = [
  ['rep-a', 'the owner', true],
  ['rep-b', 'another rep of the team', false],
  ['mgr-n', "the manager of the owner's team", true],
  ['mgr-s', 'a manager of another team', false],
  ['admin', 'an admin', true],
  ['system', 'system', true],
] as const;

/** "manager/admin/system" on o1. */
const managerOnly = [
  ['rep-a', 'the owner (a rep)', false],
  ['rep-b', 'another rep', false],
  ['mgr-n', "the manager of the owner's team", true],
  ['mgr-s', 'a manager of another team', false],
  ['admin', 'an admin', true],
  ['system', 'system', true],
] as const;

describe('OpenOpportunity', () => {
  const open = (actor: string, data: Record<string, unknown> = {}) => ({
    command: 'OpenOpportunity',
    actor,
    data: { opportunityId: 'o2', customerId: 'c1', title: ' Fleet renewal ', amount: { amount: '12500.50', currency: 'USD' }, expectedCloseDate: '2026-03-31', ...data },
  });
  const expected = (overrides: Partial<Opened> = {}) => ({
    type: 'OpportunityOpened',
    data: {
      opportunityId: 'o2',
      customerId: 'c1',
      title: 'Fleet renewal',
      amount: usd('1250050'),
      expectedCloseDate: '2026-03-31',
      stage: 'prospecting',
      probability: 10,
      owner: 'rep-a',
      ...overrides,
    },
  });

  it('the customer\'s owner opens one in the first stage, with its pipeline probability; the owner defaults to the customer\'s', () => {
    given(...world).when(open('rep-a')).then(expected());
  });

  it('in any pipeline stage', () => {
    given(...world).when(open('rep-a', { stage: 'proposal' })).then(expected({ stage: 'proposal', probability: 60 }));
  });

  it('a stage outside the pipeline is INVALID_STAGE (won and lost are not pipeline stages)', () => {
    given(...world).when(open('rep-a', { stage: 'closing' })).thenRejects('INVALID_STAGE', { stage: 'closing' });
    given(...world).when(open('rep-a', { stage: 'won' })).thenRejects('INVALID_STAGE', { stage: 'won' });
  });

  it('uses the pipeline in force: its first stage and its probabilities', () => {
    const pipeline = configured({ pipeline: { stages: [{ id: 'lead', probability: 5 }, { id: 'proposal', probability: 55 }] } });
    given(...world, pipeline).when(open('rep-a')).then(expected({ stage: 'lead', probability: 5 }));
    given(...world, pipeline).when(open('rep-a', { stage: 'proposal' })).then(expected({ stage: 'proposal', probability: 55 }));
    given(...world, pipeline).when(open('rep-a', { stage: 'prospecting' })).thenRejects('INVALID_STAGE');
  });

  it('an amount of zero is fine; a negative one is INVALID_COMMAND', () => {
    given(...world).when(open('rep-a', { amount: { amount: '0', currency: 'JPY' } })).then(expected({ amount: { currency: 'JPY', minor: '0' } }));
    given(...world).when(open('rep-a', { amount: { amount: '-1', currency: 'USD' } })).thenRejects('INVALID_COMMAND');
  });

  it.each(ownerOrManager)('%s (%s) may open one on c1: %s', (actor, _who, allowed) => {
    const clause = given(...world).when(open(actor));
    if (allowed) clause.then({ ...expected(), metadata: { actor } });
    else clause.thenRejects('FORBIDDEN');
  });

  it.each(['mgr-n', 'admin', 'system'])('%s names another (active) owner', (actor) => {
    given(...world).when(open(actor, { owner: 'rep-b' })).then(expected({ owner: 'rep-b' }));
  });

  it('a rep may not name another owner (FORBIDDEN), but may name itself', () => {
    given(...world).when(open('rep-a', { owner: 'rep-b' })).thenRejects('FORBIDDEN');
    given(...world).when(open('rep-a', { owner: 'rep-a' })).then(expected());
  });

  it('the named owner must be active (MEMBER_INACTIVE) and known (NOT_FOUND)', () => {
    given(...world, deactivated('rep-b', 'rep', 'north')).when(open('mgr-n', { owner: 'rep-b' })).thenRejects('MEMBER_INACTIVE', { memberId: 'rep-b' });
    given(...world).when(open('mgr-n', { owner: 'rep-z' })).thenRejects('NOT_FOUND', { memberId: 'rep-z' });
  });

  it('a pool customer is CUSTOMER_IN_POOL for a manager or admin, FORBIDDEN for a rep', () => {
    given(...world).when(open('mgr-n', { customerId: 'p1' })).thenRejects('CUSTOMER_IN_POOL', { customerId: 'p1' });
    given(...world).when(open('admin', { customerId: 'p1' })).thenRejects('CUSTOMER_IN_POOL');
    given(...world).when(open('rep-a', { customerId: 'p1' })).thenRejects('FORBIDDEN');
  });

  it('an unknown customer is NOT_FOUND', () => {
    given(...world).when(open('admin', { customerId: 'c9' })).thenRejects('NOT_FOUND', { customerId: 'c9' });
  });

  it('a merged or erased customer is CUSTOMER_INACTIVE (before the permission)', () => {
    const mergedC1 = event('CustomerMerged', { customerId: 'c1', survivorId: 'c3', owner: 'rep-a' }, { at: T0, actor: 'admin' });
    given(...world, mergedC1).when(open('rep-b')).thenRejects('CUSTOMER_INACTIVE', { customerId: 'c1', status: 'merged' });
    given(...world, event('PersonalDataErased', { customerId: 'c1' }, { at: T0, actor: 'admin' })).when(open('rep-a')).thenRejects('CUSTOMER_INACTIVE', { status: 'erased' });
  });

  it('a taken id is ALREADY_EXISTS (before looking at the customer)', () => {
    given(...withOpportunity).when(open('rep-a', { opportunityId: 'o1', customerId: 'c9' })).thenRejects('ALREADY_EXISTS', { opportunityId: 'o1' });
  });

  it('a deactivated actor is MEMBER_INACTIVE', () => {
    given(...world, deactivated('rep-a', 'rep', 'north')).when(open('rep-a')).thenRejects('MEMBER_INACTIVE', { memberId: 'rep-a' });
  });
});

describe('MoveOpportunityStage (open; stage in pipeline; same stage → nothing)', () => {
  const move = (stage: string, actor = 'rep-a') => ({ command: 'MoveOpportunityStage', actor, data: { opportunityId: 'o1', stage } });

  it('moves, recording the new stage\'s pipeline probability', () => {
    given(...withOpportunity).when(move('proposal')).then({ type: 'OpportunityStageMoved', data: { opportunityId: 'o1', from: 'qualification', to: 'proposal', probability: 60 } });
  });

  it('moves backwards too', () => {
    given(...withOpportunity).when(move('prospecting')).then({ type: 'OpportunityStageMoved', data: { opportunityId: 'o1', from: 'qualification', to: 'prospecting', probability: 10 } });
  });

  it('the same stage emits nothing', () => {
    given(...withOpportunity).when(move('qualification')).thenNothing();
  });

  it('a stage outside the pipeline is INVALID_STAGE', () => {
    given(...withOpportunity).when(move('closing')).thenRejects('INVALID_STAGE', { stage: 'closing' });
    given(...withOpportunity).when(move('won')).thenRejects('INVALID_STAGE', { stage: 'won' });
  });

  it('the probability comes from the pipeline in force at the move', () => {
    const pipeline = configured({
      pipeline: {
        stages: [
          { id: 'qualification', probability: 25 },
          { id: 'proposal', probability: 55 },
        ],
      },
    });
    given(...withOpportunity, pipeline).when(move('proposal')).then({ type: 'OpportunityStageMoved', data: { opportunityId: 'o1', from: 'qualification', to: 'proposal', probability: 55 } });
  });

  it('a probability override ends with the move', () => {
    given(...withOpportunity, revisedProbability(35, null))
      .when(move('proposal'))
      .then({ type: 'OpportunityStageMoved', data: { opportunityId: 'o1', from: 'qualification', to: 'proposal', probability: 60 } });
    // After the move the stage's 60 % is in force again, so revising to 60 changes nothing.
    given(...withOpportunity, revisedProbability(35, null), event('OpportunityStageMoved', { opportunityId: 'o1', from: 'qualification', to: 'proposal', probability: 60 }, { at: T0 }))
      .when({ command: 'ReviseOpportunity', actor: 'rep-a', data: { opportunityId: 'o1', probability: 60 } })
      .thenNothing();
  });

  it.each([
    ['won', won],
    ['lost', lost],
  ] as const)('a %s opportunity is OPPORTUNITY_CLOSED (before INVALID_STAGE)', (status, closing) => {
    given(...withOpportunity, closing()).when(move('proposal')).thenRejects('OPPORTUNITY_CLOSED', { opportunityId: 'o1', status });
    given(...withOpportunity, closing()).when(move('closing')).thenRejects('OPPORTUNITY_CLOSED');
  });

  it.each(ownerOrManager)('%s (%s) may move it: %s', (actor, _who, allowed) => {
    const clause = given(...withOpportunity).when(move('proposal', actor));
    if (allowed) clause.then({ type: 'OpportunityStageMoved', data: { opportunityId: 'o1', from: 'qualification', to: 'proposal', probability: 60 } });
    else clause.thenRejects('FORBIDDEN');
  });
});

describe('ReviseOpportunity (open; changed fields with old values)', () => {
  const revise = (data: Record<string, unknown>, actor = 'rep-a') => ({ command: 'ReviseOpportunity', actor, data: { opportunityId: 'o1', ...data } });

  it('records the changed fields and their old values (no override before: null)', () => {
    given(...withOpportunity)
      .when(revise({ amount: { amount: '15000', currency: 'USD' }, expectedCloseDate: '2026-04-30', probability: 35 }))
      .then({
        type: 'OpportunityRevised',
        data: {
          opportunityId: 'o1',
          changes: { amount: usd('1500000'), expectedCloseDate: '2026-04-30', probability: 35 },
          previous: { amount: usd('1250050'), expectedCloseDate: '2026-03-31', probability: null },
        },
      });
  });

  it('unchanged fields are left out; nothing changed emits nothing', () => {
    given(...withOpportunity)
      .when(revise({ amount: { amount: '12500.5', currency: 'USD' }, expectedCloseDate: '2026-05-31' }))
      .then({ type: 'OpportunityRevised', data: { opportunityId: 'o1', changes: { expectedCloseDate: '2026-05-31' }, previous: { expectedCloseDate: '2026-03-31' } } });
    given(...withOpportunity).when(revise({ amount: { amount: '12500.50', currency: 'USD' }, expectedCloseDate: '2026-03-31', probability: 20 })).thenNothing();
    given(...withOpportunity).when(revise({})).thenNothing();
  });

  it('an override replaces an earlier override; setting the value in force is no change', () => {
    given(...withOpportunity, revisedProbability(35, null))
      .when(revise({ probability: 20 }))
      .then({ type: 'OpportunityRevised', data: { opportunityId: 'o1', changes: { probability: 20 }, previous: { probability: 35 } } });
    given(...withOpportunity, revisedProbability(35, null)).when(revise({ probability: 35 })).thenNothing();
  });

  it('the amount may be revised into another currency (only the win is bound to the opportunity\'s currency)', () => {
    given(...withOpportunity)
      .when(revise({ amount: { amount: '11000', currency: 'EUR' } }))
      .then({ type: 'OpportunityRevised', data: { opportunityId: 'o1', changes: { amount: { currency: 'EUR', minor: '1100000' } }, previous: { amount: usd('1250050') } } });
  });

  it.each([won, lost])('a closed opportunity is OPPORTUNITY_CLOSED (%#)', (closing) => {
    given(...withOpportunity, closing()).when(revise({ probability: 50 })).thenRejects('OPPORTUNITY_CLOSED');
  });

  it.each(ownerOrManager)('%s (%s) may revise: %s', (actor, _who, allowed) => {
    const clause = given(...withOpportunity).when(revise({ expectedCloseDate: '2026-06-30' }, actor));
    if (allowed) clause.then({ type: 'OpportunityRevised', data: { opportunityId: 'o1', changes: { expectedCloseDate: '2026-06-30' }, previous: { expectedCloseDate: '2026-03-31' } } });
    else clause.thenRejects('FORBIDDEN');
  });
});

describe('ReassignOpportunity (manager/admin/system)', () => {
  const reassign = (to: string, actor = 'mgr-n') => ({ command: 'ReassignOpportunity', actor, data: { opportunityId: 'o1', to } });

  it.each(managerOnly)('%s (%s) may reassign: %s', (actor, _who, allowed) => {
    const clause = given(...withOpportunity).when(reassign('rep-b', actor));
    if (allowed) clause.then({ type: 'OpportunityReassigned', data: { opportunityId: 'o1', from: 'rep-a', to: 'rep-b' } });
    else clause.thenRejects('FORBIDDEN');
  });

  it('to a member of another team', () => {
    given(...withOpportunity).when(reassign('rep-s')).then({ type: 'OpportunityReassigned', data: { opportunityId: 'o1', from: 'rep-a', to: 'rep-s' } });
  });

  it('does not move the customer (no customer event)', () => {
    given(...withOpportunity).when(reassign('rep-b', 'admin')).then({ type: 'OpportunityReassigned', data: { opportunityId: 'o1', from: 'rep-a', to: 'rep-b' } });
  });

  it('the new owner must be active (MEMBER_INACTIVE) and known (NOT_FOUND)', () => {
    given(...withOpportunity, deactivated('rep-b', 'rep', 'north')).when(reassign('rep-b')).thenRejects('MEMBER_INACTIVE', { memberId: 'rep-b' });
    given(...withOpportunity).when(reassign('rep-z')).thenRejects('NOT_FOUND', { memberId: 'rep-z' });
  });

  it('to the current owner emits nothing', () => {
    given(...withOpportunity).when(reassign('rep-a')).thenNothing();
  });

  it.each([won, lost])('a closed opportunity is OPPORTUNITY_CLOSED (%#)', (closing) => {
    given(...withOpportunity, closing()).when(reassign('rep-b')).thenRejects('OPPORTUNITY_CLOSED');
  });

  it('an orphaned opportunity (its owner left) keeps its owner until a manager of that team reassigns it', () => {
    given(...withOpportunity, deactivated('rep-a', 'rep', 'north')).when(reassign('rep-b')).then({ type: 'OpportunityReassigned', data: { opportunityId: 'o1', from: 'rep-a', to: 'rep-b' } });
  });
});

describe('WinOpportunity (open; final amount in the same currency)', () => {
  const win = (amount?: { amount: string; currency: string }, actor = 'rep-a') => ({
    command: 'WinOpportunity',
    actor,
    data: { opportunityId: 'o1', ...(amount === undefined ? {} : { amount }) },
  });
  const wonEvent = (minor = '1250050') => ({ type: 'OpportunityWon', data: { opportunityId: 'o1', customerId: 'c1', owner: 'rep-a', amount: usd(minor), stage: 'qualification' } });

  it('won at its amount, credited to its owner', () => {
    given(...withOpportunity).when(win()).then(wonEvent());
  });

  it('won at a final amount in the same currency', () => {
    given(...withOpportunity).when(win({ amount: '13000', currency: 'USD' })).then(wonEvent('1300000'));
  });

  it('a final amount in another currency is CURRENCY_MISMATCH', () => {
    given(...withOpportunity).when(win({ amount: '13000', currency: 'EUR' })).thenRejects('CURRENCY_MISMATCH', { opportunityId: 'o1', expected: 'USD', actual: 'EUR' });
  });

  it('won at the revised amount', () => {
    given(...withOpportunity, event('OpportunityRevised', { opportunityId: 'o1', changes: { amount: usd('900000') }, previous: { amount: usd('1250050') } }, { at: T0 }))
      .when(win())
      .then(wonEvent('900000'));
  });

  it.each([
    ['won', won],
    ['lost', lost],
  ] as const)('a %s opportunity is OPPORTUNITY_CLOSED (before CURRENCY_MISMATCH)', (status, closing) => {
    given(...withOpportunity, closing()).when(win()).thenRejects('OPPORTUNITY_CLOSED', { status });
    given(...withOpportunity, closing()).when(win({ amount: '1', currency: 'EUR' })).thenRejects('OPPORTUNITY_CLOSED');
  });

  it.each(ownerOrManager)('%s (%s) may win it: %s', (actor, _who, allowed) => {
    const clause = given(...withOpportunity).when(win(undefined, actor));
    if (allowed) clause.then({ ...wonEvent(), metadata: { actor } });
    else clause.thenRejects('FORBIDDEN');
  });
});

describe('LoseOpportunity (open; with a reason)', () => {
  const lose = (data: Record<string, unknown> = {}, actor = 'rep-a') => ({ command: 'LoseOpportunity', actor, data: { opportunityId: 'o1', reason: 'competitor', ...data } });
  const lostEvent = (overrides: Record<string, unknown> = {}) => ({
    type: 'OpportunityLost',
    data: { opportunityId: 'o1', customerId: 'c1', owner: 'rep-a', reason: 'competitor', competitor: null, note: null, amount: usd('1250050'), stage: 'qualification', ...overrides },
  });

  it('lost, with its amount and stage at the time', () => {
    given(...withOpportunity).when(lose()).then(lostEvent());
  });

  it('with the competitor and a note', () => {
    given(...withOpportunity).when(lose({ competitor: ' Globex ', note: ' cheaper by 10 % ' })).then(lostEvent({ competitor: 'Globex', note: 'cheaper by 10 %' }));
  });

  it.each(['price', 'competitor', 'no_budget', 'no_decision', 'timing', 'product_fit', 'other'])('reason %s', (reason) => {
    given(...withOpportunity).when(lose({ reason })).then(lostEvent({ reason }));
  });

  it('an unknown reason is INVALID_COMMAND', () => {
    given(...withOpportunity).when(lose({ reason: 'bad_luck' })).thenRejects('INVALID_COMMAND');
  });

  it.each([won, lost])('a closed opportunity is OPPORTUNITY_CLOSED (%#)', (closing) => {
    given(...withOpportunity, closing()).when(lose()).thenRejects('OPPORTUNITY_CLOSED');
  });

  it.each(ownerOrManager)('%s (%s) may lose it: %s', (actor, _who, allowed) => {
    const clause = given(...withOpportunity).when(lose({}, actor));
    if (allowed) clause.then(lostEvent());
    else clause.thenRejects('FORBIDDEN');
  });
});

describe('ReopenOpportunity (lost only; manager/admin/system)', () => {
  const reopen = (actor = 'mgr-n', stage?: string) => ({ command: 'ReopenOpportunity', actor, data: { opportunityId: 'o1', ...(stage === undefined ? {} : { stage }) } });

  it('a lost one reopens in the stage it was lost in', () => {
    given(...withOpportunity, lost()).when(reopen()).then({ type: 'OpportunityReopened', data: { opportunityId: 'o1', stage: 'qualification', probability: 20 } });
  });

  it('or in a stage given', () => {
    given(...withOpportunity, lost()).when(reopen('admin', 'negotiation')).then({ type: 'OpportunityReopened', data: { opportunityId: 'o1', stage: 'negotiation', probability: 80 } });
  });

  it('a stage outside the pipeline is INVALID_STAGE', () => {
    given(...withOpportunity, lost()).when(reopen('admin', 'closing')).thenRejects('INVALID_STAGE', { stage: 'closing' });
  });

  it('when the stage it was lost in left the pipeline, it reopens in the first stage', () => {
    given(...withOpportunity, lost(), configured({ pipeline: { stages: [{ id: 'lead', probability: 5 }, { id: 'proposal', probability: 60 }] } }))
      .when(reopen())
      .then({ type: 'OpportunityReopened', data: { opportunityId: 'o1', stage: 'lead', probability: 5 } });
  });

  it('a won one is INVALID_TRANSITION, not OPPORTUNITY_CLOSED', () => {
    given(...withOpportunity, won()).when(reopen()).thenRejects('INVALID_TRANSITION', { opportunityId: 'o1', status: 'won' });
  });

  it('an open one is INVALID_TRANSITION', () => {
    given(...withOpportunity).when(reopen()).thenRejects('INVALID_TRANSITION', { status: 'open' });
  });

  it('the permission is checked before the status', () => {
    given(...withOpportunity, won()).when(reopen('rep-a')).thenRejects('FORBIDDEN');
  });

  it.each(managerOnly)('%s (%s) may reopen: %s', (actor, _who, allowed) => {
    const clause = given(...withOpportunity, lost()).when(reopen(actor));
    if (allowed) clause.then({ type: 'OpportunityReopened', data: { opportunityId: 'o1', stage: 'qualification', probability: 20 } });
    else clause.thenRejects('FORBIDDEN');
  });

  it('once reopened it is open again: it can be moved and won', () => {
    const reopened = event('OpportunityReopened', { opportunityId: 'o1', stage: 'qualification', probability: 20 }, { at: T0, actor: 'mgr-n' });
    given(...withOpportunity, lost(), reopened)
      .when({ command: 'MoveOpportunityStage', actor: 'rep-a', data: { opportunityId: 'o1', stage: 'proposal' } })
      .then({ type: 'OpportunityStageMoved', data: { opportunityId: 'o1', from: 'qualification', to: 'proposal', probability: 60 } });
    given(...withOpportunity, lost(), reopened)
      .when({ command: 'WinOpportunity', actor: 'rep-a', data: { opportunityId: 'o1' } })
      .then({ type: 'OpportunityWon', data: { opportunityId: 'o1', customerId: 'c1', owner: 'rep-a', amount: usd('1250050'), stage: 'qualification' } });
  });
});

describe('every command on an opportunity stream', () => {
  const commands = (opportunityId: string) => [
    { command: 'MoveOpportunityStage', actor: 'admin', data: { opportunityId, stage: 'proposal' } },
    { command: 'ReviseOpportunity', actor: 'admin', data: { opportunityId, probability: 50 } },
    { command: 'ReassignOpportunity', actor: 'admin', data: { opportunityId, to: 'rep-b' } },
    { command: 'WinOpportunity', actor: 'admin', data: { opportunityId } },
    { command: 'LoseOpportunity', actor: 'admin', data: { opportunityId, reason: 'timing' } },
    { command: 'ReopenOpportunity', actor: 'admin', data: { opportunityId } },
  ];

  it.each(commands('o9').map((input) => [input.command, input] as const))('%s on an unknown opportunity is NOT_FOUND', (_name, input) => {
    given(...withOpportunity).when(input).thenRejects('NOT_FOUND', { opportunityId: 'o9' });
  });

  it.each(commands('o1').map((input) => [input.command, input] as const))('%s earlier than the stream\'s last event is CLOCK_SKEW', (_name, input) => {
    given(...withOpportunity, lost())
      .when({ ...input, at: '2026-01-01T08:59:59.999Z' })
      .thenRejects('CLOCK_SKEW', { stream: 'opportunity-o1', lastEventAt: T0 });
  });

  it.each(commands('o1').map((input) => [input.command, input] as const))('%s by a deactivated member is MEMBER_INACTIVE', (_name, input) => {
    given(...withOpportunity, deactivated('mgr-n', 'manager', 'north')).when({ ...input, actor: 'mgr-n' }).thenRejects('MEMBER_INACTIVE', { memberId: 'mgr-n' });
  });

  it('an opportunity of a customer merged away is still worked on (its customer is not re-checked)', () => {
    given(...withOpportunity, event('CustomerMerged', { customerId: 'c1', survivorId: 'c3', owner: 'rep-a' }, { at: T0, actor: 'admin' }))
      .when({ command: 'WinOpportunity', actor: 'rep-a', data: { opportunityId: 'o1' } })
      .then({ type: 'OpportunityWon', data: { opportunityId: 'o1', customerId: 'c1', owner: 'rep-a', amount: usd('1250050'), stage: 'qualification' } });
  });
});
