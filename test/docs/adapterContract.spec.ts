import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { run } from './paths.ts';

/**
 * The "write your own adapter" sample of docs/stores.md wires the shared
 * contract suites to an adapter. It is a vitest file, so it runs in a vitest
 * of its own (`contract.vitest.config.ts`), and must pass in full.
 */
it('the adapter sample passes both contract suites', async () => {
  const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
  const config = fileURLToPath(new URL('./contract.vitest.config.ts', import.meta.url));
  const workDir = mkdtempSync(join(tmpdir(), 'eventcrm-docs-contract-'));
  try {
    const report = join(workDir, 'report.json');
    const child = await run(process.execPath, [vitest, 'run', '--config', config, '--reporter=json', `--outputFile=${report}`], { cwd: dirname(config) });
    const summary = JSON.parse(readFileSync(report, 'utf8')) as { numTotalTests: number; numPassedTests: number; numFailedTests: number; numPendingTests: number };
    expect(child.code, child.stdout + child.stderr).toBe(0);
    expect(summary.numFailedTests).toBe(0);
    expect(summary.numPendingTests).toBe(0);
    // Both suites ran: the event store contract alone has dozens of tests, the read-model one a handful.
    expect(summary.numPassedTests).toBeGreaterThan(60);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}, 180_000);
