import { describe, expect, it } from 'vitest';
import { hashEvent } from '@eventcrm/runtime';
import type { AppendRequest } from '@eventcrm/runtime';
import { PlanRejected, appendFootprint, planAppend } from './appendPlan.ts';
import type { AppendSnapshot } from './appendPlan.ts';
import { newEvent } from '../test/fixtures.ts';

const empty: AppendSnapshot = { heads: new Map(), recordedCommands: new Set(), owners: new Map() };
const rejectionOf = (requests: AppendRequest[], snapshot: AppendSnapshot = empty): PlanRejected => {
  try {
    planAppend(requests, snapshot);
  } catch (error) {
    if (error instanceof PlanRejected) return error;
    throw error;
  }
  throw new Error('expected the plan to be rejected');
};

describe('planAppend', () => {
  it('continues revisions and hash links from the snapshot and across requests', () => {
    const plan = planAppend(
      [
        { writes: [{ stream: 'a', expected: 4, events: [newEvent()] }] },
        { writes: [{ stream: 'a', expected: 5, events: [newEvent(), newEvent()] }, { stream: 'b', expected: 'no_stream', events: [newEvent()] }] },
      ],
      { ...empty, heads: new Map([['a', { revision: 4, hash: 'h4' }], ['b', null]]) },
    );
    expect(plan.events.map((event) => `${event.stream}@${event.revision}`)).toEqual(['a@5', 'a@6', 'a@7', 'b@0']);
    expect(plan.events.map((event) => event.previousHash)).toEqual(['h4', plan.events[0]!.hash, plan.events[1]!.hash, null]);
    expect(plan.ranges).toEqual([[0, 1], [1, 4]]);
    for (const planned of plan.events) expect(planned.hash).toBe(hashEvent({ ...planned.event, stream: planned.stream, revision: planned.revision, previousHash: planned.previousHash }));
  });

  it('hashes a JSON copy of the event, so the caller cannot change it afterwards', () => {
    const event = newEvent('A', { value: -0 });
    const plan = planAppend([{ writes: [{ stream: 'a', expected: 'any', events: [event] }] }], empty);
    const planned = plan.events[0]!;
    expect(planned.event.data).not.toBe(event.data);
    expect(Object.is(planned.event.data['value'], 0)).toBe(true);
    expect(planned.dataJson).toBe('{"value":0}');
  });

  it('rejects the first failing request: command ids, expectations, reservations', () => {
    expect(rejectionOf([{ commandId: 'c', writes: [] }], { ...empty, recordedCommands: new Set(['c']) })).toMatchObject({ requestIndex: 0, error: { code: 'COMMAND_ALREADY_RECORDED' } });
    expect(
      rejectionOf([
        { writes: [{ stream: 'a', expected: 'no_stream', events: [newEvent()] }] },
        { writes: [{ stream: 'a', expected: 'no_stream', events: [newEvent()] }] },
      ]),
    ).toMatchObject({ requestIndex: 1, error: { code: 'WRONG_EXPECTED_REVISION', actual: 0 } });
    expect(
      rejectionOf([{ writes: [], reservations: { claim: [{ key: 'k', owner: 'me' }] } }], { ...empty, owners: new Map([['k', 'other']]) }),
    ).toMatchObject({ requestIndex: 0, error: { code: 'RESERVATION_CONFLICT', owner: 'other' } });
  });

  it('releases before claims and writes only the owners that change', () => {
    const plan = planAppend(
      [
        { writes: [], reservations: { release: [{ key: 'moving', owner: 'old' }, { key: 'not-mine', owner: 'me' }], claim: [{ key: 'moving', owner: 'new' }, { key: 'kept', owner: 'me' }] } },
        { writes: [], reservations: { release: [{ key: 'freed', owner: 'me' }] } },
      ],
      { ...empty, owners: new Map([['moving', 'old'], ['not-mine', 'other'], ['kept', 'me'], ['freed', 'me']]) },
    );
    expect(plan.finalOwners).toEqual(new Map([['moving', 'new'], ['freed', null]]));
  });

  it('keeps the first created key per subject and lets a destroy win over any create', () => {
    const plan = planAppend(
      [
        { writes: [], keys: { create: [{ subject: 'a', key: 'first' }, { subject: 'b', key: 'b1' }] } },
        { writes: [], keys: { create: [{ subject: 'a', key: 'second' }], destroy: ['b'] } },
        { writes: [], keys: { create: [{ subject: 'b', key: 'b2' }] } },
      ],
      empty,
    );
    expect(plan.keysToCreate).toEqual(new Map([['a', 'first']]));
    expect(plan.subjectsToDestroy).toEqual(new Set(['b']));
  });

  it('lists the footprint a snapshot must cover, without duplicates', () => {
    expect(
      appendFootprint([
        { commandId: 'c', writes: [{ stream: 'a', expected: 'any', events: [] }], reservations: { claim: [{ key: 'k', owner: 'o' }] } },
        { writes: [{ stream: 'a', expected: 'any', events: [] }], reservations: { release: [{ key: 'k', owner: 'o' }] } },
      ]),
    ).toEqual({ streams: ['a'], commandIds: ['c'], reservationKeys: ['k'] });
  });
});
