import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createInMemoryReadModelStore, ProjectionRunner } from '@eventcrm/runtime';
import type { ReadModelStore } from '@eventcrm/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../test/fixtures.ts';
import { createSqliteEventStore } from '../store.ts';
import { createSqliteReadModelStore } from './sqliteReadModelStore.ts';
import { appendToyLog, toyLog } from './testing/toyLog.ts';
import { toyProjection } from './testing/toyProjection.ts';
import type { Row } from './types.ts';

const here = dirname(fileURLToPath(import.meta.url));
const childScript = join(here, 'testing', 'projectionChild.ts');
const packageDirectory = join(here, '..', '..');
const directory = temporaryDirectory();
afterAll(() => directory.remove());

const tables = ['toy_holdings', 'toy_member_counts', 'toy_daily', 'toy_members'];

async function snapshot(readModels: ReadModelStore): Promise<Record<string, Row[]>> {
  const result: Record<string, Row[]> = {};
  for (const name of tables) result[name] = [...(await readModels.reader().scan(name))].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return result;
}

interface Outcome {
  readonly progress: number;
  readonly done: boolean;
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
  readonly stderr: string;
}

/** Events per batch and per commit of the children: 100 batches and 25 commits for a whole run of the log. */
const batchSize = 500;
const commitEvery = 2000;

/**
 * Runs the toy projection in a child process. With `killAfter`, the child
 * is killed with SIGKILL after that many batches plus a random few
 * milliseconds, so the kill lands anywhere in a batch: while it reads,
 * applies, or commits (every fourth batch commits).
 */
function runChild(path: string, how: 'catchup' | 'rebuild', killAfter?: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@eventcrm/source', '--import', 'tsx', childScript, 'run', path, how, String(batchSize), String(commitEvery), '1'], {
      cwd: packageDirectory,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let progress = 0;
    let done = false;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('progress ')) {
        progress += 1;
        if (killAfter !== undefined && progress === killAfter) setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 15));
      }
      if (line.startsWith('done ')) done = true;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ progress, done, signal, code, stderr }));
  });
}

const randomBetween = (low: number, high: number): number => low + Math.floor(Math.random() * (high - low + 1));

describe('crash safety: a projection process killed at random points', () => {
  it('catch-up and rebuild killed three times with SIGKILL, restarted, end with the rows of an uninterrupted run', async () => {
    const path = directory.file();
    const events = createSqliteEventStore({ path });
    await appendToyLog(events, toyLog(50_000, 11));

    // The uninterrupted run: same log, same projection, in-memory read models.
    const reference = createInMemoryReadModelStore();
    await new ProjectionRunner({ store: events, readModels: reference, projections: [toyProjection(1)] }).catchUp();
    const expected = await snapshot(reference);
    expect(expected['toy_holdings']!.length).toBeGreaterThan(1000);

    const first = await runChild(path, 'catchup', randomBetween(5, 40));
    const second = await runChild(path, 'catchup', randomBetween(1, 30));
    const third = await runChild(path, 'rebuild', randomBetween(1, 60));
    for (const killed of [first, second, third]) {
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      expect(killed.done).toBe(false);
    }

    const readModels = createSqliteReadModelStore({ store: events });
    // The killed catch-ups left whole commits only: the live checkpoint is at a commit boundary, mid-log.
    const [checkpoint] = await readModels.checkpoints('live');
    expect(Number(checkpoint?.position)).toBeGreaterThan(0);
    expect(Number(checkpoint?.position)).toBeLessThan(50_000);
    expect(Number(checkpoint?.position) % commitEvery).toBe(0);

    const resumed = await runChild(path, 'catchup');
    expect(resumed.done, resumed.stderr).toBe(true);
    expect(await snapshot(readModels)).toEqual(expected);
    expect(await readModels.checkpoints('live')).toEqual([{ projection: 'toy', position: await events.headPosition(), version: 1 }]);

    // And a rebuild after the killed one starts over cleanly and swaps in the same rows.
    const rebuilt = await runChild(path, 'rebuild');
    expect(rebuilt.done, rebuilt.stderr).toBe(true);
    expect(await snapshot(readModels)).toEqual(expected);
    expect(await readModels.checkpoints('rebuild')).toEqual([]);
    await readModels.close();
    await events.close();
  }, 120_000);
});
