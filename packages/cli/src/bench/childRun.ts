import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Where a child process finds the benchmark's store. */
export type ChildStore =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly connectionString: string; readonly schema: string; readonly applicationName: string };

/** What a child process is asked to do (see `child.ts`). */
export interface ChildRequest {
  readonly mode: 'rebuild' | 'raw-read';
  readonly store: ChildStore;
  /** Rows per keyset page of the PostgreSQL raw read: the projection runner's batch size. */
  readonly pageSize: number;
}

/** What a child process measured, in its own process. */
export interface ChildReport {
  /** Events read (raw read) or projected (rebuild: the events of the types the projections consume). */
  readonly rows: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  /** CPU seconds of the child's PostgreSQL backends (`null` on SQLite, or when `/proc` cannot tell). */
  readonly serverCpuSeconds: number | null;
  readonly peakRssMb: number;
}

/**
 * Runs `child.ts` in a fresh Node process and returns its report. Under tsx
 * (the sources) the child runs from its TypeScript source with the workspace
 * source condition; from the build it runs the compiled file directly.
 * `profileDirectory` adds `--cpu-prof` so the child's time can be read in a
 * profiler.
 */
export function runChild(request: ChildRequest, profileDirectory: string | undefined): Promise<ChildReport> {
  const fromSource = import.meta.url.endsWith('.ts');
  const script = fileURLToPath(new URL(fromSource ? './child.ts' : './child.js', import.meta.url));
  const args = [
    ...(fromSource ? ['--conditions=@eventcrm/source', '--import', 'tsx'] : []),
    ...(profileDirectory === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDirectory, '--cpu-prof-name', `${request.mode}-${request.store.kind}-${Date.now()}.cpuprofile`]),
    script,
    JSON.stringify(request),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || line === '') {
        reject(new Error(`bench ${request.mode} child (${request.store.kind}) exited with ${code}: ${stderr.trim() || stdout.trim()}`));
        return;
      }
      try {
        resolve(JSON.parse(line) as ChildReport);
      } catch (error) {
        reject(new Error(`bench ${request.mode} child printed no report: ${line}`, { cause: error }));
      }
    });
  });
}
