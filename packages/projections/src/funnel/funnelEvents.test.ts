import { defaultConfig, type CrmEvent, type LifecycleStage, type LossReason, type Money, type PipelineStage } from '@eventcrm/domain';
import { event } from '@eventcrm/domain/testing';

/**
 * Event builders for the funnel specs (a `.test.ts` file: type-checked,
 * never built nor run as a spec). Times are given in days after
 * `2026-01-01T00:00:00.000Z`, fractions allowed, so durations in the
 * expectations can be computed by hand.
 */

const EPOCH = Date.parse('2026-01-01T00:00:00.000Z');
const DAY = 86_400_000;

/** The instant `days` days after 2026-01-01T00:00Z. */
export const day = (days: number): string => new Date(EPOCH + Math.round(days * DAY)).toISOString();

export const usd = (minor: string | number): Money => ({ currency: 'USD', minor: String(minor) });
export const eur = (minor: string | number): Money => ({ currency: 'EUR', minor: String(minor) });
export const jpy = (minor: string | number): Money => ({ currency: 'JPY', minor: String(minor) });

/** The default pipeline's probabilities. */
export const probabilityOf: { readonly [stage: string]: number } = Object.fromEntries(defaultConfig.pipeline.stages.map((stage) => [stage.id, stage.probability]));

export const member = (memberId: string, team: string | null, at = 0): CrmEvent =>
  event('MemberRegistered', { memberId, name: memberId, role: 'rep', team }, { at: day(at) });

export const teamMove = (memberId: string, from: string | null, to: string, at: number): CrmEvent =>
  event('MemberMovedToTeam', { memberId, from, to }, { at: day(at) });

/** A configuration change that sets the pipeline (the rest stays default). */
export const pipeline = (stages: readonly PipelineStage[], at: number): CrmEvent =>
  event('ConfigurationChanged', { changes: { pipeline: { stages: [...stages] } }, config: { ...defaultConfig, pipeline: { stages } } }, { at: day(at) });

export interface Opening {
  readonly owner?: string;
  readonly amount?: Money;
  readonly stage?: string;
  readonly probability?: number;
  readonly close?: string;
  readonly customerId?: string;
}

export const opened = (opportunityId: string, at: number, opening: Opening = {}): CrmEvent => {
  const stage = opening.stage ?? 'prospecting';
  return event(
    'OpportunityOpened',
    {
      opportunityId,
      customerId: opening.customerId ?? 'c-1',
      title: `deal ${opportunityId}`,
      amount: opening.amount ?? usd(100000),
      expectedCloseDate: opening.close ?? '2026-03-31',
      stage,
      probability: opening.probability ?? probabilityOf[stage] ?? 0,
      owner: opening.owner ?? 'u-alice',
    },
    { at: day(at) },
  );
};

export const moved = (opportunityId: string, from: string, to: string, at: number, probability = probabilityOf[to] ?? 0): CrmEvent =>
  event('OpportunityStageMoved', { opportunityId, from, to, probability }, { at: day(at) });

export const revised = (
  opportunityId: string,
  changes: { readonly amount?: Money; readonly expectedCloseDate?: string; readonly probability?: number },
  at: number,
): CrmEvent => event('OpportunityRevised', { opportunityId, changes, previous: {} }, { at: day(at) });

export const reassigned = (opportunityId: string, from: string, to: string, at: number): CrmEvent =>
  event('OpportunityReassigned', { opportunityId, from, to }, { at: day(at) });

export const won = (opportunityId: string, amount: Money, stage: string, at: number, owner = 'u-alice'): CrmEvent =>
  event('OpportunityWon', { opportunityId, customerId: 'c-1', owner, amount, stage }, { at: day(at) });

export const lost = (opportunityId: string, reason: LossReason, amount: Money, stage: string, at: number, owner = 'u-alice'): CrmEvent =>
  event('OpportunityLost', { opportunityId, customerId: 'c-1', owner, reason, competitor: null, note: null, amount, stage }, { at: day(at) });

export const reopened = (opportunityId: string, stage: string, at: number, probability = probabilityOf[stage] ?? 0): CrmEvent =>
  event('OpportunityReopened', { opportunityId, stage, probability }, { at: day(at) });

export const registered = (customerId: string, stage: LifecycleStage, at = 0): CrmEvent =>
  event(
    'CustomerRegistered',
    {
      customerId,
      name: 'opaque',
      kind: 'company',
      phone: 'opaque',
      email: null,
      address: null,
      industry: null,
      region: null,
      source: 'web',
      importance: 'B',
      stage,
      owner: 'u-alice',
      possibleDuplicateOf: [],
    },
    { at: day(at) },
  );

export const stageChanged = (customerId: string, from: LifecycleStage, to: LifecycleStage, at: number): CrmEvent =>
  event('CustomerStageChanged', { customerId, from, to, reason: null }, { at: day(at) });

export const merged = (customerId: string, survivorId: string, at: number): CrmEvent =>
  event('CustomerMerged', { customerId, survivorId, owner: 'u-alice' }, { at: day(at) });

export const erased = (customerId: string, at: number): CrmEvent => event('PersonalDataErased', { customerId }, { at: day(at) });
