import { funnelStages, type EventOf, type EventType } from '@eventcrm/domain';
import type { ProjectedEvent, ProjectionDefinition, Row, RowRef, RowWriter } from '../framework/types.ts';
import { bool, int, json, text, textOrNull } from '../shared/cells.ts';
import { applyToConfig } from '../shared/configHistory.ts';
import { applyToDirectory, directoryEventTypes } from '../shared/directory.ts';
import { FUNNEL_CONFIG, FUNNEL_CUSTOMERS, FUNNEL_LIFECYCLE, FUNNEL_MEMBERS, FUNNEL_OPPORTUNITIES, FUNNEL_TOTALS, funnelTables } from './tables.ts';
import { contribute, contributeChange, factsOf, ownEntry, TallyChanges, tallyCell } from './tally.ts';

const opportunityEventTypes = [
  'OpportunityOpened',
  'OpportunityStageMoved',
  'OpportunityRevised',
  'OpportunityReassigned',
  'OpportunityWon',
  'OpportunityLost',
  'OpportunityReopened',
] as const satisfies readonly EventType[];

const customerEventTypes = ['CustomerRegistered', 'CustomerStageChanged', 'CustomerMerged', 'PersonalDataErased'] as const satisfies readonly EventType[];

type OpportunityEventType = (typeof opportunityEventTypes)[number];
type CustomerEventType = (typeof customerEventTypes)[number];
type Stays = { readonly [stage: string]: number };

const isOpportunityEvent = (event: ProjectedEvent): event is ProjectedEvent & EventOf<OpportunityEventType> =>
  (opportunityEventTypes as readonly string[]).includes(event.type);
const isCustomerEvent = (event: ProjectedEvent): event is ProjectedEvent & EventOf<CustomerEventType> => (customerEventTypes as readonly string[]).includes(event.type);

// ---------------------------------------------------------------- opportunities

/** The visited set with one more stage (kept sorted, so equal sets have equal keys). */
function withVisited(visited: string, stage: string): string {
  const stages = visited === '' ? [] : visited.split(',');
  if (stages.includes(stage)) return visited;
  stages.push(stage);
  return stages.sort().join(',');
}

/** The ended stays once the current stay (if any) ends at `at`: a move, a win or a loss ends it. */
function endStay(row: Row, at: string): Stays {
  const stays = json<Stays>(row, 'stays') ?? {};
  const startedAt = textOrNull(row, 'stay_started_at');
  if (text(row, 'status') !== 'open' || startedAt === null) return stays;
  const stage = text(row, 'stage');
  const elapsed = Math.max(0, Date.parse(at) - Date.parse(startedAt));
  return { ...stays, [stage]: (ownEntry(stays, stage) ?? 0) + elapsed };
}

/** The opportunity's row after the event, or undefined when the event concerns an opportunity never opened. */
function nextOpportunityRow(event: ProjectedEvent & EventOf<OpportunityEventType>, before: Row | undefined): Row | undefined {
  const at = event.metadata.at;
  if (event.type === 'OpportunityOpened') {
    const data = event.data;
    return {
      opportunity_id: data.opportunityId,
      owner: data.owner,
      opened_at: at,
      currency: data.amount.currency,
      status: 'open',
      stage: data.stage,
      amount: data.amount.minor,
      stage_probability: data.probability,
      probability_override: null,
      expected_close_date: data.expectedCloseDate,
      stages_visited: data.stage,
      stays: {},
      stay_started_at: at,
      lost_reason: null,
      closed_at: null,
    };
  }
  if (before === undefined) return undefined;
  switch (event.type) {
    case 'OpportunityStageMoved':
      return {
        ...before,
        stays: endStay(before, at),
        stage: event.data.to,
        stage_probability: event.data.probability,
        probability_override: null,
        stages_visited: withVisited(text(before, 'stages_visited'), event.data.to),
        stay_started_at: at,
      };
    case 'OpportunityRevised': {
      const { amount, expectedCloseDate, probability } = event.data.changes;
      return {
        ...before,
        ...(amount === undefined ? {} : { amount: amount.minor, currency: amount.currency }),
        ...(expectedCloseDate === undefined ? {} : { expected_close_date: expectedCloseDate }),
        ...(probability === undefined ? {} : { probability_override: probability }),
      };
    }
    case 'OpportunityReassigned':
      return { ...before, owner: event.data.to };
    case 'OpportunityWon':
      return {
        ...before,
        stays: endStay(before, at),
        status: 'won',
        amount: event.data.amount.minor,
        currency: event.data.amount.currency,
        stay_started_at: null,
        lost_reason: null,
        closed_at: at,
      };
    case 'OpportunityLost':
      return {
        ...before,
        stays: endStay(before, at),
        status: 'lost',
        amount: event.data.amount.minor,
        currency: event.data.amount.currency,
        stay_started_at: null,
        lost_reason: event.data.reason,
        closed_at: at,
      };
    case 'OpportunityReopened':
      return {
        ...before,
        status: 'open',
        stage: event.data.stage,
        stage_probability: event.data.probability,
        probability_override: null,
        stages_visited: withVisited(text(before, 'stages_visited'), event.data.stage),
        stay_started_at: at,
        lost_reason: null,
        closed_at: null,
      };
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
}

/** Writes one currency's net tally change (dropping the row once nothing is left in it). */
function writeTotals(rows: RowWriter, currency: string, changes: TallyChanges): void {
  const cell = tallyCell(rows.get(FUNNEL_TOTALS, [currency]));
  const next = changes.applyTo(cell);
  if (next === cell) return;
  if (next === null || Object.keys(next).length === 0) rows.delete(FUNNEL_TOTALS, [currency]);
  else rows.put(FUNNEL_TOTALS, { currency, tally: next });
}

/** Moves an opportunity's contribution in the running tallies from its old row to its new one. */
function updateTotals(rows: RowWriter, before: Row | undefined, after: Row): void {
  const newFacts = factsOf(after);
  const oldFacts = before === undefined ? undefined : factsOf(before);
  const changes = new TallyChanges();
  if (oldFacts === undefined) {
    contribute(newFacts, 1n, changes);
  } else if (oldFacts.currency === newFacts.currency) {
    contributeChange(oldFacts, newFacts, changes);
  } else {
    // A revision into another currency moves the whole opportunity to that currency's tally.
    contribute(oldFacts, -1n, changes);
    writeTotals(rows, oldFacts.currency, changes);
    contribute(newFacts, 1n, changes);
  }
  writeTotals(rows, newFacts.currency, changes);
}

function applyOpportunity(event: ProjectedEvent & EventOf<OpportunityEventType>, rows: RowWriter): void {
  const before = rows.get(FUNNEL_OPPORTUNITIES, [event.data.opportunityId]);
  const after = nextOpportunityRow(event, before);
  if (after === undefined) return;
  rows.put(FUNNEL_OPPORTUNITIES, after);
  // A reassignment changes only the owner, which no tally holds.
  if (event.type !== 'OpportunityReassigned') updateTotals(rows, before, after);
}

// ---------------------------------------------------------------- customers

const funnelIndex = (stage: string): number => (funnelStages as readonly string[]).indexOf(stage);

/**
 * The furthest funnel stage after being in `stage`. Every registered
 * customer has reached `potential`, the funnel's entry (even one
 * registered straight as dormant); `dormant` itself never advances it.
 */
function furthestAfter(furthest: string | null, stage: string): string {
  const known = furthest === null ? 0 : Math.max(0, funnelIndex(furthest));
  return funnelStages[Math.max(known, funnelIndex(stage))] ?? 'potential';
}

function bump(rows: RowWriter, stage: string, column: 'current' | 'furthest', by: number): void {
  const row = rows.get(FUNNEL_LIFECYCLE, [stage]);
  const current = row === undefined ? 0 : int(row, 'current');
  const furthest = row === undefined ? 0 : int(row, 'furthest');
  rows.put(FUNNEL_LIFECYCLE, { stage, current: column === 'current' ? current + by : current, furthest: column === 'furthest' ? furthest + by : furthest });
}

/** Takes a counted customer out of (by = -1) or into (by = 1) the lifecycle counts. */
function count(rows: RowWriter, customer: Row, by: number): void {
  if (!bool(customer, 'active')) return;
  bump(rows, text(customer, 'stage'), 'current', by);
  bump(rows, text(customer, 'furthest'), 'furthest', by);
}

function applyCustomer(event: ProjectedEvent & EventOf<CustomerEventType>, rows: RowWriter): void {
  const customerId = event.data.customerId;
  const before = rows.get(FUNNEL_CUSTOMERS, [customerId]);
  let after: Row;
  switch (event.type) {
    case 'CustomerRegistered':
      after = { customer_id: customerId, stage: event.data.stage, furthest: furthestAfter(null, event.data.stage), active: true };
      break;
    case 'CustomerStageChanged':
      if (before === undefined) return;
      after = { ...before, stage: event.data.to, furthest: furthestAfter(textOrNull(before, 'furthest'), event.data.to) };
      break;
    case 'CustomerMerged':
    case 'PersonalDataErased':
      // A merged duplicate lives on in its survivor and an erased customer is gone: neither counts any more.
      if (before === undefined) return;
      after = { ...before, active: false };
      break;
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
  if (before !== undefined) count(rows, before, -1);
  count(rows, after, 1);
  rows.put(FUNNEL_CUSTOMERS, after);
}

// ---------------------------------------------------------------- definition

/**
 * The `funnel` projection: the sales funnel and the customer lifecycle
 * funnel of projections.md §1. Per opportunity it keeps one row with the
 * columns the filters need (current owner, open time, current currency) and
 * what each definition counts (status, stage, visited stages, ended stays,
 * amounts and probabilities); per currency it keeps a running tally of the
 * same figures so an unfiltered or currency-only funnel reads a few rows.
 * Per customer it keeps its stage and furthest funnel stage, and per
 * lifecycle stage the counts. Its own directory and configuration history
 * serve the team filter and the pipeline order in force now.
 */
export const funnelProjection: ProjectionDefinition = {
  name: 'funnel',
  version: 1,
  tables: funnelTables,
  eventTypes: [...directoryEventTypes, 'ConfigurationChanged', ...opportunityEventTypes, ...customerEventTypes],
  rowsNeeded(event: ProjectedEvent): readonly RowRef[] {
    if (isOpportunityEvent(event)) return [{ table: FUNNEL_OPPORTUNITIES, key: [event.data.opportunityId] }];
    if (isCustomerEvent(event)) return [{ table: FUNNEL_CUSTOMERS, key: [event.data.customerId] }];
    return [];
  },
  apply(event: ProjectedEvent, rows: RowWriter): void {
    if (isOpportunityEvent(event)) applyOpportunity(event, rows);
    else if (isCustomerEvent(event)) applyCustomer(event, rows);
    else if (!applyToDirectory(FUNNEL_MEMBERS, event, rows)) applyToConfig(FUNNEL_CONFIG, event, rows);
  },
};
