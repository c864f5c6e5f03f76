import { describe, expect, it } from 'vitest';
import { factInForce, type OwnershipFact } from './factInForce.ts';

const fact = (revision: number, at: string, reason: OwnershipFact['reason'], from: string | null, to: string | null, detail?: string): OwnershipFact => ({
  revision,
  position: String(revision + 10),
  eventId: `event-${revision}`,
  type: 'CustomerClaimed',
  actor: to ?? 'system',
  commandId: `command-${revision}`,
  at,
  reason,
  from,
  to,
  ...(detail === undefined ? {} : { detail }),
});

const registered = fact(0, '2026-01-05T09:00:00.000Z', 'registered', null, 'u-alice');
const released = fact(1, '2026-02-10T00:00:00.000Z', 'released', 'u-alice', null, 'voluntary');
const claimedSameInstant = fact(2, '2026-02-10T00:00:00.000Z', 'claimed', null, 'u-bob');
const merged = fact(3, '2026-03-01T00:00:00.000Z', 'merged', 'u-bob', null, 'cus-9');
const facts = [registered, released, claimedSameInstant, merged];

describe('factInForce', () => {
  it('is not_registered before the registration, naming its time', () => {
    expect(factInForce(facts, '2026-01-05T08:59:59.999Z')).toEqual({ kind: 'not_registered', registeredAt: registered.at });
  });

  it('gives the new owner at the exact instant of a change, and the last of several changes at one instant', () => {
    const answer = factInForce(facts, '2026-02-10T00:00:00.000Z');
    expect(answer).toMatchObject({ kind: 'owned', owner: 'u-bob', fact: claimedSameInstant, until: merged, supersededAtSameInstant: [released] });
    expect(factInForce(facts, '2026-02-09T23:59:59.999Z')).toMatchObject({ kind: 'owned', owner: 'u-alice', fact: registered, until: released, supersededAtSameInstant: [] });
  });

  it('is merged from the merge on, naming the survivor', () => {
    expect(factInForce(facts, '2026-06-01T00:00:00.000Z')).toEqual({ kind: 'merged', survivorId: 'cus-9', fact: merged });
  });

  it('follows stream order, whatever order the facts come in', () => {
    expect(factInForce([...facts].reverse(), '2026-02-20T00:00:00.000Z')).toMatchObject({ kind: 'owned', owner: 'u-bob', fact: claimedSameInstant });
  });

  it('says not_registered with no time for a stream without ownership facts', () => {
    expect(factInForce([], '2026-01-01T00:00:00.000Z')).toEqual({ kind: 'not_registered', registeredAt: null });
  });
});
