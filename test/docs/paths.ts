import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Where the documentation lives, and how its samples run. The samples in
 * `docs/examples` import the packages by name, exactly as an application
 * would; inside the repository those names resolve through the `paths` of
 * `docs/examples/tsconfig.json`, which tsx honours. So the samples run in a
 * child process (`node --import tsx`), never inside this vitest process.
 */

/** The repository root, with a trailing slash. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** `docs/`, with a trailing slash. */
export const docsDir = `${repoRoot}docs/`;
/** `docs/examples/`, with a trailing slash. */
export const examplesDir = `${docsDir}examples/`;
/** The tsconfig that maps the package names for the samples. */
export const examplesTsconfig = `${examplesDir}tsconfig.json`;

/** The tsx loader, by absolute URL: children may run in any directory (a temporary one for CLI sessions). */
export const tsxLoader = pathToFileURL(createRequire(`${repoRoot}package.json`).resolve('tsx')).href;

/** What a child process did. */
export interface ChildResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a TypeScript file with tsx, workspace sources and the samples' path mapping; never rejects on a non-zero exit. */
export function runTypeScript(file: string, args: readonly string[], options: { readonly cwd?: string; readonly input?: string; readonly env?: NodeJS.ProcessEnv } = {}): Promise<ChildResult> {
  return run(process.execPath, ['--conditions=@eventcrm/source', '--import', tsxLoader, file, ...args], {
    cwd: options.cwd ?? examplesDir,
    env: { ...process.env, TSX_TSCONFIG_PATH: examplesTsconfig, ...options.env },
    ...(options.input === undefined ? {} : { input: options.input }),
  });
}

/** Runs a program and collects its output. */
export function run(command: string, args: readonly string[], options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv; readonly input?: string }): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
