import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examplesDir, runTypeScript } from './paths.ts';

/**
 * Every TypeScript sample the pages quote runs here, against the in-memory
 * or a throw-away SQLite store, and what it returns is checked against what
 * the pages (and the comments in the samples) say it returns. The samples
 * run in one child process (see `paths.ts` for why not in this one).
 */

type Outcome = { readonly ok: true; readonly value: Record<string, unknown> } | { readonly ok: false; readonly error: string };

/**
 * The samples run here, by file name. `appendMetrics*.ts` run in
 * `adapterContract.spec.ts`, `postgresStore.ts` in `postgresSample.int.spec.ts`.
 */
const samples = ['quickStart', 'decisions', 'outcomes', 'sqliteStore', 'policies', 'batchImport', 'audit', 'analytics'] as const;
type Sample = (typeof samples)[number];

let outcomes: Record<string, Outcome> = {};
let workDir = '';
let childOutput = '';

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'eventcrm-docs-examples-'));
  const output = join(workDir, 'outcomes.json');
  const child = await runTypeScript(new URL('./runExamples.ts', import.meta.url).pathname, [output, ...samples.map((name) => `${examplesDir}${name}.ts`)]);
  childOutput = `exit ${String(child.code)}\n${child.stderr}`;
  if (child.code !== 0) throw new Error(`the sample runner failed:\n${childOutput}`);
  outcomes = JSON.parse(readFileSync(output, 'utf8')) as Record<string, Outcome>;
}, 180_000);

afterAll(() => {
  if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
});

/** What a sample's `main()` returned; fails with the sample's error when it threw. */
function valueOf(sample: Sample): Record<string, unknown> {
  const outcome = outcomes[sample];
  if (outcome === undefined) throw new Error(`no outcome for ${sample}: ${childOutput}`);
  if (!outcome.ok) throw new Error(`docs/examples/${sample}.ts threw:\n${outcome.error}`);
  return outcome.value;
}

/** A value inside what a sample returned, by property names and array indexes. */
function at(value: unknown, ...path: readonly (string | number)[]): unknown {
  let current = value;
  for (const key of path) current = typeof current === 'object' && current !== null ? (current as Record<string | number, unknown>)[key] : undefined;
  return current;
}

/** The owner of each period of an ownership history. */
const owners = (history: unknown): unknown[] => ((at(history, 'periods') ?? []) as readonly unknown[]).map((period) => at(period, 'owner'));

describe('docs/examples', () => {
  it('runs every TypeScript sample in the folder (each is checked below or by the contract spec)', () => {
    const files = readdirSync(examplesDir).filter((file) => file.endsWith('.ts')).map((file) => file.replace(/\.ts$/, ''));
    const byOtherSpecs = files.filter((file) => file.startsWith('appendMetrics') || file === 'postgresStore');
    expect(byOtherSpecs.sort()).toEqual(['appendMetrics', 'appendMetrics.contract', 'postgresStore']);
    expect(files.filter((file) => !byOtherSpecs.includes(file)).sort()).toEqual([...samples].sort());
  });

  it('quickStart: registers, rejects the duplicate phone, hands the customer over and answers the queries', () => {
    const value = valueOf('quickStart');
    expect(at(value, 'registered')).toMatchObject({ ok: true, commandId: 'cmd-0001', duplicate: false, events: [{ type: 'CustomerRegistered', stream: 'customer-cus-1', revision: 0 }] });
    expect(at(value, 'duplicate')).toMatchObject({ ok: false, error: { code: 'DUPLICATE_CUSTOMER', details: { existingCustomerId: 'cus-1', field: 'phone' } } });
    expect(owners(at(value, 'history'))).toEqual(['u-alice', null, 'u-bob']);
    expect(at(value, 'ownerInJanuary')).toEqual({ customerId: 'cus-1', asOf: '2026-01-20T00:00:00.000Z', owner: 'u-alice' });
    expect(at(value, 'bobsCustomers')).toEqual({ memberId: 'u-bob', asOf: '2026-02-12T00:00:00.000Z', customers: ['cus-1'] });
    expect(at(value, 'funnel', 'stages', 0)).toMatchObject({ stage: 'potential', current: 1, reached: 1 });
    expect(at(value, 'again')).toMatchObject({ ok: true, duplicate: true, events: at(value, 'registered', 'events') });
  });

  it('decisions: the same claim is refused at the holding limit and accepted with room, from the context alone', () => {
    const value = valueOf('decisions');
    expect(at(value, 'atTheLimit')).toMatchObject({ _tag: 'Left', left: { code: 'HOLDING_LIMIT_REACHED' } });
    expect(at(value, 'withRoom')).toMatchObject({ _tag: 'Right', right: [{ type: 'CustomerClaimed', data: { customerId: 'cus-1', to: 'u-bob', holdingsBefore: 3 } }] });
  });

  it('outcomes: rejections are values with codes, details and paths; a stale revision appends nothing', () => {
    const value = valueOf('outcomes');
    expect(at(value, 'lines')).toEqual([
      'please correct: data.importance Invalid option: expected one of "A"|"B"|"C"',
      'recorded CustomerRegistered',
      'someone changed this customer meanwhile: reload and try again',
      'NOT_FOUND: customer cus-404 does not exist',
    ]);
    expect(at(value, 'stale')).toMatchObject({ ok: false, error: { code: 'CONCURRENCY_CONFLICT', details: { stream: 'customer-cus-1', expected: 0, actual: 1 } } });
  });

  it('sqliteStore: read models kept in the SQLite file answer after reopening', () => {
    const value = valueOf('sqliteStore');
    expect(at(value, 'first')).toMatchObject({ events: 2 });
    expect(at(value, 'owner')).toEqual({ customerId: 'cus-1', asOf: '2026-01-06T00:00:00.000Z', owner: 'u-alice' });
  });

  it('policies: the departure handover runs inline, or later from the log by the reactor, once', () => {
    const value = valueOf('policies');
    expect(at(value, 'inline')).toEqual(['CustomerTransferred customer-cus-1']);
    expect(at(value, 'owner')).toMatchObject({ owner: 'u-bob' });
    expect(at(value, 'quietTriggered')).toBe(0);
    expect(at(value, 'reacted')).toEqual(['CustomerTransferred customer-cus-1']);
    expect(at(value, 'again')).toBe(0);
  });

  it('batchImport: 1,201 commands in batches of 500, all accepted; a rerun appends nothing', () => {
    const value = valueOf('batchImport');
    expect(value).toEqual({ commands: 1201, rejected: 0, progress: [500, 1000, 1201], rerunDuplicates: 1201, owned: 1200 });
  });

  it('audit: owner as of T at the boundary, the replay, and what verify sees of an edit and of a deleted last event', () => {
    const value = valueOf('audit');
    expect(owners(at(value, 'history'))).toEqual(['u-alice', null, 'u-bob']);
    expect(at(value, 'atTheInstant')).toMatchObject({ owner: 'u-bob' });
    expect(at(value, 'justBefore')).toMatchObject({ owner: null });
    expect(at(value, 'portfolio')).toMatchObject({ customers: ['cus-1'] });
    expect(at(value, 'audit', 'consistent')).toBe(true);
    expect(((at(value, 'audit', 'facts') ?? []) as readonly unknown[]).map((fact) => ['revision', 'reason', 'from', 'to'].map((key) => at(fact, key)))).toEqual([
      [0, 'registered', null, 'u-alice'],
      [1, 'released', 'u-alice', null],
      [2, 'claimed', null, 'u-bob'],
    ]);
    expect(at(value, 'report')).toEqual({ eventsChecked: 8, streamsChecked: 5, breaks: [], intact: true, undecodable: [] });
    const edited = [{ stream: 'customer-cus-1', revision: 2, problem: 'hash_mismatch' }];
    expect(at(value, 'afterEdit')).toMatchObject({ intact: false, breaks: edited });
    expect(at(value, 'afterDelete')).toMatchObject({ intact: false, breaks: edited, eventsChecked: 7 });
    expect(at(value, 'witness', 'consistent')).toBe(false);
  });

  it('analytics: a rebuild with progress, then plain SQL over the read-model tables', () => {
    const value = valueOf('analytics');
    expect(at(value, 'report')).toEqual({ projections: ['funnel', 'ownership', 'rankings', 'reminders'], events: 17, position: '17' });
    expect(at(value, 'updates')).toEqual(expect.any(Number));
    expect(Number(at(value, 'updates'))).toBeGreaterThan(0);
    expect(at(value, 'lastUpdate')).toMatchObject({ eventsDone: 17, fraction: 1 });
    expect(at(value, 'openPipeline')).toEqual([
      { owner: 'u-alice', currency: 'EUR', opportunities: 1, amount_minor: 800000 },
      { owner: 'u-alice', currency: 'USD', opportunities: 1, amount_minor: 1200000 },
      { owner: 'u-bob', currency: 'EUR', opportunities: 1, amount_minor: 64000 },
      { owner: 'u-bob', currency: 'USD', opportunities: 1, amount_minor: 2000000 },
    ]);
    expect(at(value, 'currentOwners')).toEqual(
      ['cus-1', 'cus-2', 'cus-3', 'cus-4', 'cus-5', 'cus-6'].map((id, index) => ({ customer_id: id, owner: index < 3 ? 'u-alice' : 'u-bob', since: '2026-03-02T09:00:00.000Z' })),
    );
  });
});
