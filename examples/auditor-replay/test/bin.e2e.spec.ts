import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The two programs as an auditor runs them (`pnpm sample`, `pnpm start`):
 * separate processes, exit codes, one JSON document with `--json`.
 */
const packageDir = join(import.meta.dirname, '..');
const directory = mkdtempSync(join(tmpdir(), 'auditor-replay-bin-'));
const path = join(directory, 'sample.db');
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function program(script: 'sample' | 'audit', args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--conditions=@eventcrm/source', '--import', 'tsx', join(packageDir, 'src', 'bin', `${script}.ts`), ...args], {
      cwd: packageDir,
      env: { ...process.env, EVENTCRM_STORE: '' },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('the auditor-replay programs', () => {
  beforeAll(async () => {
    const sample = await program('sample', ['--db', path]);
    expect(sample.code, sample.stderr).toBe(0);
    expect(sample.stdout).toContain(`--store sqlite:${path} --customer cus-1`);
  });

  it('answers with one JSON document and exit 0 when every check passes, the CLI included', async () => {
    const run = await program('audit', ['--store', `sqlite:${path}`, '--customer', 'cus-1', '--as-of', '2026-03-20T17:30:00Z', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const document = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(document).toMatchObject({
      customerId: 'cus-1',
      asOf: '2026-03-20T17:30:00.000Z',
      answer: { kind: 'owned', owner: 'u-dave', movedThere: { fact: { actor: 'system', detail: 'departure' }, causation: { found: { actor: 'u-carol' } } } },
      cli: [
        { name: 'ownership', exitCode: 0, agrees: true },
        { name: 'audit', exitCode: 0, agrees: true },
        { name: 'verify', exitCode: 0, agrees: true },
      ],
      findings: [],
      ok: true,
    });
  });

  it('exits 1 for a customer the store has no event of, and 2 for unusable arguments', async () => {
    const unknown = await program('audit', ['--store', `sqlite:${path}`, '--customer', 'cus-404', '--as-of', '2026-03-01', '--json', '--no-cli']);
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout)).toMatchObject({ error: { code: 'NOT_FOUND' } });

    const badDate = await program('audit', ['--store', `sqlite:${path}`, '--customer', 'cus-1', '--as-of', '2026-02-30']);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain('--as-of "2026-02-30" is neither an instant');

    const missingFile = await program('audit', ['--store', `sqlite:${join(directory, 'nope.db')}`, '--customer', 'cus-1', '--as-of', '2026-03-01']);
    expect(missingFile.code).toBe(2);
    expect(missingFile.stderr).toContain('no SQLite file');
  });
});
