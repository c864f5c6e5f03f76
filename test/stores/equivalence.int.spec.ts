import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandExecutor, createInMemoryEventStore, EventCodec, ManualClock, type EventStore, type ExecutionOutcome } from '@eventcrm/runtime';
import { createSqliteEventStore } from '@eventcrm/store-sqlite';
import { createPostgresHarness, postgresAvailableForTests } from '@eventcrm/store-postgres/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenario, scenarioEnd, type CommandInput } from '../support/scenario.ts';

const postgresAvailable = await postgresAvailableForTests();
const postgres = postgresAvailable ? createPostgresHarness({ schemaPrefix: 'eventcrm_equiv' }) : undefined;
const dir = mkdtempSync(join(tmpdir(), 'eventcrm-equivalence-'));
let files = 0;

afterAll(async () => {
  await postgres?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** What must be the same on every store: outcomes and the decoded log, ignoring generated ids and raw positions. */
async function run(store: EventStore, inputs: readonly CommandInput[]) {
  const executor = new CommandExecutor({ store, clock: new ManualClock(scenarioEnd(inputs)) });
  const outcomes: unknown[] = [];
  const strip = (outcome: ExecutionOutcome): unknown =>
    outcome.ok
      ? { ok: true, duplicate: outcome.duplicate, events: outcome.events.map(({ stream, revision, type }) => ({ stream, revision, type })), triggered: outcome.triggered.map(strip) }
      : { ok: false, error: outcome.error };
  for (const input of inputs) outcomes.push(strip(await executor.execute(input)));
  const codec = new EventCodec(store);
  const log: unknown[] = [];
  // Event ids are random per store, and policy command ids derive from them: name both by their place in the log instead.
  const places = new Map<string, string>();
  for await (const batch of store.readAll({ batchSize: 50 })) {
    for (const event of await codec.decodeAll(batch)) {
      places.set(event.eventId, `${event.stream}@${event.revision}`);
      const cause = event.metadata.causationId === null ? null : (places.get(event.metadata.causationId) ?? 'unknown');
      const commandId = event.metadata.commandId.startsWith('p-') ? `policy after ${String(cause)}` : event.metadata.commandId;
      log.push({ stream: event.stream, revision: event.revision, type: event.type, data: event.data, metadata: { ...event.metadata, causationId: cause, commandId } });
    }
  }
  await store.close();
  return { outcomes, log };
}

describe('every store gives the same outcomes and the same log for the same commands', () => {
  const stores: [string, () => Promise<EventStore>][] = [
    ['sqlite', () => Promise.resolve(createSqliteEventStore({ path: join(dir, `store-${(files += 1)}.db`) }))],
    ...(postgres === undefined ? [] : [['postgres', () => postgres.create()] as [string, () => Promise<EventStore>]]),
  ];
  beforeAll(() => {
    if (postgres === undefined) console.warn('PostgreSQL unavailable: comparing memory with SQLite only');
  });

  it('memory = sqlite = postgres on random scenarios', async () => {
    await fc.assert(
      fc.asyncProperty(scenario({ min: 10, max: 50 }), async (inputs) => {
        const reference = await run(createInMemoryEventStore(), inputs);
        for (const [name, create] of stores) {
          const other = await run(await create(), inputs);
          expect(other.outcomes, `${name} outcomes`).toEqual(reference.outcomes);
          expect(other.log, `${name} log`).toEqual(reference.log);
        }
      }),
      { numRuns: 12 },
    );
  });
});
