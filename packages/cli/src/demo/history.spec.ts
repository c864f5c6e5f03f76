import { createHash } from 'node:crypto';
import { CommandExecutor, createInMemoryEventStore, EventCodec, ManualClock, type ExecutionOutcome, type RecordedEvent } from '@eventcrm/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoHistory, demoOptionsForEvents, resolveDemoOptions, summariseDemoHistory, type DemoCommand, type DemoHistoryOptions, type DemoHistorySummary } from './history.ts';

const end = '2026-03-01';
const endInstant = `${end}T00:00:00.000Z`;

function collect(options: DemoHistoryOptions): { commands: DemoCommand[]; summary: DemoHistorySummary } {
  const commands: DemoCommand[] = [];
  const history = demoHistory(options);
  for (;;) {
    const step = history.next();
    if (step.done === true) return { commands, summary: step.value };
    commands.push(step.value);
  }
}

/** A digest of the NDJSON lines a history prints. */
function digest(options: DemoHistoryOptions): string {
  const hash = createHash('sha256');
  for (const command of demoHistory(options)) hash.update(`${JSON.stringify(command)}\n`);
  return hash.digest('hex');
}

const small: DemoHistoryOptions = { seed: 7, end, customers: 300, members: 10, months: 6 };

describe('demoHistory: determinism and shape', () => {
  it('gives byte-identical commands for the same seed and options', () => {
    expect(digest(small)).toBe(digest({ ...small }));
    expect(collect(small).summary).toEqual(collect(small).summary);
  });

  it('gives another history for another seed, and for other options', () => {
    const reference = digest(small);
    expect(digest({ ...small, seed: 8 })).not.toBe(reference);
    expect(digest({ ...small, customers: 301 })).not.toBe(reference);
    expect(digest({ ...small, end: '2026-03-02' })).not.toBe(reference);
  });

  it('produces raw NDJSON command inputs, unique ids, in effective-time order, within the months before end', () => {
    const { commands, summary } = collect(small);
    const start = '2025-09-01T00:00:00.000Z';
    const ids = new Set<string>();
    let previous = '';
    for (const command of commands) {
      expect(Object.keys(command).sort()).toEqual(['actor', 'at', 'command', 'data', 'id']);
      expect(JSON.parse(JSON.stringify(command))).toEqual(command);
      expect(command.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(new Date(command.at).toISOString()).toBe(command.at);
      expect(command.at >= previous).toBe(true);
      expect(command.at >= start && command.at < endInstant).toBe(true);
      ids.add(command.id);
      previous = command.at;
    }
    expect(ids.size).toBe(commands.length);
    expect(summary.commands).toBe(commands.length);
    expect(summary.customers).toBe(300);
    expect(summary.members).toBe(10);
    expect(commands[0]).toMatchObject({ command: 'Configure', actor: 'system' });
  });

  it('streams: the first commands of a huge history come at once', () => {
    const started = performance.now();
    const history = demoHistory({ seed: 1, end, customers: 5_000_000, members: 300 });
    let taken = 0;
    for (const command of history) {
      expect(command.at < endInstant).toBe(true);
      taken += 1;
      if (taken === 5_000) break;
    }
    expect(taken).toBe(5_000);
    // Building a 5M-customer history would take minutes; the first commands take well under a second.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('rejects bad options at once, naming them', () => {
    expect(() => demoHistory({ seed: 1, end: '2026-02-30' })).toThrow(/end/);
    expect(() => demoHistory({ seed: 1, end, members: 3 })).toThrow(/members/);
    expect(() => demoHistory({ seed: 1.5, end })).toThrow(/seed/);
    expect(() => demoHistory({ seed: 1, end, months: 0 })).toThrow(/months/);
    expect(resolveDemoOptions({ seed: 1, end })).toEqual({ seed: 1, end, members: 30, customers: 3000, months: 12 });
  });
});

describe('demoHistory executed through the CommandExecutor', () => {
  const customers = 500;
  const options: DemoHistoryOptions = { seed: 11, end, customers, members: 12, months: 12 };
  let commands: DemoCommand[];
  let summary: DemoHistorySummary;
  let outcomes: ExecutionOutcome[];
  let log: RecordedEvent[];
  const byType = new Map<string, RecordedEvent[]>();
  const ofType = (type: string): RecordedEvent[] => byType.get(type) ?? [];
  const dataOf = (event: RecordedEvent): Record<string, unknown> => event.data;

  beforeAll(async () => {
    ({ commands, summary } = collect(options));
    const store = createInMemoryEventStore();
    const executor = new CommandExecutor({ store, clock: new ManualClock(endInstant) });
    outcomes = await executor.executeBatch(commands, { batchSize: 1000 });
    const codec = new EventCodec(store);
    log = [];
    for await (const batch of store.readAll()) log.push(...(await codec.decodeAll(batch)));
    for (const event of log) byType.set(event.type, [...ofType(event.type), event]);
  }, 120_000);

  it('accepts every command except the deliberate duplicate registrations, and each appends something', () => {
    const duplicates = new Set(summary.rejectedDuplicates);
    expect(duplicates.size).toBeGreaterThanOrEqual(2);
    outcomes.forEach((outcome, index) => {
      const command = commands[index]!;
      if (duplicates.has(command.id)) {
        expect(command.command).toBe('RegisterCustomer');
        expect(outcome).toMatchObject({ ok: false, error: { code: 'DUPLICATE_CUSTOMER' } });
        expect(!outcome.ok && typeof outcome.error.details?.['existingCustomerId']).toBe('string');
      } else {
        if (!outcome.ok) throw new Error(`${JSON.stringify(command)} was rejected: ${outcome.error.code} ${outcome.error.message}`);
        expect(outcome.events.length).toBeGreaterThan(0);
      }
    });
  });

  it('appends exactly the events the summary announces (the estimate demoOptionsForEvents relies on)', () => {
    expect(log.length).toBe(summary.events);
    expect(summary.events / summary.commands).toBeGreaterThan(1);
    expect(summary.events / summary.commands).toBeLessThan(1.1);
  });

  it('records the configuration, the teams with quarterly targets, a team move and the customers', () => {
    expect(ofType('ConfigurationChanged')).toHaveLength(2);
    expect(ofType('MemberRegistered')).toHaveLength(12);
    expect(new Set(ofType('MemberRegistered').map((event) => dataOf(event)['role']))).toEqual(new Set(['admin', 'manager', 'rep']));
    expect(new Set(ofType('SalesTargetSet').map((event) => dataOf(event)['period']))).toEqual(new Set(['2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4', '2026-Q1']));
    expect(ofType('MemberMovedToTeam').length).toBeGreaterThanOrEqual(1);
    const registered = ofType('CustomerRegistered');
    expect(registered).toHaveLength(customers);
    expect(registered.filter((event) => dataOf(event)['owner'] === null && event.metadata.actor === 'system').length).toBeGreaterThan(customers * 0.4);
    expect(registered.filter((event) => dataOf(event)['owner'] === event.metadata.actor).length).toBeGreaterThan(customers * 0.25);
    expect(new Set(registered.map((event) => dataOf(event)['source'])).size).toBeGreaterThanOrEqual(6);
    expect(new Set(registered.map((event) => dataOf(event)['importance']))).toEqual(new Set(['A', 'B', 'C']));
    expect(ofType('ContactAdded').filter((event) => (dataOf(event)['contact'] as { birthday: unknown }).birthday !== null).length).toBeGreaterThan(customers * 0.05);
  });

  it('has pool churn: claims, follow-ups with next dates, voluntary releases, recycles by both rules, locks', () => {
    expect(ofType('CustomerClaimed').length).toBeGreaterThan(customers);
    const followUps = ofType('FollowUpLogged');
    expect(followUps.length).toBeGreaterThan(customers * 5);
    expect(new Set(followUps.map((event) => dataOf(event)['channel'])).size).toBe(5);
    const nextDates = followUps.map((event) => dataOf(event)['nextFollowUpAt']).filter((at): at is string => typeof at === 'string');
    expect(nextDates.filter((at) => at < endInstant && at > '2026-02-20').length).toBeGreaterThan(0);
    expect(nextDates.filter((at) => at >= endInstant).length).toBeGreaterThan(0);
    expect(ofType('CustomerReleased').filter((event) => dataOf(event)['reason'] === 'voluntary').length).toBeGreaterThan(customers * 0.1);
    const recycleRules = new Set(ofType('CustomerRecycled').map((event) => dataOf(event)['rule']));
    expect(recycleRules).toEqual(new Set(['no_follow_up', 'no_deal']));
    // Recycled by the nightly sweep, as system.
    expect(ofType('CustomerRecycled').every((event) => event.metadata.actor === 'system' && event.metadata.at.endsWith('T01:00:00.000Z'))).toBe(true);
    expect(ofType('CustomerLocked').length).toBeGreaterThan(0);
    expect(ofType('CustomerUnlocked').length).toBeGreaterThan(0);
    const stages = new Set(ofType('CustomerStageChanged').map((event) => dataOf(event)['to']));
    expect(stages).toEqual(new Set(['intent', 'dormant', 'potential', 'customer', 'vip']));
  });

  it('transfers: a manager rebalance, and a departure whose handover transfers customers and reassigns opportunities', () => {
    const transfers = ofType('CustomerTransferred');
    expect(transfers.filter((event) => dataOf(event)['reason'] === 'rebalance' && event.metadata.actor !== 'system').length).toBeGreaterThan(0);
    const departures = ofType('MemberDeactivated');
    expect(departures.length).toBeGreaterThanOrEqual(1);
    const handedOver = (type: string) => ofType(type).filter((event) => departures.some((departure) => event.metadata.causationId === departure.eventId));
    expect(handedOver('CustomerTransferred').length).toBeGreaterThan(0);
    expect(handedOver('CustomerTransferred').every((event) => dataOf(event)['reason'] === 'departure')).toBe(true);
    expect(handedOver('OpportunityReassigned').length).toBeGreaterThan(0);
    expect(summary.highlights.departures).toHaveLength(departures.length);
    // After the departure, the leaver acts no more.
    for (const departure of departures) {
      const leaver = dataOf(departure)['memberId'];
      expect(log.some((event) => event.metadata.actor === leaver && event.metadata.at > departure.metadata.at)).toBe(false);
    }
  });

  it('runs deals through the pipeline: skips, re-entries, revisions, wins at a realistic rate, losses with reasons, reopenings', () => {
    const won = ofType('OpportunityWon');
    const lost = ofType('OpportunityLost');
    const winRate = won.length / (won.length + lost.length);
    expect(winRate).toBeGreaterThan(0.15);
    expect(winRate).toBeLessThan(0.4);
    expect(new Set(lost.map((event) => dataOf(event)['reason'])).size).toBeGreaterThanOrEqual(6);
    expect(lost.some((event) => typeof dataOf(event)['competitor'] === 'string')).toBe(true);
    expect(ofType('OpportunityReopened').length).toBeGreaterThan(0);
    expect(ofType('OpportunityRevised').length).toBeGreaterThan(0);
    const moves = ofType('OpportunityStageMoved').map((event) => dataOf(event) as { from: string; to: string });
    const order = ['prospecting', 'qualification', 'needs_analysis', 'proposal', 'negotiation'];
    expect(moves.some((move) => order.indexOf(move.to) - order.indexOf(move.from) === 2)).toBe(true);
    expect(moves.some((move) => order.indexOf(move.to) < order.indexOf(move.from))).toBe(true);
    // The deal-won policy moved customers to `customer`.
    expect(ofType('CustomerStageChanged').filter((event) => dataOf(event)['reason'] === 'deal_won' && event.metadata.actor === 'system').length).toBeGreaterThan(0);
    // Win rates differ by rep, so the rankings have something to rank.
    const rates = new Map<string, { won: number; closed: number }>();
    for (const event of [...won, ...lost]) {
      const owner = String(dataOf(event)['owner']);
      const rate = rates.get(owner) ?? { won: 0, closed: 0 };
      rates.set(owner, { won: rate.won + (event.type === 'OpportunityWon' ? 1 : 0), closed: rate.closed + 1 });
    }
    const shares = [...rates.values()].filter((rate) => rate.closed >= 20).map((rate) => rate.won / rate.closed);
    expect(Math.max(...shares) - Math.min(...shares)).toBeGreaterThan(0.1);
  });

  it('handles tickets: assigned, answered (sometimes late), resolved (sometimes late), closed, reopened, rated worse when SLAs were missed', () => {
    const opened = ofType('TicketOpened');
    expect(opened.length).toBeGreaterThan(customers * 0.2);
    expect(new Set(opened.map((event) => dataOf(event)['category'])).size).toBe(5);
    expect(new Set(opened.map((event) => dataOf(event)['priority'])).size).toBe(4);
    expect(new Set(opened.map((event) => dataOf(event)['channel'])).size).toBe(5);
    expect(ofType('TicketAssigned').length).toBeGreaterThanOrEqual(opened.length - 10);
    expect(ofType('TicketClosed').length).toBeGreaterThan(0);
    expect(ofType('TicketReopened').length).toBeGreaterThan(0);
    const firstResponses = ofType('TicketCommented').filter((event) => dataOf(event)['firstResponse'] === true);
    expect(new Set(firstResponses.map((event) => dataOf(event)['firstResponseMet']))).toEqual(new Set([true, false]));
    const lastResolution = new Map<string, Record<string, unknown>>();
    for (const event of ofType('TicketResolved')) lastResolution.set(String(dataOf(event)['ticketId']), dataOf(event));
    const firstResponseMet = new Map(firstResponses.map((event) => [String(dataOf(event)['ticketId']), dataOf(event)['firstResponseMet'] === true]));
    const met: number[] = [];
    const missed: number[] = [];
    for (const rating of ofType('TicketRated')) {
      const ticketId = String(dataOf(rating)['ticketId']);
      const resolution = lastResolution.get(ticketId);
      expect(resolution).toBeDefined();
      const allMet = resolution!['resolutionMet'] === true && firstResponseMet.get(ticketId) === true;
      (allMet ? met : missed).push(Number(dataOf(rating)['score']));
    }
    expect(met.length).toBeGreaterThan(20);
    expect(missed.length).toBeGreaterThan(10);
    const mean = (scores: readonly number[]) => scores.reduce((sum, score) => sum + score, 0) / scores.length;
    expect(mean(met)).toBeGreaterThan(mean(missed) + 0.5);
    expect(new Set([...met, ...missed])).toEqual(new Set([1, 2, 3, 4, 5]));
  });
});

describe('demoOptionsForEvents', () => {
  it.each([20_000, 100_000])('lands within 10 percent of %i events', (target) => {
    const options = demoOptionsForEvents(target, 42, '2026-01-01');
    expect(options).toMatchObject({ seed: 42, end: '2026-01-01', months: 12 });
    const events = summariseDemoHistory(options).events;
    expect(Math.abs(events - target) / target).toBeLessThanOrEqual(0.1);
  });

  it('scales the members with the customers, and shortens the history for a tiny target', () => {
    const large = demoOptionsForEvents(100_000, 42, '2026-01-01');
    expect(large.members).toBe(Math.round(large.customers / 100));
    const tiny = demoOptionsForEvents(1_000, 42, '2026-01-01');
    expect(tiny.months).toBeLessThan(12);
    const events = summariseDemoHistory(tiny).events;
    expect(Math.abs(events - 1_000) / 1_000).toBeLessThanOrEqual(0.1);
  });
});
