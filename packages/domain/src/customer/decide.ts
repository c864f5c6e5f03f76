import * as E from 'fp-ts/lib/Either.js';
import { match } from 'ts-pattern';
import type { DecisionContext } from '../context.ts';
import { activeMember, actorId, actsOnOwnedBy, checkClock, forbidden, isManager, isSystemOrAdmin, resolveActor, type Actor } from '../shared/actors.ts';
import { domainError, type DomainError } from '../shared/errors.ts';
import { eventOf, type Command } from '../shared/messages.ts';
import { elapsedDaysAtLeast, addDays, utcDay } from '../shared/time.ts';
import { emailKey, foldName, phoneKey, SYSTEM_ACTOR } from '../shared/text.ts';
import { own } from '../shared/records.ts';
import { funnelStages, type CustomerCommandData, type LifecycleStage } from './commands.ts';
import type { Contact, CustomerEvent } from './events.ts';
import { idleDays, ruleHolds } from './recycleClock.ts';
import type { CustomerState } from './state.ts';

/** A validated customer command. */
export type CustomerCommand = { [Name in keyof CustomerCommandData]: Command<Name, CustomerCommandData[Name]> }[keyof CustomerCommandData];
type CommandNamed<Name extends CustomerCommand['command']> = Extract<CustomerCommand, { command: Name }>;
type Decision = E.Either<DomainError, readonly CustomerEvent[]>;

/** The stream of a customer. */
export const customerStream = (customerId: string): string => `customer-${customerId}`;

const notFound = (customerId: string): DomainError => domainError('NOT_FOUND', `customer ${customerId} does not exist`, { customerId });

/**
 * True when the actor may act on the customer (domain.md §2): system and
 * admins always, the owner, and a manager for pool customers and for those
 * its team members own.
 */
export function actsOnCustomer(actor: Actor, state: CustomerState, context: DecisionContext): boolean {
  if (state.owner === null) return isSystemOrAdmin(actor) || isManager(actor);
  return actsOnOwnedBy(actor, state.owner, context);
}

/** The reservation keys a phone and an email take. */
export const contactPointKeys = (phone: string | null | undefined, email: string | null | undefined): readonly string[] => [
  ...(phone === null || phone === undefined ? [] : [phoneKey(phone)]),
  ...(email === null || email === undefined ? [] : [emailKey(email)]),
];

/** `DUPLICATE_CUSTOMER` when a phone or email belongs to another active customer. */
function checkDuplicates(
  customerId: string,
  fields: { readonly phone?: string | null | undefined; readonly email?: string | null | undefined },
  context: DecisionContext,
): E.Either<DomainError, void> {
  for (const [field, value, key] of [
    ['phone', fields.phone, fields.phone ? phoneKey(fields.phone) : undefined],
    ['email', fields.email, fields.email ? emailKey(fields.email) : undefined],
  ] as const) {
    if (key === undefined) continue;
    const holder = context.reservations.get(key);
    if (holder !== undefined && holder !== customerId) {
      return E.left(
        domainError('DUPLICATE_CUSTOMER', `${field} ${String(value)} already belongs to ${holder}`, { existingCustomerId: holder, field }),
      );
    }
  }
  return E.right(undefined);
}

const similarTo = (customerId: string, name: string, context: DecisionContext): string[] =>
  [...(context.similarNames.get(foldName(name)) ?? [])].filter((id) => id !== customerId).sort();

const stageOrder = (stage: LifecycleStage): number => (funnelStages as readonly string[]).indexOf(stage);

/**
 * Decides a customer command (domain.md §3). `load` returns the state of any
 * customer stream the command touches (`MergeCustomers` touches two).
 * Check order: actor → target exists → clock → customer active → permission →
 * the command's rules in table order.
 */
export function decideCustomer(command: CustomerCommand, load: (customerId: string) => CustomerState, context: DecisionContext): Decision {
  const actorResult = resolveActor(command, context);
  if (E.isLeft(actorResult)) return actorResult;
  const actor = actorResult.right;
  if (command.command === 'RegisterCustomer') return decideRegistration(command, actor, load(command.data.customerId), context);
  if (command.command === 'MergeCustomers') return decideMerge(command, actor, load, context);

  const customerId = command.data.customerId;
  const state = load(customerId);
  if (!state.exists) return E.left(notFound(customerId));
  const clock = checkClock(command, customerStream(customerId), state.lastEventAt);
  if (E.isLeft(clock)) return clock;
  // A merged duplicate can still have its personal data erased: erasure must reach every copy of a person's data.
  const erasingMerged = command.command === 'ErasePersonalData' && state.status === 'merged';
  if (state.status !== 'active' && !erasingMerged) {
    return E.left(domainError('CUSTOMER_INACTIVE', `customer ${customerId} is ${state.status}`, { customerId, status: state.status }));
  }
  return decideOnActiveCustomer(command, actor, state, context);
}

function decideRegistration(command: CommandNamed<'RegisterCustomer'>, actor: Actor, state: CustomerState, context: DecisionContext): Decision {
  const data = command.data;
  if (state.exists) return E.left(domainError('ALREADY_EXISTS', `customer ${data.customerId} already exists`, { customerId: data.customerId }));
  const settingOwner = data.owner !== undefined && data.owner !== actorId(actor);
  if (settingOwner && !isSystemOrAdmin(actor) && !isManager(actor)) {
    return E.left(forbidden(command, 'only a manager, an admin or system registers a customer for another owner'));
  }
  if (data.owner !== undefined) {
    const owner = activeMember(context, data.owner, 'owner');
    if (E.isLeft(owner)) return owner;
  }
  const duplicates = checkDuplicates(data.customerId, data, context);
  if (E.isLeft(duplicates)) return duplicates;
  // First entrant owns: the registering member, unless sent to the pool or registered by system without an owner.
  const owner = data.toPool === true ? null : (data.owner ?? (actor.kind === 'system' ? null : actor.profile.id));
  return E.right([
    eventOf(command, 'CustomerRegistered', {
      customerId: data.customerId,
      name: data.name,
      kind: data.kind,
      phone: data.phone ?? null,
      email: data.email ?? null,
      address: data.address ?? null,
      industry: data.industry ?? null,
      region: data.region ?? null,
      source: data.source,
      importance: data.importance,
      stage: data.stage ?? 'potential',
      owner,
      possibleDuplicateOf: similarTo(data.customerId, data.name, context),
    }),
  ]);
}

function decideOnActiveCustomer(
  command: Exclude<CustomerCommand, CommandNamed<'RegisterCustomer' | 'MergeCustomers'>>,
  actor: Actor,
  state: CustomerState,
  context: DecisionContext,
): Decision {
  const customerId = state.id;
  const ownerOrManager = (cmd: Command): E.Either<DomainError, void> =>
    actsOnCustomer(actor, state, context) ? E.right(undefined) : E.left(forbidden(cmd, `customer ${customerId} is not theirs to act on`));
  const owned = (cmd: Command): E.Either<DomainError, string> =>
    state.owner === null
      ? E.left(domainError('CUSTOMER_IN_POOL', `customer ${customerId} is in the pool`, { customerId, command: cmd.command }))
      : E.right(state.owner);
  const guarded = (cmd: Command, decide: () => Decision): Decision => {
    const allowed = ownerOrManager(cmd);
    return E.isLeft(allowed) ? allowed : decide();
  };

  return match(command)
    .with({ command: 'UpdateCustomerProfile' }, (cmd) => guarded(cmd, () => decideProfileUpdate(cmd, state, context)))
    .with({ command: 'ChangeCustomerStage' }, (cmd) =>
      guarded(cmd, (): Decision => {
        const { stage, reason } = cmd.data;
        if (stage === state.stage) return E.right([]);
        const backwards = stage !== 'dormant' && state.stage !== 'dormant' && stageOrder(stage) < stageOrder(state.stage);
        if (backwards && !isSystemOrAdmin(actor) && !isManager(actor)) {
          return E.left(forbidden(cmd, `moving back from ${state.stage} to ${stage} needs a manager`));
        }
        return E.right([eventOf(cmd, 'CustomerStageChanged', { customerId, from: state.stage, to: stage, reason: reason ?? null })]);
      }),
    )
    .with({ command: 'AddContact' }, (cmd) =>
      guarded(cmd, (): Decision => {
        const data = cmd.data;
        if (own(state.contacts, data.contactId) !== undefined) {
          return E.left(domainError('ALREADY_EXISTS', `contact ${data.contactId} already exists on customer ${customerId}`, { customerId, contactId: data.contactId }));
        }
        const contact: Contact = {
          contactId: data.contactId,
          name: data.name,
          title: data.title ?? null,
          role: data.role,
          phone: data.phone ?? null,
          email: data.email ?? null,
          birthday: data.birthday ?? null,
        };
        return E.right([eventOf(cmd, 'ContactAdded', { customerId, contact })]);
      }),
    )
    .with({ command: 'UpdateContact' }, (cmd) => guarded(cmd, () => decideContactUpdate(cmd, state)))
    .with({ command: 'RemoveContact' }, (cmd) =>
      guarded(cmd, (): Decision => {
        if (own(state.contacts, cmd.data.contactId) === undefined) return E.left(contactNotFound(customerId, cmd.data.contactId));
        return E.right([eventOf(cmd, 'ContactRemoved', { customerId, contactId: cmd.data.contactId })]);
      }),
    )
    .with({ command: 'LogFollowUp' }, (cmd) =>
      guarded(cmd, (): Decision => {
        const owner = owned(cmd);
        if (E.isLeft(owner)) return owner;
        const { channel, summary, contactId, nextFollowUpAt } = cmd.data;
        if (contactId !== undefined && own(state.contacts, contactId) === undefined) return E.left(contactNotFound(customerId, contactId));
        return E.right([
          eventOf(cmd, 'FollowUpLogged', { customerId, channel, summary, contactId: contactId ?? null, nextFollowUpAt: nextFollowUpAt ?? null, owner: owner.right }),
        ]);
      }),
    )
    .with({ command: 'ClaimCustomer' }, (cmd) => decideClaim(cmd, actor, state, context))
    .with({ command: 'AssignCustomer' }, (cmd): Decision => {
      if (!isSystemOrAdmin(actor) && !isManager(actor)) return E.left(forbidden(cmd, 'only a manager, an admin or system assigns customers'));
      if (state.owner !== null) {
        return E.left(domainError('CUSTOMER_NOT_IN_POOL', `customer ${customerId} is owned by ${state.owner}`, { customerId, owner: state.owner }));
      }
      const to = activeMember(context, cmd.data.to, 'assignee');
      if (E.isLeft(to)) return to;
      return E.right([eventOf(cmd, 'CustomerAssigned', { customerId, to: cmd.data.to })]);
    })
    .with({ command: 'TransferCustomer' }, (cmd): Decision => {
      if (!isSystemOrAdmin(actor) && !isManager(actor)) return E.left(forbidden(cmd, 'only a manager, an admin or system transfers customers'));
      const allowed = ownerOrManager(cmd);
      if (E.isLeft(allowed)) return allowed;
      const from = owned(cmd);
      if (E.isLeft(from)) return from;
      const to = activeMember(context, cmd.data.to, 'new owner');
      if (E.isLeft(to)) return to;
      if (cmd.data.to === from.right) return E.right([]);
      return E.right([eventOf(cmd, 'CustomerTransferred', { customerId, from: from.right, to: cmd.data.to, reason: cmd.data.reason })]);
    })
    .with({ command: 'ReleaseCustomer' }, (cmd) =>
      guarded(cmd, (): Decision => {
        // "departure (system only)" is a permission: checked before the rules (domain.md §0 order of checks).
        const reason = cmd.data.reason ?? 'voluntary';
        if (reason === 'departure' && actor.kind !== 'system') return E.left(forbidden(cmd, 'only system releases with reason departure'));
        const from = owned(cmd);
        if (E.isLeft(from)) return from;
        return E.right([eventOf(cmd, 'CustomerReleased', { customerId, from: from.right, reason, note: cmd.data.note ?? null })]);
      }),
    )
    .with({ command: 'RecycleCustomer' }, (cmd) => decideRecycle(cmd, actor, state, context))
    .with({ command: 'LockCustomer' }, (cmd) =>
      guarded(cmd, (): Decision => E.right(state.locked ? [] : [eventOf(cmd, 'CustomerLocked', { customerId })])),
    )
    .with({ command: 'UnlockCustomer' }, (cmd) =>
      guarded(cmd, (): Decision => E.right(state.locked ? [eventOf(cmd, 'CustomerUnlocked', { customerId })] : [])),
    )
    .with({ command: 'ErasePersonalData' }, (cmd): Decision => {
      if (!isSystemOrAdmin(actor)) return E.left(forbidden(cmd, 'only an admin or system erases personal data'));
      return E.right([eventOf(cmd, 'PersonalDataErased', { customerId })]);
    })
    .exhaustive();
}

const contactNotFound = (customerId: string, contactId: string): DomainError =>
  domainError('NOT_FOUND', `contact ${contactId} does not exist on customer ${customerId}`, { customerId, contactId });

function decideProfileUpdate(command: CommandNamed<'UpdateCustomerProfile'>, state: CustomerState, context: DecisionContext): Decision {
  const customerId = state.id;
  const requested = command.data.changes;
  const changes: Record<string, unknown> = {};
  const previous: Record<string, unknown> = {};
  for (const field of ['name', 'phone', 'email', 'address', 'industry', 'region', 'importance'] as const) {
    const value = requested[field];
    if (value === undefined || value === state[field]) continue;
    changes[field] = value;
    previous[field] = state[field];
  }
  if (Object.keys(changes).length === 0) return E.right([]);
  const phone = 'phone' in changes ? (changes['phone'] as string | null) : state.phone;
  const email = 'email' in changes ? (changes['email'] as string | null) : state.email;
  if (phone === null && email === null) {
    const path = 'phone' in changes ? 'data.changes.phone' : 'data.changes.email';
    return E.left(domainError('INVALID_COMMAND', `${path}: a customer keeps a phone or an email`, { issues: [{ path, message: 'a customer keeps a phone or an email' }] }));
  }
  const duplicates = checkDuplicates(customerId, { phone: changes['phone'] as string | null | undefined, email: changes['email'] as string | null | undefined }, context);
  if (E.isLeft(duplicates)) return duplicates;
  const possibleDuplicateOf = typeof changes['name'] === 'string' ? similarTo(customerId, changes['name'], context) : [];
  return E.right([
    eventOf(command, 'CustomerProfileUpdated', { customerId, changes: changes, previous: previous, possibleDuplicateOf }),
  ]);
}

function decideContactUpdate(command: CommandNamed<'UpdateContact'>, state: CustomerState): Decision {
  const { customerId, contactId } = command.data;
  const contact = own(state.contacts, contactId);
  if (contact === undefined) return E.left(contactNotFound(customerId, contactId));
  const changes: Record<string, unknown> = {};
  const previous: Record<string, unknown> = {};
  for (const field of ['name', 'title', 'role', 'phone', 'email', 'birthday'] as const) {
    const value = command.data[field];
    if (value === undefined || value === contact[field]) continue;
    changes[field] = value;
    previous[field] = contact[field];
  }
  if (Object.keys(changes).length === 0) return E.right([]);
  const phone = 'phone' in changes ? changes['phone'] : contact.phone;
  const email = 'email' in changes ? changes['email'] : contact.email;
  if (phone === null && email === null) {
    const path = 'phone' in changes ? 'data.phone' : 'data.email';
    return E.left(domainError('INVALID_COMMAND', `${path}: a contact keeps a phone or an email`, { issues: [{ path, message: 'a contact keeps a phone or an email' }] }));
  }
  return E.right([
    eventOf(command, 'ContactUpdated', { customerId, contactId, changes: changes, previous: previous }),
  ]);
}

function decideClaim(command: CommandNamed<'ClaimCustomer'>, actor: Actor, state: CustomerState, context: DecisionContext): Decision {
  if (actor.kind === 'system') return E.left(forbidden(command, 'a claim is made by a member for itself'));
  const customerId = state.id;
  const memberId = actor.profile.id;
  if (state.owner !== null) {
    return E.left(domainError('CUSTOMER_NOT_IN_POOL', `customer ${customerId} is owned by ${state.owner}`, { customerId, owner: state.owner }));
  }
  if (state.locked) return E.left(domainError('CUSTOMER_LOCKED', `customer ${customerId} is locked`, { customerId }));
  const { holdingLimit, dailyClaimLimit, reclaimCooldownDays } = context.config.pool;
  const counts = state.stage !== 'customer' && state.stage !== 'vip';
  if (counts && context.actorHoldings + 1 > holdingLimit) {
    return E.left(
      domainError('HOLDING_LIMIT_REACHED', `${memberId} holds ${context.actorHoldings} customers (limit ${holdingLimit})`, {
        holdings: context.actorHoldings,
        holdingLimit,
      }),
    );
  }
  if (context.actorClaimsToday + 1 > dailyClaimLimit) {
    return E.left(
      domainError('DAILY_CLAIM_LIMIT_REACHED', `${memberId} made ${context.actorClaimsToday} claims on ${utcDay(command.at)} (limit ${dailyClaimLimit})`, {
        claimsToday: context.actorClaimsToday,
        dailyClaimLimit,
      }),
    );
  }
  const endedAt = own(state.ownershipEndedAt, memberId);
  if (endedAt !== undefined && !elapsedDaysAtLeast(endedAt, command.at, reclaimCooldownDays)) {
    const availableAt = addDays(endedAt, reclaimCooldownDays);
    return E.left(
      domainError('RECLAIM_COOLDOWN', `${memberId} owned ${customerId} until ${endedAt}; it may claim it again from ${availableAt}`, {
        customerId,
        ownershipEndedAt: endedAt,
        availableAt,
        reclaimCooldownDays,
      }),
    );
  }
  return E.right([
    eventOf(command, 'CustomerClaimed', {
      customerId,
      to: memberId,
      holdingsBefore: context.actorHoldings,
      claimsTodayBefore: context.actorClaimsToday,
      policy: { holdingLimit, dailyClaimLimit, reclaimCooldownDays },
    }),
  ]);
}

function decideRecycle(command: CommandNamed<'RecycleCustomer'>, actor: Actor, state: CustomerState, context: DecisionContext): Decision {
  if (actor.kind !== 'system') return E.left(forbidden(command, 'only system recycles customers'));
  const customerId = state.id;
  if (state.owner === null || state.ownedSince === null) {
    return E.left(domainError('CUSTOMER_IN_POOL', `customer ${customerId} is in the pool`, { customerId }));
  }
  if (state.locked) return E.left(domainError('CUSTOMER_LOCKED', `customer ${customerId} is locked`, { customerId }));
  const rule = command.data.rule;
  const facts = {
    owner: state.owner,
    ownedSince: state.ownedSince,
    lastFollowUpAt: state.lastFollowUpAt,
    stage: state.stage,
    locked: state.locked,
    active: true,
    lastDealWonAt: context.lastDealWonAt.get(customerId) ?? null,
  };
  const { noFollowUpDays, noDealDays } = context.config.pool.recycle;
  const protectionDays = context.config.pool.protectionDays;
  if (!ruleHolds(rule, facts, command.at, context.config)) {
    return E.left(
      domainError('NOT_DUE', `${rule} does not hold for customer ${customerId} at ${command.at}`, {
        customerId,
        rule,
        ownedSince: state.ownedSince,
        lastFollowUpAt: state.lastFollowUpAt,
        stage: state.stage,
      }),
    );
  }
  return E.right([
    eventOf(command, 'CustomerRecycled', {
      customerId,
      from: state.owner,
      rule,
      idleDays: idleDays(rule, facts, command.at),
      ownedSince: state.ownedSince,
      lastFollowUpAt: state.lastFollowUpAt,
      lastDealWonAt: facts.lastDealWonAt,
      policy: { noFollowUpDays, noDealDays, protectionDays },
    }),
  ]);
}

/** A contact id not taken on the survivor: the duplicate's own id when free, else a suffixed one. */
function freeContactId(taken: ReadonlySet<string>, contactId: string, duplicateId: string): string {
  if (!taken.has(contactId)) return contactId;
  for (let attempt = 1; ; attempt += 1) {
    const suffix = attempt === 1 ? `~${duplicateId}` : `~${duplicateId}~${attempt}`;
    const candidate = `${contactId.slice(0, Math.max(1, 64 - suffix.length))}${suffix}`.slice(0, 64);
    if (!taken.has(candidate)) return candidate;
  }
}

function decideMerge(command: CommandNamed<'MergeCustomers'>, actor: Actor, load: (customerId: string) => CustomerState, context: DecisionContext): Decision {
  const { survivorId, duplicateId } = command.data;
  const survivor = load(survivorId);
  const duplicate = load(duplicateId);
  if (!survivor.exists) return E.left(notFound(survivorId));
  if (!duplicate.exists) return E.left(notFound(duplicateId));
  for (const [id, state] of [[survivorId, survivor], [duplicateId, duplicate]] as const) {
    const clock = checkClock(command, customerStream(id), state.lastEventAt);
    if (E.isLeft(clock)) return clock;
  }
  for (const [id, state] of [[survivorId, survivor], [duplicateId, duplicate]] as const) {
    if (state.status !== 'active') return E.left(domainError('CUSTOMER_INACTIVE', `customer ${id} is ${state.status}`, { customerId: id, status: state.status }));
  }
  if (!isSystemOrAdmin(actor) && !isManager(actor)) return E.left(forbidden(command, 'only a manager, an admin or system merges customers'));
  if (!actsOnCustomer(actor, survivor, context) || !actsOnCustomer(actor, duplicate, context)) {
    return E.left(forbidden(command, 'a manager merges only pool customers and customers of its team'));
  }
  const taken = new Set(Object.keys(survivor.contacts));
  const contacts: Contact[] = [];
  for (const contact of Object.values(duplicate.contacts).sort((a, b) => (a.contactId < b.contactId ? -1 : 1))) {
    const contactId = freeContactId(taken, contact.contactId, duplicateId);
    taken.add(contactId);
    contacts.push({ ...contact, contactId });
  }
  return E.right([
    eventOf(command, 'CustomerMerged', { customerId: duplicateId, survivorId, owner: duplicate.owner }),
    eventOf(command, 'DuplicateCustomerAbsorbed', { customerId: survivorId, duplicateId, contacts }),
  ]);
}

/** The system actor's id, re-exported for policies. */
export { SYSTEM_ACTOR };
