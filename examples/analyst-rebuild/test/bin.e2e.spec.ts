import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dropSchemas, postgresAvailableForTests, postgresTestUrl } from '@eventcrm/store-postgres/testing';
import { afterAll, describe, expect, it } from 'vitest';

/** The program as an analyst runs it (`pnpm start`): a separate process, exit codes, one JSON document with `--json`. */
const postgresAvailable = await postgresAvailableForTests();
const packageDir = join(import.meta.dirname, '..');

async function analyse(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--conditions=@eventcrm/source', '--import', 'tsx', join(packageDir, 'src', 'bin', 'analyse.ts'), ...args], {
      cwd: packageDir,
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe.runIf(postgresAvailable)('the analyst-rebuild program', () => {
  const tenant = `analyst_bin_${randomBytes(5).toString('hex')}`;
  afterAll(() => dropSchemas(postgresTestUrl(), [`eventcrm_${tenant}`]));

  it('runs the session and prints one JSON document, exit 0 when every SQL answer equals the library', async () => {
    const run = await analyse(['--store', postgresTestUrl(), '--tenant', tenant, '--customers', '20', '--members', '8', '--months', '3', '--batch-size', '100', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const document = JSON.parse(run.stdout) as { schema: string; ok: boolean; checks: { differences: string[] }[]; rebuild: { report: { events: number } } };
    expect(document.schema).toBe(`eventcrm_${tenant}`);
    expect(document.ok).toBe(true);
    expect(document.checks.map((check) => check.differences)).toEqual([[], [], []]);
    expect(run.stderr).toMatch(new RegExp(`rebuild: ${document.rebuild.report.events} events \\(100\\.0%\\), \\d+ events/s, ETA 0\\.0 s`));
  }, 60_000);

  it('exits 2 on unusable arguments', async () => {
    const run = await analyse(['--customers', 'many']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--customers must be a positive whole number, got "many"');
  });
});
