import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CommandExecutor, ManualClock, type EventStore, type ExecutionOutcome } from '@eventcrm/runtime';
import { createPostgresEventStore } from '@eventcrm/store-postgres';
import { dropSchemas, postgresAvailableForTests, postgresTestUrl, randomSchemaName } from '@eventcrm/store-postgres/testing';
import { createSqliteEventStore } from '@eventcrm/store-sqlite';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const child = new URL('./raceChild.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'eventcrm-race-'));
const postgresAvailable = await postgresAvailableForTests();
const schemas: string[] = [];

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (postgresAvailable) await dropSchemas(postgresTestUrl(), schemas);
});

type Target = { kind: 'sqlite' | 'postgres'; location: string; schema: string; open(): EventStore };

function targets(): Target[] {
  const path = join(dir, `race-${Math.random().toString(36).slice(2)}.db`);
  const list: Target[] = [{ kind: 'sqlite', location: path, schema: '-', open: () => createSqliteEventStore({ path }) }];
  if (postgresAvailable) {
    const schema = randomSchemaName('eventcrm_race');
    schemas.push(schema);
    list.push({ kind: 'postgres', location: postgresTestUrl(), schema, open: () => createPostgresEventStore({ connectionString: postgresTestUrl(), schema }) });
  }
  return list;
}

/** Runs one command in each of several OS processes, released at the same instant. */
async function race(target: Target, inputs: readonly object[]): Promise<ExecutionOutcome[]> {
  const startAt = String(Date.now() + 2500);
  const results = await Promise.all(
    inputs.map((input) =>
      run(process.execPath, ['--conditions=@eventcrm/source', '--import', 'tsx', child, target.kind, target.location, target.schema, startAt, JSON.stringify(input)], { timeout: 60_000 }),
    ),
  );
  return results.map(({ stdout }) => JSON.parse(stdout) as ExecutionOutcome);
}

async function seed(target: Target): Promise<void> {
  const store = target.open();
  const executor = new CommandExecutor({ store, clock: new ManualClock('2026-06-01T00:00:00.000Z') });
  for (const memberId of ['r-0', 'r-1', 'r-2', 'r-3']) {
    const outcome = await executor.execute({ command: 'RegisterMember', actor: 'system', at: '2026-01-01T00:00:00Z', data: { memberId, name: memberId, role: 'rep', team: 'north' } });
    expect(outcome.ok).toBe(true);
  }
  await store.close();
}

const registration = (index: number) => ({
  command: 'RegisterCustomer',
  id: `register-${index}`,
  actor: `r-${index}`,
  at: '2026-02-01T09:00:00Z',
  data: { customerId: `cus-${index}`, name: `Acme ${index}`, kind: 'company', phone: '+86 10 1234 5678', source: 'web', importance: 'A' },
});

describe('guarantees that hold across OS processes (issue #3)', () => {
  it('four processes registering the same phone at once: exactly one succeeds, the others are DUPLICATE_CUSTOMER', async () => {
    for (const target of targets()) {
      await seed(target);
      const outcomes = await race(target, [0, 1, 2, 3].map(registration));
      const accepted = outcomes.filter((outcome) => outcome.ok);
      expect(accepted, target.kind).toHaveLength(1);
      const winner = accepted[0]!.ok ? accepted[0]!.events[0]!.stream.slice('customer-'.length) : '';
      for (const outcome of outcomes.filter((candidate) => !candidate.ok)) {
        expect(outcome, target.kind).toMatchObject({ ok: false, error: { code: 'DUPLICATE_CUSTOMER', details: { existingCustomerId: winner } } });
      }
    }
  }, 120_000);

  it('four processes executing the same command id at once: one appends, the others get the original outcome as a duplicate', async () => {
    for (const target of targets()) {
      await seed(target);
      const outcomes = await race(target, [0, 1, 2, 3].map(() => registration(0)));
      expect(outcomes.filter((outcome) => !outcome.ok), target.kind).toEqual([]);
      expect(outcomes.filter((outcome) => outcome.ok && !outcome.duplicate), target.kind).toHaveLength(1);
      const original = outcomes.find((outcome) => outcome.ok && !outcome.duplicate)!;
      for (const outcome of outcomes) expect(outcome.ok && outcome.events, target.kind).toEqual(original.ok && original.events);
      // After a restart (a new process), the id still answers with the original outcome and appends nothing.
      const [again] = await race(target, [{ ...registration(0), data: { ...registration(0).data, name: 'changed' } }]);
      expect(again, target.kind).toMatchObject({ ok: true, duplicate: true });
      const store = target.open();
      expect(await store.streamRevision('customer-cus-0'), target.kind).toBe(0);
      await store.close();
    }
  }, 120_000);
});
