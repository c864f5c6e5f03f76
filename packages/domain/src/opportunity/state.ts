import type { Money } from '../shared/money.ts';
import type { Timestamp } from '../shared/time.ts';
import type { OpportunityEvent } from './events.ts';

/** An opportunity is open until won or lost; a lost one may be reopened. */
export type OpportunityStatus = 'open' | 'won' | 'lost';

/** An opportunity's stream state (`opportunity-<id>`). */
export interface OpportunityState {
  readonly kind: 'opportunity';
  readonly exists: boolean;
  readonly id: string;
  readonly customerId: string;
  readonly title: string;
  readonly amount: Money;
  readonly expectedCloseDate: string;
  /** The current pipeline stage (for a closed one: the stage it was in when closed). */
  readonly stage: string;
  readonly stageProbability: number;
  /** A revised probability that replaces the stage's until the next stage move. */
  readonly probabilityOverride: number | null;
  readonly status: OpportunityStatus;
  readonly owner: string;
  readonly openedAt: Timestamp | null;
  readonly lastEventAt: Timestamp | null;
}

/** The state of an opportunity stream with no events. */
export const initialOpportunityState: OpportunityState = {
  kind: 'opportunity',
  exists: false,
  id: '',
  customerId: '',
  title: '',
  amount: { currency: 'USD', minor: '0' },
  expectedCloseDate: '',
  stage: '',
  stageProbability: 0,
  probabilityOverride: null,
  status: 'open',
  owner: '',
  openedAt: null,
  lastEventAt: null,
};

/** Folds one opportunity event into the state. Total: never throws. */
export function evolveOpportunity(state: OpportunityState, event: OpportunityEvent): OpportunityState {
  const next: OpportunityState = { ...state, lastEventAt: event.metadata.at };
  switch (event.type) {
    case 'OpportunityOpened': {
      const { data } = event;
      return {
        ...next,
        exists: true,
        id: data.opportunityId,
        customerId: data.customerId,
        title: data.title,
        amount: data.amount,
        expectedCloseDate: data.expectedCloseDate,
        stage: data.stage,
        stageProbability: data.probability,
        probabilityOverride: null,
        status: 'open',
        owner: data.owner,
        openedAt: event.metadata.at,
      };
    }
    case 'OpportunityStageMoved': {
      const { data } = event;
      return { ...next, stage: data.to, stageProbability: data.probability, probabilityOverride: null };
    }
    case 'OpportunityRevised': {
      const { data } = event;
      return {
        ...next,
        ...(data.changes.amount !== undefined ? { amount: data.changes.amount } : {}),
        ...(data.changes.expectedCloseDate !== undefined ? { expectedCloseDate: data.changes.expectedCloseDate } : {}),
        ...(data.changes.probability !== undefined ? { probabilityOverride: data.changes.probability } : {}),
      };
    }
    case 'OpportunityReassigned': {
      const { data } = event;
      return { ...next, owner: data.to };
    }
    case 'OpportunityWon': {
      const { data } = event;
      return { ...next, status: 'won', amount: data.amount };
    }
    case 'OpportunityLost': {
      return { ...next, status: 'lost' };
    }
    case 'OpportunityReopened': {
      const { data } = event;
      return {
        ...next,
        status: 'open',
        stage: data.stage,
        stageProbability: data.probability,
        probabilityOverride: null,
      };
    }
  }
}

/** The probability in force: the override when revised, else the stage's. */
export const effectiveProbability = (state: OpportunityState): number => state.probabilityOverride ?? state.stageProbability;
