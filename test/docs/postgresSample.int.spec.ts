import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresEventStore } from '@eventcrm/store-postgres';
import { postgresAvailableForTests, postgresTestUrl } from '@eventcrm/store-postgres/testing';
import { expect, it } from 'vitest';
import { examplesDir, runTypeScript } from './paths.ts';

/**
 * The PostgreSQL sample of docs/guide-embedding.md, run against the test
 * server in a schema of its own (dropped afterwards). Without a server it
 * warns and checks nothing, except under `CI=true`, where the availability
 * check fails the run.
 */
const available = await postgresAvailableForTests();

it('the PostgreSQL sample stores events and read models in one schema', async () => {
  if (!available) {
    console.warn('PostgreSQL unavailable: the PostgreSQL sample of docs/guide-embedding.md was not run');
    return;
  }
  const schema = `eventcrm_docs_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const workDir = mkdtempSync(join(tmpdir(), 'eventcrm-docs-postgres-'));
  try {
    const output = join(workDir, 'outcomes.json');
    const child = await runTypeScript(new URL('./runExamples.ts', import.meta.url).pathname, [output, `${examplesDir}postgresStore.ts`], {
      env: { DATABASE_URL: postgresTestUrl(), EVENTCRM_SCHEMA: schema },
    });
    expect(child.code, child.stderr).toBe(0);
    const outcome = (JSON.parse(readFileSync(output, 'utf8')) as Record<string, { ok: boolean; value?: unknown; error?: string }>)['postgresStore'];
    expect(outcome?.error).toBeUndefined();
    expect(outcome?.value).toMatchObject({
      registered: { ok: true, events: [{ type: 'MemberRegistered', stream: 'member-u-alice', revision: 0 }] },
      stats: { memberId: 'u-alice', period: '2026-01', claims: 0 },
    });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
    const store = createPostgresEventStore({ connectionString: postgresTestUrl(), autoMigrate: false });
    await store.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await store.close();
  }
}, 120_000);
