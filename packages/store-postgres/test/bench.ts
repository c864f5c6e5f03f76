/**
 * Rough throughput figures for the PostgreSQL store (not a test):
 *   node --conditions=@eventcrm/source --import tsx test/bench.ts [url]
 * Each scenario runs in its own random schema, dropped afterwards.
 */
import type { AppendRequest } from '@eventcrm/runtime';
import { createPostgresEventStore } from '../src/index.ts';
import { dropSchemas, postgresTestUrl, randomSchemaName } from '../src/testing.ts';
import { newEvent } from './fixtures.ts';

const url = process.argv[2] ?? postgresTestUrl();

async function scenario(name: string, run: (store: ReturnType<typeof createPostgresEventStore>) => Promise<number>): Promise<void> {
  const schema = randomSchemaName('eventcrm_bench');
  const store = createPostgresEventStore({ connectionString: url, schema });
  await store.migrate();
  try {
    const started = performance.now();
    const events = await run(store);
    const seconds = (performance.now() - started) / 1000;
    console.log(`${name}: ${events} events in ${seconds.toFixed(2)} s = ${Math.round(events / seconds)} events/s`);
  } finally {
    await store.close();
    await dropSchemas(url, [schema]);
  }
}

const bulkRequests = (events: number, streams: number, offset = 0): AppendRequest[] =>
  Array.from({ length: events / 2 }, (_, index) => ({
    commandId: `import-${offset + index}`,
    writes: [{ stream: `customer-${(offset + index) % streams}`, expected: 'any' as const, events: [newEvent('CustomerImported', { name: 'Ada Lovelace', phone: '+33123456789', index }), newEvent('CustomerTagged', { tag: 'vip' })] }],
  }));

await scenario('appendBatch, 100k events (50k requests, 20k streams) in one call', async (store) => {
  await store.appendBatch(bulkRequests(100_000, 20_000));
  return 100_000;
});

await scenario('appendBatch, 100k events as 10 calls of 10k', async (store) => {
  for (let call = 0; call < 10; call += 1) await store.appendBatch(bulkRequests(10_000, 20_000, call * 5000));
  return 100_000;
});

const forSeconds = async (seconds: number, inFlight: number, append: (lane: number, round: number) => Promise<unknown>): Promise<number> => {
  const deadline = performance.now() + seconds * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async (_, lane) => {
      for (let round = 0; performance.now() < deadline; round += 1) {
        await append(lane, round);
        count += 1;
      }
    }),
  );
  return count;
};

await scenario('single appends, one at a time, with command record', (store) =>
  forSeconds(3, 1, (lane, round) => store.append({ commandId: `c-${lane}-${round}`, writes: [{ stream: `s-${round % 100}`, expected: 'any', events: [newEvent()] }] })),
);

await scenario('single appends, 8 in flight, with command record', (store) =>
  forSeconds(3, 8, (lane, round) => store.append({ commandId: `c-${lane}-${round}`, writes: [{ stream: `s-${lane}-${round % 100}`, expected: 'any', events: [newEvent()] }] })),
);
