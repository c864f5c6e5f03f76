import { describe, expect, it } from 'vitest';
import { applyConfigPatch, defaultConfig, type ConfigPatch } from '../config/configuration.ts';
import type { MemberRole } from '../context.ts';
import type { EventOf } from '../events.ts';
import { event, foldWorld, given } from '../testing/index.ts';
import type { CustomerState } from './state.ts';

// domain.md §3 Customer, stream customer-<id>, with the permissions of §2.

const T0 = '2026-01-01T09:00:00.000Z';

const member = (memberId: string, role: MemberRole, team: string | null) => event('MemberRegistered', { memberId, name: `Name of ${memberId}`, role, team }, { at: T0 });

/** Two teams (north: mgr-n, rep-a, rep-b; south: mgr-s, rep-s) and an admin. */
const directory = [
  member('admin', 'admin', null),
  member('mgr-n', 'manager', 'north'),
  member('mgr-s', 'manager', 'south'),
  member('rep-a', 'rep', 'north'),
  member('rep-b', 'rep', 'north'),
  member('rep-s', 'rep', 'south'),
];

type Registered = EventOf<'CustomerRegistered'>['data'];

const registered = (customerId: string, owner: string | null, overrides: Partial<Registered> = {}, at = T0) =>
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
    { at, actor: owner ?? 'system' },
  );

const configured = (changes: ConfigPatch, at = T0) => event('ConfigurationChanged', { changes, config: applyConfigPatch(defaultConfig, changes) }, { at, actor: 'admin' });

const claimed = (customerId: string, to: string, at: string) =>
  event(
    'CustomerClaimed',
    { customerId, to, holdingsBefore: 0, claimsTodayBefore: 0, policy: { holdingLimit: 200, dailyClaimLimit: 20, reclaimCooldownDays: 7 } },
    { at, actor: to },
  );
const released = (customerId: string, from: string, at: string) => event('CustomerReleased', { customerId, from, reason: 'voluntary', note: null }, { at, actor: from });
const transferred = (customerId: string, from: string, to: string, at: string) =>
  event('CustomerTransferred', { customerId, from, to, reason: 'rebalance' }, { at, actor: 'mgr-n' });
const followedUp = (customerId: string, owner: string, at: string) =>
  event('FollowUpLogged', { customerId, channel: 'call', summary: 'called', contactId: null, nextFollowUpAt: null, owner }, { at, actor: owner });
const locked = (customerId: string, at = T0) => event('CustomerLocked', { customerId }, { at, actor: 'mgr-n' });
const stageChanged = (customerId: string, from: Registered['stage'], to: Registered['stage'], at = T0) =>
  event('CustomerStageChanged', { customerId, from, to, reason: null }, { at, actor: 'mgr-n' });
const merged = (customerId: string, survivorId: string, owner: string | null, at = T0) => event('CustomerMerged', { customerId, survivorId, owner }, { at, actor: 'admin' });
const erased = (customerId: string, at = T0) => event('PersonalDataErased', { customerId }, { at, actor: 'admin' });
const deactivated = (memberId: string, role: MemberRole, team: string | null) => event('MemberDeactivated', { memberId, successorId: null, role, team }, { at: T0, actor: 'admin' });
const contact = (contactId: string, overrides: Partial<EventOf<'ContactAdded'>['data']['contact']> = {}) => ({
  contactId,
  name: `Contact ${contactId}`,
  title: null,
  role: 'champion' as const,
  phone: null,
  email: `${contactId}@example.com`,
  birthday: null,
  ...overrides,
});
const contactAdded = (customerId: string, contactId: string, overrides: Partial<EventOf<'ContactAdded'>['data']['contact']> = {}) =>
  event('ContactAdded', { customerId, contact: contact(contactId, overrides) }, { at: T0, actor: 'rep-a' });

/** c1 is owned by rep-a (team north); p1 is in the pool. */
const world = [...directory, registered('c1', 'rep-a'), registered('p1', null)];

/**
 * The permission matrix of "owner/manager" on c1 (owned by rep-a, team
 * north): the owner, the manager of the owner's team, admins and system may;
 * another rep and a manager of another team may not.
 */
const ownerOrManager = [
  ['rep-a', 'the owner', true],
  ['rep-b', 'another rep of the team', false],
  ['mgr-n', "the manager of the owner's team", true],
  ['mgr-s', 'a manager of another team', false],
  ['admin', 'an admin', true],
  ['system', 'system', true],
] as const;

/** "manager/admin/system" on c1: a manager of the owner's team, admins and system. */
const managerOnly = [
  ['rep-a', 'the owner (a rep)', false],
  ['rep-b', 'another rep', false],
  ['mgr-n', "the manager of the owner's team", true],
  ['mgr-s', 'a manager of another team', false],
  ['admin', 'an admin', true],
  ['system', 'system', true],
] as const;

describe('RegisterCustomer', () => {
  const register = (actor: string, data: Record<string, unknown> = {}) => ({
    command: 'RegisterCustomer',
    actor,
    data: { customerId: 'c2', name: '  Beta Trading  ', kind: 'company', phone: '+86 21 5555 0100', email: ' Sales@Beta.CN ', source: 'referral', importance: 'A', ...data },
  });
  const expected = (overrides: Partial<Registered> = {}) => ({
    type: 'CustomerRegistered',
    data: {
      customerId: 'c2',
      name: 'Beta Trading',
      kind: 'company',
      phone: '+862155550100',
      email: 'sales@beta.cn',
      address: null,
      industry: null,
      region: null,
      source: 'referral',
      importance: 'A',
      stage: 'potential',
      owner: 'rep-a',
      possibleDuplicateOf: [],
      ...overrides,
    },
  });

  it('the registering member becomes the owner (first entrant owns); stage defaults to potential', () => {
    given(...world).when(register('rep-a')).then(expected());
  });

  it('records every optional field given', () => {
    given(...world)
      .when(register('rep-a', { kind: 'person', address: ' 1 Bund Rd ', industry: 'trade', region: 'east', stage: 'intent' }))
      .then(expected({ kind: 'person', address: '1 Bund Rd', industry: 'trade', region: 'east', stage: 'intent' }));
  });

  it('a phone alone, or an email alone, is enough', () => {
    given(...world).when(register('rep-a', { email: undefined })).then(expected({ email: null }));
    given(...world).when(register('rep-a', { phone: undefined })).then(expected({ phone: null }));
  });

  it('neither phone nor email is INVALID_COMMAND', () => {
    given(...world).when(register('rep-a', { phone: undefined, email: undefined })).thenRejects('INVALID_COMMAND');
  });

  it('with toPool it starts in the pool', () => {
    given(...world).when(register('rep-a', { toPool: true })).then(expected({ owner: null }));
  });

  it('registered by system without an owner it starts in the pool', () => {
    given(...world).when(register('system')).then(expected({ owner: null }));
  });

  it.each(['system', 'admin', 'mgr-n', 'mgr-s'])('%s may name another owner', (actor) => {
    given(...world).when(register(actor, { owner: 'rep-b' })).then(expected({ owner: 'rep-b' }));
  });

  it('a rep may name itself as owner, but not another member (FORBIDDEN)', () => {
    given(...world).when(register('rep-a', { owner: 'rep-a' })).then(expected({ owner: 'rep-a' }));
    given(...world).when(register('rep-a', { owner: 'rep-b' })).thenRejects('FORBIDDEN');
  });

  it('a manager or admin registering without owner owns it', () => {
    given(...world).when(register('mgr-s')).then(expected({ owner: 'mgr-s' }));
  });

  it('the named owner must be active (MEMBER_INACTIVE) and known (NOT_FOUND)', () => {
    given(...world, deactivated('rep-b', 'rep', 'north')).when(register('mgr-n', { owner: 'rep-b' })).thenRejects('MEMBER_INACTIVE', { memberId: 'rep-b' });
    given(...world).when(register('mgr-n', { owner: 'rep-z' })).thenRejects('NOT_FOUND', { memberId: 'rep-z' });
  });

  it('a taken id is ALREADY_EXISTS', () => {
    given(...world).when(register('rep-a', { customerId: 'c1' })).thenRejects('ALREADY_EXISTS', { customerId: 'c1' });
  });

  it('a merged or erased customer\'s id stays taken', () => {
    given(...world, merged('p1', 'c1', null)).when(register('rep-a', { customerId: 'p1' })).thenRejects('ALREADY_EXISTS');
    given(...world, erased('p1')).when(register('rep-a', { customerId: 'p1' })).thenRejects('ALREADY_EXISTS');
  });

  it('a deactivated member cannot register (MEMBER_INACTIVE)', () => {
    given(...world, deactivated('rep-b', 'rep', 'north')).when(register('rep-b')).thenRejects('MEMBER_INACTIVE', { memberId: 'rep-b' });
  });

  it('holding limits apply to claims only, not to registration', () => {
    given(...world, configured({ pool: { holdingLimit: 1 } }))
      .when(register('rep-a'))
      .then(expected());
  });

  describe('duplicate check (查重)', () => {
    const withContactPoints = [...world, registered('c3', 'rep-s', { phone: '+861012345678', email: 'info@acme.com' })];

    it.each(['+86 10 1234 5678', '+861012345678', '861012345678', '+86 (10) 1234-5678'])(
      'a phone with the same digits (%s) is DUPLICATE_CUSTOMER naming the first entrant',
      (phone) => {
        given(...withContactPoints).when(register('rep-a', { phone, email: undefined })).thenRejects('DUPLICATE_CUSTOMER', { existingCustomerId: 'c3' });
      },
    );

    it('a number without the country code is not guessed to be the same', () => {
      given(...withContactPoints).when(register('rep-a', { phone: '010 1234 5678', email: undefined })).then(expected({ phone: '01012345678', email: null }));
    });

    it('an email equal after trimming and lower-casing is DUPLICATE_CUSTOMER', () => {
      given(...withContactPoints).when(register('rep-a', { phone: undefined, email: '  INFO@Acme.COM ' })).thenRejects('DUPLICATE_CUSTOMER', { existingCustomerId: 'c3' });
    });

    it('a pool customer\'s contact points count too', () => {
      given(...world, registered('p2', null, { phone: '+861012345678' }))
        .when(register('mgr-n', { phone: '861012345678' }))
        .thenRejects('DUPLICATE_CUSTOMER', { existingCustomerId: 'p2' });
    });

    it('also for system imports', () => {
      given(...withContactPoints).when(register('system', { email: 'info@acme.com' })).thenRejects('DUPLICATE_CUSTOMER', { existingCustomerId: 'c3' });
    });

    it('a merged customer frees its phone and email', () => {
      given(...withContactPoints, merged('c3', 'c1', 'rep-s'))
        .when(register('rep-a', { phone: '+86 10 1234 5678', email: 'info@acme.com' }))
        .then(expected({ phone: '+861012345678', email: 'info@acme.com' }));
    });

    it('an erased customer frees its phone and email', () => {
      given(...withContactPoints, erased('c3'))
        .when(register('rep-a', { phone: '+86 10 1234 5678', email: 'info@acme.com' }))
        .then(expected({ phone: '+861012345678', email: 'info@acme.com' }));
    });

    it('a changed phone frees the old one and takes the new one', () => {
      given(
        ...withContactPoints,
        event('CustomerProfileUpdated', { customerId: 'c3', changes: { phone: '+862000000000' }, previous: { phone: '+861012345678' }, possibleDuplicateOf: [] }, { at: T0, actor: 'rep-s' }),
      )
        .when(register('rep-a', { phone: '+861012345678', email: undefined }))
        .then(expected({ phone: '+861012345678', email: null }));
      given(
        ...withContactPoints,
        event('CustomerProfileUpdated', { customerId: 'c3', changes: { phone: '+862000000000' }, previous: { phone: '+861012345678' }, possibleDuplicateOf: [] }, { at: T0, actor: 'rep-s' }),
      )
        .when(register('rep-a', { phone: '86 2000000000', email: undefined }))
        .thenRejects('DUPLICATE_CUSTOMER', { existingCustomerId: 'c3' });
    });
  });

  describe('similar names are accepted but flagged', () => {
    it('a case/space/punctuation-folded equal name flags the active customers that carry it', () => {
      given(...world, registered('c3', 'rep-s', { name: 'ACME, Ltd.' }), registered('c4', 'rep-b', { name: 'Acme Ltd' }))
        .when(register('rep-a', { name: 'acme ltd' }))
        .then(expected({ name: 'acme ltd', possibleDuplicateOf: ['c3', 'c4'] }));
    });

    it('merged and erased customers are not flagged', () => {
      given(...world, registered('c3', 'rep-s', { name: 'ACME, Ltd.' }), registered('c4', 'rep-b', { name: 'Acme Ltd' }), merged('c3', 'c1', 'rep-s'), erased('c4'))
        .when(register('rep-a', { name: 'acme ltd' }))
        .then(expected({ name: 'acme ltd', possibleDuplicateOf: [] }));
    });

    it('a customer renamed away from the name is no longer flagged; the new name is', () => {
      const renamed = event(
        'CustomerProfileUpdated',
        { customerId: 'c3', changes: { name: 'Globex' }, previous: { name: 'ACME, Ltd.' }, possibleDuplicateOf: [] },
        { at: T0, actor: 'rep-s' },
      );
      given(...world, registered('c3', 'rep-s', { name: 'ACME, Ltd.' }), renamed).when(register('rep-a', { name: 'acme ltd' })).then(expected({ name: 'acme ltd' }));
      given(...world, registered('c3', 'rep-s', { name: 'ACME, Ltd.' }), renamed)
        .when(register('rep-a', { name: 'GLOBEX' }))
        .then(expected({ name: 'GLOBEX', possibleDuplicateOf: ['c3'] }));
    });

    it('a different name is not flagged', () => {
      given(...world, registered('c3', 'rep-s', { name: 'ACME, Ltd.' }))
        .when(register('rep-a', { name: 'Acne Ltd' }))
        .then(expected({ name: 'Acne Ltd' }));
    });
  });
});

describe('UpdateCustomerProfile (owner/manager)', () => {
  const update = (actor: string, changes: Record<string, unknown>, customerId = 'c1') => ({ command: 'UpdateCustomerProfile', actor, data: { customerId, changes } });

  it('records the changed fields only, with their old values', () => {
    given(...world)
      .when(update('rep-a', { name: ' Customer c1 ', importance: 'A', region: 'west', phone: '+86 10 8888 0000' }))
      .then({
        type: 'CustomerProfileUpdated',
        data: {
          customerId: 'c1',
          changes: { importance: 'A', region: 'west', phone: '+861088880000' },
          previous: { importance: 'B', region: null, phone: null },
          possibleDuplicateOf: [],
        },
      });
  });

  it('no change emits nothing', () => {
    given(...world).when(update('rep-a', { name: 'Customer c1', importance: 'B', email: ' C1@Example.com ' })).thenNothing();
    given(...world).when(update('rep-a', {})).thenNothing();
  });

  it('the same phone written differently (same normalised form) is no change', () => {
    given(...world, registered('c2', 'rep-a', { phone: '+861012345678' }))
      .when(update('rep-a', { phone: '+86 10 1234 5678' }, 'c2'))
      .thenNothing();
  });

  it('a field is cleared with null', () => {
    given(...world, registered('c2', 'rep-a', { phone: '+861012345678', region: 'east' }))
      .when(update('rep-a', { phone: null, region: null }, 'c2'))
      .then({
        type: 'CustomerProfileUpdated',
        data: { customerId: 'c2', changes: { phone: null, region: null }, previous: { phone: '+861012345678', region: 'east' }, possibleDuplicateOf: [] },
      });
  });

  it('a customer keeps a phone or an email (INVALID_COMMAND at the field that would leave it with neither)', () => {
    const error = given(...world).when(update('rep-a', { email: null })).thenRejects('INVALID_COMMAND');
    expect(error.details).toEqual({ issues: [{ path: 'data.changes.email', message: 'a customer keeps a phone or an email' }] });
  });

  it('a new phone or email that belongs to another active customer is DUPLICATE_CUSTOMER', () => {
    const others = [...world, registered('c3', 'rep-s', { phone: '+861012345678', email: 'info@acme.com' })];
    given(...others).when(update('rep-a', { phone: '861012345678' })).thenRejects('DUPLICATE_CUSTOMER', { existingCustomerId: 'c3' });
    given(...others).when(update('rep-a', { email: 'Info@Acme.com' })).thenRejects('DUPLICATE_CUSTOMER', { existingCustomerId: 'c3' });
  });

  it('the phone of a merged customer is free again', () => {
    given(...world, registered('c3', 'rep-s', { phone: '+861012345678' }), merged('c3', 'p1', 'rep-s'))
      .when(update('rep-a', { phone: '+861012345678' }))
      .then({ type: 'CustomerProfileUpdated', data: { customerId: 'c1', changes: { phone: '+861012345678' }, previous: { phone: null }, possibleDuplicateOf: [] } });
  });

  it('a new name similar to another active customer\'s is flagged', () => {
    given(...world, registered('c3', 'rep-s', { name: 'ACME, Ltd.' }))
      .when(update('rep-a', { name: 'Acme Ltd' }))
      .then({ type: 'CustomerProfileUpdated', data: { customerId: 'c1', changes: { name: 'Acme Ltd' }, previous: { name: 'Customer c1' }, possibleDuplicateOf: ['c3'] } });
  });

  it.each(ownerOrManager)('%s (%s) may update: %s', (actor, _who, allowed) => {
    const clause = given(...world).when(update(actor, { importance: 'C' }));
    if (allowed) clause.then({ type: 'CustomerProfileUpdated', data: { customerId: 'c1', changes: { importance: 'C' }, previous: { importance: 'B' }, possibleDuplicateOf: [] }, metadata: { actor } });
    else clause.thenRejects('FORBIDDEN');
  });

  it('a pool customer is updated by a manager (of any team), not by a rep', () => {
    given(...world)
      .when(update('mgr-s', { importance: 'C' }, 'p1'))
      .then({ type: 'CustomerProfileUpdated', data: { customerId: 'p1', changes: { importance: 'C' }, previous: { importance: 'B' }, possibleDuplicateOf: [] } });
    given(...world).when(update('rep-a', { importance: 'C' }, 'p1')).thenRejects('FORBIDDEN');
  });
});

describe('ChangeCustomerStage (owner/manager; forward moves, backward needs a manager; dormant from and to any)', () => {
  const change = (actor: string, stage: string, reason?: string, customerId = 'c1') => ({
    command: 'ChangeCustomerStage',
    actor,
    data: { customerId, stage, ...(reason === undefined ? {} : { reason }) },
  });

  it('the owner moves forward, skipping stages', () => {
    given(...world)
      .when(change('rep-a', 'customer', 'contract signed'))
      .then({ type: 'CustomerStageChanged', data: { customerId: 'c1', from: 'potential', to: 'customer', reason: 'contract signed' } });
  });

  it('without a reason the reason is null', () => {
    given(...world).when(change('rep-a', 'intent')).then({ type: 'CustomerStageChanged', data: { customerId: 'c1', from: 'potential', to: 'intent', reason: null } });
  });

  it.each([
    ['intent', 'potential'],
    ['vip', 'customer'],
    ['vip', 'potential'],
  ] as const)('backward (%s → %s) by the owner rep is FORBIDDEN', (from, to) => {
    given(...world, stageChanged('c1', 'potential', from)).when(change('rep-a', to)).thenRejects('FORBIDDEN');
  });

  it.each(['mgr-n', 'admin', 'system'])('backward by %s is allowed', (actor) => {
    given(...world, stageChanged('c1', 'potential', 'customer'))
      .when(change(actor, 'intent', 'deal cancelled'))
      .then({ type: 'CustomerStageChanged', data: { customerId: 'c1', from: 'customer', to: 'intent', reason: 'deal cancelled' } });
  });

  it('dormant may be entered from any stage and left to any stage, by the owner', () => {
    given(...world, stageChanged('c1', 'potential', 'vip'))
      .when(change('rep-a', 'dormant'))
      .then({ type: 'CustomerStageChanged', data: { customerId: 'c1', from: 'vip', to: 'dormant', reason: null } });
    given(...world, stageChanged('c1', 'potential', 'vip'), stageChanged('c1', 'vip', 'dormant'))
      .when(change('rep-a', 'potential'))
      .then({ type: 'CustomerStageChanged', data: { customerId: 'c1', from: 'dormant', to: 'potential', reason: null } });
  });

  it('the same stage emits nothing', () => {
    given(...world).when(change('rep-a', 'potential')).thenNothing();
  });

  it('an unknown stage is INVALID_COMMAND', () => {
    given(...world).when(change('rep-a', 'won')).thenRejects('INVALID_COMMAND');
  });

  it.each(ownerOrManager)('%s (%s) may move it forward: %s', (actor, _who, allowed) => {
    const clause = given(...world).when(change(actor, 'intent'));
    if (allowed) clause.then({ type: 'CustomerStageChanged', data: { customerId: 'c1', from: 'potential', to: 'intent', reason: null } });
    else clause.thenRejects('FORBIDDEN');
  });
});

describe('contacts', () => {
  const add = (actor: string, data: Record<string, unknown> = {}) => ({
    command: 'AddContact',
    actor,
    data: { customerId: 'c1', contactId: 'k1', name: ' Li Lei ', role: 'champion', email: 'Li@Acme.com', ...data },
  });

  it('AddContact records the contact, normalised', () => {
    given(...world)
      .when(add('rep-a', { title: 'CTO', phone: '+86 139 0000 0000', birthday: '02-29' }))
      .then({
        type: 'ContactAdded',
        data: { customerId: 'c1', contact: { contactId: 'k1', name: 'Li Lei', title: 'CTO', role: 'champion', phone: '+8613900000000', email: 'li@acme.com', birthday: '02-29' } },
      });
  });

  it('AddContact needs a phone or an email', () => {
    given(...world).when(add('rep-a', { email: undefined })).thenRejects('INVALID_COMMAND');
  });

  it('a contact id is unique per customer (ALREADY_EXISTS), but another customer may use it', () => {
    given(...world, contactAdded('c1', 'k1')).when(add('rep-a')).thenRejects('ALREADY_EXISTS', { customerId: 'c1', contactId: 'k1' });
    given(...world, registered('c2', 'rep-a'), contactAdded('c2', 'k1'))
      .when(add('rep-a', { email: undefined, phone: '13900000000' }))
      .then({
        type: 'ContactAdded',
        data: { customerId: 'c1', contact: { contactId: 'k1', name: 'Li Lei', title: null, role: 'champion', phone: '13900000000', email: null, birthday: null } },
      });
  });

  it('a removed contact\'s id may be used again', () => {
    given(...world, contactAdded('c1', 'k1'), event('ContactRemoved', { customerId: 'c1', contactId: 'k1' }, { at: T0 }))
      .when(add('rep-a'))
      .then({
        type: 'ContactAdded',
        data: { customerId: 'c1', contact: { contactId: 'k1', name: 'Li Lei', title: null, role: 'champion', phone: null, email: 'li@acme.com', birthday: null } },
      });
  });

  it('UpdateContact records the changed fields with their old values', () => {
    given(...world, contactAdded('c1', 'k1'))
      .when({ command: 'UpdateContact', actor: 'rep-a', data: { customerId: 'c1', contactId: 'k1', title: 'CTO', role: 'decision_maker', name: 'Contact k1' } })
      .then({ type: 'ContactUpdated', data: { customerId: 'c1', contactId: 'k1', changes: { title: 'CTO', role: 'decision_maker' }, previous: { title: null, role: 'champion' } } });
  });

  it('UpdateContact without a change emits nothing', () => {
    given(...world, contactAdded('c1', 'k1'))
      .when({ command: 'UpdateContact', actor: 'rep-a', data: { customerId: 'c1', contactId: 'k1', email: 'K1@example.com' } })
      .thenNothing();
  });

  it('UpdateContact may not leave a contact without phone and email', () => {
    const error = given(...world, contactAdded('c1', 'k1'))
      .when({ command: 'UpdateContact', actor: 'rep-a', data: { customerId: 'c1', contactId: 'k1', email: null } })
      .thenRejects('INVALID_COMMAND');
    expect(error.details).toEqual({ issues: [{ path: 'data.email', message: 'a contact keeps a phone or an email' }] });
  });

  it('UpdateContact and RemoveContact of an unknown contact are NOT_FOUND', () => {
    given(...world).when({ command: 'UpdateContact', actor: 'rep-a', data: { customerId: 'c1', contactId: 'k9', title: 'CTO' } }).thenRejects('NOT_FOUND', { contactId: 'k9' });
    given(...world).when({ command: 'RemoveContact', actor: 'rep-a', data: { customerId: 'c1', contactId: 'k9' } }).thenRejects('NOT_FOUND', { contactId: 'k9' });
  });

  it('RemoveContact removes it', () => {
    given(...world, contactAdded('c1', 'k1'))
      .when({ command: 'RemoveContact', actor: 'rep-a', data: { customerId: 'c1', contactId: 'k1' } })
      .then({ type: 'ContactRemoved', data: { customerId: 'c1', contactId: 'k1' } });
  });

  it.each(ownerOrManager)('%s (%s) may add, update and remove contacts: %s', (actor, _who, allowed) => {
    const withContact = [...world, contactAdded('c1', 'k2')];
    const adding = given(...world).when(add(actor));
    const updating = given(...withContact).when({ command: 'UpdateContact', actor, data: { customerId: 'c1', contactId: 'k2', title: 'CFO' } });
    const removing = given(...withContact).when({ command: 'RemoveContact', actor, data: { customerId: 'c1', contactId: 'k2' } });
    if (allowed) {
      adding.then({
        type: 'ContactAdded',
        data: { customerId: 'c1', contact: { contactId: 'k1', name: 'Li Lei', title: null, role: 'champion', phone: null, email: 'li@acme.com', birthday: null } },
      });
      updating.then({ type: 'ContactUpdated', data: { customerId: 'c1', contactId: 'k2', changes: { title: 'CFO' }, previous: { title: null } } });
      removing.then({ type: 'ContactRemoved', data: { customerId: 'c1', contactId: 'k2' } });
    } else {
      adding.thenRejects('FORBIDDEN');
      updating.thenRejects('FORBIDDEN');
      removing.thenRejects('FORBIDDEN');
    }
  });
});

describe('LogFollowUp (owner/manager; customer owned)', () => {
  const log = (actor: string, data: Record<string, unknown> = {}) => ({
    command: 'LogFollowUp',
    actor,
    data: { customerId: 'c1', channel: 'call', summary: ' Discussed the renewal ', ...data },
  });

  it('records the follow-up and the owner at that time', () => {
    given(...world)
      .when(log('rep-a'))
      .then({ type: 'FollowUpLogged', data: { customerId: 'c1', channel: 'call', summary: 'Discussed the renewal', contactId: null, nextFollowUpAt: null, owner: 'rep-a' } });
  });

  it('with a contact and the next follow-up time (normalised to Z)', () => {
    given(...world, contactAdded('c1', 'k1'))
      .when(log('rep-a', { channel: 'visit', contactId: 'k1', nextFollowUpAt: '2026-01-08T10:00:00+08:00' }))
      .then({
        type: 'FollowUpLogged',
        data: { customerId: 'c1', channel: 'visit', summary: 'Discussed the renewal', contactId: 'k1', nextFollowUpAt: '2026-01-08T02:00:00.000Z', owner: 'rep-a' },
      });
  });

  it('an unknown contact is NOT_FOUND', () => {
    given(...world).when(log('rep-a', { contactId: 'k9' })).thenRejects('NOT_FOUND', { contactId: 'k9' });
  });

  it('a pool customer is CUSTOMER_IN_POOL (for those who may act on it)', () => {
    given(...world).when(log('mgr-n', { customerId: 'p1' })).thenRejects('CUSTOMER_IN_POOL', { customerId: 'p1' });
    given(...world).when(log('system', { customerId: 'p1' })).thenRejects('CUSTOMER_IN_POOL');
  });

  it.each(ownerOrManager)('%s (%s) may log: %s', (actor, _who, allowed) => {
    const clause = given(...world).when(log(actor));
    if (allowed) {
      clause.then({
        type: 'FollowUpLogged',
        data: { customerId: 'c1', channel: 'call', summary: 'Discussed the renewal', contactId: null, nextFollowUpAt: null, owner: 'rep-a' },
        metadata: { actor },
      });
    } else clause.thenRejects('FORBIDDEN');
  });
});

describe('ClaimCustomer (customer in pool; not locked; holding limit; daily claim limit; reclaim cooldown)', () => {
  const claim = (actor: string, customerId = 'p1', at?: string) => ({ command: 'ClaimCustomer', actor, data: { customerId }, ...(at === undefined ? {} : { at }) });
  const claimedEvent = (to: string, holdingsBefore: number, claimsTodayBefore: number, customerId = 'p1', policy = { holdingLimit: 200, dailyClaimLimit: 20, reclaimCooldownDays: 7 }) => ({
    type: 'CustomerClaimed',
    data: { customerId, to, holdingsBefore, claimsTodayBefore, policy },
  });

  it('a rep claims a pool customer for itself; the event records the counts and the policy it used', () => {
    given(...world).when(claim('rep-a')).then(claimedEvent('rep-a', 1, 0));
  });

  it.each(['rep-s', 'mgr-n', 'admin'])('%s claims for itself', (actor) => {
    given(...world).when(claim(actor)).then(claimedEvent(actor, 0, 0));
  });

  it('system cannot claim (a claim is for oneself): FORBIDDEN', () => {
    given(...world).when(claim('system')).thenRejects('FORBIDDEN');
  });

  it('an owned customer is CUSTOMER_NOT_IN_POOL', () => {
    given(...world).when(claim('rep-b', 'c1')).thenRejects('CUSTOMER_NOT_IN_POOL', { customerId: 'c1', owner: 'rep-a' });
    given(...world).when(claim('rep-a', 'c1')).thenRejects('CUSTOMER_NOT_IN_POOL');
  });

  it('a locked pool customer is CUSTOMER_LOCKED', () => {
    given(...world, locked('p1')).when(claim('rep-a')).thenRejects('CUSTOMER_LOCKED', { customerId: 'p1' });
  });

  it('an unlocked one is claimable again', () => {
    given(...world, locked('p1'), event('CustomerUnlocked', { customerId: 'p1' }, { at: T0 })).when(claim('rep-b')).then(claimedEvent('rep-b', 0, 0));
  });

  describe('holding limit: owned customers whose stage is not customer/vip (locked and dormant count)', () => {
    const limit2 = configured({ pool: { holdingLimit: 2 } });
    const policy = { holdingLimit: 2, dailyClaimLimit: 20, reclaimCooldownDays: 7 };

    it('under the limit the claim is accepted', () => {
      given(...world, limit2).when(claim('rep-a')).then(claimedEvent('rep-a', 1, 0, 'p1', policy));
    });

    it('at the limit it is HOLDING_LIMIT_REACHED', () => {
      given(...world, limit2, registered('c2', 'rep-a')).when(claim('rep-a')).thenRejects('HOLDING_LIMIT_REACHED', { holdings: 2, holdingLimit: 2 });
    });

    it('customers in stage customer or vip are not counted', () => {
      given(...world, limit2, registered('c2', 'rep-a', { stage: 'vip' }), registered('c3', 'rep-a'), stageChanged('c3', 'potential', 'customer'))
        .when(claim('rep-a'))
        .then(claimedEvent('rep-a', 1, 0, 'p1', policy));
    });

    it('locked and dormant customers are counted', () => {
      given(...world, limit2, registered('c2', 'rep-a', { stage: 'dormant' }), locked('c1')).when(claim('rep-a')).thenRejects('HOLDING_LIMIT_REACHED', { holdings: 2 });
    });

    it('a customer that moves back out of customer/vip counts again', () => {
      given(...world, limit2, registered('c2', 'rep-a', { stage: 'vip' }), stageChanged('c2', 'vip', 'dormant')).when(claim('rep-a')).thenRejects('HOLDING_LIMIT_REACHED');
    });

    it('released, transferred, merged and erased customers are not counted', () => {
      given(
        ...world,
        limit2,
        registered('c2', 'rep-a'),
        registered('c3', 'rep-a'),
        registered('c4', 'rep-a'),
        registered('c5', 'rep-a'),
        released('c2', 'rep-a', T0),
        transferred('c3', 'rep-a', 'rep-b', T0),
        merged('c4', 'c1', 'rep-a'),
        erased('c5'),
      )
        .when(claim('rep-a'))
        .then(claimedEvent('rep-a', 1, 0, 'p1', policy));
    });

    it('claiming a customer or vip does not add to the holdings, so it is allowed at the limit', () => {
      given(...world, limit2, registered('c2', 'rep-a'), registered('p2', null, { stage: 'vip' }))
        .when(claim('rep-a', 'p2'))
        .then(claimedEvent('rep-a', 2, 0, 'p2', policy));
    });

    it('other members\' holdings do not count', () => {
      given(...world, limit2, registered('c2', 'rep-b'), registered('c3', 'rep-b')).when(claim('rep-a')).then(claimedEvent('rep-a', 1, 0, 'p1', policy));
    });
  });

  describe('daily claim limit: claims within the UTC day of the effective time', () => {
    const limit2 = configured({ pool: { dailyClaimLimit: 2 } });
    const policy = { holdingLimit: 200, dailyClaimLimit: 2, reclaimCooldownDays: 7 };
    const pool = [registered('p2', null), registered('p3', null), registered('p4', null)];
    const twoClaimsOnJan5 = [claimed('p2', 'rep-a', '2026-01-05T00:00:00.000Z'), claimed('p3', 'rep-a', '2026-01-05T12:00:00.000Z')];

    it('the third claim of the day is DAILY_CLAIM_LIMIT_REACHED, up to the last millisecond of the day', () => {
      given(...world, limit2, ...pool, ...twoClaimsOnJan5)
        .when(claim('rep-a', 'p1', '2026-01-05T23:59:59.999Z'))
        .thenRejects('DAILY_CLAIM_LIMIT_REACHED', { claimsToday: 2, dailyClaimLimit: 2 });
    });

    it('the next UTC day starts a new count', () => {
      given(...world, limit2, ...pool, ...twoClaimsOnJan5)
        .when(claim('rep-a', 'p1', '2026-01-06T00:00:00.000Z'))
        .then(claimedEvent('rep-a', 3, 0, 'p1', policy));
    });

    it('the UTC day, not the caller\'s local day (an offset in `at` changes nothing)', () => {
      given(...world, limit2, ...pool, ...twoClaimsOnJan5)
        .when(claim('rep-a', 'p1', '2026-01-06T07:59:59.999+08:00'))
        .thenRejects('DAILY_CLAIM_LIMIT_REACHED');
    });

    it('a claim released again still counts', () => {
      given(...world, limit2, ...pool, ...twoClaimsOnJan5, released('p2', 'rep-a', '2026-01-05T13:00:00.000Z'))
        .when(claim('rep-a', 'p1', '2026-01-05T14:00:00.000Z'))
        .thenRejects('DAILY_CLAIM_LIMIT_REACHED');
    });

    it('one claim below the limit is accepted, counting the earlier one', () => {
      given(...world, limit2, ...pool, claimed('p2', 'rep-a', '2026-01-05T00:00:00.000Z'))
        .when(claim('rep-a', 'p1', '2026-01-05T23:59:59.999Z'))
        .then(claimedEvent('rep-a', 2, 1, 'p1', policy));
    });

    it('other members\' claims do not count', () => {
      given(...world, limit2, ...pool, ...twoClaimsOnJan5).when(claim('rep-b', 'p1', '2026-01-05T15:00:00.000Z')).then(claimedEvent('rep-b', 0, 0, 'p1', policy));
    });

    it('assignments are not claims', () => {
      given(...world, limit2, ...pool, event('CustomerAssigned', { customerId: 'p2', to: 'rep-a' }, { at: '2026-01-05T10:00:00.000Z', actor: 'mgr-n' }), ...twoClaimsOnJan5.slice(1))
        .when(claim('rep-a', 'p1', '2026-01-05T15:00:00.000Z'))
        .then(claimedEvent('rep-a', 3, 1, 'p1', policy));
    });
  });

  describe('reclaim cooldown: a former owner waits N × 24 h from the end of its ownership', () => {
    const ended = '2026-01-10T09:00:00.000Z';
    const owned = [...world, registered('c2', 'rep-a')];

    it.each([
      ['release', [released('c2', 'rep-a', ended)]],
      [
        'recycle',
        [
          event(
            'CustomerRecycled',
            {
              customerId: 'c2',
              from: 'rep-a',
              rule: 'no_follow_up',
              idleDays: 9,
              ownedSince: T0,
              lastFollowUpAt: null,
              lastDealWonAt: null,
              policy: { noFollowUpDays: 9, noDealDays: 90, protectionDays: 0 },
            },
            { at: ended },
          ),
        ],
      ],
    ] as const)('after a %s: 1 ms before the 7 days is RECLAIM_COOLDOWN; exactly 7 × 24 h later is allowed', (_how, ending) => {
      given(...owned, ...ending)
        .when(claim('rep-a', 'c2', '2026-01-17T08:59:59.999Z'))
        .thenRejects('RECLAIM_COOLDOWN', { customerId: 'c2', ownershipEndedAt: ended, availableAt: '2026-01-17T09:00:00.000Z', reclaimCooldownDays: 7 });
      given(...owned, ...ending).when(claim('rep-a', 'c2', '2026-01-17T09:00:00.000Z')).then(claimedEvent('rep-a', 1, 0, 'c2'));
    });

    it('after a transfer, the cooldown counts from the transfer (not from the later release)', () => {
      const history = [...owned, transferred('c2', 'rep-a', 'rep-b', ended), released('c2', 'rep-b', '2026-01-12T09:00:00.000Z')];
      given(...history).when(claim('rep-a', 'c2', '2026-01-17T08:59:59.999Z')).thenRejects('RECLAIM_COOLDOWN', { ownershipEndedAt: ended });
      given(...history).when(claim('rep-a', 'c2', '2026-01-17T09:00:00.000Z')).then(claimedEvent('rep-a', 1, 0, 'c2'));
      given(...history)
        .when(claim('rep-b', 'c2', '2026-01-17T09:00:00.000Z'))
        .thenRejects('RECLAIM_COOLDOWN', { ownershipEndedAt: '2026-01-12T09:00:00.000Z', availableAt: '2026-01-19T09:00:00.000Z' });
    });

    it('counts from the latest end of ownership', () => {
      given(...owned, released('c2', 'rep-a', '2026-01-02T09:00:00.000Z'), claimed('c2', 'rep-a', '2026-01-09T09:00:00.000Z'), released('c2', 'rep-a', ended))
        .when(claim('rep-a', 'c2', '2026-01-16T09:00:00.000Z'))
        .thenRejects('RECLAIM_COOLDOWN', { ownershipEndedAt: ended });
    });

    it('a member that never owned it claims at once', () => {
      given(...owned, released('c2', 'rep-a', ended)).when(claim('rep-b', 'c2', ended)).then(claimedEvent('rep-b', 0, 0, 'c2'));
    });

    it('follows the configured number of days (0: no cooldown)', () => {
      given(...owned, configured({ pool: { reclaimCooldownDays: 0 } }), released('c2', 'rep-a', ended))
        .when(claim('rep-a', 'c2', ended))
        .then(claimedEvent('rep-a', 1, 0, 'c2', { holdingLimit: 200, dailyClaimLimit: 20, reclaimCooldownDays: 0 }));
      given(...owned, configured({ pool: { reclaimCooldownDays: 1 } }), released('c2', 'rep-a', ended))
        .when(claim('rep-a', 'c2', '2026-01-11T08:59:59.999Z'))
        .thenRejects('RECLAIM_COOLDOWN', { availableAt: '2026-01-11T09:00:00.000Z', reclaimCooldownDays: 1 });
    });
  });

  describe('rules are checked in the order of the table', () => {
    it('owned wins over locked', () => {
      given(...world, locked('c1')).when(claim('rep-b', 'c1')).thenRejects('CUSTOMER_NOT_IN_POOL');
    });

    it('locked wins over the holding limit', () => {
      given(...world, configured({ pool: { holdingLimit: 1 } }), locked('p1')).when(claim('rep-a')).thenRejects('CUSTOMER_LOCKED');
    });

    it('the holding limit wins over the daily claim limit', () => {
      given(...world, configured({ pool: { holdingLimit: 1, dailyClaimLimit: 0 } })).when(claim('rep-a')).thenRejects('HOLDING_LIMIT_REACHED');
    });

    it('the daily claim limit wins over the cooldown', () => {
      given(...world, registered('c2', 'rep-b'), released('c2', 'rep-b', T0), configured({ pool: { dailyClaimLimit: 0 } }))
        .when(claim('rep-b', 'c2'))
        .thenRejects('DAILY_CLAIM_LIMIT_REACHED');
    });
  });
});

describe('AssignCustomer (manager/admin/system; customer in pool; `to` active)', () => {
  const assign = (actor: string, to: string, customerId = 'p1') => ({ command: 'AssignCustomer', actor, data: { customerId, to } });

  it.each(['mgr-n', 'mgr-s', 'admin', 'system'])('%s assigns a pool customer', (actor) => {
    given(...world).when(assign(actor, 'rep-a')).then({ type: 'CustomerAssigned', data: { customerId: 'p1', to: 'rep-a' }, metadata: { actor } });
  });

  it.each(['rep-a', 'rep-s'])('%s (a rep) is FORBIDDEN, even assigning to itself', (actor) => {
    given(...world).when(assign(actor, actor)).thenRejects('FORBIDDEN');
  });

  it('an owned customer is CUSTOMER_NOT_IN_POOL', () => {
    given(...world).when(assign('mgr-n', 'rep-b', 'c1')).thenRejects('CUSTOMER_NOT_IN_POOL', { customerId: 'c1', owner: 'rep-a' });
  });

  it('a deactivated assignee is MEMBER_INACTIVE; an unknown one NOT_FOUND', () => {
    given(...world, deactivated('rep-b', 'rep', 'north')).when(assign('mgr-n', 'rep-b')).thenRejects('MEMBER_INACTIVE', { memberId: 'rep-b' });
    given(...world).when(assign('mgr-n', 'rep-z')).thenRejects('NOT_FOUND', { memberId: 'rep-z' });
  });

  it('holding limits do not apply to assignment', () => {
    given(...world, configured({ pool: { holdingLimit: 1 } })).when(assign('mgr-n', 'rep-a')).then({ type: 'CustomerAssigned', data: { customerId: 'p1', to: 'rep-a' } });
  });

  it('nor does the reclaim cooldown', () => {
    given(...world, registered('c2', 'rep-a'), released('c2', 'rep-a', T0))
      .when(assign('mgr-n', 'rep-a', 'c2'))
      .then({ type: 'CustomerAssigned', data: { customerId: 'c2', to: 'rep-a' } });
  });
});

describe('TransferCustomer (manager/admin/system; customer owned; `to` active)', () => {
  const transfer = (actor: string, to: string, reason = 'rebalance', customerId = 'c1') => ({ command: 'TransferCustomer', actor, data: { customerId, to, reason } });

  it.each(managerOnly)('%s (%s) may transfer: %s', (actor, _who, allowed) => {
    const clause = given(...world).when(transfer(actor, 'rep-b', 'request'));
    if (allowed) clause.then({ type: 'CustomerTransferred', data: { customerId: 'c1', from: 'rep-a', to: 'rep-b', reason: 'request' }, metadata: { actor } });
    else clause.thenRejects('FORBIDDEN');
  });

  it('to a member of another team, with reason departure', () => {
    given(...world).when(transfer('admin', 'rep-s', 'departure')).then({ type: 'CustomerTransferred', data: { customerId: 'c1', from: 'rep-a', to: 'rep-s', reason: 'departure' } });
  });

  it('a pool customer is CUSTOMER_IN_POOL', () => {
    given(...world).when(transfer('mgr-n', 'rep-b', 'rebalance', 'p1')).thenRejects('CUSTOMER_IN_POOL', { customerId: 'p1' });
  });

  it('a deactivated new owner is MEMBER_INACTIVE', () => {
    given(...world, deactivated('rep-b', 'rep', 'north')).when(transfer('mgr-n', 'rep-b')).thenRejects('MEMBER_INACTIVE', { memberId: 'rep-b' });
  });

  it('an unknown reason is INVALID_COMMAND', () => {
    given(...world).when(transfer('mgr-n', 'rep-b', 'whim')).thenRejects('INVALID_COMMAND');
  });

  it('to the current owner emits nothing', () => {
    given(...world).when(transfer('mgr-n', 'rep-a')).thenNothing();
  });

  it('holding limits do not apply to transfers', () => {
    given(...world, configured({ pool: { holdingLimit: 0 } }))
      .when(transfer('mgr-n', 'rep-b'))
      .then({ type: 'CustomerTransferred', data: { customerId: 'c1', from: 'rep-a', to: 'rep-b', reason: 'rebalance' } });
  });

  it('a customer whose owner left (inactive) is still transferred by the manager of its team', () => {
    given(...world, deactivated('rep-a', 'rep', 'north'))
      .when(transfer('mgr-n', 'rep-b', 'departure'))
      .then({ type: 'CustomerTransferred', data: { customerId: 'c1', from: 'rep-a', to: 'rep-b', reason: 'departure' } });
  });
});

describe('ReleaseCustomer (owner/manager; reason voluntary by default, departure by system only)', () => {
  const release = (actor: string, data: Record<string, unknown> = {}) => ({ command: 'ReleaseCustomer', actor, data: { customerId: 'c1', ...data } });

  it('the owner releases it to the pool, voluntarily', () => {
    given(...world).when(release('rep-a')).then({ type: 'CustomerReleased', data: { customerId: 'c1', from: 'rep-a', reason: 'voluntary', note: null } });
  });

  it('with a note', () => {
    given(...world)
      .when(release('rep-a', { note: ' not interested ' }))
      .then({ type: 'CustomerReleased', data: { customerId: 'c1', from: 'rep-a', reason: 'voluntary', note: 'not interested' } });
  });

  it('system releases with reason departure', () => {
    given(...world).when(release('system', { reason: 'departure' })).then({ type: 'CustomerReleased', data: { customerId: 'c1', from: 'rep-a', reason: 'departure', note: null } });
  });

  it.each(['rep-a', 'mgr-n', 'admin'])('departure by %s is FORBIDDEN (system only)', (actor) => {
    given(...world).when(release(actor, { reason: 'departure' })).thenRejects('FORBIDDEN');
  });

  it('a pool customer is CUSTOMER_IN_POOL', () => {
    given(...world).when(release('mgr-n', { customerId: 'p1' })).thenRejects('CUSTOMER_IN_POOL', { customerId: 'p1' });
  });

  it('"departure (system only)" is a permission, so it is checked before CUSTOMER_IN_POOL', () => {
    given(...world).when(release('mgr-n', { customerId: 'p1', reason: 'departure' })).thenRejects('FORBIDDEN');
  });

  it.each(ownerOrManager)('%s (%s) may release: %s', (actor, _who, allowed) => {
    const clause = given(...world).when(release(actor));
    if (allowed) clause.then({ type: 'CustomerReleased', data: { customerId: 'c1', from: 'rep-a', reason: 'voluntary', note: null }, metadata: { actor } });
    else clause.thenRejects('FORBIDDEN');
  });
});

describe('RecycleCustomer (system; owned; not locked; the rule holds at the effective time, else NOT_DUE)', () => {
  const recycle = (rule: string, at: string, actor = 'system', customerId = 'c1') => ({ command: 'RecycleCustomer', actor, at, data: { customerId, rule } });
  const defaultPolicy = { noFollowUpDays: 30, noDealDays: 90, protectionDays: 0 };
  const recycled = (data: {
    rule: string;
    idleDays: number;
    ownedSince: string;
    lastFollowUpAt?: string | null;
    lastDealWonAt?: string | null;
    from?: string;
    policy?: object;
    customerId?: string;
  }) => ({
    type: 'CustomerRecycled',
    data: {
      customerId: data.customerId ?? 'c1',
      from: data.from ?? 'rep-a',
      rule: data.rule,
      idleDays: data.idleDays,
      ownedSince: data.ownedSince,
      lastFollowUpAt: data.lastFollowUpAt ?? null,
      lastDealWonAt: data.lastDealWonAt ?? null,
      policy: data.policy ?? defaultPolicy,
    },
  });
  const won = (at: string, customerId = 'c1') =>
    event('OpportunityWon', { opportunityId: `o-${at}`, customerId, owner: 'rep-a', amount: { currency: 'USD', minor: '100' }, stage: 'negotiation' }, { at, actor: 'rep-a' });

  describe('no_follow_up: T − max(ownedSince, lastFollowUpAt) ≥ noFollowUpDays', () => {
    it('holds exactly 30 × 24 h after the ownership started', () => {
      given(...world).when(recycle('no_follow_up', '2026-01-31T09:00:00.000Z')).then(recycled({ rule: 'no_follow_up', idleDays: 30, ownedSince: T0 }));
    });

    it('1 ms earlier it is NOT_DUE', () => {
      given(...world).when(recycle('no_follow_up', '2026-01-31T08:59:59.999Z')).thenRejects('NOT_DUE', { customerId: 'c1', rule: 'no_follow_up' });
    });

    it('a follow-up restarts the clock', () => {
      const history = [...world, followedUp('c1', 'rep-a', '2026-01-11T09:00:00.000Z')];
      given(...history).when(recycle('no_follow_up', '2026-02-10T08:59:59.999Z')).thenRejects('NOT_DUE');
      given(...history)
        .when(recycle('no_follow_up', '2026-02-10T09:00:00.000Z'))
        .then(recycled({ rule: 'no_follow_up', idleDays: 30, ownedSince: T0, lastFollowUpAt: '2026-01-11T09:00:00.000Z' }));
    });

    it('every owner change restarts it: a transfer', () => {
      const history = [...world, transferred('c1', 'rep-a', 'rep-b', '2026-01-21T09:00:00.000Z')];
      given(...history).when(recycle('no_follow_up', '2026-01-31T09:00:00.000Z')).thenRejects('NOT_DUE');
      given(...history)
        .when(recycle('no_follow_up', '2026-02-20T09:00:00.000Z'))
        .then(recycled({ rule: 'no_follow_up', idleDays: 30, ownedSince: '2026-01-21T09:00:00.000Z', from: 'rep-b' }));
    });

    it('a follow-up from an earlier ownership does not count beyond the new ownership', () => {
      given(...world, followedUp('c1', 'rep-a', '2026-01-20T09:00:00.000Z'), released('c1', 'rep-a', '2026-01-21T09:00:00.000Z'), claimed('c1', 'rep-b', '2026-01-22T09:00:00.000Z'))
        .when(recycle('no_follow_up', '2026-02-21T09:00:00.000Z'))
        .then(recycled({ rule: 'no_follow_up', idleDays: 30, ownedSince: '2026-01-22T09:00:00.000Z', lastFollowUpAt: '2026-01-20T09:00:00.000Z', from: 'rep-b' }));
    });

    it('idleDays is rounded down', () => {
      given(...world).when(recycle('no_follow_up', '2026-02-01T08:59:59.999Z')).then(recycled({ rule: 'no_follow_up', idleDays: 30, ownedSince: T0 }));
    });

    it('follows the configured number of days, and records it', () => {
      given(...world, configured({ pool: { recycle: { noFollowUpDays: 10 } } }))
        .when(recycle('no_follow_up', '2026-01-11T09:00:00.000Z'))
        .then(recycled({ rule: 'no_follow_up', idleDays: 10, ownedSince: T0, policy: { noFollowUpDays: 10, noDealDays: 90, protectionDays: 0 } }));
    });
  });

  describe('no_deal: T − ownedSince ≥ noDealDays and no deal won since ownedSince', () => {
    const busy = [...world, followedUp('c1', 'rep-a', '2026-03-31T09:00:00.000Z')];

    it('holds exactly 90 × 24 h after the ownership started, follow-ups notwithstanding', () => {
      given(...busy)
        .when(recycle('no_deal', '2026-04-01T09:00:00.000Z'))
        .then(recycled({ rule: 'no_deal', idleDays: 90, ownedSince: T0, lastFollowUpAt: '2026-03-31T09:00:00.000Z' }));
    });

    it('1 ms earlier it is NOT_DUE', () => {
      given(...busy).when(recycle('no_deal', '2026-04-01T08:59:59.999Z')).thenRejects('NOT_DUE', { rule: 'no_deal' });
    });

    it('a deal won since ownedSince blocks it', () => {
      given(...busy, won('2026-02-01T09:00:00.000Z')).when(recycle('no_deal', '2026-04-01T09:00:00.000Z')).thenRejects('NOT_DUE');
    });

    it('a deal won at the very start of the ownership blocks it', () => {
      given(...busy, won(T0)).when(recycle('no_deal', '2026-04-01T09:00:00.000Z')).thenRejects('NOT_DUE');
    });

    it('a deal won before ownedSince (an earlier ownership) does not', () => {
      given(...world, won('2026-01-01T10:00:00.000Z'), transferred('c1', 'rep-a', 'rep-b', '2026-01-02T09:00:00.000Z'), followedUp('c1', 'rep-b', '2026-04-01T09:00:00.000Z'))
        .when(recycle('no_deal', '2026-04-02T09:00:00.000Z'))
        .then(
          recycled({
            rule: 'no_deal',
            idleDays: 90,
            ownedSince: '2026-01-02T09:00:00.000Z',
            lastFollowUpAt: '2026-04-01T09:00:00.000Z',
            lastDealWonAt: '2026-01-01T10:00:00.000Z',
            from: 'rep-b',
          }),
        );
    });

    it('another customer\'s won deal does not', () => {
      given(...busy, registered('c2', 'rep-a'), won('2026-02-01T09:00:00.000Z', 'c2'))
        .when(recycle('no_deal', '2026-04-01T09:00:00.000Z'))
        .then(recycled({ rule: 'no_deal', idleDays: 90, ownedSince: T0, lastFollowUpAt: '2026-03-31T09:00:00.000Z' }));
    });
  });

  describe('neither rule holds during protection, for locked customers, or in stage customer/vip', () => {
    const protection = configured({ pool: { protectionDays: 5, recycle: { noFollowUpDays: 3 } } });
    const protectedPolicy = { noFollowUpDays: 3, noDealDays: 90, protectionDays: 5 };

    it('protection: the rule is due at 3 days, but the ownership is protected for 5', () => {
      const history = [...world, protection, claimed('p1', 'rep-a', '2026-01-10T09:00:00.000Z')];
      given(...history).when(recycle('no_follow_up', '2026-01-13T09:00:00.000Z', 'system', 'p1')).thenRejects('NOT_DUE');
      given(...history).when(recycle('no_follow_up', '2026-01-15T08:59:59.999Z', 'system', 'p1')).thenRejects('NOT_DUE');
      given(...history)
        .when(recycle('no_follow_up', '2026-01-15T09:00:00.000Z', 'system', 'p1'))
        .then(recycled({ customerId: 'p1', rule: 'no_follow_up', idleDays: 5, ownedSince: '2026-01-10T09:00:00.000Z', policy: protectedPolicy }));
    });

    it('protection starts again with every new ownership', () => {
      given(...world, protection, transferred('c1', 'rep-a', 'rep-b', '2026-01-20T09:00:00.000Z'))
        .when(recycle('no_follow_up', '2026-01-24T09:00:00.000Z'))
        .thenRejects('NOT_DUE');
    });

    it('a locked customer is CUSTOMER_LOCKED, even when a rule would hold', () => {
      given(...world, locked('c1', '2026-01-02T09:00:00.000Z')).when(recycle('no_follow_up', '2026-03-01T09:00:00.000Z')).thenRejects('CUSTOMER_LOCKED', { customerId: 'c1' });
    });

    it.each(['customer', 'vip'] as const)('a customer in stage %s is never recycled (NOT_DUE)', (stage) => {
      given(...world, stageChanged('c1', 'potential', stage)).when(recycle('no_follow_up', '2027-01-01T09:00:00.000Z')).thenRejects('NOT_DUE');
      given(...world, stageChanged('c1', 'potential', stage)).when(recycle('no_deal', '2027-01-01T09:00:00.000Z')).thenRejects('NOT_DUE');
    });

    it('a dormant customer is recycled', () => {
      given(...world, stageChanged('c1', 'potential', 'dormant'))
        .when(recycle('no_follow_up', '2026-01-31T09:00:00.000Z'))
        .then(recycled({ rule: 'no_follow_up', idleDays: 30, ownedSince: T0 }));
    });
  });

  it('a pool customer is CUSTOMER_IN_POOL (before CUSTOMER_LOCKED)', () => {
    given(...world).when(recycle('no_follow_up', '2026-03-01T09:00:00.000Z', 'system', 'p1')).thenRejects('CUSTOMER_IN_POOL', { customerId: 'p1' });
    given(...world, locked('p1')).when(recycle('no_follow_up', '2026-03-01T09:00:00.000Z', 'system', 'p1')).thenRejects('CUSTOMER_IN_POOL');
  });

  it.each(['admin', 'mgr-n', 'rep-a'])('only system recycles: %s is FORBIDDEN', (actor) => {
    given(...world).when(recycle('no_follow_up', '2026-03-01T09:00:00.000Z', actor)).thenRejects('FORBIDDEN');
  });

  it('an unknown rule is INVALID_COMMAND', () => {
    given(...world).when(recycle('no_love', '2026-03-01T09:00:00.000Z')).thenRejects('INVALID_COMMAND');
  });
});

describe('LockCustomer / UnlockCustomer (owner/manager)', () => {
  it('locks, and locking again emits nothing', () => {
    given(...world).when({ command: 'LockCustomer', actor: 'rep-a', data: { customerId: 'c1' } }).then({ type: 'CustomerLocked', data: { customerId: 'c1' } });
    given(...world, locked('c1')).when({ command: 'LockCustomer', actor: 'rep-a', data: { customerId: 'c1' } }).thenNothing();
  });

  it('unlocks, and unlocking an unlocked one emits nothing', () => {
    given(...world, locked('c1')).when({ command: 'UnlockCustomer', actor: 'rep-a', data: { customerId: 'c1' } }).then({ type: 'CustomerUnlocked', data: { customerId: 'c1' } });
    given(...world).when({ command: 'UnlockCustomer', actor: 'rep-a', data: { customerId: 'c1' } }).thenNothing();
  });

  it('a manager locks a pool customer (so it cannot be claimed)', () => {
    given(...world).when({ command: 'LockCustomer', actor: 'mgr-s', data: { customerId: 'p1' } }).then({ type: 'CustomerLocked', data: { customerId: 'p1' } });
    given(...world).when({ command: 'LockCustomer', actor: 'rep-a', data: { customerId: 'p1' } }).thenRejects('FORBIDDEN');
  });

  it.each(ownerOrManager)('%s (%s) may lock and unlock: %s', (actor, _who, allowed) => {
    const locking = given(...world).when({ command: 'LockCustomer', actor, data: { customerId: 'c1' } });
    const unlocking = given(...world, locked('c1')).when({ command: 'UnlockCustomer', actor, data: { customerId: 'c1' } });
    if (allowed) {
      locking.then({ type: 'CustomerLocked', data: { customerId: 'c1' } });
      unlocking.then({ type: 'CustomerUnlocked', data: { customerId: 'c1' } });
    } else {
      locking.thenRejects('FORBIDDEN');
      unlocking.thenRejects('FORBIDDEN');
    }
  });
});

describe('MergeCustomers (manager/admin/system; both active)', () => {
  const merging = [
    ...world,
    registered('c2', 'rep-b'),
    contactAdded('c1', 'k1'),
    contactAdded('c2', 'k1', { name: 'Wang Fang', email: 'wang@example.com' }),
    contactAdded('c2', 'k2', { name: 'Zhao Li', phone: '+8613900000000', email: null }),
  ];
  const merge = (actor: string, survivorId = 'c1', duplicateId = 'c2') => ({ command: 'MergeCustomers', actor, data: { survivorId, duplicateId } });
  const absorbedContacts = [
    { contactId: 'k1~c2', name: 'Wang Fang', title: null, role: 'champion', phone: null, email: 'wang@example.com', birthday: null },
    { contactId: 'k2', name: 'Zhao Li', title: null, role: 'champion', phone: '+8613900000000', email: null, birthday: null },
  ];

  it('the duplicate is marked merged (its ownership ends) and the survivor absorbs its contacts (a clashing id gets the duplicate\'s suffix)', () => {
    given(...merging)
      .when(merge('mgr-n'))
      .then(
        { type: 'CustomerMerged', data: { customerId: 'c2', survivorId: 'c1', owner: 'rep-b' } },
        { type: 'DuplicateCustomerAbsorbed', data: { customerId: 'c1', duplicateId: 'c2', contacts: absorbedContacts } },
      );
  });

  it.each([
    ['rep-a', false],
    ['rep-b', false],
    ['mgr-n', true],
    ['mgr-s', false],
    ['admin', true],
    ['system', true],
  ] as const)('%s may merge two north customers: %s', (actor, allowed) => {
    const clause = given(...merging).when(merge(actor));
    if (allowed) {
      clause.then(
        { type: 'CustomerMerged', data: { customerId: 'c2', survivorId: 'c1', owner: 'rep-b' } },
        { type: 'DuplicateCustomerAbsorbed', data: { customerId: 'c1', duplicateId: 'c2', contacts: absorbedContacts } },
      );
    } else clause.thenRejects('FORBIDDEN');
  });

  it('a manager merges a pool duplicate into a customer of its team', () => {
    given(...world)
      .when(merge('mgr-n', 'c1', 'p1'))
      .then({ type: 'CustomerMerged', data: { customerId: 'p1', survivorId: 'c1', owner: null } }, { type: 'DuplicateCustomerAbsorbed', data: { customerId: 'c1', duplicateId: 'p1', contacts: [] } });
  });

  it('a manager may not merge a customer of another team', () => {
    given(...world, registered('c3', 'rep-s')).when(merge('mgr-n', 'c1', 'c3')).thenRejects('FORBIDDEN');
  });

  it('an unknown survivor or duplicate is NOT_FOUND', () => {
    given(...world).when(merge('admin', 'c9', 'c1')).thenRejects('NOT_FOUND', { customerId: 'c9' });
    given(...world).when(merge('admin', 'c1', 'c9')).thenRejects('NOT_FOUND', { customerId: 'c9' });
  });

  it('a merged or erased survivor or duplicate is CUSTOMER_INACTIVE', () => {
    given(...merging, merged('p1', 'c1', null)).when(merge('admin', 'p1', 'c2')).thenRejects('CUSTOMER_INACTIVE', { customerId: 'p1', status: 'merged' });
    given(...merging, erased('c2')).when(merge('admin', 'c1', 'c2')).thenRejects('CUSTOMER_INACTIVE', { customerId: 'c2', status: 'erased' });
  });

  it('obeys CLOCK_SKEW on both streams', () => {
    given(...merging, locked('c2', '2026-01-03T00:00:00.000Z')).when({ ...merge('admin'), at: '2026-01-02T00:00:00.000Z' }).thenRejects('CLOCK_SKEW', { stream: 'customer-c2' });
    given(...merging, locked('c1', '2026-01-03T00:00:00.000Z')).when({ ...merge('admin'), at: '2026-01-02T00:00:00.000Z' }).thenRejects('CLOCK_SKEW', { stream: 'customer-c1' });
  });

  it('after the merge the duplicate is CUSTOMER_INACTIVE and no new ownership period follows', () => {
    given(...merging, merged('c2', 'c1', 'rep-b')).when({ command: 'ClaimCustomer', actor: 'rep-a', data: { customerId: 'c2' } }).thenRejects('CUSTOMER_INACTIVE');
    given(...merging, merged('c2', 'c1', 'rep-b')).when({ command: 'AssignCustomer', actor: 'admin', data: { customerId: 'c2', to: 'rep-a' } }).thenRejects('CUSTOMER_INACTIVE');
  });
});

describe('ErasePersonalData (admin/system)', () => {
  it.each(['admin', 'system'])('%s erases personal data', (actor) => {
    given(...world).when({ command: 'ErasePersonalData', actor, data: { customerId: 'c1' } }).then({ type: 'PersonalDataErased', data: { customerId: 'c1' } });
  });

  it.each(['mgr-n', 'rep-a'])('%s is FORBIDDEN (even the owner or its manager)', (actor) => {
    given(...world).when({ command: 'ErasePersonalData', actor, data: { customerId: 'c1' } }).thenRejects('FORBIDDEN');
  });

  it('personal fields become unreadable; ownership facts stay', () => {
    const history = [...world, contactAdded('c1', 'k1', { phone: '+8613900000000', birthday: '1990-01-01' }), erased('c1')];
    const state = foldWorld(history).state('customer-c1') as CustomerState;
    expect(state).toMatchObject({ status: 'erased', name: null, phone: null, email: null, address: null, owner: 'rep-a', ownedSince: T0 });
    expect(state.contacts['k1']).toEqual({ contactId: 'k1', name: null, title: null, role: 'champion', phone: null, email: null, birthday: null });
  });

  it('erasing twice is CUSTOMER_INACTIVE', () => {
    given(...world, erased('c1')).when({ command: 'ErasePersonalData', actor: 'admin', data: { customerId: 'c1' } }).thenRejects('CUSTOMER_INACTIVE', { status: 'erased' });
  });
});

/**
 * One valid command per customer-stream command, by an actor allowed to
 * issue it on c1 (owned by rep-a) — so that only the check under test fails.
 */
const everyCustomerCommand = (customerId: string): readonly { command: string; actor: string; data: Record<string, unknown> }[] => [
  { command: 'UpdateCustomerProfile', actor: 'admin', data: { customerId, changes: { importance: 'A' } } },
  { command: 'ChangeCustomerStage', actor: 'admin', data: { customerId, stage: 'intent' } },
  { command: 'AddContact', actor: 'admin', data: { customerId, contactId: 'k7', name: 'Li', role: 'user', email: 'li@example.com' } },
  { command: 'UpdateContact', actor: 'admin', data: { customerId, contactId: 'k1', title: 'CEO' } },
  { command: 'RemoveContact', actor: 'admin', data: { customerId, contactId: 'k1' } },
  { command: 'LogFollowUp', actor: 'admin', data: { customerId, channel: 'call', summary: 'hello' } },
  { command: 'ClaimCustomer', actor: 'rep-b', data: { customerId } },
  { command: 'AssignCustomer', actor: 'admin', data: { customerId, to: 'rep-b' } },
  { command: 'TransferCustomer', actor: 'admin', data: { customerId, to: 'rep-b', reason: 'rebalance' } },
  { command: 'ReleaseCustomer', actor: 'admin', data: { customerId } },
  { command: 'RecycleCustomer', actor: 'system', data: { customerId, rule: 'no_follow_up' } },
  { command: 'LockCustomer', actor: 'admin', data: { customerId } },
  { command: 'UnlockCustomer', actor: 'admin', data: { customerId } },
  { command: 'ErasePersonalData', actor: 'admin', data: { customerId } },
];

describe('every command on a customer stream', () => {
  const withContact = [...world, contactAdded('c1', 'k1')];

  it.each(everyCustomerCommand('c9').map((input) => [input.command, input] as const))('%s on an unknown customer is NOT_FOUND', (_name, input) => {
    given(...withContact).when(input).thenRejects('NOT_FOUND', { customerId: 'c9' });
  });

  it.each(everyCustomerCommand('c1').filter((input) => input.command !== 'ErasePersonalData').map((input) => [input.command, input] as const))('%s on a merged customer is CUSTOMER_INACTIVE', (_name, input) => {
    given(...withContact, merged('c1', 'p1', 'rep-a')).when(input).thenRejects('CUSTOMER_INACTIVE', { customerId: 'c1', status: 'merged' });
  });

  // Decision 009: erasure must reach every copy of a person's data, including a merged duplicate's.
  it('ErasePersonalData on a merged customer erases it (an erased one stays CUSTOMER_INACTIVE)', () => {
    given(...withContact, merged('c1', 'p1', 'rep-a'))
      .when({ command: 'ErasePersonalData', actor: 'admin', data: { customerId: 'c1' }, at: '2026-03-01T00:00:00.000Z' })
      .then({ type: 'PersonalDataErased', data: { customerId: 'c1' } });
  });

  it.each(everyCustomerCommand('c1').map((input) => [input.command, input] as const))('%s on an erased customer is CUSTOMER_INACTIVE', (_name, input) => {
    given(...withContact, erased('c1')).when(input).thenRejects('CUSTOMER_INACTIVE', { customerId: 'c1', status: 'erased' });
  });

  it.each(everyCustomerCommand('c1').map((input) => [input.command, input] as const))('%s earlier than the stream\'s last event is CLOCK_SKEW', (_name, input) => {
    given(...withContact, locked('c1', '2026-02-01T00:00:00.000Z'))
      .when({ ...input, at: '2026-01-31T23:59:59.999Z' })
      .thenRejects('CLOCK_SKEW', { stream: 'customer-c1', at: '2026-01-31T23:59:59.999Z', lastEventAt: '2026-02-01T00:00:00.000Z' });
  });

  it.each(everyCustomerCommand('c1').map((input) => [input.command, input] as const))('%s by a deactivated member is MEMBER_INACTIVE', (_name, input) => {
    given(...withContact, deactivated('rep-b', 'rep', 'north')).when({ ...input, actor: 'rep-b' }).thenRejects('MEMBER_INACTIVE', { memberId: 'rep-b' });
  });

  it.each(everyCustomerCommand('c1').map((input) => [input.command, input] as const))('%s by an unknown actor is NOT_FOUND', (_name, input) => {
    given(...withContact).when({ ...input, actor: 'ghost' }).thenRejects('NOT_FOUND', { memberId: 'ghost' });
  });
});

describe('identifiers that are also Object.prototype names', () => {
  // `constructor` and `__proto__` are valid identifiers; lookups must not see Object.prototype.
  it('adds a contact named constructor and finds no contact named __proto__', () => {
    const base = [...directory, registered('c1', 'rep-a')];
    given(...base)
      .when({ command: 'AddContact', actor: 'rep-a', data: { customerId: 'c1', contactId: 'constructor', name: 'Con', role: 'user', email: 'con@x.io' } })
      .then({ type: 'ContactAdded', data: { customerId: 'c1', contact: { contactId: 'constructor', name: 'Con', title: null, role: 'user', phone: null, email: 'con@x.io', birthday: null } } });
    given(...base)
      .when({ command: 'RemoveContact', actor: 'rep-a', data: { customerId: 'c1', contactId: '__proto__' } })
      .thenRejects('NOT_FOUND', { contactId: '__proto__' });
  });
});
