import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { run } from '@eventcrm/cli';
import { ManualClock } from '@eventcrm/runtime';
import type { Target } from './postgres.ts';

/** The size of the demo history (`eventcrm demo` options). */
export interface DemoSize {
  readonly customers: number;
  readonly members: number;
  readonly months: number;
  readonly seed: number;
  /** The day the history ends (`YYYY-MM-DD`): fixed, so the same options give the same history on any day. */
  readonly end: string;
}

/** What the demo wrote, from its `--json` summary. */
export interface DemoSummary {
  readonly commands: number;
  readonly rejected: number;
  readonly events: number;
  readonly seconds: number;
}

/** `eventcrm demo` did not complete. */
export class DemoFailedError extends Error {
  override readonly name = 'DemoFailedError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

class Collector extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    callback();
  }
}

/**
 * Writes the seeded demo history into the tenant's schema with
 * `eventcrm --store URL --tenant T demo` (through `run` from `@eventcrm/cli`,
 * the binary's code, in this process): members in teams with targets,
 * customers passing through the pool, opportunities through the pipeline in
 * USD and EUR, tickets. The CLI's clock is set to the end day, so the
 * history does not depend on today's date. The demo refuses a store that
 * already holds events; its HTML report goes to a temporary directory.
 */
export async function seedDemo(target: Target, size: DemoSize): Promise<DemoSummary> {
  const directory = mkdtempSync(join(tmpdir(), 'eventcrm-analyst-'));
  const stdout = new Collector();
  const stderr = new Collector();
  try {
    const args = ['--store', target.url, '--tenant', target.tenant, '--json', 'demo'];
    args.push('--customers', String(size.customers), '--members', String(size.members), '--months', String(size.months), '--seed', String(size.seed));
    args.push('--report', join(directory, 'report.html'));
    const clock = new ManualClock(`${size.end}T18:00:00.000Z`);
    const exitCode = await run(args, { stdin: Readable.from([]), stdout, stderr, env: {}, cwd: directory }, { clock });
    if (exitCode !== 0) throw new DemoFailedError(`eventcrm demo failed (exit ${exitCode}): ${stderr.text.trim()}`, exitCode);
    const summary = JSON.parse(stdout.text) as DemoSummary;
    return { commands: summary.commands, rejected: summary.rejected, events: summary.events, seconds: summary.seconds };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
