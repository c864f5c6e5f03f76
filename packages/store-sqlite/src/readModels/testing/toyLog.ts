import { randomUUID } from 'node:crypto';
import type { AppendRequest, EventStore, JsonObject } from '@eventcrm/runtime';

/** One generated event with its stream. */
export interface ToyEvent {
  readonly stream: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly at: string;
}

/** A small deterministic PRNG (mulberry32): the same seed gives the same log in every process. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const teams = ['north', 'south', 'east', 'west'] as const;
const policy = { holdingLimit: 200, dailyClaimLimit: 20, reclaimCooldownDays: 7 };

/**
 * A deterministic log of `count` domain events for the toy projection (test
 * support, not API): members registering and moving teams, customers
 * claimed from the pool, transferred and released, each valid for the
 * domain's event schemas (the runner decodes them). Times advance a minute
 * per event, so claims spread over many days.
 */
export function toyLog(count: number, seed = 1): ToyEvent[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const events: ToyEvent[] = [];
  const members: string[] = [];
  const teamOf = new Map<string, string>();
  const owners = new Map<string, string>();
  const owned: string[] = [];
  const pool: string[] = [];
  let customers = 0;
  const start = Date.parse('2025-01-01T00:00:00.000Z');
  while (events.length < count) {
    const at = new Date(start + events.length * 60_000).toISOString();
    const roll = next();
    if (members.length < 5 || (roll < 0.005 && members.length < 60)) {
      const memberId = `u-${members.length}`;
      const team = pick(teams);
      members.push(memberId);
      teamOf.set(memberId, team);
      events.push({ stream: `member-${memberId}`, type: 'MemberRegistered', data: { memberId, name: `Member ${memberId}`, role: 'rep', team }, at });
    } else if (roll < 0.01) {
      const memberId = pick(members);
      const from = teamOf.get(memberId) ?? null;
      const to = pick(teams.filter((team) => team !== from));
      teamOf.set(memberId, to);
      events.push({ stream: `member-${memberId}`, type: 'MemberMovedToTeam', data: { memberId, from, to }, at });
    } else if (roll < 0.55 || owned.length === 0) {
      const customerId = pool.length > 0 && next() < 0.5 ? pool.splice(Math.floor(next() * pool.length), 1)[0]! : `c-${customers++}`;
      const to = pick(members);
      owners.set(customerId, to);
      owned.push(customerId);
      events.push({
        stream: `customer-${customerId}`,
        type: 'CustomerClaimed',
        data: { customerId, to, holdingsBefore: 0, claimsTodayBefore: 0, policy },
        at,
      });
    } else {
      const index = Math.floor(next() * owned.length);
      const customerId = owned[index]!;
      const from = owners.get(customerId)!;
      if (roll < 0.75) {
        const to = pick(members.filter((member) => member !== from));
        owners.set(customerId, to);
        events.push({ stream: `customer-${customerId}`, type: 'CustomerTransferred', data: { customerId, from, to, reason: pick(['rebalance', 'request'] as const) }, at });
      } else {
        owned.splice(index, 1);
        owners.delete(customerId);
        pool.push(customerId);
        events.push({ stream: `customer-${customerId}`, type: 'CustomerReleased', data: { customerId, from, reason: 'voluntary', note: next() < 0.5 ? null : 'done' }, at });
      }
    }
  }
  return events;
}

/** Appends a toy log to a store in large batches (one event per request, no expectations). */
export async function appendToyLog(store: EventStore, events: readonly ToyEvent[], batch = 5000): Promise<void> {
  for (let offset = 0; offset < events.length; offset += batch) {
    const requests: AppendRequest[] = events.slice(offset, offset + batch).map((event) => ({
      writes: [
        {
          stream: event.stream,
          expected: 'any',
          events: [
            {
              eventId: randomUUID(),
              type: event.type,
              schemaVersion: 1,
              data: event.data,
              metadata: { commandId: randomUUID(), actor: 'system', at: event.at, correlationId: 'toy', causationId: null },
            },
          ],
        },
      ],
    }));
    await store.appendBatch(requests);
  }
}
