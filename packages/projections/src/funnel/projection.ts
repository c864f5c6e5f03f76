import { funnelStages, type EventOf, type EventType } from '@eventcrm/domain';
import { draftRow } from '../framework/rows.ts';
import type { DraftRow, ProjectedEvent, ProjectionDefinition, Row, RowRef, RowWriter } from '../framework/types.ts';
import { bool, int, json, text, textOrNull } from '../shared/cells.ts';
import { applyToConfig } from '../shared/configHistory.ts';
import { applyToDirectory, directoryEventTypes } from '../shared/directory.ts';
import { FUNNEL_CONFIG, FUNNEL_CUSTOMERS, FUNNEL_LIFECYCLE, FUNNEL_MEMBERS, FUNNEL_OPPORTUNITIES, FUNNEL_TOTALS, funnelTables } from './tables.ts';
import { contribute, contributeChange, factsOf, ownEntry, TallyChanges, type MutableTallyCell, type OpportunityFacts } from './tally.ts';

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

/** A newly opened opportunity's row. */
function openedOpportunityRow(event: ProjectedEvent & EventOf<'OpportunityOpened'>): Row {
  const at = event.metadata.at;
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

/**
 * Changes an opportunity's row (a draft) as the event says. Cells are
 * replaced, never changed inside: `stays` gets a new object, so facts read
 * from the row before still hold the old stays.
 */
function changeOpportunity(event: ProjectedEvent & EventOf<Exclude<OpportunityEventType, 'OpportunityOpened'>>, row: DraftRow): void {
  const at = event.metadata.at;
  switch (event.type) {
    case 'OpportunityStageMoved':
      row['stays'] = endStay(row, at);
      row['stage'] = event.data.to;
      row['stage_probability'] = event.data.probability;
      row['probability_override'] = null;
      row['stages_visited'] = withVisited(text(row, 'stages_visited'), event.data.to);
      row['stay_started_at'] = at;
      return;
    case 'OpportunityRevised': {
      const { amount, expectedCloseDate, probability } = event.data.changes;
      if (amount !== undefined) {
        row['amount'] = amount.minor;
        row['currency'] = amount.currency;
      }
      if (expectedCloseDate !== undefined) row['expected_close_date'] = expectedCloseDate;
      if (probability !== undefined) row['probability_override'] = probability;
      return;
    }
    case 'OpportunityReassigned':
      row['owner'] = event.data.to;
      return;
    case 'OpportunityWon':
      row['stays'] = endStay(row, at);
      row['status'] = 'won';
      row['amount'] = event.data.amount.minor;
      row['currency'] = event.data.amount.currency;
      row['stay_started_at'] = null;
      row['lost_reason'] = null;
      row['closed_at'] = at;
      return;
    case 'OpportunityLost':
      row['stays'] = endStay(row, at);
      row['status'] = 'lost';
      row['amount'] = event.data.amount.minor;
      row['currency'] = event.data.amount.currency;
      row['stay_started_at'] = null;
      row['lost_reason'] = event.data.reason;
      row['closed_at'] = at;
      return;
    case 'OpportunityReopened':
      row['status'] = 'open';
      row['stage'] = event.data.stage;
      row['stage_probability'] = event.data.probability;
      row['probability_override'] = null;
      row['stages_visited'] = withVisited(text(row, 'stages_visited'), event.data.stage);
      row['stay_started_at'] = at;
      row['lost_reason'] = null;
      row['closed_at'] = null;
      return;
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
}

/** Writes one currency's net tally change (dropping the row once nothing is left in it). */
function writeTotals(rows: RowWriter, currency: string, changes: TallyChanges): void {
  if (!changes.moves) {
    changes.clear();
    return;
  }
  const row = draftRow(rows, FUNNEL_TOTALS, [currency]) ?? { currency, tally: {} };
  const tally = (row['tally'] ?? {}) as MutableTallyCell;
  changes.applyInPlace(tally);
  if (Object.keys(tally).length === 0) {
    rows.delete(FUNNEL_TOTALS, [currency]);
    return;
  }
  row['tally'] = tally;
  rows.put(FUNNEL_TOTALS, row);
}

/** One change set, reused by every event (applying an event is synchronous and leaves it empty). */
const tallyChanges = new TallyChanges();

/** Moves an opportunity's contribution in the running tallies from its old facts to its new ones. */
function updateTotals(rows: RowWriter, oldFacts: OpportunityFacts | undefined, newFacts: OpportunityFacts): void {
  const changes = tallyChanges;
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
  const key = [event.data.opportunityId];
  const before = rows.get(FUNNEL_OPPORTUNITIES, key);
  if (event.type === 'OpportunityOpened') {
    const oldFacts = before === undefined ? undefined : factsOf(before);
    const opened = openedOpportunityRow(event);
    rows.put(FUNNEL_OPPORTUNITIES, opened);
    updateTotals(rows, oldFacts, factsOf(opened));
    return;
  }
  if (before === undefined) return;
  // A reassignment changes only the owner, which no tally holds.
  const oldFacts = event.type === 'OpportunityReassigned' ? undefined : factsOf(before);
  // The draft may be `before` itself: its facts are read above, before it changes.
  const row = draftRow(rows, FUNNEL_OPPORTUNITIES, key)!;
  changeOpportunity(event, row);
  rows.put(FUNNEL_OPPORTUNITIES, row);
  if (oldFacts !== undefined) updateTotals(rows, oldFacts, factsOf(row));
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
  const row = draftRow(rows, FUNNEL_LIFECYCLE, [stage]);
  if (row === undefined) {
    rows.put(FUNNEL_LIFECYCLE, { stage, current: column === 'current' ? by : 0, furthest: column === 'furthest' ? by : 0 });
    return;
  }
  row[column] = int(row, column) + by;
  rows.put(FUNNEL_LIFECYCLE, row);
}

/** Takes a counted customer out of (by = -1) or into (by = 1) the lifecycle counts. */
function count(rows: RowWriter, customer: Row, by: number): void {
  if (!bool(customer, 'active')) return;
  bump(rows, text(customer, 'stage'), 'current', by);
  bump(rows, text(customer, 'furthest'), 'furthest', by);
}

function applyCustomer(event: ProjectedEvent & EventOf<CustomerEventType>, rows: RowWriter): void {
  const key = [event.data.customerId];
  const before = rows.get(FUNNEL_CUSTOMERS, key);
  if (event.type === 'CustomerRegistered') {
    const registered: Row = { customer_id: event.data.customerId, stage: event.data.stage, furthest: furthestAfter(null, event.data.stage), active: true };
    if (before !== undefined) count(rows, before, -1);
    count(rows, registered, 1);
    rows.put(FUNNEL_CUSTOMERS, registered);
    return;
  }
  if (before === undefined) return;
  // Out of the counts as it was, before the draft (which may be `before` itself) changes.
  count(rows, before, -1);
  const row = draftRow(rows, FUNNEL_CUSTOMERS, key)!;
  switch (event.type) {
    case 'CustomerStageChanged':
      row['furthest'] = furthestAfter(textOrNull(row, 'furthest'), event.data.to);
      row['stage'] = event.data.to;
      break;
    case 'CustomerMerged':
    case 'PersonalDataErased':
      // A merged duplicate lives on in its survivor and an erased customer is gone: neither counts any more.
      row['active'] = false;
      break;
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
  count(rows, row, 1);
  rows.put(FUNNEL_CUSTOMERS, row);
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
