import { streamOfEvent, type CrmEvent } from '@eventcrm/domain';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { runPure } from '../support/pureDriver.ts';
import { scenario } from '../support/scenario.ts';

/** The owner an ownership event hands the customer to (`null` = the pool), or `undefined` when it does not change hands. */
function ownerAfter(event: CrmEvent): string | null | undefined {
  switch (event.type) {
    case 'CustomerRegistered':
      return event.data.owner;
    case 'CustomerClaimed':
    case 'CustomerAssigned':
    case 'CustomerTransferred':
      return event.data.to;
    case 'CustomerReleased':
    case 'CustomerRecycled':
      return null;
    default:
      return undefined;
  }
}

describe('ownership invariant (domain.md §3)', () => {
  it('at every step a registered, unmerged customer has exactly one owner or is in the pool, and only ownership events move it', () => {
    fc.assert(
      fc.property(scenario(), (inputs) => {
        const { steps } = runPure(inputs);
        const owners = new Map<string, string | null>();
        const active = new Map<string, boolean>();
        for (const step of steps) {
          if (E.isLeft(step.outcome)) continue;
          for (const event of step.outcome.right) {
            const stream = streamOfEvent(event);
            if (!stream.startsWith('customer-')) continue;
            const customerId = stream.slice('customer-'.length);
            const next = ownerAfter(event);
            if (event.type === 'CustomerRegistered') {
              expect(owners.has(customerId)).toBe(false);
            } else {
              expect(owners.has(customerId), `${event.type} on an unregistered customer`).toBe(true);
            }
            if (next !== undefined) {
              const previous = owners.get(customerId) ?? null;
              // Every change of hands names where it came from, where it goes, and who did it.
              if ('from' in event.data) expect(event.data.from).toBe(previous);
              if (event.type === 'CustomerClaimed' || event.type === 'CustomerAssigned') expect(previous).toBeNull();
              if (event.type === 'CustomerTransferred' || event.type === 'CustomerReleased' || event.type === 'CustomerRecycled') expect(previous).not.toBeNull();
              expect(event.metadata.actor).toBe(step.input.actor);
              expect(event.metadata.at).toBe(new Date(step.input.at).toISOString());
              // Inactive members never receive ownership.
              if (next !== null) expect(step.before.get(`member-${next}`)).toMatchObject({ active: true });
              owners.set(customerId, next);
            }
            if (event.type === 'CustomerMerged') {
              expect(active.get(customerId)).toBe(true);
              active.set(customerId, false);
            } else if (event.type === 'CustomerRegistered') {
              active.set(customerId, true);
            } else if (next !== undefined) {
              expect(active.get(customerId), `${event.type} moved a merged customer`).toBe(true);
            }
          }
        }
        // The aggregate's own view agrees with the ownership events at the end.
        const { states } = runPure(inputs);
        for (const [customerId, owner] of owners) {
          expect(states.get(`customer-${customerId}`)).toMatchObject({ owner });
        }
      }),
      { numRuns: 150 },
    );
  });
});
