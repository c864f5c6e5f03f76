import type { JsonCell, Row } from '../framework/types.ts';
import { json, numberOrNull, text, textOrNull } from '../shared/cells.ts';
import { weightedMinor } from '../shared/moneyTotals.ts';

/**
 * The sales funnel as a sum of per-opportunity contributions. Every figure
 * of projections.md §1 is a count or a sum over opportunities, except
 * `reached`, which depends on the pipeline order *now*; so an opportunity
 * contributes the *set* of stages it has visited (a "path") and the query
 * ranks paths against the pipeline in force when it runs. The same
 * contribution feeds the per-currency running tally the projection keeps
 * (added and subtracted as an opportunity changes) and the sums a filtered
 * query makes over the rows that pass its filters, so both answer alike.
 */

/**
 * The groups of a tally; each maps a key to a vector of integers:
 * - `open` (key `''`): count, amount, weighted amount of open opportunities
 * - `won` (key `''`): count, final amount, summed cycle milliseconds
 * - `lost` (key `''`): count, amount when lost
 * - `reasons` (key: loss reason): count of lost opportunities
 * - `current` (key: stage): count, amount, weighted amount of open ones in it
 * - `forecast` (key: expected close month): weighted amount of open ones
 * - `paths` (key: sorted visited stages): count of open and lost ones
 * - `stays` (key: stage): opportunities with an ended stay in it, their summed milliseconds there
 */
export type TallyGroup = 'open' | 'won' | 'lost' | 'reasons' | 'current' | 'forecast' | 'paths' | 'stays';

/** A stored tally (one currency): group → key → vector of decimal integer strings. All-zero vectors are left out. */
export type TallyCell = { readonly [group: string]: { readonly [key: string]: readonly string[] } };

/** A tally the funnel owns (a draft's copy), changed in place by `TallyChanges.applyInPlace`. */
export type MutableTallyCell = { [group: string]: { [key: string]: string[] } };

/** What an opportunity contributes, read from its row. */
export interface OpportunityFacts {
  readonly currency: string;
  readonly status: string;
  readonly stage: string;
  /** Minor units (final amount when won, amount when lost). */
  readonly amount: bigint;
  /** The override when revised, else the stage's probability when it entered the stage. */
  readonly probability: number;
  /** `YYYY-MM` of the expected close date. */
  readonly closeMonth: string;
  /** The sorted, comma-separated stages it has been in. */
  readonly visited: string;
  readonly lostReason: string | null;
  readonly openedAt: string;
  readonly closedAt: string | null;
  /** Cumulative milliseconds of ended stays per stage. */
  readonly stays: { readonly [stage: string]: number };
}

/**
 * Receives signed contributions: a group, a key and the vector to add (as
 * many components as the group has; missing ones are zero).
 */
export interface TallySink {
  add(group: TallyGroup, key: string, first: bigint, second?: bigint, third?: bigint): void;
}

/** How many components each group's vectors have. */
const WIDTH: { readonly [Group in TallyGroup]: number } = { open: 3, won: 3, lost: 2, reasons: 1, current: 3, forecast: 1, paths: 1, stays: 2 };

const NO_STAYS: { readonly [stage: string]: number } = {};

/**
 * An own entry of a JSON record. Stage ids may be any lower-case word, and
 * `constructor` is one: a plain index would find `Object.prototype`'s.
 */
export const ownEntry = <Value>(record: { readonly [key: string]: Value }, key: string): Value | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;

/** The facts of an opportunity row (see `opportunitiesTable`). */
export function factsOf(row: Row): OpportunityFacts {
  const override = numberOrNull(row, 'probability_override');
  return {
    currency: text(row, 'currency'),
    status: text(row, 'status'),
    stage: text(row, 'stage'),
    amount: BigInt(text(row, 'amount')),
    probability: override ?? numberOrNull(row, 'stage_probability') ?? 0,
    closeMonth: text(row, 'expected_close_date').slice(0, 7),
    visited: text(row, 'stages_visited'),
    lostReason: textOrNull(row, 'lost_reason'),
    openedAt: text(row, 'opened_at'),
    closedAt: textOrNull(row, 'closed_at'),
    stays: json<{ readonly [stage: string]: number }>(row, 'stays') ?? NO_STAYS,
  };
}

/** Everything an opportunity contributes but its stays, with a sign (1 to add it, -1 to take it away). */
function contributeStatus(facts: OpportunityFacts, sign: 1n | -1n, sink: TallySink): void {
  const amount = sign * facts.amount;
  if (facts.status === 'open') {
    const weighted = sign * weightedMinor(facts.amount, facts.probability);
    sink.add('open', '', sign, amount, weighted);
    sink.add('current', facts.stage, sign, amount, weighted);
    sink.add('forecast', facts.closeMonth, weighted);
    sink.add('paths', facts.visited, sign);
  } else if (facts.status === 'won') {
    const cycle = facts.closedAt === null ? 0 : Date.parse(facts.closedAt) - Date.parse(facts.openedAt);
    sink.add('won', '', sign, amount, sign * BigInt(cycle));
  } else {
    sink.add('lost', '', sign, amount);
    sink.add('reasons', facts.lostReason ?? 'other', sign);
    sink.add('paths', facts.visited, sign);
  }
}

const contributeStay = (stage: string, milliseconds: number, sign: 1n | -1n, sink: TallySink): void => sink.add('stays', stage, sign, sign * BigInt(milliseconds));

/** Sends an opportunity's whole contribution, with a sign (1 to add it, -1 to take it away), to a sink. */
export function contribute(facts: OpportunityFacts, sign: 1n | -1n, sink: TallySink): void {
  contributeStatus(facts, sign, sink);
  for (const [stage, milliseconds] of Object.entries(facts.stays)) contributeStay(stage, milliseconds, sign, sink);
}

/**
 * Sends the change of an opportunity's contribution within one currency:
 * the old status part out, the new one in, and only the stays that moved
 * (an event ends at most one stay; the others are not sent at all).
 */
export function contributeChange(before: OpportunityFacts, after: OpportunityFacts, sink: TallySink): void {
  contributeStatus(before, -1n, sink);
  contributeStatus(after, 1n, sink);
  if (before.stays === after.stays) return;
  for (const [stage, now] of Object.entries(after.stays)) {
    const old = ownEntry(before.stays, stage);
    if (old === now) continue;
    if (old !== undefined) contributeStay(stage, old, -1n, sink);
    contributeStay(stage, now, 1n, sink);
  }
  for (const [stage, old] of Object.entries(before.stays)) if (!Object.hasOwn(after.stays, stage)) contributeStay(stage, old, -1n, sink);
}

const SAFE_LIMIT = 9_007_199_254_740_992n;

/** A decimal integer string plus a delta: number arithmetic while it is exact (the common case), else bigint. */
function addDecimal(previous: string | undefined, delta: bigint): string {
  if (previous === undefined) return delta.toString();
  if (delta === 0n) return previous;
  if (previous.length < 16 && delta < SAFE_LIMIT && delta > -SAFE_LIMIT) {
    const sum = Number(previous) + Number(delta);
    if (Number.isSafeInteger(sum)) return String(sum);
  }
  return (BigInt(previous) + delta).toString();
}

interface Pending {
  group: TallyGroup;
  key: string;
  first: bigint;
  second: bigint;
  third: bigint;
}

/**
 * The net change of one currency's tally while an event is applied: the old
 * contribution taken away and the new one added cancel wherever nothing
 * changed, so only the slots that really moved are rewritten. An event
 * touches about ten slots, so they are found by a linear search in a list
 * whose entries are reused from event to event (no key text, no map).
 */
export class TallyChanges implements TallySink {
  private readonly entries: Pending[] = [];
  private size = 0;

  add(group: TallyGroup, key: string, first: bigint, second = 0n, third = 0n): void {
    const entries = this.entries;
    for (let index = 0; index < this.size; index += 1) {
      const entry = entries[index]!;
      if (entry.group === group && entry.key === key) {
        entry.first += first;
        entry.second += second;
        entry.third += third;
        return;
      }
    }
    const reused = entries[this.size];
    if (reused === undefined) entries.push({ group, key, first, second, third });
    else {
      reused.group = group;
      reused.key = key;
      reused.first = first;
      reused.second = second;
      reused.third = third;
    }
    this.size += 1;
  }

  /** True when some slot really moves (the old and new contributions do not cancel out everywhere). */
  get moves(): boolean {
    for (let index = 0; index < this.size; index += 1) {
      const { first, second, third } = this.entries[index]!;
      if (first !== 0n || second !== 0n || third !== 0n) return true;
    }
    return false;
  }

  /** Forgets the changes (when they cancel out). */
  clear(): void {
    this.size = 0;
  }

  /**
   * Applies the net change to a cell the caller owns, in place, in the
   * order the slots were first sent: vectors that become all zero are
   * dropped, and groups left empty with them, so a tally holds only what
   * still counts. The funnel's running tally is a draft, copied once per
   * commit rather than once per event, so its vectors are changed in place.
   */
  applyInPlace(cell: MutableTallyCell): void {
    let emptied: TallyGroup[] | null = null;
    for (let index = 0; index < this.size; index += 1) {
      const { group, key, first, second, third } = this.entries[index]!;
      if (first === 0n && second === 0n && third === 0n) continue;
      const groupRows = (cell[group] ??= {});
      const width = WIDTH[group];
      const vector = ownEntry(groupRows, key);
      if (vector === undefined) {
        const created = [first.toString()];
        if (width > 1) created.push(second.toString());
        if (width > 2) created.push(third.toString());
        if (isZero(created, width)) (emptied ??= []).push(group);
        else groupRows[key] = created;
        continue;
      }
      vector[0] = addDecimal(vector[0], first);
      if (width > 1) vector[1] = addDecimal(vector[1], second);
      if (width > 2) vector[2] = addDecimal(vector[2], third);
      if (isZero(vector, width)) {
        delete groupRows[key];
        (emptied ??= []).push(group);
      }
    }
    this.size = 0;
    for (const group of emptied ?? []) if (Object.keys(cell[group] ?? {}).length === 0) delete cell[group];
  }
}

/** True when the first `width` components of a vector are all zero. */
const isZero = (vector: readonly string[], width: number): boolean => vector[0] === '0' && (width < 2 || vector[1] === '0') && (width < 3 || vector[2] === '0');

/** A tally cell as stored (the JSON cell type). */
export const tallyCell = (row: Row | undefined): TallyCell | null => (row === undefined ? null : json<JsonCell>(row, 'tally') as TallyCell | null);

/**
 * Sums of contributions across currencies, for a query: counts and
 * durations add up across currencies, money stays per currency.
 */
export class TallySum {
  private readonly groups = new Map<TallyGroup, Map<string, Map<string, bigint[]>>>();

  /** Adds one vector of a currency. */
  add(currency: string, group: TallyGroup, key: string, deltas: readonly bigint[]): void {
    let keys = this.groups.get(group);
    if (keys === undefined) {
      keys = new Map();
      this.groups.set(group, keys);
    }
    let currencies = keys.get(key);
    if (currencies === undefined) {
      currencies = new Map();
      keys.set(key, currencies);
    }
    const vector = currencies.get(currency);
    if (vector === undefined) currencies.set(currency, [...deltas]);
    else for (let index = 0; index < deltas.length; index += 1) vector[index] = (vector[index] ?? 0n) + (deltas[index] ?? 0n);
  }

  /** Adds a stored tally of a currency. */
  addCell(currency: string, cell: TallyCell | null): void {
    if (cell === null) return;
    for (const [group, keys] of Object.entries(cell)) {
      for (const [key, vector] of Object.entries(keys)) this.add(currency, group as TallyGroup, key, vector.map((value) => BigInt(value)));
    }
  }

  /** Adds an opportunity row's contribution. */
  addOpportunity(row: Row): void {
    const facts = factsOf(row);
    const sink: TallySink = { add: (group, key, first, second = 0n, third = 0n) => this.add(facts.currency, group, key, [first, second, third].slice(0, WIDTH[group])) };
    contribute(facts, 1n, sink);
  }

  /** The keys of a group. */
  keys(group: TallyGroup): string[] {
    return [...(this.groups.get(group)?.keys() ?? [])];
  }

  /** A component summed across currencies (counts, durations). */
  total(group: TallyGroup, key: string, index: number): bigint {
    let sum = 0n;
    for (const vector of this.groups.get(group)?.get(key)?.values() ?? []) sum += vector[index] ?? 0n;
    return sum;
  }

  /** A component per currency (money). */
  money(group: TallyGroup, key: string, index: number): Map<string, bigint> {
    const totals = new Map<string, bigint>();
    for (const [currency, vector] of this.groups.get(group)?.get(key) ?? []) totals.set(currency, vector[index] ?? 0n);
    return totals;
  }
}
