/**
 * Starts TypeScript child processes for the multi-process specs, on the
 * workspace sources (no build needed), and releases them at the same moment.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const workerScript = fileURLToPath(new URL('./worker.ts', import.meta.url));
const packageDirectory = fileURLToPath(new URL('..', import.meta.url));

interface Child {
  readonly ready: Promise<void>;
  readonly result: Promise<unknown>;
  go(): void;
}

/** One child running `worker.ts` with `args`; it waits for `go` on stdin before touching the database. */
function startWorker(args: readonly string[]): Child {
  const child = spawn(process.execPath, ['--conditions=@eventcrm/source', '--import', 'tsx', workerScript, ...args], {
    cwd: packageDirectory,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  let outcome: unknown;
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'ready') markReady();
    else if (line.startsWith('result ')) outcome = JSON.parse(line.slice('result '.length)) as unknown;
  });
  const result = new Promise<unknown>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 && outcome !== undefined) resolve(outcome);
      else reject(new Error(`worker ${args.join(' ')} exited with ${String(code)}:\n${stderr}`));
    });
  });
  // A child that dies before it is ready must fail the test, not hang it.
  void result.catch(() => markReady());
  return { ready, result, go: () => child.stdin.end('go\n') };
}

/** Starts all children, releases them together once every one has loaded, and collects their results. */
export async function runTogether(argsPerWorker: readonly (readonly string[])[]): Promise<unknown[]> {
  const children = argsPerWorker.map(startWorker);
  await Promise.all(children.map((child) => child.ready));
  for (const child of children) child.go();
  return Promise.all(children.map((child) => child.result));
}
