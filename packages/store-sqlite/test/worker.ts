/**
 * A child process for the multi-process specs. It reports `ready` once its
 * imports are loaded, waits for `go` on stdin so that every child starts at
 * the same moment, opens the store (several children may race to create the
 * file), does its work and prints one `result <json>` line.
 *
 *   worker.ts append  <path> <worker> <durationMs> <streams>
 *   worker.ts reserve <path> <worker> <key>
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { isStoreError, isWrongExpectedRevisionError } from '@eventcrm/runtime';
import type { AppendRequest } from '@eventcrm/runtime';
import { createSqliteEventStore } from '../src/index.ts';
import { newEvent } from './fixtures.ts';

const [mode, path, worker, ...rest] = process.argv.slice(2);
if (path === undefined || worker === undefined) throw new Error('usage: worker.ts <mode> <path> <worker> …');

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

const store = createSqliteEventStore({ path, busyTimeoutMs: 20_000 });
const report = (result: unknown): void => {
  process.stdout.write(`result ${JSON.stringify(result)}\n`);
};

if (mode === 'append') {
  const durationMs = Number(rest[0]);
  const streamCount = Number(rest[1]);
  const acknowledged: string[] = [];
  let appends = 0;
  let conflicts = 0;
  const deadline = Date.now() + durationMs;
  const pick = (): string => `customer-${Math.floor(Math.random() * streamCount)}`;
  // Read the revision, decide, append with that expectation; on a conflict
  // read again and retry, as the command runtime does.
  const requestFor = async (stream: string, commandId: string): Promise<AppendRequest> => {
    const revision = await store.streamRevision(stream);
    const events = Array.from({ length: 1 + Math.floor(Math.random() * 3) }, () => newEvent('CustomerNoteAdded', { worker, note: randomUUID() }, commandId));
    return { commandId, writes: [{ stream, expected: revision ?? 'no_stream', events }] };
  };
  while (Date.now() < deadline) {
    const useBatch = appends % 5 === 4;
    for (;;) {
      try {
        if (useBatch) {
          // Two different streams in one transaction: the bulk path under contention.
          const first = pick();
          let second = pick();
          while (second === first && streamCount > 1) second = pick();
          const requests = [await requestFor(first, randomUUID()), await requestFor(second, randomUUID())];
          const results = await store.appendBatch(requests);
          for (const result of results) acknowledged.push(...result.events.map((event) => event.eventId));
        } else {
          const { events } = await store.append(await requestFor(pick(), randomUUID()));
          acknowledged.push(...events.map((event) => event.eventId));
        }
        appends += 1;
        break;
      } catch (error) {
        if (!isWrongExpectedRevisionError(error)) throw error;
        conflicts += 1;
      }
    }
  }
  report({ worker, appends, conflicts, acknowledged });
} else if (mode === 'reserve') {
  const key = rest[0] ?? 'phone:+491700000000';
  const owner = `customer-${worker}`;
  try {
    await store.append({
      commandId: randomUUID(),
      writes: [{ stream: owner, expected: 'no_stream', events: [newEvent('CustomerRegistered', { phone: key })] }],
      reservations: { claim: [{ key, owner }] },
    });
    report({ worker, owner, outcome: 'claimed' });
  } catch (error) {
    if (!isStoreError(error)) throw error;
    report({ worker, owner, outcome: error.code });
  }
} else {
  throw new Error(`unknown mode ${String(mode)}`);
}
await store.close();
