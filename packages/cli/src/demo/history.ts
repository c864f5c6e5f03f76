import type { DemoCommand, DemoHistorySummary } from './historyModel.ts';
import { HistorySimulation, type SimulationSettings } from './historySimulation.ts';

export type { DemoCommand, DemoHistorySummary } from './historyModel.ts';

/** What shapes a demo history. */
export interface DemoHistoryOptions {
  /** Same seed and same options give byte-identical commands. A safe integer. */
  readonly seed: number;
  /** The UTC date (`YYYY-MM-DD`) the history ends on: every command lies before its midnight. */
  readonly end: string;
  /** Members over the whole history: an admin, 3–4 teams (more for large sizes) with a manager and reps, new hires. Default 30, at least 8. */
  readonly members?: number;
  /** Customers registered over the history (about 40% by reps, the rest imported to the pool). Default 3000, at least 10. */
  readonly customers?: number;
  /** Length of the history in calendar months before `end`. Default 12, 1–120. */
  readonly months?: number;
}

/** The options with every default filled in. */
export type ResolvedDemoOptions = Required<DemoHistoryOptions>;

/** The defaults of the `demo` command (cli.md). */
export const demoDefaults = { members: 30, customers: 3000, months: 12 } as const;

/** Customers per member the defaults imply; `demoOptionsForEvents` keeps it so a rep's workload stays realistic at any size. */
const CUSTOMERS_PER_MEMBER = demoDefaults.customers / demoDefaults.members;
const MIN_MEMBERS = 8;
const MIN_CUSTOMERS = 10;

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new RangeError(`demo history: ${name} must be a whole number from ${min} to ${max}, got ${value}`);
  return value;
}

function endOf(end: string): number {
  const match = datePattern.exec(end);
  const millis = match === null ? Number.NaN : Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (Number.isNaN(millis) || new Date(millis).toISOString().slice(0, 10) !== end) throw new RangeError(`demo history: end must be a date YYYY-MM-DD, got ${JSON.stringify(end)}`);
  return millis;
}

/** Fills in the defaults and checks every option; a bad option is a `RangeError` naming it. */
export function resolveDemoOptions(options: DemoHistoryOptions): ResolvedDemoOptions {
  const resolved = {
    seed: integerIn('seed', options.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    end: options.end,
    members: integerIn('members', options.members ?? demoDefaults.members, MIN_MEMBERS, 100_000),
    customers: integerIn('customers', options.customers ?? demoDefaults.customers, MIN_CUSTOMERS, 50_000_000),
    months: integerIn('months', options.months ?? demoDefaults.months, 1, 120),
  };
  endOf(resolved.end);
  return resolved;
}

function settingsOf(options: ResolvedDemoOptions): SimulationSettings {
  const endMs = endOf(options.end);
  const end = new Date(endMs);
  const startMs = Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - options.months, end.getUTCDate());
  if (startMs < Date.UTC(1971, 0, 1)) throw new RangeError('demo history: the history would start before 1971');
  return { seed: options.seed, members: options.members, customers: options.customers, startMs, endMs };
}

/**
 * A realistic, seeded CRM history as raw command inputs (`{ command, id,
 * actor, at, data }`, the NDJSON lines of cli.md), in effective-time order,
 * produced lazily: the history is simulated as it is consumed, so millions
 * of commands stream in constant memory (proportional to the active
 * customers, deals and tickets, not to the commands).
 *
 * Executed in order through a `CommandExecutor` with the policies inline,
 * every command is accepted, except a few deliberate duplicate
 * registrations rejected with `DUPLICATE_CUSTOMER` (their ids are in the
 * summary the generator returns when it is done, with the number of events
 * the history appends). Options are checked at once (`RangeError`).
 */
export function demoHistory(options: DemoHistoryOptions): Generator<DemoCommand, DemoHistorySummary, undefined> {
  return new HistorySimulation(settingsOf(resolveDemoOptions(options))).run();
}

/** Runs a whole history without keeping its commands, for its summary. */
export function summariseDemoHistory(options: DemoHistoryOptions): DemoHistorySummary {
  const history = demoHistory(options);
  for (;;) {
    const step = history.next();
    if (step.done === true) return step.value;
  }
}

/** Members for a customer count, at the defaults' ratio. */
export const demoMembersFor = (customers: number): number => Math.max(MIN_MEMBERS, Math.round(customers / CUSTOMERS_PER_MEMBER));

/** A pilot this size (about 100k events) calibrates larger histories by extrapolation. */
const PILOT_CUSTOMERS = 3_000;
/** Below this many customers a year-long history gets thin: the history is shortened instead. */
const SMALL_CUSTOMERS = 120;

/**
 * Options whose history has about `targetEvents` events (within ±10%): the
 * benchmark's workload (`--events 1m`). It scales the customers, and the
 * members with them (at the defaults' ratio, so every rep's day looks the
 * same at any size); tiny targets shorten the history instead. Calibrated by
 * simulating (not executing) a pilot history of at most ~100k events with
 * the same seed and end, then the exact candidate when that is as cheap.
 */
export function demoOptionsForEvents(targetEvents: number, seed: number, end: string): ResolvedDemoOptions {
  integerIn('targetEvents', targetEvents, 100, 1_000_000_000);
  const optionsFor = (customers: number, months: number): ResolvedDemoOptions =>
    resolveDemoOptions({ seed, end, months, customers: Math.max(MIN_CUSTOMERS, customers), members: demoMembersFor(customers) });
  const eventsOf = (options: ResolvedDemoOptions): number => summariseDemoHistory(options).events;

  let months: number = demoDefaults.months;
  const pilot = optionsFor(PILOT_CUSTOMERS, months);
  let perCustomer = eventsOf(pilot) / pilot.customers;
  let customers = Math.round(targetEvents / perCustomer);
  if (customers < SMALL_CUSTOMERS) {
    months = Math.max(1, Math.min(demoDefaults.months, Math.round((demoDefaults.months * customers) / SMALL_CUSTOMERS)));
    const shortPilot = optionsFor(SMALL_CUSTOMERS, months);
    perCustomer = eventsOf(shortPilot) / shortPilot.customers;
    customers = Math.round(targetEvents / perCustomer);
  }
  let best = optionsFor(customers, months);
  if (best.customers > PILOT_CUSTOMERS) return best;
  // Cheap enough to check exactly: correct proportionally, keeping the closest.
  let bestError = Infinity;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const candidate = optionsFor(customers, months);
    const events = eventsOf(candidate);
    const error = Math.abs(events - targetEvents) / targetEvents;
    if (error < bestError) {
      best = candidate;
      bestError = error;
    }
    if (error <= 0.03) break;
    customers = Math.max(MIN_CUSTOMERS, Math.round((candidate.customers * targetEvents) / events));
  }
  return best;
}
