import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { comparePositions } from '@eventcrm/runtime';
import type { Position, StoredEvent } from '@eventcrm/runtime';
import { createPostgresHarness, postgresAvailableForTests, postgresTestUrl } from './testing.ts';
import { runTogether } from '../test/children.ts';
import { sleep } from '../test/fixtures.ts';

/**
 * The sequence-gap problem, provoked on purpose: four writer processes (three
 * appends in flight each) sleep a random few milliseconds inside most of
 * their transactions *after* drawing positions, so that with naively
 * assigned positions commits would land out of position order and a reader
 * would move past positions that only become visible later. Decision 011 says
 * that cannot happen here; this spec checks it, with a live subscriber and a
 * polling `readAll` reader following the writers the whole time.
 */
const available = await postgresAvailableForTests();

const writers = 4;
const writeForMs = 3000;

async function until(condition: () => boolean, what: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await sleep(20);
  }
}

function expectStrictlyIncreasing(events: readonly StoredEvent[], who: string): void {
  for (let index = 1; index < events.length; index += 1) {
    const previous = events[index - 1]!.position;
    const current = events[index]!.position;
    expect(comparePositions(previous, current), `${who}: position ${current} came after ${previous}`).toBeLessThan(0);
  }
}

describe.runIf(available)('never skipping an event (4 writer processes, stretched transactions)', () => {
  const harness = createPostgresHarness();
  afterAll(() => harness.dispose());

  it('a live subscriber and a polling reader each see exactly the committed events, once, in increasing position order', { timeout: 90_000 }, async () => {
    const store = await harness.createPostgres();
    const controller = new AbortController();

    const subscribed: StoredEvent[] = [];
    const subscriber = (async () => {
      // Small batches: many page boundaries while the writers are busy.
      for await (const batch of store.subscribe({ signal: controller.signal, batchSize: 7, pollIntervalMs: 25 })) subscribed.push(...batch);
    })();

    const polled: StoredEvent[] = [];
    const poller = (async () => {
      let after: Position | undefined;
      while (!controller.signal.aborted) {
        for await (const batch of store.readAll({ batchSize: 5, ...(after === undefined ? {} : { after }) })) {
          polled.push(...batch);
          after = batch[batch.length - 1]!.position;
        }
        await sleep(3);
      }
    })();

    const results = (await runTogether(
      Array.from({ length: writers }, (_, worker) => ['stretched', postgresTestUrl(), store.schema, String(worker), String(writeForMs)]),
    )) as { acknowledged: string[] }[];

    const table = await store.pool.query<{ event_id: string; position: string }>(
      `SELECT e.event_id, e.position::text AS position FROM ${pg.escapeIdentifier(store.schema)}.events AS e ORDER BY e.position`,
    );
    const head = table.rows.at(-1)?.position;
    try {
      await until(
        () => subscribed.at(-1)?.position === head && polled.at(-1)?.position === head,
        () => `the readers to reach the head of the log at ${head}: the subscriber is at ${subscribed.at(-1)?.position} (${subscribed.length} events), the polling reader at ${polled.at(-1)?.position} (${polled.length} events), ${table.rows.length} in the table`,
      );
    } finally {
      controller.abort();
      await Promise.all([subscriber, poller]);
    }

    const acknowledged = results.flatMap((result) => result.acknowledged);
    const tableIds = table.rows.map((row) => row.event_id);
    // The writers were busy: enough appends raced for the test to mean something.
    expect(acknowledged.length).toBeGreaterThan(100);
    expect(new Set(acknowledged)).toEqual(new Set(tableIds));
    expect(acknowledged).toHaveLength(tableIds.length);

    for (const [who, events] of [
      ['subscriber', subscribed],
      ['polling reader', polled],
    ] as const) {
      expectStrictlyIncreasing(events, who);
      expect(events.map((event) => event.eventId), `${who} saw exactly the table's events, in position order`).toEqual(tableIds);
    }
  });
});
