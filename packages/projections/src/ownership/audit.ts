import type { DomainError } from '@eventcrm/domain';
import type { ProjectedEvent, ReadModelReader } from '../framework/types.ts';
import { boundary, ownershipChangeOf, type OwnershipEndReason, type OwnershipEventType, type OwnershipHistory, type OwnershipPeriod } from './model.ts';
import { ownershipHistory } from './queries.ts';

/**
 * The audit replay of projections.md §2: the customer's ownership facts as
 * the event store recorded them, the history those facts imply, and every
 * way the read model's history differs from it. Pure: the runtime reads the
 * stream straight from the event store and hands the events in.
 */

/** One ownership fact of a customer's stream, with everything needed to find it again in the store. */
export interface OwnershipFact {
  readonly revision: number;
  readonly position: string;
  readonly eventId: string;
  readonly type: OwnershipEventType;
  readonly actor: string;
  readonly commandId: string;
  readonly at: string;
  readonly reason: 'registered' | OwnershipEndReason;
  /** The sub-reason (transfer/release reason, recycle rule) or, for a merge, the survivor id. */
  readonly detail?: string;
  /** The owner before, as the event records it (`null`: the pool, or nothing yet at registration). */
  readonly from: string | null;
  /** The owner after (`null`: the pool, or nothing at all after a merge). */
  readonly to: string | null;
}

/** What a difference is about. */
export type OwnershipDifferenceKind =
  | 'missing_customer'
  | 'unexpected_customer'
  | 'missing_period'
  | 'extra_period'
  | 'wrong_order'
  | 'wrong_owner'
  | 'wrong_time'
  | 'wrong_reason'
  | 'wrong_actor'
  | 'wrong_event'
  | 'wrong_current_owner'
  | 'wrong_merge';

/**
 * One way the read model disagrees with the log. `periodIndex` is the
 * period's index in the history the log implies (for an extra period: its
 * index in the read model's history; `null` for customer-level
 * differences); `readModelIndex` is where the read model has that period;
 * `field` names the value that differs (`owner`, `from`, `to`,
 * `start.reason`, `end.detail`, ...).
 */
export interface OwnershipDifference {
  readonly kind: OwnershipDifferenceKind;
  readonly periodIndex: number | null;
  readonly readModelIndex: number | null;
  readonly field: string | null;
  readonly expected: unknown;
  readonly actual: unknown;
  readonly message: string;
}

/** The audit report: `{ customerId, facts, differences, consistent }`, plus the history the log implies. */
export interface OwnershipAudit {
  readonly customerId: string;
  readonly facts: readonly OwnershipFact[];
  readonly differences: readonly OwnershipDifference[];
  readonly consistent: boolean;
  readonly fromLog: OwnershipHistory;
}

const isFact = (item: ProjectedEvent | OwnershipFact): item is OwnershipFact => !('metadata' in item);

/**
 * The ownership facts among a customer's stream events, in stream order
 * (other events of the stream are left out).
 */
export function ownershipFactsOf(events: readonly ProjectedEvent[]): OwnershipFact[] {
  const facts: OwnershipFact[] = [];
  for (const event of events) {
    const change = ownershipChangeOf(event);
    if (change === undefined) continue;
    const common = {
      revision: event.revision,
      position: event.position,
      eventId: event.eventId,
      type: event.type as OwnershipEventType,
      actor: event.metadata.actor,
      commandId: event.metadata.commandId,
      at: event.metadata.at,
      reason: change.reason,
    };
    facts.push(change.detail === null ? { ...common, from: change.from, to: change.to } : { ...common, detail: change.detail, from: change.from, to: change.to });
  }
  return facts.sort((a, b) => a.revision - b.revision);
}

/**
 * The history a customer's ownership facts imply, by the rules of
 * projections.md §2, computed in memory independently of the read model's
 * rows: the reference the read model is checked against.
 */
export function historyFromFacts(customerId: string, facts: readonly OwnershipFact[]): OwnershipHistory {
  const periods: OwnershipPeriod[] = [];
  let open: { -readonly [Key in keyof OwnershipPeriod]: OwnershipPeriod[Key] } | null = null;
  let registered = false;
  let mergedInto: string | null = null;
  for (const fact of facts) {
    const detail = fact.detail ?? null;
    if (fact.reason === 'registered') {
      if (registered) continue;
      registered = true;
    } else {
      if (open === null) continue;
      open.to = fact.at;
      open.end = boundary(fact.reason, detail, fact.actor);
      open = null;
      if (fact.reason === 'merged') {
        mergedInto = detail;
        continue;
      }
    }
    open = { owner: fact.to, from: fact.at, to: null, start: boundary(fact.reason, detail, fact.actor), end: null, eventId: fact.eventId, position: fact.position };
    periods.push(open);
  }
  const last = periods.at(-1);
  return { customerId, currentOwner: mergedInto === null && last !== undefined ? last.owner : null, mergedInto, periods };
}

const show = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value));

function difference(kind: OwnershipDifferenceKind, periodIndex: number | null, readModelIndex: number | null, field: string | null, expected: unknown, actual: unknown): OwnershipDifference {
  const where = periodIndex === null ? 'customer' : `period ${periodIndex}`;
  const what = field === null ? kind.replace(/_/g, ' ') : field;
  return {
    kind,
    periodIndex,
    readModelIndex,
    field,
    expected,
    actual,
    message: `${where}: ${what}: the log says ${show(expected)}, the read model says ${show(actual)}`,
  };
}

function comparePeriods(index: number, readModelIndex: number, expected: OwnershipPeriod, actual: OwnershipPeriod, out: OwnershipDifference[]): void {
  const check = (kind: OwnershipDifferenceKind, field: string, wanted: unknown, found: unknown): void => {
    if ((wanted ?? null) !== (found ?? null)) out.push(difference(kind, index, readModelIndex, field, wanted ?? null, found ?? null));
  };
  check('wrong_owner', 'owner', expected.owner, actual.owner);
  check('wrong_time', 'from', expected.from, actual.from);
  check('wrong_time', 'to', expected.to, actual.to);
  check('wrong_reason', 'start.reason', expected.start.reason, actual.start.reason);
  check('wrong_reason', 'start.detail', expected.start.detail, actual.start.detail);
  check('wrong_actor', 'start.actor', expected.start.actor, actual.start.actor);
  check('wrong_event', 'position', expected.position, actual.position);
  if (expected.end === null || actual.end === null) {
    if (expected.end !== actual.end) out.push(difference('wrong_reason', index, readModelIndex, 'end', expected.end, actual.end));
    return;
  }
  check('wrong_reason', 'end.reason', expected.end.reason, actual.end.reason);
  check('wrong_reason', 'end.detail', expected.end.detail, actual.end.detail);
  check('wrong_actor', 'end.actor', expected.end.actor, actual.end.actor);
}

/**
 * Checks a read model's ownership history against the facts of the
 * customer's stream and builds the audit report. Periods are paired by the
 * event that started them (each period has its own), so one missing or
 * extra period is reported once instead of shifting every later one; paired
 * periods are compared field by field, and pairs out of order are
 * `wrong_order`. `readModelHistory` is what `ownershipHistory` answered: a
 * `NOT_FOUND` for a customer the log knows is `missing_customer`.
 */
export function compareOwnership(
  factsFromLog: readonly ProjectedEvent[] | readonly OwnershipFact[],
  readModelHistory: OwnershipHistory | DomainError,
): OwnershipAudit {
  const found = 'periods' in readModelHistory ? readModelHistory : null;
  const errorCustomer: unknown = 'periods' in readModelHistory ? undefined : readModelHistory.details?.['customerId'];
  const customerId = found?.customerId ?? (typeof errorCustomer === 'string' ? errorCustomer : '');
  const items: readonly (ProjectedEvent | OwnershipFact)[] = factsFromLog;
  const facts = items.every(isFact) ? [...items].sort((a, b) => a.revision - b.revision) : ownershipFactsOf(items.filter((item): item is ProjectedEvent => !isFact(item)));
  const fromLog = historyFromFacts(customerId, facts);
  const differences: OwnershipDifference[] = [];
  const known = fromLog.periods.length > 0;

  if (found === null) {
    if (known) differences.push(difference('missing_customer', null, null, null, customerId, null));
  } else if (!known) {
    differences.push(difference('unexpected_customer', null, null, null, null, customerId));
  }
  const actual = found?.periods ?? [];

  // Pair periods by their starting event id; duplicates pair in order.
  const byEvent = new Map<string, number[]>();
  actual.forEach((period, index) => {
    const list = byEvent.get(period.eventId) ?? [];
    list.push(index);
    byEvent.set(period.eventId, list);
  });
  const paired = new Set<number>();
  let lastPaired = -1;
  fromLog.periods.forEach((expected, index) => {
    const readModelIndex = byEvent.get(expected.eventId)?.shift();
    if (readModelIndex === undefined) {
      differences.push(difference('missing_period', index, null, null, expected, null));
      return;
    }
    paired.add(readModelIndex);
    if (readModelIndex < lastPaired) differences.push(difference('wrong_order', index, readModelIndex, null, index, readModelIndex));
    lastPaired = Math.max(lastPaired, readModelIndex);
    comparePeriods(index, readModelIndex, expected, actual[readModelIndex]!, differences);
  });
  actual.forEach((period, index) => {
    if (!paired.has(index)) differences.push(difference('extra_period', index, index, null, null, period));
  });

  if (found !== null && known) {
    if (found.currentOwner !== fromLog.currentOwner) {
      differences.push(difference('wrong_current_owner', null, null, 'currentOwner', fromLog.currentOwner, found.currentOwner));
    }
    if (found.mergedInto !== fromLog.mergedInto) differences.push(difference('wrong_merge', null, null, 'mergedInto', fromLog.mergedInto, found.mergedInto));
  }
  return { customerId, facts, differences, consistent: differences.length === 0, fromLog };
}

/**
 * The audit replay in one call: the read model's history of the customer
 * (through `ownershipHistory`) checked against the events of its stream,
 * which the caller read straight from the event store.
 */
export async function auditOwnership(reader: ReadModelReader, customerId: string, streamEvents: readonly ProjectedEvent[]): Promise<OwnershipAudit> {
  return compareOwnership(streamEvents, await ownershipHistory(reader, customerId));
}
