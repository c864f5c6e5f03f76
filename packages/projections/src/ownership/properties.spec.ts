import type { CrmEvent } from '@eventcrm/domain';
import { isDomainError, recycleRules, releaseReasons, toMillis, toTimestamp, transferReasons } from '@eventcrm/domain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareOwnership } from './audit.ts';
import { assigned, claimed, memberRegistered, merged, project, recycled, registered, released, transferred } from './fixtures.test.ts';
import type { OwnershipHistory, OwnershipPeriod } from './model.ts';
import { memberOwnershipStats, ownerAsOf, ownershipHistory, portfolioAsOf } from './queries.ts';

const MEMBERS = ['u-a', 'u-b', 'u-c'] as const;
const BASE = toMillis('2026-01-01T00:00:00.000Z');
const DAY = 86_400_000;

/** One random step of a customer's life; what it does depends on whether the customer is owned when it comes. */
interface Step {
  readonly gap: number;
  readonly choice: number;
  readonly member: number;
  readonly detail: number;
}

interface CustomerPlan {
  readonly owner: number | null;
  readonly offset: number;
  readonly steps: readonly Step[];
  readonly mergeAfter: Step | null;
}

// Gaps of 0 make zero-length periods (several changes at one instant).
const gap = fc.constantFrom(0, 0, 1, 1_000, 3_600_000, DAY, 7 * DAY);
const step = fc.record({ gap, choice: fc.nat(5), member: fc.nat(MEMBERS.length - 1), detail: fc.nat(5) });
const plan = fc.record({
  owner: fc.option(fc.nat(MEMBERS.length - 1)),
  offset: fc.nat(10 * DAY),
  steps: fc.array(step, { maxLength: 12 }),
  mergeAfter: fc.option(step),
});

/** What a customer's life should be, tracked beside the events: the owner after each change and the counts per member. */
interface Expected {
  readonly customerId: string;
  readonly registeredAt: string;
  readonly owners: (string | null)[];
  mergedAt: string | null;
  readonly events: CrmEvent[];
}

interface Counts {
  claims: number;
  assigned: number;
  transfersIn: number;
  transfersOut: number;
  releases: number;
  recycles: number;
}

function lifeOf(customerId: string, customer: CustomerPlan, counts: Map<string, Counts>): Expected {
  const count = (member: string, key: keyof Counts): void => {
    counts.get(member)![key] += 1;
  };
  let time = BASE + customer.offset;
  const at = (): string => toTimestamp(time);
  let owner: string | null = customer.owner === null ? null : MEMBERS[customer.owner]!;
  const life: Expected = { customerId, registeredAt: at(), owners: [owner], mergedAt: null, events: [] };
  life.events.push(registered(customerId, owner, { at: at(), actor: owner ?? 'system' }));
  for (const next of customer.steps) {
    time += next.gap;
    const member = MEMBERS[next.member]!;
    if (owner === null) {
      if (next.choice % 2 === 0) {
        life.events.push(claimed(customerId, member, at()));
        count(member, 'claims');
      } else {
        life.events.push(assigned(customerId, member, { at: at(), actor: 'u-mgr' }));
        count(member, 'assigned');
      }
      owner = member;
    } else if (next.choice % 3 === 0) {
      // A transfer always goes to someone else (the domain makes a transfer to the owner a no-op).
      const to = member === owner ? MEMBERS[(next.member + 1) % MEMBERS.length]! : member;
      life.events.push(transferred(customerId, owner, to, transferReasons[next.detail % transferReasons.length]!, { at: at(), actor: 'u-mgr' }));
      count(owner, 'transfersOut');
      count(to, 'transfersIn');
      owner = to;
    } else if (next.choice % 3 === 1) {
      life.events.push(released(customerId, owner, releaseReasons[next.detail % releaseReasons.length]!, { at: at(), actor: owner }));
      count(owner, 'releases');
      owner = null;
    } else {
      life.events.push(recycled(customerId, owner, recycleRules[next.detail % recycleRules.length]!, at()));
      count(owner, 'recycles');
      owner = null;
    }
    life.owners.push(owner);
  }
  if (customer.mergeAfter !== null) {
    time += customer.mergeAfter.gap;
    life.events.push(merged(customerId, 'cus-survivor', owner, { at: at(), actor: 'u-mgr' }));
    life.mergedAt = at();
  }
  return life;
}

/** Interleaves the customers' streams into one log, keeping each stream's order. */
function interleave(streams: readonly (readonly CrmEvent[])[], picks: readonly number[]): CrmEvent[] {
  const queues = streams.map((stream) => [...stream]);
  const log: CrmEvent[] = MEMBERS.map((member) => memberRegistered(member, '2025-12-01T00:00:00.000Z'));
  for (const pick of picks) {
    const open = queues.filter((queue) => queue.length > 0);
    if (open.length === 0) break;
    log.push(open[pick % open.length]!.shift()!);
  }
  for (const queue of queues) log.push(...queue);
  return log;
}

/** The one period holding an instant, straight from the definition: `from ≤ T < to` (open-ended when `to` is null). */
const holding = (periods: readonly OwnershipPeriod[], at: string): OwnershipPeriod[] =>
  periods.filter((period) => period.from <= at && (period.to === null || at < period.to));

const scenario = fc.record({
  customers: fc.array(plan, { minLength: 1, maxLength: 3 }),
  picks: fc.array(fc.nat(10), { maxLength: 60 }),
  probes: fc.array(fc.integer({ min: -DAY, max: 120 * DAY }), { minLength: 1, maxLength: 8 }),
});

describe('ownership properties (projections.md §2, domain.md §3 ownership invariant)', () => {
  it('gives contiguous periods from registration, each end equal to the next start, and one owner or the pool at every instant', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ customers, picks, probes }) => {
        const counts = new Map(MEMBERS.map((member) => [member as string, { claims: 0, assigned: 0, transfersIn: 0, transfersOut: 0, releases: 0, recycles: 0 }]));
        const lives = customers.map((customer, index) => lifeOf(`cus-${index}`, customer, counts));
        const { log, reader } = project(interleave(lives.map((life) => life.events), picks));

        const boundaries: string[] = [];
        for (const life of lives) {
          const history = (await ownershipHistory(reader, life.customerId)) as OwnershipHistory;
          const periods = history.periods;
          // Every change makes a period; the merge ends the last one instead.
          expect(periods.map((period) => period.owner)).toEqual(life.owners);
          expect(periods[0]!.from).toBe(life.registeredAt);
          expect(periods[0]!.start.reason).toBe('registered');
          for (let index = 0; index + 1 < periods.length; index += 1) {
            expect(periods[index]!.to).toBe(periods[index + 1]!.from);
            expect(periods[index]!.end).toEqual(periods[index + 1]!.start);
          }
          for (const period of periods) {
            expect(period.to === null || period.from <= period.to).toBe(true);
            boundaries.push(period.from);
          }
          const last = periods.at(-1)!;
          if (life.mergedAt === null) {
            expect(last).toMatchObject({ to: null, end: null });
            expect(history).toMatchObject({ currentOwner: life.owners.at(-1), mergedInto: null });
          } else {
            expect(last).toMatchObject({ to: life.mergedAt, end: { reason: 'merged', detail: 'cus-survivor', actor: 'u-mgr' } });
            expect(history).toMatchObject({ currentOwner: null, mergedInto: 'cus-survivor' });
          }
          // The audit of a read model built from the same stream finds nothing.
          expect(compareOwnership(log.filter((event) => event.stream === `customer-${life.customerId}`), history).consistent).toBe(true);
        }

        const instants = [...boundaries, ...probes.map((probe) => toTimestamp(BASE + probe))];
        for (const at of instants) {
          const portfolios = new Map<string, string[]>(MEMBERS.map((member) => [member, []]));
          for (const life of lives) {
            const history = (await ownershipHistory(reader, life.customerId)) as OwnershipHistory;
            const answer = await ownerAsOf(reader, life.customerId, at);
            const mergedAway = life.mergedAt !== null && at >= life.mergedAt;
            if (at < life.registeredAt || mergedAway) {
              expect(answer).toMatchObject({ code: 'NOT_FOUND' });
              expect(holding(history.periods, at)).toHaveLength(0);
              continue;
            }
            const held = holding(history.periods, at);
            expect(held).toHaveLength(1);
            expect(answer).toEqual({ customerId: life.customerId, asOf: at, owner: held[0]!.owner });
            if (held[0]!.owner !== null) portfolios.get(held[0]!.owner)!.push(life.customerId);
          }
          for (const member of MEMBERS) {
            expect(await portfolioAsOf(reader, member, at)).toEqual({ memberId: member, asOf: at, customers: portfolios.get(member)!.sort() });
          }
        }

        for (const member of MEMBERS) {
          const stats = await memberOwnershipStats(reader, member, '2026');
          expect(isDomainError(stats)).toBe(false);
          expect(stats).toEqual({ memberId: member, period: '2026', ...counts.get(member) });
        }
      }),
      { numRuns: 150 },
    );
  });
});
