import { createInMemoryEventStore, createInMemoryReadModelStore, Crm, ManualClock } from '@eventcrm/runtime';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allAnswers } from '../support/queries.ts';
import { scenario, scenarioEnd } from '../support/scenario.ts';

describe('rebuild equals incremental (projections.md §5)', () => {
  it('catching up after every few commands gives the same answers as one rebuild from zero', async () => {
    await fc.assert(
      fc.asyncProperty(scenario({ min: 10, max: 60 }), fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 20 }), async (inputs, steps) => {
        const store = createInMemoryEventStore();
        const live = new Crm({ store, readModels: createInMemoryReadModelStore(), clock: new ManualClock(scenarioEnd(inputs)), projectionBatchSize: 3, projectionCommitEvery: 2 });
        // Incremental: catch up after a varying number of commands, in small batches.
        let index = 0;
        let step = 0;
        while (index < inputs.length) {
          const count = steps[step % steps.length]!;
          for (const input of inputs.slice(index, index + count)) await live.execute(input);
          index += count;
          step += 1;
          await live.catchUp();
        }
        const incremental = await allAnswers(live, { catchUp: false });
        // From zero: a fresh read-model store rebuilt in one pass.
        const rebuilt = new Crm({ store, readModels: createInMemoryReadModelStore(), clock: new ManualClock(scenarioEnd(inputs)) });
        await rebuilt.rebuild();
        expect(await allAnswers(rebuilt, { catchUp: false })).toEqual(incremental);
        // And a rebuild over the live copy swaps in the same answers.
        await live.rebuild();
        expect(await allAnswers(live, { catchUp: false })).toEqual(incremental);
      }),
      { numRuns: 25 },
    );
  });
});
