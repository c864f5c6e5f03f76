import { decodeEvent, evolve, initialStateOf, streamOfEvent, type AggregateState } from '@eventcrm/domain';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { runPure } from '../support/pureDriver.ts';
import { scenario } from '../support/scenario.ts';

describe('replay determinism and total evolve', () => {
  it('the same inputs decide the same events, and folding them never throws', () => {
    fc.assert(
      fc.property(scenario(), (inputs) => {
        const first = runPure(inputs);
        const second = runPure(inputs);
        expect(second.events).toEqual(first.events);
        // Folding the decided events again (as a replay from the log would) gives the same states.
        const replayed = new Map<string, AggregateState>();
        for (const event of first.events) {
          const stream = streamOfEvent(event);
          replayed.set(stream, evolve(replayed.get(stream) ?? initialStateOf(stream), event));
        }
        expect(replayed).toEqual(first.states);
      }),
      { numRuns: 100 },
    );
  });

  it('every decided event survives a JSON round trip through decodeEvent unchanged', () => {
    fc.assert(
      fc.property(scenario({ min: 10, max: 40 }), (inputs) => {
        for (const event of runPure(inputs).events) {
          const stored = JSON.parse(JSON.stringify({ type: event.type, data: event.data })) as { type: string; data: unknown };
          const decoded = decodeEvent({ ...stored, schemaVersion: event.type === 'OpportunityOpened' ? 2 : 1, metadata: event.metadata });
          expect(E.isRight(decoded) && decoded.right).toEqual(event);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('evolve is total: any decided event folded into any state never throws', () => {
    fc.assert(
      fc.property(scenario({ min: 10, max: 40 }), fc.integer({ min: 0, max: 1000 }), (inputs, seed) => {
        const { events } = runPure(inputs);
        const streams = ['customer-x', 'member-x', 'opportunity-x', 'ticket-x', 'config'];
        let state = initialStateOf(streams[seed % streams.length]!);
        for (const event of events) state = evolve(state, event);
        expect(state.kind).toBeDefined();
      }),
      { numRuns: 60 },
    );
  });
});
