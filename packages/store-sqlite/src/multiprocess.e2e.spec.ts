import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { comparePositions, verifyChains } from '@eventcrm/runtime';
import type { StoredEvent } from '@eventcrm/runtime';
import { createSqliteEventStore } from './index.ts';
import { temporaryDirectory } from '../test/fixtures.ts';

const workerScript = fileURLToPath(new URL('../test/worker.ts', import.meta.url));
const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
const directory = temporaryDirectory();
afterAll(() => directory.remove());

const processes = 4;

interface Child {
  readonly ready: Promise<void>;
  readonly result: Promise<unknown>;
  go(): void;
}

/** Starts one TypeScript child on the workspace sources; it waits for `go` before touching the file. */
function startWorker(args: readonly string[]): Child {
  const child = spawn(process.execPath, ['--conditions=@eventcrm/source', '--import', 'tsx', workerScript, ...args], {
    cwd: packageDirectory,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  let outcome: unknown;
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'ready') markReady();
    else if (line.startsWith('result ')) outcome = JSON.parse(line.slice('result '.length)) as unknown;
  });
  const result = new Promise<unknown>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 && outcome !== undefined) resolve(outcome);
      else reject(new Error(`worker ${args.join(' ')} exited with ${String(code)}:\n${stderr}`));
    });
  });
  // A child that dies before it is ready must fail the test, not hang it.
  void result.catch(() => markReady());
  return { ready, result, go: () => child.stdin.end('go\n') };
}

/** Starts all children, releases them together once every one is loaded, and collects their results. */
async function runTogether(argsPerWorker: readonly (readonly string[])[]): Promise<unknown[]> {
  const children = argsPerWorker.map(startWorker);
  await Promise.all(children.map((child) => child.ready));
  for (const child of children) child.go();
  return Promise.all(children.map((child) => child.result));
}

describe('several OS processes on one file', () => {
  it('append concurrently with retries: nothing lost, nothing duplicated, chains intact', async () => {
    const path = directory.file();
    const streams = 6;
    // The file does not exist yet: the children also race to create it.
    const results = (await runTogether(
      Array.from({ length: processes }, (_, worker) => ['append', path, String(worker), '2500', String(streams)]),
    )) as { worker: string; appends: number; conflicts: number; acknowledged: string[] }[];

    const store = createSqliteEventStore({ path });
    try {
      const events: StoredEvent[] = [];
      for await (const batch of store.readAll({ batchSize: 500 })) events.push(...batch);

      const acknowledged = results.flatMap((result) => result.acknowledged);
      const storedIds = events.map((event) => event.eventId);
      expect(new Set(storedIds).size).toBe(storedIds.length);
      expect(new Set(acknowledged).size).toBe(acknowledged.length);
      expect([...storedIds].sort()).toEqual([...acknowledged].sort());

      for (const [index, event] of events.entries()) {
        const previous = events[index - 1];
        if (previous !== undefined) expect(comparePositions(previous.position, event.position)).toBe(-1);
      }
      for (let stream = 0; stream < streams; stream += 1) {
        const revisions = (await store.readStream(`customer-${stream}`)).map((event) => event.revision);
        expect(revisions).toEqual(revisions.map((_, index) => index));
      }
      const report = await verifyChains(store);
      expect(report.breaks).toEqual([]);
      expect(report.eventsChecked).toBe(events.length);

      // Every process got work done, and they really overlapped on the streams.
      for (const result of results) expect(result.appends).toBeGreaterThan(0);
      expect(results.reduce((sum, result) => sum + result.conflicts, 0)).toBeGreaterThan(0);
      console.log(
        `multi-process append: ${events.length} events, ${results.map((result) => `worker ${result.worker}: ${result.appends} appends / ${result.conflicts} conflicts`).join(', ')}`,
      );
    } finally {
      await store.close();
    }
  });

  it('claim the same reservation key at once: exactly one wins', async () => {
    const path = directory.file();
    createSqliteEventStore({ path }).database.close();
    const key = 'phone:+491701234567';
    const results = (await runTogether(Array.from({ length: processes }, (_, worker) => ['reserve', path, String(worker), key]))) as {
      owner: string;
      outcome: string;
    }[];

    const winners = results.filter((result) => result.outcome === 'claimed');
    expect(winners).toHaveLength(1);
    expect(results.filter((result) => result.outcome === 'RESERVATION_CONFLICT')).toHaveLength(processes - 1);
    const store = createSqliteEventStore({ path });
    try {
      expect(await store.lookupReservations([key])).toEqual(new Map([[key, winners[0]?.owner]]));
      for (const result of results) {
        expect(await store.streamRevision(result.owner)).toBe(result.outcome === 'claimed' ? 0 : null);
      }
    } finally {
      await store.close();
    }
  });
});
