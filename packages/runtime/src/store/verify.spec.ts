import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashEvent } from './hash.ts';
import { createInMemoryEventStore, tamperForTests } from './memory.ts';
import type { EventStore, NewEvent } from './port.ts';
import { verifyChains } from './verify.ts';

const event = (index: number): NewEvent => ({
  eventId: randomUUID(),
  type: 'Noted',
  schemaVersion: 1,
  data: { index },
  metadata: { commandId: randomUUID(), actor: 'verify-spec', at: '2024-01-01T00:00:00.000Z', correlationId: 'c', causationId: null },
});

/** A store with `streams` streams of `length` events each, appended one event at a time, interleaved. */
async function seeded(streams: readonly string[], length: number): Promise<EventStore> {
  const store = createInMemoryEventStore();
  for (let revision = 0; revision < length; revision += 1) {
    for (const stream of streams) {
      await store.append({ writes: [{ stream, expected: revision === 0 ? 'no_stream' : revision - 1, events: [event(revision)] }] });
    }
  }
  return store;
}

const problems = (breaks: readonly { stream: string; revision: number; problem: string }[]): string[] =>
  breaks.map(({ stream, revision, problem }) => `${stream}@${revision}:${problem}`);

describe('verifyChains', () => {
  it('reports an empty log as intact', async () => {
    expect(await verifyChains(createInMemoryEventStore())).toEqual({ eventsChecked: 0, streamsChecked: 0, breaks: [], intact: true });
  });

  it('reports an untouched log as intact, counting events and streams', async () => {
    const report = await verifyChains(await seeded(['a', 'b', 'c'], 4));
    expect(report).toEqual({ eventsChecked: 12, streamsChecked: 3, breaks: [], intact: true });
  });

  it('reads in batches of batchSize and reports progress after each', async () => {
    const progress: number[] = [];
    await verifyChains(await seeded(['a'], 5), { batchSize: 2, onProgress: (checked) => progress.push(checked) });
    expect(progress).toEqual([2, 4, 5]);
  });

  it('reports changed data as hash_mismatch at that event only', async () => {
    const store = await seeded(['a', 'b'], 3);
    const [, target] = await store.readStream('a');
    tamperForTests(store).replaceData('a', 1, { index: 99 });
    const report = await verifyChains(store);
    expect(report.intact).toBe(false);
    expect(report.breaks).toEqual([
      { stream: 'a', revision: 1, position: target!.position, problem: 'hash_mismatch', message: 'the stored content does not match its hash' },
    ]);
  });

  it('reports changed metadata as hash_mismatch', async () => {
    const store = await seeded(['a'], 2);
    tamperForTests(store).rewriteEvent('a', 0, (stored) => ({ ...stored, metadata: { ...stored.metadata, actor: 'someone-else' } }));
    expect(problems((await verifyChains(store)).breaks)).toEqual(['a@0:hash_mismatch']);
  });

  it('reports a deleted event as a revision gap and a broken link at the next event', async () => {
    const store = await seeded(['a', 'b'], 3);
    tamperForTests(store).deleteEvent('a', 1);
    const report = await verifyChains(store);
    expect(problems(report.breaks)).toEqual(['a@2:revision_gap', 'a@2:broken_link']);
    expect(report.breaks[0]!.message).toBe('revisions 1..1 are missing');
    expect(report.eventsChecked).toBe(5);
  });

  it('reports a deleted first event as a gap with nothing to link to', async () => {
    const store = await seeded(['a'], 2);
    tamperForTests(store).deleteEvent('a', 0);
    const { breaks } = await verifyChains(store);
    expect(problems(breaks)).toEqual(['a@1:revision_gap', 'a@1:broken_link']);
    expect(breaks[1]!.message).toBe('the stream has no earlier event to link to');
  });

  it('reports a deleted last event not at all: the chain cannot tell (a known limit of hash chains)', async () => {
    const store = await seeded(['a'], 3);
    tamperForTests(store).deleteEvent('a', 2);
    expect((await verifyChains(store)).intact).toBe(true);
  });

  it('reports swapped events at both revisions', async () => {
    const store = await seeded(['a'], 4);
    tamperForTests(store).swapEvents('a', 1, 2);
    // Revision 3 still links to the hash that moved to revision 1, so its link breaks too.
    expect(problems((await verifyChains(store)).breaks)).toEqual([
      'a@1:hash_mismatch',
      'a@1:broken_link',
      'a@2:hash_mismatch',
      'a@2:broken_link',
      'a@3:broken_link',
    ]);
  });

  it('reports a rewritten previous hash as a broken link even when the event was re-hashed', async () => {
    const store = await seeded(['a'], 3);
    tamperForTests(store).rewriteEvent('a', 1, (stored) => {
      const forged = { ...stored, previousHash: 'f'.repeat(64) };
      return { ...forged, hash: hashEvent(forged) };
    });
    // Re-hashing revision 1 also breaks revision 2's link to it.
    expect(problems((await verifyChains(store)).breaks)).toEqual(['a@1:broken_link', 'a@2:broken_link']);
  });

  it('reports a repeated revision as revision_out_of_order', async () => {
    const store = await seeded(['a'], 3);
    const [, second] = await store.readStream('a');
    tamperForTests(store).rewriteEvent('a', 2, (stored) => {
      // A perfectly hashed and linked event that claims an earlier revision.
      const forged = { ...stored, revision: 1, previousHash: second!.hash };
      return { ...forged, hash: hashEvent(forged) };
    });
    const { breaks } = await verifyChains(store);
    expect(problems(breaks)).toEqual(['a@1:revision_out_of_order']);
    expect(breaks[0]!.message).toBe('revision 1 comes after revision 1');
  });
});
