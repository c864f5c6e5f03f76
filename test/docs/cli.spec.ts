import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examplesDir, repoRoot, run, tsxLoader } from './paths.ts';
import { regionOf } from './regions.ts';

/**
 * The command-line session of docs/getting-started.md, run command by
 * command like a doctest: each command must succeed, and where comment lines
 * follow it, its output must be what they say (JSON compared as values).
 * `eventcrm` is the CLI from its TypeScript sources.
 */

interface Step {
  readonly command: string;
  readonly expected: readonly string[];
}

/** The session's commands, each with the comment lines that follow it. */
function stepsOf(session: string): Step[] {
  const steps: { command: string; expected: string[] }[] = [];
  for (const line of session.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('# ')) {
      const current = steps.at(-1);
      if (current === undefined) throw new Error(`expected output before any command: ${line}`);
      current.expected.push(line.slice(2));
    } else {
      steps.push({ command: line, expected: [] });
    }
  }
  return steps;
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const session = regionOf(`${examplesDir}quick-start.sh`, 'session');
const steps = stepsOf(session ?? '');
const bin = `${repoRoot}packages/cli/src/bin.ts`;
let workDir = '';
const env: Record<string, string> = {};

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'eventcrm-docs-cli-'));
  copyFileSync(`${examplesDir}quick-start.ndjson`, join(workDir, 'quick-start.ndjson'));
});

afterAll(() => {
  if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
});

describe('the command-line quick start (docs/examples/quick-start.sh)', () => {
  it('has a session with commands', () => {
    expect(session).toBeDefined();
    expect(steps.length).toBeGreaterThan(3);
  });

  for (const [index, step] of steps.entries()) {
    it(`${index + 1}. ${step.command}`, async () => {
      const exported = /^export (\w+)=(\S+)$/.exec(step.command);
      if (exported !== null) {
        env[exported[1]!] = exported[2]!;
        return;
      }
      const prelude = `eventcrm() { "${process.execPath}" --conditions=@eventcrm/source --import "${tsxLoader}" "${bin}" "$@"; }`;
      const child = await run('bash', ['-c', `set -euo pipefail\n${prelude}\n${step.command}`], { cwd: workDir, env: { ...process.env, ...env, NO_COLOR: '1' } });
      expect(child.code, `${step.command}\n${child.stdout}${child.stderr}`).toBe(0);
      if (step.expected.length === 0) return;
      const expected = step.expected.join('\n');
      const expectedJson = parseJson(expected);
      if (expectedJson === undefined) expect(child.stdout.trim()).toBe(expected.trim());
      else expect(parseJson(child.stdout)).toEqual(expectedJson);
    }, 60_000);
  }
});
