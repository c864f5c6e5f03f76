import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Crm, isRejection, ManualClock } from '@eventcrm/runtime';
import { createSqliteEventStore, createSqliteReadModelStore } from '@eventcrm/store-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anchorLog,
  auditOwnershipAt,
  crossCheckWithCli,
  formatAnchor,
  jsonOf,
  openStore,
  parseAnchor,
  readInstant,
  renderCliCheck,
  renderReport,
  sampleCommandIds,
  sampleTimeline,
  writeSampleHistory,
  type CliCrossCheck,
  type OwnershipAuditReport,
  type StreamAnchor,
} from '../src/index.ts';
import { cutNewestEvent, editEventData, rewriteChain } from './intruder.ts';

/**
 * The auditor's questions on the sample history (registration, recycle by
 * the pool sweep, claim, departure handover) in a SQLite file: answered
 * from the log, checked against the read model, the hash chains and the
 * CLI; then the file is tampered with by raw SQL, and each check shows
 * what it can and cannot see.
 */
const directory = mkdtempSync(join(tmpdir(), 'auditor-replay-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let files = 0;
async function freshSample(): Promise<string> {
  files += 1;
  const path = join(directory, `sample-${files}.db`);
  await writeSampleHistory(path);
  return path;
}

/** The script's two steps: the audit through the library, then (store closed) the same questions through the CLI. */
async function ask(path: string, asOf: string, options: { readonly anchor?: StreamAnchor; readonly customerId?: string } = {}): Promise<{ report: OwnershipAuditReport; cli: CliCrossCheck }> {
  const at = readInstant(asOf);
  if (at === undefined) throw new Error(`not an instant: ${asOf}`);
  const crm = openStore({ url: `sqlite:${path}` });
  let result;
  try {
    result = await auditOwnershipAt(crm, { customerId: options.customerId ?? 'cus-1', at, ...(options.anchor === undefined ? {} : { anchor: options.anchor }) });
  } finally {
    await crm.close();
  }
  if (isRejection(result)) throw new Error(`${result.code}: ${result.message}`);
  return { report: result, cli: await crossCheckWithCli({ url: `sqlite:${path}` }, result, { human: true }) };
}

/** A Crm on the file, for steps an operator would take (rebuild, new commands). */
async function withCrm<T>(path: string, work: (crm: Crm) => Promise<T>, clock?: ManualClock): Promise<T> {
  const store = createSqliteEventStore({ path });
  const crm = new Crm({ store, readModels: createSqliteReadModelStore({ store }), ...(clock === undefined ? {} : { clock }) });
  try {
    return await work(crm);
  } finally {
    await crm.close();
  }
}

const cliRun = (cli: CliCrossCheck, name: 'ownership' | 'audit' | 'verify') => {
  const check = cli.checks.find((candidate) => candidate.name === name);
  if (check === undefined) throw new Error(`no ${name} check`);
  return check;
};

describe('who owned cus-1, and who moved it there: the intact log', () => {
  let path: string;
  beforeAll(async () => {
    path = await freshSample();
  });

  it('before the registration: nobody, and the read model and the CLI answer NOT_FOUND', async () => {
    const { report, cli } = await ask(path, '2026-01-01T00:00:00Z');
    expect(report.answer).toEqual({ kind: 'not_registered', registeredAt: sampleTimeline.registered });
    expect(report.readModel).toMatchObject({ agrees: true, answer: { code: 'NOT_FOUND', details: { registeredAt: sampleTimeline.registered } } });
    expect(report.findings).toEqual([]);
    expect(cliRun(cli, 'ownership').json.exitCode).toBe(1);
    expect(jsonOf(cliRun(cli, 'ownership').json)).toEqual({
      error: { code: 'NOT_FOUND', message: 'customer cus-1 was not registered yet at 2026-01-01T00:00:00.000Z', details: { customerId: 'cus-1', asOf: '2026-01-01T00:00:00.000Z', registeredAt: sampleTimeline.registered } },
    });
    expect(cli.findings).toEqual([]);
  });

  it.each([
    // [asked, owner, since, until, reason of the move, actor, revision]
    ['2026-01-05T09:00:00Z', 'u-alice', sampleTimeline.registered, sampleTimeline.recycled, 'registered', 'u-alice', 0],
    ['2026-01-20T12:00:00+08:00', 'u-alice', sampleTimeline.registered, sampleTimeline.recycled, 'registered', 'u-alice', 0],
    ['2026-02-09T23:59:59.999Z', 'u-alice', sampleTimeline.registered, sampleTimeline.recycled, 'registered', 'u-alice', 0],
    ['2026-02-10', null, sampleTimeline.recycled, sampleTimeline.claimed, 'recycled', 'system', 1],
    ['2026-02-11T07:59:59.999Z', null, sampleTimeline.recycled, sampleTimeline.claimed, 'recycled', 'system', 1],
    ['2026-02-11T08:00:00Z', 'u-bob', sampleTimeline.claimed, sampleTimeline.departed, 'claimed', 'u-bob', 2],
    ['2026-03-20T17:29:59.999Z', 'u-bob', sampleTimeline.claimed, sampleTimeline.departed, 'claimed', 'u-bob', 2],
    ['2026-03-20T17:30:00Z', 'u-dave', sampleTimeline.departed, null, 'transferred', 'system', 4],
    ['2030-01-01T00:00:00Z', 'u-dave', sampleTimeline.departed, null, 'transferred', 'system', 4],
  ] as const)('at %s: %s since %s, until %s, moved there by a %s fact of %s', async (asked, owner, since, until, reason, actor, revision) => {
    const { report, cli } = await ask(path, asked);
    expect(report.answer).toMatchObject({ kind: 'owned', owner, since, until, movedThere: { fact: { reason, actor, revision } } });
    expect(report.readModel.agrees).toBe(true);
    expect(report.readModel.answer).toEqual({ customerId: 'cus-1', asOf: readInstant(asked)?.instant, owner });
    expect(report.replay?.consistent).toBe(true);
    expect(report.verify).toMatchObject({ intact: true, breaks: [], undecodable: [] });
    expect(report.findings).toEqual([]);
    expect(cli.findings).toEqual([]);
    expect(cli.checks.map((check) => [check.name, check.json.exitCode, check.agrees])).toEqual([
      ['ownership', 0, true],
      ['audit', 0, true],
      ['verify', 0, true],
    ]);
  });

  it('names the move exactly as the store holds it: revision, position, event id, command id, time', async () => {
    const { report } = await ask(path, '2026-02-11T08:00:00Z');
    const stored = await withCrm(path, (crm) => crm.store.readStream('customer-cus-1'));
    const claim = stored.find((event) => event.type === 'CustomerClaimed');
    expect(report.answer).toMatchObject({
      movedThere: {
        fact: { revision: claim?.revision, position: claim?.position, eventId: claim?.eventId, commandId: sampleCommandIds.claim, at: sampleTimeline.claimed, actor: 'u-bob', from: null, to: 'u-bob' },
        decision: { recorded: { to: 'u-bob', holdingsBefore: 0, claimsTodayBefore: 0, policy: { holdingLimit: 200, dailyClaimLimit: 20, reclaimCooldownDays: 7 } } },
        causation: null,
      },
      movedOn: { type: 'CustomerTransferred', at: sampleTimeline.departed },
    });
  });

  it('explains a recycle with the rule and the figures the sweep recorded', async () => {
    const { report } = await ask(path, sampleTimeline.recycled);
    expect(report.answer).toMatchObject({
      movedThere: {
        fact: { type: 'CustomerRecycled', detail: 'no_follow_up', from: 'u-alice', to: null },
        decision: { recorded: { rule: 'no_follow_up', idleDays: 35, ownedSince: sampleTimeline.registered, lastFollowUpAt: null, policy: { noFollowUpDays: 30 } } },
      },
    });
    expect(renderReport(report)).toContain('by rule no_follow_up: 35 idle days (limit 30)');
  });

  it("traces the departure handover (actor system) to the deactivation and the admin who issued it", async () => {
    const { report, cli } = await ask(path, sampleTimeline.departed);
    expect(report.answer).toMatchObject({
      movedThere: {
        fact: { type: 'CustomerTransferred', detail: 'departure', from: 'u-bob', to: 'u-dave', actor: 'system' },
        causation: { correlationId: sampleCommandIds.deactivate, found: { stream: 'member-u-bob', type: 'MemberDeactivated', actor: 'u-carol', commandId: sampleCommandIds.deactivate, at: sampleTimeline.departed } },
      },
    });
    const text = renderReport(report);
    expect(text).toContain('issued by u-carol with command cmd-deactivate-u-bob');
    expect(text).toContain('Every check passed.');
    const session = renderCliCheck(cli);
    expect(session).toContain('$ eventcrm --store sqlite:');
    expect(session).toContain('ownership cus-1 --as-of 2026-03-20T17:30:00.000Z');
    expect(session).toContain('The read model agrees with the log.');
    expect(session).toContain('The log is intact.');
  });

  it('answers NOT_FOUND for a customer the store has no event of', async () => {
    const crm = openStore({ url: `sqlite:${path}` });
    try {
      const at = readInstant('2026-03-01');
      if (at === undefined) throw new Error('unreadable instant');
      expect(await auditOwnershipAt(crm, { customerId: 'cus-404', at })).toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await crm.close();
    }
  });

  it('refuses a SQLite path that does not exist instead of creating an empty store', () => {
    expect(() => openStore({ url: `sqlite:${join(directory, 'missing.db')}` })).toThrow(/no SQLite file/);
  });
});

describe('tamper evidence: raw SQL on the SQLite file', () => {
  const during = '2026-03-01T12:00:00Z';

  it('a changed payload outside the ownership facts: verify names stream and revision; the ownership answer and the audit stay consistent', async () => {
    const path = await freshSample();
    await editEventData(path, 'customer-cus-1', 3, (data) => ({ ...data, summary: 'Customer asked to leave us' }));
    const { report, cli } = await ask(path, during);
    expect(report.answer).toMatchObject({ kind: 'owned', owner: 'u-bob' });
    expect(report.readModel.agrees).toBe(true);
    expect(report.replay?.consistent).toBe(true);
    expect(report.verify.intact).toBe(false);
    expect(report.streamProblems).toEqual([expect.objectContaining({ revision: 3, problem: 'hash_mismatch' })]);
    expect(report.findings).toEqual([expect.stringContaining('the log is not intact: customer-cus-1@3 hash_mismatch')]);

    const verify = cliRun(cli, 'verify');
    expect(verify.json.exitCode).toBe(1);
    expect(jsonOf(verify.json)).toMatchObject({ intact: false, breaks: [{ stream: 'customer-cus-1', revision: 3, problem: 'hash_mismatch' }] });
    expect(verify.human?.stdout).toContain('customer-cus-1@3');
    expect(cliRun(cli, 'audit').json.exitCode).toBe(0);
    expect(cli.findings).toEqual([]);
  });

  it('a rewritten owner: verify names it, the audit finds the read model disagreeing; after a rebuild only the chain still tells', async () => {
    const path = await freshSample();
    await editEventData(path, 'customer-cus-1', 2, (data) => ({ ...data, to: 'u-mallory' }));

    const { report, cli } = await ask(path, during);
    expect(report.answer).toMatchObject({ kind: 'owned', owner: 'u-mallory', movedThere: { fact: { revision: 2, actor: 'u-bob', commandId: sampleCommandIds.claim } } });
    expect(report.readModel).toMatchObject({ agrees: false, answer: { owner: 'u-bob' } });
    expect(report.replay?.consistent).toBe(false);
    expect(report.replay?.differences).toContainEqual(expect.objectContaining({ kind: 'wrong_owner', expected: 'u-mallory', actual: 'u-bob' }));
    expect(report.streamProblems).toEqual([expect.objectContaining({ revision: 2, problem: 'hash_mismatch' })]);
    expect(report.findings).toHaveLength(3);
    expect(cli.checks.map((check) => [check.name, check.json.exitCode, check.agrees])).toEqual([
      ['ownership', 0, true],
      ['audit', 1, true],
      ['verify', 1, true],
    ]);
    expect(jsonOf(cliRun(cli, 'verify').json)).toMatchObject({ breaks: [{ stream: 'customer-cus-1', revision: 2, problem: 'hash_mismatch' }] });

    // An operator rebuilds the read models: they now follow the forged log, and the replay agrees with them.
    await withCrm(path, (crm) => crm.rebuild());
    const after = await ask(path, during);
    expect(after.report.readModel).toMatchObject({ agrees: true, answer: { owner: 'u-mallory' } });
    expect(after.report.replay?.consistent).toBe(true);
    expect(after.report.findings).toEqual([expect.stringContaining('customer-cus-1@2 hash_mismatch')]);
  });

  it('a rewritten chain with recomputed hashes passes verify; only a head hash recorded outside the database catches it', async () => {
    const path = await freshSample();
    const before = await ask(path, during);
    const recorded = before.report.head;
    if (recorded === null) throw new Error('no head');
    const anchor = parseAnchor(formatAnchor(recorded));
    expect(anchor).toEqual(recorded);
    const logBefore = await withCrm(path, (crm) => anchorLog(crm.store));

    await rewriteChain(path, 'customer-cus-1', 2, (data) => ({ ...data, to: 'u-mallory' }));
    await withCrm(path, (crm) => crm.rebuild());

    const unanchored = await ask(path, during);
    expect(unanchored.report.answer).toMatchObject({ owner: 'u-mallory' });
    expect(unanchored.report.verify.intact).toBe(true);
    expect(unanchored.report.findings).toEqual([]);
    expect(unanchored.cli.findings).toEqual([]);

    const anchored = await ask(path, during, { ...(anchor === undefined ? {} : { anchor }) });
    expect(anchored.report.anchorCheck).toMatchObject({ status: 'changed', anchor: recorded });
    expect(anchored.report.findings).toEqual([`customer-cus-1@${recorded.revision} no longer has the anchored hash: it or an event before it was rewritten`]);
    expect(renderReport(anchored.report)).toContain('BROKEN, that revision now carries hash');
    const logAfter = await withCrm(path, (crm) => anchorLog(crm.store, logBefore.position ?? undefined));
    expect(logAfter.digest).not.toBe(logBefore.digest);
  });

  it('anchors survive legitimate growth: new events after the anchor change neither check', async () => {
    const path = await freshSample();
    const { report } = await ask(path, during);
    const logBefore = await withCrm(path, (crm) => anchorLog(crm.store));
    await withCrm(
      path,
      async (crm) => {
        const outcome = await crm.execute({ command: 'LogFollowUp', actor: 'u-dave', data: { customerId: 'cus-1', channel: 'call', summary: 'Hand-over call' } });
        expect(outcome.ok).toBe(true);
      },
      new ManualClock('2026-03-21T09:00:00.000Z'),
    );
    const later = await ask(path, during, report.head === null ? {} : { anchor: report.head });
    expect(later.report.anchorCheck?.status).toBe('holds');
    expect(later.report.head?.revision).toBe((report.head?.revision ?? 0) + 1);
    expect(later.report.findings).toEqual([]);
    const logAtPosition = await withCrm(path, (crm) => anchorLog(crm.store, logBefore.position ?? undefined));
    expect(logAtPosition).toEqual(logBefore);
  });

  it('the newest event cut from a stream: verify sees nothing, the read model built before and the anchor both do', async () => {
    const path = await freshSample();
    const { report } = await ask(path, during);
    await cutNewestEvent(path, 'customer-cus-1');
    const after = await ask(path, '2026-04-01T00:00:00Z', report.head === null ? {} : { anchor: report.head });
    expect(after.report.verify.intact).toBe(true);
    expect(after.report.answer).toMatchObject({ kind: 'owned', owner: 'u-bob', until: null });
    expect(after.report.readModel).toMatchObject({ agrees: false, answer: { owner: 'u-dave' } });
    expect(after.report.replay?.consistent).toBe(false);
    expect(after.report.anchorCheck).toMatchObject({ status: 'missing', headRevisionNow: 3 });
    expect(after.cli.checks.map((check) => [check.name, check.json.exitCode, check.agrees])).toEqual([
      ['ownership', 0, true],
      ['audit', 1, true],
      ['verify', 0, true],
    ]);
  });
});
