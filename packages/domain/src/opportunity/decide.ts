import * as E from 'fp-ts/lib/Either.js';
import { match } from 'ts-pattern';
import { stageProbability } from '../config/configuration.ts';
import type { DecisionContext } from '../context.ts';
import type { CustomerState } from '../customer/state.ts';
import { activeMember, actsOnOwnedBy, checkClock, forbidden, isManager, isSystemOrAdmin, managesTeam, resolveActor, type Actor } from '../shared/actors.ts';
import { domainError, type DomainError } from '../shared/errors.ts';
import { eventOf, type Command } from '../shared/messages.ts';
import { sameMoney } from '../shared/money.ts';
import type { OpportunityCommandData } from './commands.ts';
import type { OpportunityEvent } from './events.ts';
import type { OpportunityState } from './state.ts';

/** A validated opportunity command. */
export type OpportunityCommand = { [Name in keyof OpportunityCommandData]: Command<Name, OpportunityCommandData[Name]> }[keyof OpportunityCommandData];
type CommandNamed<Name extends OpportunityCommand['command']> = Extract<OpportunityCommand, { command: Name }>;
type Decision = E.Either<DomainError, readonly OpportunityEvent[]>;

/** The stream of an opportunity. */
export const opportunityStream = (opportunityId: string): string => `opportunity-${opportunityId}`;

const invalidStage = (stage: string, context: DecisionContext): DomainError =>
  domainError('INVALID_STAGE', `stage ${stage} is not in the pipeline (${context.config.pipeline.stages.map((s) => s.id).join(', ')})`, { stage });

/**
 * Decides an opportunity command (domain.md §4). `OpenOpportunity` also reads
 * the customer's state (ownership). Check order: actor → target exists →
 * clock → customer active → permission → the command's rules.
 */
export function decideOpportunity(command: OpportunityCommand, state: OpportunityState, customer: CustomerState, context: DecisionContext): Decision {
  const actorResult = resolveActor(command, context);
  if (E.isLeft(actorResult)) return actorResult;
  const actor = actorResult.right;
  if (command.command === 'OpenOpportunity') return decideOpening(command, actor, state, customer, context);

  const opportunityId = command.data.opportunityId;
  if (!state.exists) return E.left(domainError('NOT_FOUND', `opportunity ${opportunityId} does not exist`, { opportunityId }));
  const clock = checkClock(command, opportunityStream(opportunityId), state.lastEventAt);
  if (E.isLeft(clock)) return clock;

  const managerOnly = (cmd: Command): E.Either<DomainError, void> =>
    isSystemOrAdmin(actor) || (isManager(actor) && actsOnOwnedBy(actor, state.owner, context))
      ? E.right(undefined)
      : E.left(forbidden(cmd, `only a manager of the owner's team, an admin or system may ${cmd.command}`));
  const ownerOrManager = (cmd: Command): E.Either<DomainError, void> =>
    actsOnOwnedBy(actor, state.owner, context) ? E.right(undefined) : E.left(forbidden(cmd, `opportunity ${opportunityId} is not theirs to act on`));
  const open = (): E.Either<DomainError, void> =>
    state.status === 'open'
      ? E.right(undefined)
      : E.left(domainError('OPPORTUNITY_CLOSED', `opportunity ${opportunityId} is ${state.status}`, { opportunityId, status: state.status }));
  const then = (...checks: readonly (() => E.Either<DomainError, void>)[]) => (decide: () => Decision): Decision => {
    for (const check of checks) {
      const result = check();
      if (E.isLeft(result)) return result;
    }
    return decide();
  };

  return match(command)
    .with({ command: 'MoveOpportunityStage' }, (cmd) =>
      then(() => ownerOrManager(cmd), open)((): Decision => {
        const probability = stageProbability(context.config, cmd.data.stage);
        if (probability === undefined) return E.left(invalidStage(cmd.data.stage, context));
        if (cmd.data.stage === state.stage) return E.right([]);
        return E.right([eventOf(cmd, 'OpportunityStageMoved', { opportunityId, from: state.stage, to: cmd.data.stage, probability })]);
      }),
    )
    .with({ command: 'ReviseOpportunity' }, (cmd) =>
      then(() => ownerOrManager(cmd), open)((): Decision => {
        const { amount, expectedCloseDate, probability } = cmd.data;
        const changes: { amount?: typeof state.amount; expectedCloseDate?: string; probability?: number } = {};
        const previous: { amount?: typeof state.amount; expectedCloseDate?: string; probability?: number | null } = {};
        if (amount !== undefined && !sameMoney(amount, state.amount)) {
          changes.amount = amount;
          previous.amount = state.amount;
        }
        if (expectedCloseDate !== undefined && expectedCloseDate !== state.expectedCloseDate) {
          changes.expectedCloseDate = expectedCloseDate;
          previous.expectedCloseDate = state.expectedCloseDate;
        }
        if (probability !== undefined && probability !== (state.probabilityOverride ?? state.stageProbability)) {
          changes.probability = probability;
          previous.probability = state.probabilityOverride;
        }
        if (Object.keys(changes).length === 0) return E.right([]);
        return E.right([eventOf(cmd, 'OpportunityRevised', { opportunityId, changes, previous })]);
      }),
    )
    .with({ command: 'ReassignOpportunity' }, (cmd) =>
      then(() => managerOnly(cmd), open)((): Decision => {
        const to = activeMember(context, cmd.data.to, 'new owner');
        if (E.isLeft(to)) return to;
        if (cmd.data.to === state.owner) return E.right([]);
        return E.right([eventOf(cmd, 'OpportunityReassigned', { opportunityId, from: state.owner, to: cmd.data.to })]);
      }),
    )
    .with({ command: 'WinOpportunity' }, (cmd) =>
      then(() => ownerOrManager(cmd), open)((): Decision => {
        const amount = cmd.data.amount ?? state.amount;
        if (amount.currency !== state.amount.currency) {
          return E.left(
            domainError('CURRENCY_MISMATCH', `opportunity ${opportunityId} is in ${state.amount.currency}, not ${amount.currency}`, {
              opportunityId,
              expected: state.amount.currency,
              actual: amount.currency,
            }),
          );
        }
        return E.right([eventOf(cmd, 'OpportunityWon', { opportunityId, customerId: state.customerId, owner: state.owner, amount, stage: state.stage })]);
      }),
    )
    .with({ command: 'LoseOpportunity' }, (cmd) =>
      then(() => ownerOrManager(cmd), open)((): Decision =>
        E.right([
          eventOf(cmd, 'OpportunityLost', {
            opportunityId,
            customerId: state.customerId,
            owner: state.owner,
            reason: cmd.data.reason,
            competitor: cmd.data.competitor ?? null,
            note: cmd.data.note ?? null,
            amount: state.amount,
            stage: state.stage,
          }),
        ]),
      ),
    )
    .with({ command: 'ReopenOpportunity' }, (cmd): Decision =>
      then(() => managerOnly(cmd))((): Decision => {
        if (state.status !== 'lost') {
          return E.left(domainError('INVALID_TRANSITION', `opportunity ${opportunityId} is ${state.status}; only a lost one can be reopened`, { opportunityId, status: state.status }));
        }
        // Without an explicit stage it returns to the stage it was lost in, or the first stage if that one left the pipeline.
        const stage = cmd.data.stage ?? (stageProbability(context.config, state.stage) !== undefined ? state.stage : context.config.pipeline.stages[0]!.id);
        const probability = stageProbability(context.config, stage);
        if (probability === undefined) return E.left(invalidStage(stage, context));
        return E.right([eventOf(cmd, 'OpportunityReopened', { opportunityId, stage, probability })]);
      }),
    )
    .exhaustive();
}

function decideOpening(command: CommandNamed<'OpenOpportunity'>, actor: Actor, state: OpportunityState, customer: CustomerState, context: DecisionContext): Decision {
  const data = command.data;
  if (state.exists) return E.left(domainError('ALREADY_EXISTS', `opportunity ${data.opportunityId} already exists`, { opportunityId: data.opportunityId }));
  if (!customer.exists) return E.left(domainError('NOT_FOUND', `customer ${data.customerId} does not exist`, { customerId: data.customerId }));
  if (customer.status !== 'active') {
    return E.left(domainError('CUSTOMER_INACTIVE', `customer ${data.customerId} is ${customer.status}`, { customerId: data.customerId, status: customer.status }));
  }
  const ownerTeam = customer.owner === null ? null : (context.members.get(customer.owner)?.team ?? null);
  const mayOpen =
    isSystemOrAdmin(actor) ||
    (actor.kind === 'member' && customer.owner === actor.profile.id) ||
    (isManager(actor) && (customer.owner === null || managesTeam(actor, ownerTeam)));
  if (!mayOpen) return E.left(forbidden(command, `customer ${data.customerId} is not theirs`));
  if (data.owner !== undefined && data.owner !== customer.owner && !isSystemOrAdmin(actor) && !isManager(actor)) {
    return E.left(forbidden(command, 'only a manager, an admin or system sets another owner'));
  }
  if (customer.owner === null) return E.left(domainError('CUSTOMER_IN_POOL', `customer ${data.customerId} is in the pool`, { customerId: data.customerId }));
  const owner = data.owner ?? customer.owner;
  if (data.owner !== undefined) {
    const profile = activeMember(context, owner, 'owner');
    if (E.isLeft(profile)) return profile;
  }
  const stage = data.stage ?? context.config.pipeline.stages[0]!.id;
  const probability = stageProbability(context.config, stage);
  if (probability === undefined) return E.left(invalidStage(stage, context));
  return E.right([
    eventOf(command, 'OpportunityOpened', {
      opportunityId: data.opportunityId,
      customerId: data.customerId,
      title: data.title,
      amount: data.amount,
      expectedCloseDate: data.expectedCloseDate,
      stage,
      probability,
      owner,
    }),
  ]);
}
