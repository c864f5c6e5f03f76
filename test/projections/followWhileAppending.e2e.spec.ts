import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CommandExecutor, Crm, ManualClock } from '@eventcrm/runtime';
import { createPostgresEventStore, createPostgresReadModelStore } from '@eventcrm/store-postgres';
import { dropSchemas, postgresAvailableForTests, postgresTestUrl, randomSchemaName } from '@eventcrm/store-postgres/testing';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const writer = new URL('./writerChild.ts', import.meta.url).pathname;
const postgresAvailable = await postgresAvailableForTests();
const schema = randomSchemaName('eventcrm_follow');
afterAll(async () => {
  if (postgresAvailable) await dropSchemas(postgresTestUrl(), [schema]);
});

describe.runIf(postgresAvailable)('projections following a PostgreSQL log while several processes append (issue #4)', () => {
  it('never miss or double-count an event: the followed read models equal a rebuild of the same log', async () => {
    const store = createPostgresEventStore({ connectionString: postgresTestUrl(), schema });
    const clock = new ManualClock('2026-06-01T00:00:00.000Z');
    const executor = new CommandExecutor({ store, clock });
    for (const index of [0, 1, 2]) {
      await executor.execute({ command: 'RegisterMember', actor: 'system', at: '2026-01-01T00:00:00Z', data: { memberId: `r-${index}`, name: `Rep ${index}`, role: 'rep', team: 'north' } });
    }
    await executor.execute({ command: 'Configure', actor: 'system', at: '2026-01-01T00:00:00Z', data: { pool: { dailyClaimLimit: 1000, holdingLimit: 1000 } } });
    const followed = new Crm({ store, readModels: createPostgresReadModelStore({ store }), clock, projectionBatchSize: 50 });
    const controller = new AbortController();
    const following = followed.follow({ signal: controller.signal, pollIntervalMs: 20 });
    const writers = await Promise.all(
      [0, 1, 2].map((index) => run(process.execPath, ['--conditions=@eventcrm/source', '--import', 'tsx', writer, postgresTestUrl(), schema, String(index), '4'], { timeout: 120_000 })),
    );
    const appended = writers.reduce((sum, { stdout }) => sum + Number(stdout), 0);
    expect(appended).toBeGreaterThan(30);
    // Let the follower drain, then stop it after its current batch.
    const head = await store.headPosition();
    for (let waited = 0; waited < 30_000; waited += 100) {
      const checkpoint = (await followed.readModels.checkpoints('live')).find((candidate) => candidate.projection === 'ownership');
      if (checkpoint?.position === head) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    controller.abort();
    await following;

    const rebuiltSchemaStore = createPostgresEventStore({ connectionString: postgresTestUrl(), schema });
    const rebuilt = new Crm({ store: rebuiltSchemaStore, clock });
    await rebuilt.rebuild();
    const customers = Array.from({ length: 20 }, (_, index) => `w${index % 3}-${Math.floor(index / 3) + 1}`);
    for (const customerId of customers) {
      expect(await followed.ownership(customerId, { catchUp: false }), customerId).toEqual(await rebuilt.ownership(customerId, { catchUp: false }));
    }
    for (const memberId of ['r-0', 'r-1', 'r-2']) {
      expect(await followed.ownershipStats(memberId, '2026', { catchUp: false })).toEqual(await rebuilt.ownershipStats(memberId, '2026', { catchUp: false }));
      const stats = await followed.ownershipStats(memberId, '2026', { catchUp: false });
      expect(stats).toMatchObject({ memberId });
    }
    expect(await followed.rankings({ period: '2026', metric: 'customersClaimed' }, { catchUp: false })).toEqual(
      await rebuilt.rankings({ period: '2026', metric: 'customersClaimed' }, { catchUp: false }),
    );
    expect(await followed.lifecycle({ catchUp: false })).toEqual(await rebuilt.lifecycle({ catchUp: false }));
    await followed.close();
    await rebuilt.close();
  }, 180_000);
});
