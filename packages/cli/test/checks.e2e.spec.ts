import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, csvOf, jsonOf, ndjsonOf, startCli, temporaryDirectory, type CliRun } from './cli.ts';
import { scenario, scenarioNdjson } from './scenario.ts';
import { postgresTarget, sqliteTarget, storeNames, type StoreTarget } from './stores.ts';

/**
 * The auditor's and operator's commands of cli.md on each store: `audit`,
 * `verify`, `rebuild`, `project` (and `--follow`), `export events`. Tampering
 * goes behind the CLI's back with raw SQL, the way a broken migration or an
 * attacker with database access would; the CLI must notice and say where.
 */

/** Events the scenario appends (policies included), and its streams. */
const scenarioEvents = 36;
const scenarioStreams = 16;

interface Audit {
  customerId: string;
  facts: { revision: number; position: string; eventId: string; actor: string; commandId: string; at: string; reason: string; detail?: string; from: string | null; to: string | null }[];
  differences: { field?: string; expected?: unknown; actual?: unknown; message: string }[];
  consistent: boolean;
}
interface ExportedEvent {
  stream: string;
  revision: number;
  position: string;
  eventId: string;
  type: string;
  schemaVersion: number;
  data: Record<string, unknown>;
  metadata: { commandId: string; actor: string; at: string };
  previousHash: string | null;
  hash: string;
}

describe.each(storeNames)('audit, verify, rebuild, project and export on %s', (storeName) => {
  const directory = temporaryDirectory();
  const target: StoreTarget = storeName === 'sqlite' ? sqliteTarget(directory.path) : postgresTarget();
  const run = (args: readonly string[], input?: string): Promise<CliRun> => cli([...target.args, ...args], { cwd: directory.path, ...(input === undefined ? {} : { input }) });
  const ok = async (args: readonly string[], input?: string): Promise<CliRun> => {
    const result = await run(args, input);
    expect(result.code, `${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
    return result;
  };

  beforeAll(async () => {
    await ok(['exec', '-'], scenarioNdjson());
    await ok(['project']);
  });
  afterAll(async () => {
    await target.dispose();
    directory.remove();
  });

  it('audit replays a customer from the event store: every ownership fact with revision, position, event id, actor, command id and time; exit 0 when consistent', async () => {
    const [json, human, csv] = await Promise.all([ok(['audit', 'cus-2', '--json']), ok(['audit', 'cus-2']), ok(['audit', 'cus-2', '--csv'])]);
    const audit = jsonOf<Audit>(json);
    expect(audit).toMatchObject({ customerId: 'cus-2', differences: [], consistent: true });
    expect(audit.facts.map((fact) => [fact.revision, fact.reason, fact.detail ?? null, fact.from, fact.to, fact.actor, fact.at])).toEqual([
      [0, 'registered', null, null, 'u-bob', 'u-bob', '2025-01-06T10:00:00.000Z'],
      [1, 'released', 'departure', 'u-bob', null, 'system', '2025-03-01T09:00:00.000Z'],
      [2, 'claimed', null, null, 'u-carol', 'u-carol', '2025-03-01T10:00:00.000Z'],
    ]);
    expect(audit.facts[0]!.commandId).toBe(scenario.find((line) => line.command === 'RegisterCustomer' && line.data['customerId'] === 'cus-2')!.id);
    for (const fact of audit.facts) {
      expect(fact.position).toMatch(/^[1-9]\d*$/);
      expect(fact.eventId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(human.stdout).toMatch(/^Ownership facts of cus-2, read from the event store\n/);
    expect(human.stdout).toMatch(/The read model agrees with the log\.\n$/);
    expect(csvOf(csv)[0]).toEqual(['revision', 'position', 'at', 'reason', 'from', 'to', 'actor', 'command', 'event']);
    expect(csvOf(csv).slice(1).map((row) => row[3])).toEqual(['registered', 'released/departure', 'claimed']);
  });

  it('audit exits 1 naming the difference when the read model rows were altered; rebuild --projection ownership repairs them', async () => {
    expect(await target.sql("UPDATE ownership_periods SET owner = 'u-mallory' WHERE customer_id = 'cus-2' AND seq = 0")).toBe(1);
    const [json, human] = await Promise.all([run(['audit', 'cus-2', '--json']), run(['audit', 'cus-2'])]);
    expect(json.code).toBe(1);
    const audit = jsonOf<Audit>(json);
    expect(audit.consistent).toBe(false);
    expect(audit.differences).toEqual([expect.objectContaining({ field: 'owner', expected: 'u-bob', actual: 'u-mallory' })]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/difference: .*owner.*"u-bob".*"u-mallory"/);
    expect(human.stdout).not.toMatch(/agrees/);

    const rebuilt = jsonOf<{ projections: string[]; events: number; seconds: number; eventsPerSecond: number }>(await ok(['rebuild', '--projection', 'ownership', '--json']));
    expect(rebuilt.projections).toEqual(['ownership']);
    expect(rebuilt.events).toBeGreaterThan(0);
    expect(jsonOf<Audit>(await ok(['audit', 'cus-2', '--json'])).consistent).toBe(true);
  });

  it('rebuild --json prints events, seconds and events/s; human output says the same in a line', async () => {
    const report = jsonOf<{ projections: string[]; events: number; seconds: number; eventsPerSecond: number }>(await ok(['rebuild', '--json']));
    expect(report.projections).toEqual(['funnel', 'ownership', 'rankings', 'reminders']);
    expect(report.events).toBe(scenarioEvents);
    expect(report.seconds).toBeGreaterThan(0);
    expect(report.eventsPerSecond).toBeGreaterThan(0);
    const human = await ok(['rebuild', '--projection', 'rankings']);
    expect(human.stdout).toMatch(/^rebuilt rankings: \d+ events in [\d.]+ s \(\d+ events\/s\)\n$/);
    // The rebuilt read models answer as before.
    const rankings = jsonOf<{ rows: { memberId: string; value: string }[] }>(await ok(['rankings', '--period', '2025-Q1', '--currency', 'USD', '--json']));
    expect(rankings.rows[0]).toMatchObject({ memberId: 'u-alice', value: '12000.00' });
  });

  it('project catches up and reports what it applied; a second run has nothing to do', async () => {
    const follow = JSON.stringify({ command: 'LogFollowUp', id: 'project-1', actor: 'u-carol', at: '2025-03-03T09:00:00Z', data: { customerId: 'cus-2', channel: 'call', summary: 'Welcome call', nextFollowUpAt: '2025-03-04T09:00:00Z' } });
    await ok(['exec', '-'], follow);
    const first = jsonOf<{ events: number; position: string }>(await ok(['project', '--json']));
    expect(first.events).toBeGreaterThanOrEqual(1);
    const second = jsonOf<{ events: number; position: string }>(await ok(['project', '--json']));
    expect(second).toEqual({ events: 0, position: first.position });
    expect((await ok(['project'])).stdout).toBe(`caught up: 0 events applied, at position ${first.position}\n`);
  });

  it('project --follow keeps the read models live, and stops cleanly with exit 0 on SIGTERM', async () => {
    const follower = startCli([...target.args, 'project', '--follow', '--progress'], { cwd: directory.path });
    try {
      await waitFor(() => follower.stderr().includes('following the log'), 20_000, () => `no readiness line on stderr:\n${follower.stderr()}`);
      const claim = JSON.stringify({ command: 'ClaimCustomer', id: 'follow-1', actor: 'u-alice', at: '2025-03-04T09:00:00Z', data: { customerId: 'cus-4' } });
      await ok(['exec', '-'], claim);
      // Only the follower applies events now: --no-catch-up queries read what it wrote.
      await waitFor(
        async () => jsonOf<{ currentOwner: string | null }>(await ok(['--no-catch-up', 'ownership', 'cus-4', '--json'])).currentOwner === 'u-alice',
        20_000,
        () => 'the follower did not apply the claim',
      );
    } finally {
      follower.child.kill('SIGTERM');
    }
    const exit = await follower.exited;
    expect(exit.signal, exit.stderr).toBeNull();
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stdout).toBe('');
    const status = jsonOf<{ events: number }>(await ok(['project', '--json']));
    expect(status.events, 'the follower left nothing behind').toBe(0);
  });

  it('export events prints the log as NDJSON in stored form, hash chains included and personal data encrypted; --from starts at a position', async () => {
    const exported = ndjsonOf<ExportedEvent>(await ok(['export', 'events']));
    expect(exported.length).toBeGreaterThanOrEqual(scenarioEvents);
    expect(exported.map((event) => Number(event.position))).toEqual([...exported.map((event) => Number(event.position))].sort((a, b) => a - b));
    for (const event of exported) {
      expect(Object.keys(event).sort()).toEqual(['data', 'eventId', 'hash', 'metadata', 'position', 'previousHash', 'revision', 'schemaVersion', 'stream', 'type']);
    }
    const lastHash = new Map<string, string>();
    for (const event of exported) {
      expect(event.previousHash, `${event.stream}@${event.revision} chains to its predecessor`).toBe(lastHash.get(event.stream) ?? null);
      lastHash.set(event.stream, event.hash);
    }
    const registration = exported.find((event) => event.stream === 'customer-cus-1' && event.revision === 0)!;
    expect(registration.type).toBe('CustomerRegistered');
    expect(JSON.stringify(exported), 'names and phones are exported encrypted, as stored').not.toContain('Acme Ltd');

    const from = exported[30]!.position;
    const tail = ndjsonOf<ExportedEvent>(await ok(['export', 'events', '--from', from]));
    expect(tail).toEqual(exported.slice(30));
    expect(ndjsonOf(await ok(['export', 'events', '--from', '0']))).toEqual(exported);
    expect((await ok(['export', 'events', '--from', String(Number(exported.at(-1)!.position) + 1)])).stdout).toBe('');
    const bad = await run(['export', 'events', '--from', 'first']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^USAGE: --from must be a position/);
  });

  it('verify walks the whole log: exit 0 when intact; after an event row is altered with raw SQL, exit 1 naming the stream and revision', async () => {
    const intact = jsonOf<{ eventsChecked: number; streamsChecked: number; breaks: unknown[]; undecodable: unknown[]; intact: boolean }>(await ok(['verify', '--json']));
    expect(intact).toMatchObject({ breaks: [], undecodable: [], intact: true, streamsChecked: scenarioStreams });
    expect(intact.eventsChecked).toBeGreaterThanOrEqual(scenarioEvents);
    expect((await ok(['verify'])).stdout).toMatch(/The log is intact\.\n$/);

    await target.tamperEventData('customer-cus-2', 1, (data) => ({ ...data, reason: 'voluntary' }));
    const [json, human, csv] = await Promise.all([run(['verify', '--json']), run(['verify']), run(['verify', '--csv'])]);
    expect(json.code).toBe(1);
    const broken = jsonOf<{ breaks: { stream: string; revision: number; position: string; problem: string }[]; undecodable: unknown[]; intact: boolean }>(json);
    expect(broken.intact).toBe(false);
    expect(broken.breaks).toEqual([expect.objectContaining({ stream: 'customer-cus-2', revision: 1, problem: 'hash_mismatch' })]);
    expect(broken.undecodable).toEqual([]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/^customer-cus-2@1 \(position \d+\): hash_mismatch: /m);
    expect(human.stdout).toMatch(/The log is NOT intact\.\n$/);
    expect(csv.code).toBe(1);
    expect(csvOf(csv).slice(1).map((row) => row.slice(0, 2).concat(row[3]!))).toEqual([['customer-cus-2', '1', 'hash_mismatch']]);

    // An event that no longer decodes is named too (besides its broken hash).
    expect(await target.sql("UPDATE events SET type = 'CustomerTeleported' WHERE stream = 'customer-cus-5' AND revision = 1")).toBe(1);
    const twice = await run(['verify', '--json']);
    expect(twice.code).toBe(1);
    const report = jsonOf<{ breaks: { stream: string; revision: number }[]; undecodable: { stream: string; revision: number; type: string }[] }>(twice);
    expect(report.breaks.map((place) => `${place.stream}@${place.revision}`).sort()).toEqual(['customer-cus-2@1', 'customer-cus-5@1']);
    expect(report.undecodable).toEqual([expect.objectContaining({ stream: 'customer-cus-5', revision: 1, type: 'CustomerTeleported' })]);
  });
});

/** Polls `condition` until it holds; fails with `explain()` after `timeoutMs`. */
async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, explain: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(explain());
    await sleep(200);
  }
}
