import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const mainFile = join(import.meta.dirname, 'main.ts');
const directory = mkdtempSync(join(tmpdir(), 'eventcrm-http-main-'));
const children = new Set<ChildProcessWithoutNullStreams>();

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(directory, { recursive: true, force: true });
});

/** Starts `main.ts` as its own process (TypeScript sources, no build) and resolves once it prints its address. */
function startMain(env: Record<string, string>): Promise<{ child: ChildProcessWithoutNullStreams; base: string; exited: Promise<{ code: number | null; stderr: string }> }> {
  const child = spawn(process.execPath, ['--conditions=@eventcrm/source', '--import', 'tsx', mainFile], {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('exit', (code) => {
    children.delete(child);
    resolve({ code, stderr });
  }));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`main.ts did not start: ${stderr}`)), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const address = /listening on (http:\/\/127\.0\.0\.1:[0-9]+)/.exec(stdout);
      if (address !== null) {
        clearTimeout(timer);
        resolve({ child, base: address[1]!, exited });
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`main.ts exited with ${String(code)} before listening: ${stderr}`));
    });
  });
}

describe('main.ts', () => {
  it('serves an SQLite file, stops cleanly on SIGTERM, and finds the data again on restart', async () => {
    const env = { EVENTCRM_STORE: `sqlite:${join(directory, 'crm.db')}` };
    const first = await startMain(env);
    const post = (body: object) => fetch(`${first.base}/commands`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ command: 'RegisterMember', actor: 'system', data: { memberId: 'u-alice', name: 'Alice', role: 'rep' } })).status).toBe(201);
    expect((await post({ command: 'RegisterCustomer', actor: 'u-alice', data: { customerId: 'cus-1', name: 'Acme', kind: 'company', phone: '5550100', source: 'web', importance: 'A' } })).status).toBe(201);
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);

    const second = await startMain(env);
    const customer = await fetch(`${second.base}/customers/cus-1`);
    expect(customer.status).toBe(200);
    expect(customer.headers.get('etag')).toBe('"0"');
    expect(await customer.json()).toMatchObject({ customerId: 'cus-1', customer: { owner: 'u-alice' }, ownership: { currentOwner: 'u-alice' } });
    second.child.kill('SIGINT');
    expect((await second.exited).code).toBe(0);
  });

  it('refuses a store it does not know, with exit code 2 and one line saying why', async () => {
    await expect(startMain({ EVENTCRM_STORE: 'postgres://localhost/crm' })).rejects.toThrow(/exited with 2 before listening: EVENTCRM_STORE must be sqlite:PATH or memory:/);
  });
});
