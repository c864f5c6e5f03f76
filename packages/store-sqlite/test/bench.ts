/**
 * Rough throughput figures for the SQLite store (not a test: timings vary by
 * machine). Run from the package: `pnpm bench` or
 * `node --conditions=@eventcrm/source --import tsx test/bench.ts --events=1000000 --order=stream --ids=v7`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyChains } from '@eventcrm/runtime';
import type { AppendRequest } from '@eventcrm/runtime';
import { createSqliteEventStore } from '../src/index.ts';

const option = (name: string, fallback: string): string =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const total = Number(option('events', '100000'));
const synchronous = option('synchronous', 'NORMAL') === 'FULL' ? 'FULL' : 'NORMAL';
const batchRequests = Number(option('batch', '10000'));
/** `round-robin`: every stream gets one event before any gets its next (worst case for the stream index); `stream`: one history at a time. */
const order = option('order', 'round-robin');
/** `v4`: random ids (worst case for the id indexes); `v7`: time-ordered ids, as UUIDv7 generators give. */
const ids = option('ids', 'v4');
const cacheMiB = Number(option('cache-mib', '0')); // 0: the store's default
const mmapMiB = Number(option('mmap-mib', '0'));
const eventsPerStream = 10;

let sequence = 0;
const timeOrderedId = (): string => {
  // UUIDv7 layout: 48-bit milliseconds, then a counter standing in for the random bits.
  const hex = Date.now().toString(16).padStart(12, '0') + (sequence++).toString(16).padStart(20, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};
const newId = ids === 'v7' ? timeOrderedId : randomUUID;
const directory = mkdtempSync(join(tmpdir(), 'eventcrm-sqlite-bench-'));
const path = join(directory, 'bench.sqlite');
const store = createSqliteEventStore({ path, synchronous, ...(cacheMiB > 0 ? { cacheSizeMiB: cacheMiB } : {}) });
if (mmapMiB > 0) store.database.pragma(`mmap_size = ${mmapMiB * 1024 * 1024}`);

const request = (index: number): AppendRequest => {
  const stream = `customer-${Math.floor(index / eventsPerStream)}`;
  const revision = index % eventsPerStream;
  const commandId = newId();
  return {
    commandId,
    writes: [
      {
        stream,
        expected: revision === 0 ? 'no_stream' : revision - 1,
        events: [
          {
            eventId: newId(),
            type: revision === 0 ? 'CustomerRegistered' : 'CustomerNoteAdded',
            schemaVersion: 1,
            data: { customerId: stream, name: `Customer ${index}`, note: 'x'.repeat(80), phone: { iv: 'aXY=', ciphertext: 'Y2lwaGVy' } },
            metadata: { commandId, actor: 'importer', at: '2024-05-01T10:00:00.000Z', correlationId: commandId, causationId: null },
          },
        ],
      },
    ],
  };
};

const time = async <T>(label: string, count: number, fn: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  const result = await fn();
  const seconds = (performance.now() - started) / 1000;
  console.log(`${label}: ${count.toLocaleString('en')} in ${seconds.toFixed(2)} s = ${Math.round(count / seconds).toLocaleString('en')}/s`);
  return result;
};

try {
  // Streams interleaved the way an import of many customers' histories arrives: round-robin.
  const streams = total / eventsPerStream;
  const sequenceNumbers = Array.from({ length: total }, (_, index) =>
    order === 'stream' ? index : (index % streams) * eventsPerStream + Math.floor(index / streams),
  );
  const requests = sequenceNumbers.map(request);
  await time(`appendBatch (${batchRequests} requests/batch, order=${order}, ids=${ids}, synchronous=${synchronous}${cacheMiB > 0 ? `, cache ${cacheMiB} MiB` : ''}${mmapMiB > 0 ? `, mmap ${mmapMiB} MiB` : ''})`, total, async () => {
    for (let start = 0; start < requests.length; start += batchRequests) await store.appendBatch(requests.slice(start, start + batchRequests));
  });
  const singles = Math.min(2000, total);
  await time(`append, one transaction each (synchronous=${synchronous})`, singles, async () => {
    for (let index = 0; index < singles; index += 1) {
      const commandId = randomUUID();
      await store.append({
        commandId,
        writes: [{ stream: `single-${index % 50}`, expected: 'any', events: [{ ...request(0).writes[0]!.events[0]!, eventId: randomUUID() }] }],
      });
    }
  });
  await time('readAll (batch 5000)', total + singles, async () => {
    let count = 0;
    for await (const batch of store.readAll({ batchSize: 5000 })) count += batch.length;
    return count;
  });
  await time('readAll filtered to one type (batch 5000)', total / eventsPerStream, async () => {
    let count = 0;
    for await (const batch of store.readAll({ batchSize: 5000, filter: { eventTypes: ['CustomerRegistered'] } })) count += batch.length;
    return count;
  });
  await time('verifyChains', total + singles, () => verifyChains(store));
  await store.close();
  console.log(`file: ${(statSync(path).size / 1024 / 1024).toFixed(1)} MiB for ${(total + singles).toLocaleString('en')} events`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
