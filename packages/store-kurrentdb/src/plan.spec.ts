import { hashEvent, isCommandAlreadyRecordedError, isReservationConflictError, isStoreError, isWrongExpectedRevisionError } from '@eventcrm/runtime';
import type { AppendRequest, JsonObject, NewEvent, WrongExpectedRevisionError } from '@eventcrm/runtime';
import { describe, expect, it } from 'vitest';
import { bookkeepingTypes, commandRecorded, keyCreated, keyDestroyed, reservationClaimed, reservationReleased } from './bookkeeping.ts';
import { encodeEvent } from './codec.ts';
import type { OutgoingEvent, ServerEvent } from './codec.ts';
import { createStreamNaming } from './naming.ts';
import { conflictError, planAppend, targetsOf } from './plan.ts';
import type { AppendPlan, Observation } from './plan.ts';
import { checkAppendRequest } from './validate.ts';

const naming = createStreamNaming('t/');

const newEvent = (eventId: string, type = 'Happened'): NewEvent => ({
  eventId,
  type,
  schemaVersion: 1,
  data: { eventId },
  metadata: { commandId: 'c', actor: 'a', at: '2024-01-01T00:00:00.000Z', correlationId: 'k', causationId: null },
});

const recorded = (serverStream: string, revision: number, event: OutgoingEvent): ServerEvent => ({
  streamId: serverStream,
  id: event.id,
  revision: BigInt(revision),
  type: event.type,
  data: event.data,
  metadata: event.metadata,
  isJson: true,
  position: { commit: 1000n + BigInt(revision), prepare: 1000n + BigInt(revision) },
});

/** A port stream whose last event (at `revision`) has hash `hash`. */
function userStreamAt(stream: string, revision: number): { observation: Observation; hash: string } {
  const fields = { stream, revision, eventId: `last-of-${stream}`, type: 'Happened', schemaVersion: 1, data: {}, metadata: newEvent('x').metadata, previousHash: null };
  const hash = hashEvent(fields);
  return { observation: { status: 'present', last: recorded(naming.toServer(stream), revision, encodeEvent({ ...fields, hash })) }, hash };
}

const absent: Observation = { status: 'absent' };

/** Plans `requests`, reading every target as absent unless `observed` says otherwise. */
function plan(requests: readonly AppendRequest[], observed: Readonly<Record<string, Observation>> = {}, batch = false): AppendPlan {
  const checked = requests.map((request) => checkAppendRequest(request, naming));
  const observations = new Map([...targetsOf(checked, naming).keys()].map((serverStream) => [serverStream, observed[serverStream] ?? absent]));
  let next = 0;
  return planAppend(checked, observations, naming, () => `00000000-0000-4000-8000-${String(++next).padStart(12, '0')}`, { batch });
}

const failure = (action: () => unknown): unknown => {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
};

const reservationStream = (key: string): string => naming.internalStream('reservation', key);
const keyStream = (subject: string): string => naming.internalStream('key', subject);
const commandStream = (id: string): string => naming.internalStream('command', id);

describe('targets', () => {
  it('lists every stream an append must read first: writes, command, reservations, keys', () => {
    const checked = [
      checkAppendRequest(
        {
          writes: [{ stream: 'a', expected: 'any', events: [newEvent('e1')] }],
          commandId: 'cmd',
          reservations: { claim: [{ key: 'k1', owner: 'o' }], release: [{ key: 'k2', owner: 'o' }] },
          keys: { create: [{ subject: 's1', key: 'x' }], destroy: ['s2'] },
        },
        naming,
      ),
    ];
    expect([...targetsOf(checked, naming)]).toEqual([
      ['t/a', { kind: 'user', stream: 'a' }],
      [commandStream('cmd'), { kind: 'command', id: 'cmd' }],
      [reservationStream('k2'), { kind: 'reservation', id: 'k2' }],
      [reservationStream('k1'), { kind: 'reservation', id: 'k1' }],
      [keyStream('s1'), { kind: 'key', id: 's1' }],
      [keyStream('s2'), { kind: 'key', id: 's2' }],
    ]);
  });
});

describe('planning writes', () => {
  it('appends to a new stream at no_stream, chaining hashes from revision 0', () => {
    const planned = plan([{ writes: [{ stream: 'a', expected: 'no_stream', events: [newEvent('e1'), newEvent('e2')] }] }]);
    expect(planned.streams.map(({ serverStream, expected, events }) => ({ serverStream, expected, count: events.length }))).toEqual([
      { serverStream: 't/a', expected: 'no_stream', count: 2 },
    ]);
    const [first, second] = planned.results[0]!;
    expect(first).toMatchObject({ stream: 'a', revision: 0, previousHash: null, serverStream: 't/a' });
    expect(second).toMatchObject({ revision: 1, previousHash: first!.hash });
    expect(first!.hash).toBe(hashEvent(first!));
    expect(planned.tombstones).toEqual([]);
  });

  it('appends to an existing stream at its exact revision, whatever the caller expected', () => {
    const { observation, hash } = userStreamAt('a', 4);
    for (const expected of ['any', 'exists', 4] as const) {
      const planned = plan([{ writes: [{ stream: 'a', expected, events: [newEvent('e1')] }] }], { 't/a': observation });
      expect(planned.streams[0]!.expected, `expected ${expected}`).toBe(4n);
      expect(planned.results[0]![0]).toMatchObject({ revision: 5, previousHash: hash });
    }
  });

  it('fails with WrongExpectedRevisionError when the caller’s expectation does not hold', () => {
    const { observation } = userStreamAt('a', 4);
    for (const [expected, observed, actual] of [
      ['no_stream', observation, 4],
      [3, observation, 4],
      ['exists', absent, null],
      [0, absent, null],
    ] as const) {
      const error = failure(() => plan([{ writes: [{ stream: 'a', expected, events: [newEvent('e1')] }] }], { 't/a': observed }));
      expect(isWrongExpectedRevisionError(error), `expected ${expected}`).toBe(true);
      expect(error).toMatchObject({ stream: 'a', expected, actual });
    }
  });

  it('refuses to write a stream that was deleted in KurrentDB', () => {
    const error = failure(() => plan([{ writes: [{ stream: 'a', expected: 'any', events: [newEvent('e1')] }] }], { 't/a': { status: 'deleted' } }));
    expect(error).toMatchObject({ code: 'INVALID_APPEND' });
  });

  it('refuses to chain onto an event the adapter did not write', () => {
    const foreign: Observation = { status: 'present', last: { ...recorded('t/a', 0, { id: 'x', type: 'Raw', data: {}, metadata: {} }) } };
    expect(failure(() => plan([{ writes: [{ stream: 'a', expected: 'any', events: [newEvent('e1')] }] }], { 't/a': foreign }))).toMatchObject({ code: 'STORE_CORRUPTED' });
  });

  it('keeps the request order in records and groups per stream in streams', () => {
    const planned = plan(
      [
        { writes: [{ stream: 'a', expected: 'no_stream', events: [newEvent('a1')] }] },
        { writes: [{ stream: 'b', expected: 'no_stream', events: [newEvent('b1')] }] },
        { writes: [{ stream: 'a', expected: 0, events: [newEvent('a2')] }] },
      ],
      {},
      true,
    );
    expect(planned.records.map(({ serverStream, event }) => `${serverStream}:${(event.data as { eventId: string }).eventId}`)).toEqual(['t/a:a1', 't/b:b1', 't/a:a2']);
    expect(planned.streams.map(({ serverStream, events }) => [serverStream, events.length])).toEqual([
      ['t/a', 2],
      ['t/b', 1],
    ]);
    expect(planned.streams[0]!.expected, 'a stream written twice in a batch is expected where it was before the batch').toBe('no_stream');
    expect(planned.results.map((events) => events.map((event) => event.revision))).toEqual([[0], [0], [1]]);
  });
});

describe('planning command records', () => {
  it('records the command with references to the request’s events, at no_stream', () => {
    const planned = plan([
      {
        writes: [
          { stream: 'a', expected: 'any', events: [newEvent('e1', 'Opened')] },
          { stream: 'b', expected: 'any', events: [newEvent('e2', 'Linked')] },
        ],
        commandId: 'cmd-1',
      },
    ]);
    const command = planned.streams.find((stream) => stream.serverStream === commandStream('cmd-1'))!;
    expect(command.expected).toBe('no_stream');
    expect(command.events[0]!.type).toBe(bookkeepingTypes.commandRecorded);
    expect(command.events[0]!.data).toEqual({
      commandId: 'cmd-1',
      events: [
        { stream: 'a', revision: 0, eventId: 'e1', type: 'Opened' },
        { stream: 'b', revision: 0, eventId: 'e2', type: 'Linked' },
      ],
    });
  });

  it('fails with CommandAlreadyRecordedError when the command stream exists, also within a batch', () => {
    const recordedCommand: Observation = { status: 'present', last: recorded(commandStream('cmd-1'), 0, commandRecorded('id', 'cmd-1', [])) };
    const request: AppendRequest = { writes: [{ stream: 'a', expected: 'any', events: [newEvent('e1')] }], commandId: 'cmd-1' };
    const error = failure(() => plan([request], { [commandStream('cmd-1')]: recordedCommand }));
    expect(isCommandAlreadyRecordedError(error)).toBe(true);
    const inBatch = failure(() => plan([request, { ...request, writes: [{ stream: 'b', expected: 'any', events: [newEvent('e2')] }] }], {}, true));
    expect(isCommandAlreadyRecordedError(inBatch)).toBe(true);
    expect((inBatch as { requestIndex?: number }).requestIndex).toBe(1);
  });
});

describe('planning reservations', () => {
  const write = { stream: 'a', expected: 'any' as const, events: [newEvent('e1')] };
  const heldBy = (key: string, owner: string, revision = 0): Observation => ({ status: 'present', last: recorded(reservationStream(key), revision, reservationClaimed('id', owner)) });
  const freed = (key: string): Observation => ({ status: 'present', last: recorded(reservationStream(key), 1, reservationReleased('id', 'old')) });

  it('claims a free key at the exact state of its stream', () => {
    const planned = plan([{ writes: [write], reservations: { claim: [{ key: 'k', owner: 'o1' }] } }]);
    expect(planned.streams.find((stream) => stream.serverStream === reservationStream('k'))).toMatchObject({ expected: 'no_stream', events: [{ type: bookkeepingTypes.reservationClaimed, data: { owner: 'o1' } }] });
    const again = plan([{ writes: [write], reservations: { claim: [{ key: 'k', owner: 'o1' }] } }], { [reservationStream('k')]: freed('k') });
    expect(again.streams.find((stream) => stream.serverStream === reservationStream('k'))!.expected, 'a released key is claimed at its revision').toBe(1n);
  });

  it('does nothing for a key the owner already holds, or a release by someone else', () => {
    const planned = plan([{ writes: [write], reservations: { claim: [{ key: 'k', owner: 'o1' }], release: [{ key: 'k2', owner: 'o2' }] } }], {
      [reservationStream('k')]: heldBy('k', 'o1'),
      [reservationStream('k2')]: heldBy('k2', 'o1'),
    });
    expect(planned.streams.map((stream) => stream.serverStream)).toEqual(['t/a']);
  });

  it('fails with ReservationConflictError naming the holder', () => {
    const error = failure(() => plan([{ writes: [write], reservations: { claim: [{ key: 'k', owner: 'o2' }] } }], { [reservationStream('k')]: heldBy('k', 'o1') }));
    expect(isReservationConflictError(error)).toBe(true);
    expect(error).toMatchObject({ key: 'k', owner: 'o1' });
  });

  it('releases before it claims, so a key moves between owners in one append', () => {
    const planned = plan([{ writes: [write], reservations: { release: [{ key: 'k', owner: 'o1' }], claim: [{ key: 'k', owner: 'o2' }] } }], { [reservationStream('k')]: heldBy('k', 'o1', 3) });
    const stream = planned.streams.find((each) => each.serverStream === reservationStream('k'))!;
    expect(stream.expected).toBe(3n);
    expect(stream.events.map((event) => [event.type, event.data])).toEqual([
      [bookkeepingTypes.reservationReleased, { owner: 'o1' }],
      [bookkeepingTypes.reservationClaimed, { owner: 'o2' }],
    ]);
  });

  it('lets a later request of a batch see an earlier request’s claim', () => {
    const error = failure(() =>
      plan(
        [
          { writes: [write], reservations: { claim: [{ key: 'k', owner: 'a' }] } },
          { writes: [{ ...write, stream: 'b' }], reservations: { claim: [{ key: 'k', owner: 'b' }] } },
        ],
        {},
        true,
      ),
    );
    expect(isReservationConflictError(error)).toBe(true);
    expect(error).toMatchObject({ owner: 'a', requestIndex: 1 });
  });
});

describe('planning keys', () => {
  const write = { stream: 'a', expected: 'any' as const, events: [newEvent('e1')] };
  const active = (subject: string): Observation => ({ status: 'present', last: recorded(keyStream(subject), 0, keyCreated('id', 'a2V5')) });
  const destroyedNotTombstoned = (subject: string): Observation => ({ status: 'present', last: recorded(keyStream(subject), 1, keyDestroyed('id')) });

  it('creates a key for a new subject and leaves an existing or destroyed one alone', () => {
    const planned = plan([{ writes: [write], keys: { create: [{ subject: 'new', key: 'bmV3' }, { subject: 'old', key: 'x' }, { subject: 'gone', key: 'y' }] } }], {
      [keyStream('old')]: active('old'),
      [keyStream('gone')]: { status: 'deleted' },
    });
    const written = planned.streams.filter((stream) => stream.serverStream !== 't/a');
    expect(written).toMatchObject([{ serverStream: keyStream('new'), expected: 'no_stream', events: [{ type: bookkeepingTypes.keyCreated, data: { key: 'bmV3' } }] }]);
  });

  it('marks a key destroyed in the append and tombstones its stream after the commit', () => {
    const planned = plan([{ writes: [write], keys: { destroy: ['s', 'never-created'] } }], { [keyStream('s')]: active('s') });
    expect(planned.streams.filter((stream) => stream.serverStream !== 't/a')).toMatchObject([
      { serverStream: keyStream('s'), expected: 0n, events: [{ type: bookkeepingTypes.keyDestroyed }] },
      { serverStream: keyStream('never-created'), expected: 'no_stream', events: [{ type: bookkeepingTypes.keyDestroyed }] },
    ]);
    expect(planned.tombstones).toEqual([keyStream('s'), keyStream('never-created')]);
  });

  it('retries the tombstone of a key destroyed earlier whose tombstone failed, and does nothing for one already tombstoned', () => {
    const planned = plan([{ writes: [write], keys: { destroy: ['half', 'done'] } }], { [keyStream('half')]: destroyedNotTombstoned('half'), [keyStream('done')]: { status: 'deleted' } });
    expect(planned.streams.map((stream) => stream.serverStream)).toEqual(['t/a']);
    expect(planned.tombstones).toEqual([keyStream('half')]);
  });

  it('creates before it destroys within one request', () => {
    const planned = plan([{ writes: [write], keys: { create: [{ subject: 's', key: 'k' }], destroy: ['s'] } }]);
    expect(planned.streams.find((stream) => stream.serverStream === keyStream('s'))!.events.map((event) => event.type)).toEqual([bookkeepingTypes.keyCreated, bookkeepingTypes.keyDestroyed]);
  });
});

describe('conflicts reported by the server', () => {
  it('name the port stream and the caller’s expectation, with the actual revision', () => {
    const planned = plan([{ writes: [{ stream: 'a', expected: 'any', events: [newEvent('e1')] }], reservations: { claim: [{ key: 'k', owner: 'o' }] } }]);
    const user = conflictError(planned, [{ serverStream: 't/a', actual: 6n }], { batch: false });
    expect(user).toMatchObject({ stream: 'a', expected: 'any', actual: 6 });
    const internal: WrongExpectedRevisionError = conflictError(planned, [{ serverStream: reservationStream('k'), actual: 0n }], { batch: false });
    expect(internal).toMatchObject({ stream: 'reservation k', expected: 'no_stream', actual: 0 });
    expect(conflictError(planned, [{ serverStream: 'unknown', actual: 'no_stream' }], { batch: false }).actual).toBeNull();
  });

  it('carry the index of the request that first touched the stream in a batch', () => {
    const planned = plan(
      [
        { writes: [{ stream: 'a', expected: 'any', events: [newEvent('e1')] }] },
        { writes: [{ stream: 'b', expected: 'any', events: [newEvent('e2')] }] },
      ],
      {},
      true,
    );
    expect(conflictError(planned, [{ serverStream: 't/b', actual: 0n }], { batch: true }).requestIndex).toBe(1);
  });
});

describe('validation before planning', () => {
  it('rejects stream names and event types KurrentDB reserves, with INVALID_APPEND', () => {
    for (const request of [
      { writes: [{ stream: '$system', expected: 'any', events: [newEvent('e1')] }] },
      { writes: [{ stream: '__eventcrm-command-x', expected: 'any', events: [newEvent('e1')] }] },
      { writes: [{ stream: 'a', expected: 'any', events: [newEvent('e1', '$metadata')] }] },
    ] as AppendRequest[]) {
      const error = failure(() => checkAppendRequest(request, naming));
      expect(isStoreError(error) && error.code, JSON.stringify(request.writes[0]!.stream)).toBe('INVALID_APPEND');
    }
  });

  it('applies the runtime’s shared rules first', () => {
    expect(failure(() => checkAppendRequest({ writes: [] }, naming))).toMatchObject({ code: 'INVALID_APPEND' });
    expect(failure(() => checkAppendRequest({ writes: [{ stream: 'a', expected: -1, events: [newEvent('e1')] }] }, naming))).toMatchObject({ code: 'INVALID_APPEND' });
  });

  it('copies data and metadata as the server will return them', () => {
    const data = { nested: { list: [1] }, gone: undefined, zero: -0 };
    const checked = checkAppendRequest({ writes: [{ stream: 'a', expected: 'any', events: [{ ...newEvent('e1'), data: data as unknown as JsonObject }] }] }, naming);
    data.nested.list.push(2);
    expect(checked.writes[0]!.events[0]!.data).toEqual({ nested: { list: [1] }, zero: 0 });
    expect(Object.is(checked.writes[0]!.events[0]!.data['zero'], 0)).toBe(true);
    expect('gone' in checked.writes[0]!.events[0]!.data).toBe(false);
  });
});
