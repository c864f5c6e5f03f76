import {
  addDays,
  applyConfigPatch,
  configAt,
  defaultConfig,
  evolveCustomer,
  initialCustomerState,
  nextRecycle,
  toMillis,
  toTimestamp,
  type ConfigHistoryEntry,
  type CrmConfig,
  type CrmEvent,
  type CustomerEvent,
  type LifecycleStage,
} from '@eventcrm/domain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  claimed,
  configured,
  erased,
  followedUp,
  items,
  locked,
  member,
  merged,
  opportunityOpened,
  opportunityWon,
  project,
  recycled,
  registered,
  released,
  stageChanged,
  transferred,
  unlocked,
} from './fixtures.test.ts';

// projections.md §4 with domain.md §3: a recycle reminder appears exactly
// when the recycle clock (`ruleDueAt`, through `nextRecycle`) says the
// customer's earliest recycle is due within warnDaysBefore days of T (or
// already due), under the configuration in force at T.

const START = toMillis('2026-01-01T00:00:00.000Z');
const MINUTE = 60_000;
const members = ['m1', 'm2'] as const;
const customers = ['c1', 'c2', 'c3'] as const;
const stages: readonly LifecycleStage[] = ['potential', 'intent', 'customer', 'vip', 'dormant'];

type Action =
  | { readonly type: 'followUp' }
  | { readonly type: 'claim'; readonly member: number }
  | { readonly type: 'transfer' }
  | { readonly type: 'release' }
  | { readonly type: 'recycle' }
  | { readonly type: 'stage'; readonly stage: LifecycleStage }
  | { readonly type: 'lock' }
  | { readonly type: 'unlock' }
  | { readonly type: 'won' }
  | { readonly type: 'config'; readonly noFollowUpDays: number; readonly noDealDays: number; readonly warnDaysBefore: number; readonly protectionDays: number }
  | { readonly type: 'merge' }
  | { readonly type: 'erase' };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ type: 'followUp' as const }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('claim' as const), member: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 2, arbitrary: fc.constant({ type: 'transfer' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'release' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'recycle' as const }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('stage' as const), stage: fc.constantFrom(...stages) }) },
  { weight: 1, arbitrary: fc.constant({ type: 'lock' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'unlock' as const }) },
  { weight: 2, arbitrary: fc.constant({ type: 'won' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('config' as const),
      noFollowUpDays: fc.integer({ min: 0, max: 40 }),
      noDealDays: fc.integer({ min: 0, max: 100 }),
      warnDaysBefore: fc.integer({ min: 0, max: 10 }),
      protectionDays: fc.integer({ min: 0, max: 10 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ type: 'merge' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'erase' as const }) },
);

interface Step {
  /** Minutes since the previous step (0: the same instant). */
  readonly gap: number;
  readonly customer: number;
  readonly action: Action;
}

const history = fc.record({
  registrations: fc.array(fc.option(fc.integer({ min: 0, max: 1 }), { nil: null }), { minLength: 1, maxLength: 3 }),
  steps: fc.array(
    fc.record({
      gap: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20 * 24 * 60 })),
      customer: fc.integer({ min: 0, max: 2 }),
      action,
    }),
    { maxLength: 25 },
  ),
  // T: minutes after the start, up to well past the last event, or a boundary of the first customer's window.
  asOf: fc.integer({ min: 0, max: 400 * 24 * 60 }),
  boundary: fc.constantFrom('none', 'windowStart', 'justBefore', 'due'),
});

interface Built {
  readonly events: CrmEvent[];
  readonly customerIds: readonly string[];
  readonly lastAt: string;
}

/** Turns generated steps into a valid log: actions that would be rejected are skipped. */
function build(registrations: readonly (number | null)[], steps: readonly Step[]): Built {
  const events: CrmEvent[] = members.map((id) => member(id));
  let now = START;
  const at = () => toTimestamp(now);
  const customerIds = registrations.map((_, index) => customers[index]!);
  const owner = new Map<string, string | null>();
  const ownedSince = new Map<string, string>();
  const stage = new Map<string, LifecycleStage>();
  const active = new Map<string, boolean>();
  registrations.forEach((memberIndex, index) => {
    const id = customerIds[index]!;
    const first = memberIndex === null ? null : members[memberIndex]!;
    events.push(registered(id, first, at()));
    owner.set(id, first);
    ownedSince.set(id, at());
    stage.set(id, 'potential');
    active.set(id, true);
  });
  let config: CrmConfig = defaultConfig;
  let deals = 0;
  for (const step of steps) {
    now += step.gap * MINUTE;
    const id = customerIds[step.customer % customerIds.length]!;
    const current = owner.get(id) ?? null;
    if (step.action.type === 'config') {
      const { noFollowUpDays, noDealDays, warnDaysBefore, protectionDays } = step.action;
      const patch = { pool: { protectionDays, recycle: { noFollowUpDays, noDealDays, warnDaysBefore } } };
      events.push(configured(patch, at(), config));
      config = applyConfigPatch(config, patch);
      continue;
    }
    if (active.get(id) !== true) continue;
    switch (step.action.type) {
      case 'followUp':
        if (current !== null) events.push(followedUp(id, current, at()));
        break;
      case 'claim':
        if (current === null) {
          const to = members[step.action.member]!;
          events.push(claimed(id, to, at()));
          owner.set(id, to);
          ownedSince.set(id, at());
        }
        break;
      case 'transfer':
        if (current !== null) {
          const to = current === 'm1' ? 'm2' : 'm1';
          events.push(transferred(id, current, to, at()));
          owner.set(id, to);
          ownedSince.set(id, at());
        }
        break;
      case 'release':
      case 'recycle':
        if (current !== null) {
          events.push(step.action.type === 'release' ? released(id, current, at()) : recycled(id, current, at(), ownedSince.get(id)!));
          owner.set(id, null);
          ownedSince.set(id, at());
        }
        break;
      case 'stage': {
        const from = stage.get(id)!;
        if (from !== step.action.stage) {
          events.push(stageChanged(id, from, step.action.stage, at()));
          stage.set(id, step.action.stage);
        }
        break;
      }
      case 'lock':
        events.push(locked(id, at()));
        break;
      case 'unlock':
        events.push(unlocked(id, at()));
        break;
      case 'won':
        if (current !== null) {
          deals += 1;
          events.push(opportunityOpened(`o${deals}`, id, current, '2026-12-31', at()), opportunityWon(`o${deals}`, id, current, at()));
        }
        break;
      case 'merge': {
        const survivor = customerIds.find((other) => other !== id && active.get(other) === true);
        if (survivor !== undefined) {
          events.push(merged(id, survivor, current, at()));
          active.set(id, false);
        }
        break;
      }
      case 'erase':
        events.push(erased(id, at()));
        active.set(id, false);
        break;
    }
  }
  return { events, customerIds, lastAt: at() };
}

/** The oracle: the domain's own customer state and recycle clock over the same events. */
function expectedRecycle(events: readonly CrmEvent[], customerId: string, asOf: string) {
  let state = initialCustomerState;
  let lastDealWonAt: string | null = null;
  const history: ConfigHistoryEntry[] = [];
  for (const event of events) {
    if (event.type === 'ConfigurationChanged') history.push({ at: event.metadata.at, config: event.data.config });
    else if (event.type === 'OpportunityWon' && event.data.customerId === customerId) lastDealWonAt = event.metadata.at;
    else if ('customerId' in event.data && event.data.customerId === customerId && event.type !== 'OpportunityOpened' && event.type !== 'OpportunityWon') {
      state = evolveCustomer(state, event as CustomerEvent);
    }
  }
  const config = configAt(history, asOf);
  const facts = {
    owner: state.owner,
    ownedSince: state.ownedSince,
    lastFollowUpAt: state.lastFollowUpAt,
    stage: state.stage,
    locked: state.locked,
    active: state.status === 'active',
    lastDealWonAt,
  };
  const next = nextRecycle(facts, config);
  const warnDaysBefore = config.pool.recycle.warnDaysBefore;
  return { next, warnDaysBefore, owner: state.owner, listed: next !== null && next.dueAt <= addDays(asOf, warnDaysBefore) };
}

describe('reminders: recycle property', () => {
  it('a recycle reminder appears exactly when the recycle clock says the customer is due within the warning window', async () => {
    await fc.assert(
      fc.asyncProperty(history, async ({ registrations, steps, asOf, boundary }) => {
        const { events, customerIds, lastAt } = build(registrations, steps);
        let T = toTimestamp(START + asOf * MINUTE);
        if (boundary !== 'none') {
          // Aim at the first customer's window under the configuration in force after the last event.
          const { next, warnDaysBefore } = expectedRecycle(events, customerIds[0]!, lastAt);
          if (next !== null) {
            const windowStart = addDays(next.dueAt, -warnDaysBefore);
            T = boundary === 'due' ? next.dueAt : boundary === 'windowStart' ? windowStart : toTimestamp(toMillis(windowStart) - 1);
          }
        }
        const reader = project(events);
        const all = (await items(reader, T)).filter((item) => item.kind === 'recycle_due');
        for (const customerId of customerIds) {
          const expected = expectedRecycle(events, customerId, T);
          const found = all.filter((item) => item.subjectId === customerId);
          if (!expected.listed) {
            expect(found).toEqual([]);
            continue;
          }
          expect(found).toHaveLength(1);
          expect(found[0]).toMatchObject({
            memberId: expected.owner,
            dueAt: expected.next!.dueAt,
            detail: { rule: expected.next!.rule, dueAt: expected.next!.dueAt, holds: expected.next!.dueAt <= T, warnDaysBefore: expected.warnDaysBefore },
          });
        }
        // A member's own view lists exactly its entries of the full list.
        for (const memberId of members) {
          const own = await items(reader, T, memberId);
          expect(own).toEqual((await items(reader, T)).filter((item) => item.memberId === memberId));
        }
      }),
      { numRuns: 300 },
    );
  });
});
