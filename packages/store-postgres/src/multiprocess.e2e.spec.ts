import { afterAll, describe, expect, it } from 'vitest';
import { verifyChains } from '@eventcrm/runtime';
import type { StoredEvent } from '@eventcrm/runtime';
import { createPostgresEventStore } from './index.ts';
import { createPostgresHarness, dropSchemas, postgresAvailableForTests, postgresTestUrl, randomSchemaName } from './testing.ts';
import { runTogether } from '../test/children.ts';
import { collect } from '../test/fixtures.ts';

/**
 * Several OS processes on one schema: the guarantees that matter only when
 * the writers do not share a Node event loop (or a pool).
 */
const available = await postgresAvailableForTests();

const processes = 4;

describe.runIf(available)('several processes on one schema', () => {
  const harness = createPostgresHarness();
  const ownSchemas: string[] = [];
  afterAll(async () => {
    await harness.dispose();
    await dropSchemas(postgresTestUrl(), ownSchemas);
  });

  it('appending to overlapping streams with expected-revision retries loses and duplicates nothing', { timeout: 90_000 }, async () => {
    const store = await harness.createPostgres();
    const results = (await runTogether(
      Array.from({ length: processes }, (_, worker) => ['contended', postgresTestUrl(), store.schema, String(worker), '2500', '3']),
    )) as { acknowledged: string[]; conflicts: number }[];

    const acknowledged = results.flatMap((result) => result.acknowledged);
    // Three streams for four processes: they must have collided, or the test proved nothing.
    expect(results.reduce((sum, result) => sum + result.conflicts, 0)).toBeGreaterThan(0);
    expect(acknowledged.length).toBeGreaterThan(50);

    const log: StoredEvent[] = (await collect(store.readAll({ batchSize: 500 }))).flat();
    const ids = log.map((event) => event.eventId);
    expect(new Set(ids).size, 'no event is stored twice').toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(acknowledged));
    for (const stream of new Set(log.map((event) => event.stream))) {
      const revisions = (await store.readStream(stream)).map((event) => event.revision);
      expect(revisions, `${stream} has contiguous revisions`).toEqual(revisions.map((_, index) => index));
    }
    const report = await verifyChains(store);
    expect(report.breaks).toEqual([]);
    expect(report.eventsChecked).toBe(acknowledged.length);
  });

  it('of four processes claiming one key at once on a schema none has used yet, exactly one wins', { timeout: 60_000 }, async () => {
    // No migration beforehand: the processes also race to create the schema.
    const schema = randomSchemaName();
    ownSchemas.push(schema);
    const results = (await runTogether(
      Array.from({ length: processes }, (_, worker) => ['reserve', postgresTestUrl(), schema, String(worker), 'phone:+33123456789']),
    )) as { won: boolean; holder?: string }[];

    const winners = results.flatMap((result, worker) => (result.won ? [`claimant-${worker}`] : []));
    expect(winners).toHaveLength(1);
    for (const result of results) if (!result.won) expect(result.holder).toBe(winners[0]);

    const store = createPostgresEventStore({ connectionString: postgresTestUrl(), schema });
    try {
      expect(await store.lookupReservations(['phone:+33123456789'])).toEqual(new Map([['phone:+33123456789', winners[0]]]));
      const log = (await collect(store.readAll())).flat();
      expect(log.map((event) => event.stream)).toEqual(winners);
    } finally {
      await store.close();
    }
  });
});
