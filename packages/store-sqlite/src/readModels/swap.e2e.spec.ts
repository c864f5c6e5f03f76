import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ProjectionRunner } from '@eventcrm/runtime';
import type { ReadModelStore } from '@eventcrm/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../test/fixtures.ts';
import { createSqliteEventStore } from '../store.ts';
import { createSqliteReadModelStore } from './sqliteReadModelStore.ts';
import { appendToyLog, toyLog } from './testing/toyLog.ts';
import { toyProjection } from './testing/toyProjection.ts';

const here = dirname(fileURLToPath(import.meta.url));
const childScript = join(here, 'testing', 'projectionChild.ts');
const packageDirectory = join(here, '..', '..');
const directory = temporaryDirectory();
afterAll(() => directory.remove());

/** One answer of the reader process. */
interface Read {
  /** When the answer was asked for and when it came (the reader's clock, the same machine's). */
  readonly start: number;
  readonly end: number;
  readonly count?: number;
  /** The row shapes in one scan: `v1` rows, `v2` rows (the reshaped table). */
  readonly shapes?: readonly string[];
  readonly got?: string | null;
  readonly error?: string;
}

describe('a reader in another process during a rebuild and its swap', () => {
  it('keeps answering from the old copy while the rebuild runs, never fails, and sees the new rows after the swap', async () => {
    const path = directory.file();
    const events = createSqliteEventStore({ path });
    await appendToyLog(events, toyLog(30_000, 5));
    const readModels = createSqliteReadModelStore({ store: events });
    await new ProjectionRunner({ store: events, readModels, projections: [toyProjection(1)] }).catchUp();

    const child = spawn(process.execPath, ['--conditions=@eventcrm/source', '--import', 'tsx', childScript, 'read', path], {
      cwd: packageDirectory,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const reads: Read[] = [];
    let wake: (() => void) | undefined;
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('read ')) return;
      reads.push(JSON.parse(line.slice(5)) as Read);
      wake?.();
    });
    const until = async (done: () => boolean): Promise<void> => {
      while (!done()) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 200);
        });
        if (child.exitCode !== null) throw new Error(`the reader exited early: ${stderr}`);
      }
    };
    await until(() => reads.length >= 3);

    // The rebuild to a reshaped version 2, with the swap's moments recorded.
    let swapStarted = 0;
    let swapEnded = 0;
    const timed: ReadModelStore = {
      kind: readModels.kind,
      prepare: (namespace, tables) => readModels.prepare(namespace, tables),
      reset: (namespace, tables, projections) => readModels.reset(namespace, tables, projections),
      checkpoints: (namespace) => readModels.checkpoints(namespace),
      fetch: (namespace, table, keys) => readModels.fetch(namespace, table, keys),
      loadAll: (namespace, table) => readModels.loadAll(namespace, table),
      commit: (namespace, changes, checkpoints) => readModels.commit(namespace, changes, checkpoints),
      swap: async (tables, projections) => {
        swapStarted = Date.now();
        await readModels.swap(tables, projections);
        swapEnded = Date.now();
      },
      reader: () => readModels.reader(),
      close: () => readModels.close(),
    };
    const rebuildStarted = Date.now();
    await new ProjectionRunner({ store: events, readModels: timed, projections: [toyProjection(2)], batchSize: 500, commitEvery: 2000 }).rebuild();
    await until(() => reads.filter((read) => read.start > swapEnded).length >= 3);
    child.stdin.end();
    expect(await exited, stderr).toBe(0);

    expect(reads.filter((read) => read.error !== undefined)).toEqual([]);
    const before = reads.filter((read) => read.end < swapStarted);
    const during = before.filter((read) => read.start > rebuildStarted);
    const after = reads.filter((read) => read.start > swapEnded);
    // The rebuild took long enough for the reader to answer many times meanwhile, from the old copy.
    expect(during.length).toBeGreaterThanOrEqual(3);
    for (const read of before) expect(read).toMatchObject({ count: 200, shapes: ['v1'], got: 'v1' });
    for (const read of after) expect(read).toMatchObject({ count: 200, shapes: ['v2'], got: 'v2' });
    // Whatever the moment, one answer is one snapshot: never a mix of copies.
    for (const read of reads) expect(read.shapes).toHaveLength(1);
    await readModels.close();
    await events.close();
  }, 120_000);
});
