import type { CrmEvent } from '@eventcrm/domain';
import { inLog, projectEvents } from '@eventcrm/projections/testing';
import { describe, expect, it } from 'vitest';
import { erased, merged, registered, stageChanged } from './funnelEvents.test.ts';
import { funnelProjection } from './projection.ts';
import { lifecycleFunnel, type LifecycleFunnel } from './queries.ts';

/** The customer lifecycle funnel of projections.md §1, with hand-computed expectations. */

const lifecycleOf = (events: readonly CrmEvent[]): Promise<LifecycleFunnel> => lifecycleFunnel(projectEvents([funnelProjection], inLog(events)));

describe('customer lifecycle funnel', () => {
  it('is all zeros and nulls with no customers', async () => {
    expect(await lifecycleOf([])).toEqual({
      stages: [
        { stage: 'potential', current: 0, reached: 0, conversion: null },
        { stage: 'intent', current: 0, reached: 0, conversion: null },
        { stage: 'customer', current: 0, reached: 0, conversion: null },
        { stage: 'vip', current: 0, reached: 0, conversion: null },
      ],
      dormant: 0,
    });
  });

  it('counts current stages, furthest reached stages (skips, backward moves, dormancy) and conversions', async () => {
    const funnel = await lifecycleOf([
      registered('c1', 'potential'), // potential now, reached potential
      registered('c2', 'potential'),
      stageChanged('c2', 'potential', 'intent', 1),
      stageChanged('c2', 'intent', 'customer', 2), // customer now, reached customer
      registered('c3', 'intent'),
      stageChanged('c3', 'intent', 'vip', 1), // skips customer
      stageChanged('c3', 'vip', 'dormant', 3), // dormant now, reached vip
      registered('c4', 'potential'),
      stageChanged('c4', 'potential', 'dormant', 1), // dormant now, reached potential
      registered('c5', 'customer'), // registered past the first stages
      stageChanged('c5', 'customer', 'intent', 2), // moved back by a manager: intent now, reached customer
      registered('c8', 'dormant'), // registered dormant: dormant now, reached potential (the funnel's entry)
      registered('c9', 'potential'),
      stageChanged('c9', 'potential', 'dormant', 1),
      stageChanged('c9', 'dormant', 'intent', 2), // back from dormancy: intent now, reached intent
    ]);
    // furthest: potential c1 c4 c8, intent c9, customer c2 c5, vip c3 → reached 7, 4, 3, 1
    expect(funnel).toEqual({
      stages: [
        { stage: 'potential', current: 1, reached: 7, conversion: 0.5714 }, // 4/7
        { stage: 'intent', current: 2, reached: 4, conversion: 0.75 }, // 3/4
        { stage: 'customer', current: 1, reached: 3, conversion: 0.3333 }, // 1/3
        { stage: 'vip', current: 0, reached: 1, conversion: null },
      ],
      dormant: 3, // c3, c4, c8
    });
  });

  it('merged duplicates and erased customers no longer count, whatever happened to them before or after', async () => {
    const base = [registered('keep', 'intent'), registered('dup', 'vip'), registered('gone', 'customer'), registered('sleep', 'customer')];
    const funnel = await lifecycleOf([
      ...base,
      merged('dup', 'keep', 1),
      stageChanged('sleep', 'customer', 'dormant', 1),
      erased('sleep', 2),
      erased('gone', 2),
      merged('gone', 'keep', 3), // already not counted: nothing is taken twice
    ]);
    expect(funnel).toEqual({
      stages: [
        { stage: 'potential', current: 0, reached: 1, conversion: 1 },
        { stage: 'intent', current: 1, reached: 1, conversion: 0 },
        { stage: 'customer', current: 0, reached: 0, conversion: null },
        { stage: 'vip', current: 0, reached: 0, conversion: null },
      ],
      dormant: 0,
    });
  });

  it('the spec example: two potential customers now and one that went on to intent', async () => {
    const funnel = await lifecycleOf([registered('a', 'potential'), registered('b', 'potential'), registered('c', 'potential'), stageChanged('c', 'potential', 'intent', 1)]);
    expect(funnel.stages[0]).toEqual({ stage: 'potential', current: 2, reached: 3, conversion: 0.3333 });
    expect(funnel.stages[1]).toEqual({ stage: 'intent', current: 1, reached: 1, conversion: 0 });
  });
});
