import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ProjectionRunner, createInMemoryReadModelStore } from '@eventcrm/runtime';
import type { ReadModelStore } from '@eventcrm/runtime';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresEventStore } from '../postgresEventStore.ts';
import { dropSchemas, postgresAvailableForTests, postgresTestUrl, randomSchemaName } from '../testing.ts';
import { createPostgresReadModelStore } from './postgresReadModelStore.ts';
import { appendLog, canonical, toyLog, toyProjection } from './toyProjection.test.ts';

/**
 * Crash safety: a child process catching up or rebuilding the read models
 * of a 50k-event log is killed with SIGKILL at random points three times
 * and restarted; the final rows equal an uninterrupted run. A crash must
 * never leave rows and checkpoints apart: every commit writes both in one
 * transaction. The kills are aimed where that matters: a random 0–30 ms
 * after a random commit started (the child commits every 4000 events), so
 * most land inside a commit transaction and the others while the next
 * events are applied. A child that finishes before its kill lands (a
 * starved machine) proves nothing and is run again. It is a statistical
 * check: writing the checkpoint in its own transaction 20 ms after the rows
 * made it fail in one run of three; `commit.int.spec.ts` proves
 * deterministically that an interrupted commit leaves nothing behind.
 */
const available = await postgresAvailableForTests();

const childScript = fileURLToPath(new URL('./projectionChild.test.ts', import.meta.url));
const packageDirectory = fileURLToPath(new URL('../..', import.meta.url));
const events = 50_000;
/** More log for another try, when a catch-up finished before its kill landed. */
const extraEvents = 10_000;
const batchSize = 2000;
/** The child commits every two batches, so a run has many commits to be killed in. */
const commitEvery = 4000;

interface ChildOutcome {
  /** Commits completed. */
  readonly commits: number;
  readonly done: boolean;
  /** Events the run processed (when done). */
  readonly events: number;
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
  readonly stderr: string;
}

/** Runs the child; with `kill`, SIGKILLs it `delayMs` after its `killAfter`-th commit started. */
function runChild(schema: string, mode: 'catchUp' | 'rebuild', kill?: { readonly killAfter: number; readonly delayMs: number }): Promise<ChildOutcome> {
  const child = spawn(process.execPath, ['--conditions=@eventcrm/source', '--import', 'tsx', childScript, postgresTestUrl(), schema, mode], {
    cwd: packageDirectory,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let commitsStarted = 0;
  let commits = 0;
  let done = false;
  let events = 0;
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'commit') {
      commitsStarted += 1;
      if (kill !== undefined && commitsStarted === kill.killAfter) setTimeout(() => child.kill('SIGKILL'), kill.delayMs);
    } else if (line === 'committed') {
      commits += 1;
    } else if (line.startsWith('done ')) {
      done = true;
      events = Number(line.slice('done '.length));
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ commits, done, events, signal, code, stderr }));
  });
}

const randomInt = (min: number, max: number): number => min + Math.floor(Math.random() * (max - min + 1));

describe.runIf(available)('crash safety of projection runs on PostgreSQL', () => {
  const schema = randomSchemaName('eventcrm_rm_crash');
  afterAll(() => dropSchemas(postgresTestUrl(), [schema]));

  it('three SIGKILLs at random points, restarts, and the rows equal an uninterrupted run', { timeout: 240_000 }, async () => {
    const store = createPostgresEventStore({ connectionString: postgresTestUrl(), schema });
    const projection = toyProjection(1);
    const log = toyLog(events + 3 * extraEvents);
    let appended = 0;
    const appendUpTo = async (count: number): Promise<void> => {
      await appendLog(store, log.slice(appended, count), 10_000);
      appended = count;
      // Fresh statistics: without them PostgreSQL plans each filtered page of the log as a sort of the whole rest of it.
      await store.pool.query(`ANALYZE ${pg.escapeIdentifier(schema)}.events`);
    };
    let reference: ReadModelStore;
    try {
      await appendUpTo(events);

      // Killed twice while catching up the live namespace, once in the middle of a rebuild.
      for (const mode of ['catchUp', 'rebuild', 'catchUp'] as const) {
        for (let attempt = 1; ; attempt += 1) {
          const killAfter = randomInt(1, mode === 'catchUp' ? 4 : events / commitEvery - 2);
          const outcome = await runChild(schema, mode, { killAfter, delayMs: randomInt(0, 30) });
          expect(outcome.stderr).toBe('');
          if (outcome.signal === 'SIGKILL') {
            expect(outcome.done).toBe(false);
            break;
          }
          // On a starved machine the child can finish before the kill lands: that run
          // proves nothing, so try again (a catch-up with more log to catch up on).
          expect(outcome.done, `the ${mode} child ended without being killed or finishing: ${String(outcome.code)}`).toBe(true);
          expect(attempt, `the ${mode} child kept finishing before the kill`).toBeLessThan(4);
          if (mode === 'catchUp') await appendUpTo(appended + extraEvents);
        }
      }

      reference = createInMemoryReadModelStore();
      await new ProjectionRunner({ store, readModels: reference, projections: [projection], batchSize }).catchUp();
    } finally {
      await store.close();
    }
    const compare = async (): Promise<void> => {
      const readModels = createPostgresReadModelStore({ connectionString: postgresTestUrl(), schema });
      try {
        for (const table of projection.tables) {
          expect(canonical(table, await readModels.loadAll('live', table)), table.name).toEqual(canonical(table, await reference.loadAll('live', table)));
        }
        expect(await readModels.checkpoints('live')).toEqual(await reference.checkpoints('live'));
      } finally {
        await readModels.close();
      }
    };
    const finished = await runChild(schema, 'catchUp');
    expect(finished.stderr).toBe('');
    expect(finished.done).toBe(true);
    // The killed catch-ups had committed something, so this run resumed rather than started over.
    expect(finished.events).toBeGreaterThan(0);
    expect(finished.events).toBeLessThan(appended);
    await compare();

    const rebuilt = await runChild(schema, 'rebuild');
    expect(rebuilt.done).toBe(true);
    // A rebuild killed earlier may have committed part of its copy: this one resumes from there.
    expect(rebuilt.events).toBeGreaterThan(0);
    expect(rebuilt.events).toBeLessThanOrEqual(appended);
    await compare();
  });
});
