import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInMemoryEventStore, createInMemoryReadModelStore, Crm, ManualClock, type EventStore } from '@eventcrm/runtime';
import { createPostgresEventStore, createPostgresReadModelStore } from '@eventcrm/store-postgres';
import { dropSchemas, postgresAvailableForTests, postgresTestUrl, randomSchemaName } from '@eventcrm/store-postgres/testing';
import { createSqliteEventStore, createSqliteReadModelStore } from '@eventcrm/store-sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { demoHistory } from '@eventcrm/cli';
import { allAnswers } from '../support/queries.ts';

const child = new URL('./crashChild.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'eventcrm-crash-'));
const postgresAvailable = await postgresAvailableForTests();
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (postgresAvailable) await dropSchemas(postgresTestUrl(), schemas);
});

const END = '2026-06-01';
const history = () => demoHistory({ seed: 5, end: END, customers: 600, months: 4, members: 10 });
/** The ids the answers are compared on: the demo's first customers and members, instants across its four months. */
const sample = {
  customers: Array.from({ length: 40 }, (_, index) => `cus-${index + 1}`),
  members: [...history()].flatMap((command) => (command.command === 'RegisterMember' ? [String((command.data as { memberId: string }).memberId)] : [])),
  instants: ['2026-02-15T12:00:00.000Z', '2026-03-20T09:00:00.000Z', '2026-05-30T00:00:00.000Z'],
  period: '2026-Q1',
};

async function fill(store: EventStore): Promise<void> {
  const crm = new Crm({ store, clock: new ManualClock(`${END}T00:00:00.000Z`) });
  const inputs = [...history()];
  for (let index = 0; index < inputs.length; index += 2000) await crm.executeBatch(inputs.slice(index, index + 2000), { batchSize: 500 });
}

/** Runs the child; kills it with SIGKILL after it reported `killAfter` progress lines (or lets it finish). */
function runChild(args: readonly string[], killAfter: number | null): Promise<'killed' | 'done'> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, ['--conditions=@eventcrm/source', '--import', 'tsx', child, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let lines = 0;
    let killed = false;
    process_.stdout.on('data', (chunk: Buffer) => {
      lines += chunk.toString().split('\n').filter((line) => line !== '' && line !== 'done').length;
      if (killAfter !== null && lines >= killAfter && !killed) {
        killed = true;
        process_.kill('SIGKILL');
      }
    });
    process_.on('error', reject);
    process_.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve('killed') : code === 0 ? resolve('done') : reject(new Error(`child exited ${code}`))));
  });
}

describe('crash safety with every projection (projections.md §5)', () => {
  it('catch-ups killed with SIGKILL at random points, then restarted, end with the read models of an uninterrupted run', async () => {
    const reference = createInMemoryEventStore();
    await fill(reference);
    const expected = await (async () => {
      const crm = new Crm({ store: reference, readModels: createInMemoryReadModelStore(), clock: new ManualClock(`${END}T00:00:00.000Z`) });
      await crm.catchUp();
      return strip(await allAnswers(crm, { catchUp: false, ...sample }));
    })();

    const targets: { kind: string; location: string; schema: string; open(): Promise<Crm> }[] = [];
    const path = join(dir, 'crash.db');
    targets.push({
      kind: 'sqlite',
      location: path,
      schema: '-',
      open: () => {
        const store = createSqliteEventStore({ path });
        return Promise.resolve(new Crm({ store, readModels: createSqliteReadModelStore({ store }), clock: new ManualClock(`${END}T00:00:00.000Z`) }));
      },
    });
    if (postgresAvailable) {
      const schema = randomSchemaName('eventcrm_crash');
      schemas.push(schema);
      targets.push({
        kind: 'postgres',
        location: postgresTestUrl(),
        schema,
        open: () => {
          const store = createPostgresEventStore({ connectionString: postgresTestUrl(), schema });
          return Promise.resolve(new Crm({ store, readModels: createPostgresReadModelStore({ store }), clock: new ManualClock(`${END}T00:00:00.000Z`) }));
        },
      });
    }

    for (const target of targets) {
      const setup = await target.open();
      await fill(setup.store);
      await setup.close();
      let kills = 0;
      for (const killAfter of [1 + Math.floor(Math.random() * 4), 2 + Math.floor(Math.random() * 6), 3 + Math.floor(Math.random() * 8)]) {
        if ((await runChild([target.kind, target.location, target.schema, 'catchUp'], killAfter)) === 'killed') kills += 1;
      }
      expect(kills, `${target.kind}: the child was killed at least once`).toBeGreaterThan(0);
      expect(await runChild([target.kind, target.location, target.schema, 'catchUp'], null)).toBe('done');
      const crm = await target.open();
      expect(strip(await allAnswers(crm, { catchUp: false, ...sample })), target.kind).toEqual(expected);
      await crm.close();
    }
  }, 600_000);
});

/** Event ids and PostgreSQL positions differ between stores; everything else must not. */
const strip = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (key, inner: unknown) => (key === 'eventId' || key === 'position' ? undefined : inner)));
