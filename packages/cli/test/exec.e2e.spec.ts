import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliExpect, expectErrorReport, jsonOf, ndjsonOf, temporaryDirectory } from './cli.ts';
import { postgresTarget, sqliteTarget, storeNames, type StoreTarget } from './stores.ts';

/** `eventcrm exec FILE|-` (cli.md "Commands" and "NDJSON command format"), on each store. */

interface ResultLine {
  line: number;
  id?: string;
  ok: boolean;
  duplicate?: boolean;
  events?: { type: string; stream: string; revision: number; position: string }[];
  triggered?: { type: string; stream: string; revision: number; position: string }[][];
  error?: { code: string; message: string; details?: Record<string, unknown> };
}

const member = (id: string, memberId: string, role: string, team?: string) =>
  JSON.stringify({ command: 'RegisterMember', id, actor: 'system', at: '2025-01-02T08:00:00Z', data: { memberId, name: memberId, role, ...(team === undefined ? {} : { team }) } });
const customer = (id: string, actor: string, customerId: string, phone: string, at = '2025-01-06T09:00:00Z') =>
  JSON.stringify({ command: 'RegisterCustomer', id, actor, at, data: { customerId, name: `Customer ${customerId}`, kind: 'company', phone, source: 'referral', importance: 'A' } });

describe.each(storeNames)('exec on %s', (storeName) => {
  const directory = temporaryDirectory();
  const targets: StoreTarget[] = [];
  const fresh = (): StoreTarget => {
    const target = storeName === 'sqlite' ? sqliteTarget(directory.path, `exec-${targets.length}.db`) : postgresTarget();
    targets.push(target);
    return target;
  };
  let shared: StoreTarget;
  const run = (args: readonly string[], input?: string) => cli([...shared.args, ...args], { cwd: directory.path, ...(input === undefined ? {} : { input }) });

  beforeAll(async () => {
    shared = fresh();
    // Members the later tests act as; their own ids so no test depends on another's lines.
    const setup = [member('setup-1', 'u-admin', 'admin'), member('setup-2', 'u-mia', 'manager', 'north'), member('setup-3', 'u-alice', 'rep', 'north'), member('setup-4', 'u-carol', 'rep', 'south')];
    const result = await run(['exec', '-', '--json'], setup.join('\n') + '\n');
    expect(result.code, result.stderr).toBe(0);
  });
  afterAll(async () => {
    for (const target of targets) await target.dispose();
    directory.remove();
  });

  it('prints one --json result line per non-blank line, numbered by physical line, with the shapes of cli.md; exit 1 when a line was rejected', async () => {
    const target = fresh();
    const file = join(directory.path, 'import.ndjson');
    writeFileSync(
      file,
      [
        member('cmd-0000', 'u-alice', 'rep', 'north'),
        '',
        customer('cmd-0001', 'u-alice', 'cus-1', '+86 10 1234 5678'),
        '   ',
        customer('cmd-0002', 'u-alice', 'cus-2', '+86 10 1234 5678', '2025-01-06T10:00:00Z'),
        '{"command":"RegisterCustomer", }',
        JSON.stringify({ command: 'RegisterCustomer', id: 'cmd-0003', actor: 'u-alice', data: { customerId: 'cus-3', name: 'Nameless', kind: 'company', phone: '+86 10 1111 2222', source: 'nowhere', importance: 'Z' } }),
        customer('cmd-0001', 'u-alice', 'cus-1', '+86 10 1234 5678'),
      ].join('\n') + '\n',
    );
    const result = await cli([...target.args, 'exec', file, '--json'], { cwd: directory.path });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toBe('');
    const lines = ndjsonOf<ResultLine>(result);
    expect(lines.map((line) => line.line), 'blank lines produce nothing but are counted').toEqual([1, 3, 5, 6, 7, 8]);

    expect(lines[0]).toEqual({ line: 1, id: 'cmd-0000', ok: true, events: [{ type: 'MemberRegistered', stream: 'member-u-alice', revision: 0, position: '1' }] });
    expect(lines[1]).toEqual({ line: 3, id: 'cmd-0001', ok: true, events: [{ type: 'CustomerRegistered', stream: 'customer-cus-1', revision: 0, position: '2' }] });
    expect(lines[2]).toEqual({
      line: 5,
      id: 'cmd-0002',
      ok: false,
      error: { code: 'DUPLICATE_CUSTOMER', message: expect.stringContaining('cus-1') as string, details: expect.objectContaining({ existingCustomerId: 'cus-1' }) as object },
    });
    expect(lines[3]).toEqual({ line: 6, ok: false, error: { code: 'MALFORMED_JSON', message: expect.any(String) as string } });
    expect(lines[4]).toMatchObject({ line: 7, id: 'cmd-0003', ok: false, error: { code: 'INVALID_COMMAND' } });
    const issues = (lines[4]!.error!.details as { issues: { path: string }[] }).issues.map((issue) => issue.path);
    expect(issues).toEqual(expect.arrayContaining(['data.source', 'data.importance']));
    expect(lines[5], 'a replayed id reports the original outcome').toEqual({ ...lines[1], line: 8, duplicate: true });

    // The rejected lines appended nothing: the log holds exactly the two accepted events.
    const exported = ndjsonOf<{ position: string }>(await cliExpect(0, [...target.args, 'export', 'events'], { cwd: directory.path }));
    expect(exported.map((event) => event.position)).toEqual(['1', '2']);
  });

  it('reads stdin with -, and exits 0 when every line was accepted (a replayed id is not a rejection)', async () => {
    const input = [customer('stdin-1', 'u-alice', 'cus-stdin-1', '+1 415 555 0001'), customer('stdin-2', 'u-alice', 'cus-stdin-2', '+1 415 555 0002'), customer('stdin-1', 'u-alice', 'cus-stdin-1', '+1 415 555 0001')].join('\n');
    const result = await run(['exec', '-', '--json'], input);
    expect(result.code, result.stderr).toBe(0);
    const lines = ndjsonOf<ResultLine>(result);
    expect(lines.map((line) => [line.line, line.id, line.ok, line.duplicate ?? false])).toEqual([
      [1, 'stdin-1', true, false],
      [2, 'stdin-2', true, false],
      [3, 'stdin-1', true, true],
    ]);
    for (const line of lines) {
      expect(line.events![0]!.position).toMatch(/^[1-9]\d*$/);
    }
    expect(Number(lines[1]!.events![0]!.position)).toBeGreaterThan(Number(lines[0]!.events![0]!.position));
    expect(lines[2]!.events, 'a replay within one input reports the events of the original, positions included').toEqual(lines[0]!.events);
  });

  it('runs the policies a line triggers before the next line: a departure releases customers, and the next line claims one', async () => {
    const input = [
      member('dep-0', 'u-leaver', 'rep', 'north'),
      customer('dep-1', 'u-leaver', 'cus-dep', '+33 1 23 45 67 89', '2025-02-01T09:00:00Z'),
      JSON.stringify({ command: 'DeactivateMember', id: 'dep-2', actor: 'u-admin', at: '2025-02-10T09:00:00Z', data: { memberId: 'u-leaver' } }),
      // Only possible if the departure handover already put cus-dep into the pool.
      JSON.stringify({ command: 'ClaimCustomer', id: 'dep-3', actor: 'u-carol', at: '2025-02-10T09:05:00Z', data: { customerId: 'cus-dep' } }),
    ].join('\n');
    const result = await run(['exec', '-', '--json'], input);
    expect(result.code, result.stdout).toBe(0);
    const lines = ndjsonOf<ResultLine>(result);
    expect(lines[2]).toMatchObject({ line: 3, id: 'dep-2', ok: true, events: [{ type: 'MemberDeactivated', stream: 'member-u-leaver' }] });
    expect(lines[2]!.triggered!.flat()).toEqual([expect.objectContaining({ type: 'CustomerReleased', stream: 'customer-cus-dep', revision: 1 })]);
    expect(lines[3]).toMatchObject({ line: 4, id: 'dep-3', ok: true, events: [{ type: 'CustomerClaimed', stream: 'customer-cus-dep', revision: 2 }] });

    const history = jsonOf<{ periods: { owner: string | null; start: { reason: string; detail?: string } }[] }>(await cliExpect(0, [...shared.args, 'ownership', 'cus-dep', '--json'], { cwd: directory.path }));
    expect(history.periods.map((period) => [period.owner, period.start.reason, period.start.detail ?? null])).toEqual([
      ['u-leaver', 'registered', null],
      [null, 'released', 'departure'],
      ['u-carol', 'claimed', null],
    ]);
  });

  it('--stop-on-error stops at the first rejected line and executes nothing after it', async () => {
    const later = customer('stop-3', 'u-alice', 'cus-stop-3', '+1 415 555 0303');
    const input = [customer('stop-1', 'u-alice', 'cus-stop-1', '+1 415 555 0301'), customer('stop-2', 'u-nobody', 'cus-stop-2', '+1 415 555 0302'), later].join('\n');
    const result = await run(['exec', '-', '--json', '--stop-on-error'], input);
    expect(result.code).toBe(1);
    const lines = ndjsonOf<ResultLine>(result);
    expect(lines.map((line) => [line.line, line.ok])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(lines[1]!.error!.code).toBe('NOT_FOUND');
    // Line 3 never ran: executing it now appends (it is not a replay of an earlier outcome).
    const again = ndjsonOf<ResultLine>(await run(['exec', '-', '--json'], later));
    expect(again).toEqual([expect.objectContaining({ line: 1, id: 'stop-3', ok: true, events: [expect.objectContaining({ revision: 0 })] })]);
    expect(again[0]!.duplicate).toBeUndefined();

    const malformed = await run(['exec', '-', '--json', '--stop-on-error'], `not json\n${customer('stop-4', 'u-alice', 'cus-stop-4', '+1 415 555 0304')}\n`);
    expect(malformed.code).toBe(1);
    expect(ndjsonOf<ResultLine>(malformed)).toEqual([{ line: 1, ok: false, error: { code: 'MALFORMED_JSON', message: expect.any(String) as string } }]);
  });

  it('prints readable human lines: a mark, the line number, the id, the events or the code and message', async () => {
    const input = [customer('human-1', 'u-alice', 'cus-human-1', '+1 415 555 0401'), '', '{oops', customer('human-2', 'u-alice', 'cus-human-2', '+1 415 555 0401')].join('\n');
    const result = await run(['exec', '-'], input);
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^✓ line 1 human-1 CustomerRegistered customer-cus-human-1@0$/);
    expect(lines[1]).toMatch(/^✗ line 3 MALFORMED_JSON \S/);
    expect(lines[2]).toMatch(/^✗ line 4 human-2 DUPLICATE_CUSTOMER .*cus-human-1/);
    expect(result.stdout).not.toMatch(/\u001b\[/);
  });

  it('accepts a file saved with a byte order mark and CRLF line ends', async () => {
    const file = join(directory.path, 'windows.ndjson');
    writeFileSync(file, `\uFEFF${customer('bom-1', 'u-alice', 'cus-bom-1', '+1 415 555 0501')}\r\n\r\n${customer('bom-2', 'u-alice', 'cus-bom-2', '+1 415 555 0502')}\r\n`);
    const result = await run(['exec', file, '--json']);
    expect(result.code, result.stdout).toBe(0);
    expect(ndjsonOf<ResultLine>(result).map((line) => [line.line, line.id, line.ok])).toEqual([
      [1, 'bom-1', true],
      [3, 'bom-2', true],
    ]);
  });

  it('exits 2 with one error line for a file that cannot be read at all (missing, a directory), executing nothing', async () => {
    const missing = await run(['exec', join(directory.path, 'missing.ndjson')]);
    expect(missing.code).toBe(2);
    expectErrorReport(missing, 'INPUT_UNREADABLE', { message: /missing\.ndjson/ });

    const folder = await run(['exec', directory.path, '--json']);
    expect(folder.code).toBe(2);
    expectErrorReport(folder, 'INPUT_UNREADABLE', { json: true });
  });
});
