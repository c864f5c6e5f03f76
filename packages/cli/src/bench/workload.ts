import { demoHistory, demoOptionsForEvents, type DemoCommand, type ResolvedDemoOptions } from '../demo/history.ts';

/**
 * The benchmark's workload: the demo generator's history scaled to N events
 * (spec/bench.md), with a fixed seed and end date so every run and every
 * store gets the same commands. The last few thousand commands are held back
 * from the bulk import and executed one at a time afterwards: they are the
 * realistic command mix of the history's last days (registrations with
 * unique phones, follow-ups, claims, opportunity moves, tickets), with fresh
 * ids, decided against the state the import built.
 */

/** Commands per `executeBatch` call of the import (the demo command's chunk). */
export const importChunk = 5_000;
/** Commands per atomic append inside `executeBatch` (the demo command's batch size). */
export const importBatchSize = 1_000;

/** A member the queries can ask about. */
export interface SampledMember {
  readonly memberId: string;
  readonly role: string;
}

/** A customer the queries can ask about, with when it was registered (an as-of before that is `NOT_FOUND`). */
export interface SampledCustomer {
  readonly customerId: string;
  readonly registeredMs: number;
}

/** What the queries draw their arguments from, gathered while the history streams by. */
export interface QuerySubjects {
  readonly members: readonly SampledMember[];
  readonly customers: readonly SampledCustomer[];
  readonly startMs: number;
  readonly endMs: number;
  /** Team currencies seen in sales targets (rankings by a money metric need one). */
  readonly currencies: readonly string[];
}

/** A small deterministic PRNG (mulberry32), so query arguments are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const customerSample = 2_000;

/**
 * One pass over the history: `importChunks` yields the commands of the bulk
 * import in chunks; once it is exhausted, `heldBack` holds the last
 * `commands` commands and `subjects` the query arguments.
 */
export class Workload {
  readonly options: ResolvedDemoOptions;
  private readonly held: DemoCommand[] = [];
  private readonly members = new Map<string, SampledMember>();
  private readonly customers: SampledCustomer[] = [];
  private readonly currencies = new Set<string>();
  private customersSeen = 0;
  private startMs = Number.NaN;
  private readonly random: () => number;
  private done = false;

  constructor(
    options: ResolvedDemoOptions,
    private readonly commands: number,
  ) {
    this.options = options;
    this.random = seededRandom(options.seed ^ 0x5bd1e995);
  }

  /** Options for about `events` events with this seed and end (calibrated by simulating a pilot history). */
  static optionsFor(events: number, seed: number, end: string): ResolvedDemoOptions {
    return demoOptionsForEvents(events, seed, end);
  }

  /** The import's commands, `importChunk` at a time; the last `commands` are kept back in `heldBack`. */
  *importChunks(): Generator<DemoCommand[]> {
    if (this.done) throw new Error('Workload.importChunks runs once');
    let chunk: DemoCommand[] = [];
    const history = demoHistory(this.options);
    for (let step = history.next(); step.done !== true; step = history.next()) {
      const command = step.value;
      this.observe(command);
      // A ring would save a copy; the held-back list is a few thousand entries, so a shift per command is cheap enough here.
      this.held.push(command);
      if (this.held.length <= this.commands) continue;
      chunk.push(this.held.shift()!);
      if (chunk.length >= importChunk) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length > 0) yield chunk;
    this.done = true;
  }

  /** The commands executed one at a time after the import. */
  get heldBack(): readonly DemoCommand[] {
    if (!this.done) throw new Error('Workload.heldBack before the import ran');
    return this.held;
  }

  get subjects(): QuerySubjects {
    if (!this.done) throw new Error('Workload.subjects before the import ran');
    return {
      members: [...this.members.values()],
      customers: this.customers,
      startMs: this.startMs,
      endMs: Date.parse(`${this.options.end}T00:00:00.000Z`),
      currencies: this.currencies.size === 0 ? ['USD'] : [...this.currencies].sort(),
    };
  }

  private observe(command: DemoCommand): void {
    if (Number.isNaN(this.startMs)) this.startMs = Date.parse(command.at);
    const data = command.data;
    switch (command.command) {
      case 'RegisterMember':
        if (typeof data['memberId'] === 'string') this.members.set(data['memberId'], { memberId: data['memberId'], role: String(data['role']) });
        break;
      case 'RegisterCustomer': {
        if (typeof data['customerId'] !== 'string') break;
        // Reservoir sampling: an even sample of every registration, in constant memory.
        const customer = { customerId: data['customerId'], registeredMs: Date.parse(command.at) };
        this.customersSeen += 1;
        if (this.customers.length < customerSample) this.customers.push(customer);
        else {
          const slot = Math.floor(this.random() * this.customersSeen);
          if (slot < customerSample) this.customers[slot] = customer;
        }
        break;
      }
      case 'SetSalesTarget': {
        const amount = data['amount'] as { readonly currency?: unknown } | undefined;
        if (typeof amount?.currency === 'string') this.currencies.add(amount.currency);
        break;
      }
      default:
        break;
    }
  }
}
