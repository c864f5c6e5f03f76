/**
 * Runs the built `eventcrm` binary (`dist/bin.js`) as a child process, the
 * way a user or a script does: arguments, a working directory, stdin, the
 * environment; back come the exit code and both output streams, unparsed.
 * The end-to-end specs test the contract of cli.md through this alone.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const packageDir = fileURLToPath(new URL('..', import.meta.url));
export const binPath = join(packageDir, 'dist', 'bin.js');

/**
 * The specs test the build, so a missing build fails them at once with the
 * way out (turbo builds before `test` in CI). A build older than the sources
 * is only a warning: colleagues edit sources all the time, and the specs
 * still say something about the build they run.
 */
function checkBuild(): void {
  if (!existsSync(binPath)) {
    throw new Error(
      `${binPath} is missing: the CLI end-to-end specs run the built binary. Build first: turbo run build --filter=@eventcrm/cli... ` +
        '(or `npx tsc -p tsconfig.build.json` in domain, projections, runtime, store-sqlite, store-postgres, store-kurrentdb, cli).',
    );
  }
  const built = statSync(binPath).mtimeMs;
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) return newest(path);
        return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? statSync(path).mtimeMs : 0;
      }),
    );
  if (newest(join(packageDir, 'src')) > built + 1000) {
    console.warn(`\n!!! ${binPath} is older than packages/cli/src: these specs test the stale build. Rebuild to test your changes.\n`);
  }
}
checkBuild();

/** What one invocation did. */
export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** How to run one invocation. */
export interface CliOptions {
  readonly cwd: string;
  /** Written to stdin, which is then closed (stdin is closed at once without it). */
  readonly input?: string;
  /** Added to the environment; `undefined` removes a variable. */
  readonly env?: { readonly [name: string]: string | undefined };
  readonly timeoutMs?: number;
}

/** The environment a child sees: the test's, without a store choice of the developer's own shell leaking in. */
function childEnv(extra: CliOptions['env'] = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['EVENTCRM_STORE'];
  delete env['FORCE_COLOR'];
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** A running invocation (for `project --follow`). */
export interface CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<CliRun>;
}

/** Starts `eventcrm ARGS` without waiting for it. */
export function startCli(args: readonly string[], options: CliOptions): CliProcess {
  const child = spawn(process.execPath, [binPath, ...args], { cwd: options.cwd, env: childEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  // A child that exits before reading its input closes the pipe under us: not the test's concern.
  child.stdin.on('error', () => undefined);
  child.stdin.end(options.input ?? '');
  const timeoutMs = options.timeoutMs ?? 60_000;
  const exited = new Promise<CliRun>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`eventcrm ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Runs `eventcrm ARGS` to completion. */
export function cli(args: readonly string[], options: CliOptions): Promise<CliRun> {
  return startCli(args, options).exited;
}

const describeRun = (args: readonly string[], run: CliRun): string => `eventcrm ${args.join(' ')} exited ${String(run.code)}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;

/** Runs and expects an exit code; the message on failure shows both streams. */
export async function cliExpect(expectedCode: number, args: readonly string[], options: CliOptions): Promise<CliRun> {
  const run = await cli(args, options);
  expect(run.code, describeRun(args, run)).toBe(expectedCode);
  return run;
}

/** `--json` output: exactly one JSON document on stdout and nothing else there (JSON.parse rejects anything more). */
export function jsonOf<T = unknown>(run: CliRun): T {
  expect(run.stdout.trim(), 'stdout holds a JSON document').not.toBe('');
  try {
    return JSON.parse(run.stdout) as T;
  } catch (error) {
    throw new Error(`stdout is not exactly one JSON document (${String(error)}):\n${run.stdout}`, { cause: error });
  }
}

/** NDJSON output: every non-empty line of stdout is one JSON value. */
export function ndjsonOf<T = unknown>(run: CliRun): T[] {
  expect(run.stdout.endsWith('\n') || run.stdout === '', 'NDJSON ends with a newline').toBe(true);
  return run.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as T;
      } catch (error) {
        throw new Error(`not an NDJSON line (${String(error)}): ${line}`, { cause: error });
      }
    });
}

/** CSV output, split naively (the fixtures put no commas or quotes inside fields unless a test says so). */
export function csvOf(run: CliRun): string[][] {
  return run.stdout
    .trimEnd()
    .split('\n')
    .map((line) => line.split(','));
}

/**
 * The error contract of cli.md: one line (code + message) on stderr, no
 * stack trace; with `--json` also `{ "error": { code, message } }` alone on stdout.
 */
export function expectErrorReport(run: CliRun, code: string, options: { readonly json?: boolean; readonly message?: RegExp } = {}): void {
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  expect(lines, `one line on stderr:\n${run.stderr}`).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^${code}: \\S`));
  if (options.message !== undefined) expect(lines[0]).toMatch(options.message);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  if (options.json === true) {
    const document = jsonOf<{ error: { code: string; message: string } }>(run);
    expect(Object.keys(document)).toEqual(['error']);
    expect(document.error.code).toBe(code);
    expect(`${document.error.code}: ${document.error.message}`).toBe(lines[0]);
  } else {
    expect(run.stdout).toBe('');
  }
}

/** A fresh temporary directory (the children's working directory); `remove` deletes it. */
export function temporaryDirectory(prefix = 'eventcrm-cli-'): { readonly path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
