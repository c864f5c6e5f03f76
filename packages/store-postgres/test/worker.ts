/**
 * A child process for the multi-process specs. It reports `ready` once its
 * imports are loaded, waits for `go` on stdin so that every child starts at
 * the same moment, does its work against one schema and prints one
 * `result <json>` line.
 *
 *   worker.ts stretched <url> <schema> <worker> <durationMs>
 *       appends for durationMs, sleeping a random 0–15 ms inside most
 *       transactions after positions are drawn, so commits would land out of
 *       position order if positions were not serialised
 *   worker.ts contended <url> <schema> <worker> <durationMs> <streams>
 *       appends to shared streams with exact expected revisions, retrying on
 *       WrongExpectedRevisionError
 *   worker.ts reserve <url> <schema> <worker> <key>
 *       claims one reservation key (first use of the schema included)
 */
import { createInterface } from 'node:readline';
import { isReservationConflictError, isWrongExpectedRevisionError } from '@eventcrm/runtime';
import type { AppendRequest } from '@eventcrm/runtime';
import { createPostgresEventStore } from '../src/index.ts';
import { newEvent } from './fixtures.ts';

const [mode, url, schema, worker, ...rest] = process.argv.slice(2);
if (mode === undefined || url === undefined || schema === undefined || worker === undefined) throw new Error('usage: worker.ts <mode> <url> <schema> <worker> …');

const go = new Promise<void>((resolve) => {
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line === 'go') {
      lines.close();
      resolve();
    }
  });
});
process.stdout.write('ready\n');
await go;

const report = (result: unknown): void => {
  process.stdout.write(`result ${JSON.stringify(result)}\n`);
};

if (mode === 'stretched') {
  const durationMs = Number(rest[0]);
  const store = createPostgresEventStore({
    connectionString: url,
    schema,
    maxConnections: 4,
    hooks: {
      beforeCommit: async (client) => {
        if (Math.random() < 0.7) await client.query('SELECT pg_sleep($1)', [Math.random() * 0.015]);
      },
    },
  });
  const acknowledged: string[] = [];
  const deadline = Date.now() + durationMs;
  // Several appends in flight per process, so this process's own transactions overlap too.
  const lane = async (lane: number): Promise<void> => {
    let round = 0;
    while (Date.now() < deadline) {
      round += 1;
      const stream = `stretched-${worker}-${lane}-${round % 5}`;
      const request: AppendRequest = { writes: [{ stream, expected: 'any', events: Array.from({ length: 1 + (round % 3) }, () => newEvent()) }] };
      const result = round % 10 === 0 ? (await store.appendBatch([request, { writes: [{ stream: `${stream}-batch`, expected: 'any', events: [newEvent()] }] }])).flatMap((r) => r.events) : (await store.append(request)).events;
      acknowledged.push(...result.map((event) => event.eventId));
    }
  };
  await Promise.all([0, 1, 2].map(lane));
  await store.close();
  report({ acknowledged });
} else if (mode === 'contended') {
  const durationMs = Number(rest[0]);
  const streamCount = Number(rest[1]);
  const store = createPostgresEventStore({ connectionString: url, schema, maxConnections: 2 });
  const acknowledged: string[] = [];
  let conflicts = 0;
  const deadline = Date.now() + durationMs;
  while (Date.now() < deadline) {
    const stream = `contended-${Math.floor(Math.random() * streamCount)}`;
    const event = newEvent('Contended', { worker: worker });
    // Retry with a fresh read until the append wins: the usual optimistic-concurrency loop.
    for (;;) {
      const revision = await store.streamRevision(stream);
      try {
        await store.append({ writes: [{ stream, expected: revision ?? 'no_stream', events: [event] }] });
        acknowledged.push(event.eventId);
        break;
      } catch (error) {
        if (!isWrongExpectedRevisionError(error)) throw error;
        conflicts += 1;
      }
    }
  }
  await store.close();
  report({ acknowledged, conflicts });
} else if (mode === 'reserve') {
  const key = rest[0] ?? 'key';
  const store = createPostgresEventStore({ connectionString: url, schema, maxConnections: 2 });
  try {
    await store.append({ writes: [{ stream: `claimant-${worker}`, expected: 'no_stream', events: [newEvent('KeyClaimed')] }], reservations: { claim: [{ key, owner: `claimant-${worker}` }] } });
    report({ won: true });
  } catch (error) {
    if (!isReservationConflictError(error)) throw error;
    report({ won: false, holder: error.owner });
  } finally {
    await store.close();
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
