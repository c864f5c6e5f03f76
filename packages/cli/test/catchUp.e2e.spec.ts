import { afterAll, describe, expect, it } from 'vitest';
import { cli, cliExpect, expectErrorReport, jsonOf, temporaryDirectory } from './cli.ts';
import { scenarioNdjson } from './scenario.ts';
import { postgresTarget, sqliteTarget, storeNames, type StoreTarget } from './stores.ts';

/**
 * cli.md: "Every query first catches the projections up with the log
 * (incremental, fast), unless --no-catch-up." `exec` only appends, so the
 * read models lag until the next query; several people may run that first
 * query at the same moment.
 */

const expectedLifecycle = {
  stages: [
    { stage: 'potential', current: 4, reached: 5, conversion: 0.2 },
    { stage: 'intent', current: 0, reached: 1, conversion: 1 },
    { stage: 'customer', current: 1, reached: 1, conversion: 0 },
    { stage: 'vip', current: 0, reached: 0, conversion: null },
  ],
  dormant: 0,
};

describe.each(storeNames)('catching up on %s', (storeName) => {
  const directory = temporaryDirectory();
  const targets: StoreTarget[] = [];
  const fresh = async (): Promise<StoreTarget> => {
    const target = storeName === 'sqlite' ? sqliteTarget(directory.path, `catch-up-${targets.length}.db`) : postgresTarget();
    targets.push(target);
    await cliExpect(0, [...target.args, 'exec', '-'], { cwd: directory.path, input: scenarioNdjson() });
    return target;
  };
  afterAll(async () => {
    for (const target of targets) await target.dispose();
    directory.remove();
  });

  it('--no-catch-up answers from the read models as they are; a plain query catches up first', async () => {
    const target = await fresh();
    const run = (args: readonly string[]) => cli([...target.args, ...args], { cwd: directory.path });

    const stale = await run(['--no-catch-up', 'ownership', 'cus-5', '--json']);
    expect(stale.code, 'nothing is projected yet').toBe(1);
    expectErrorReport(stale, 'NOT_FOUND', { json: true });

    const current = jsonOf<{ currentOwner: string | null }>(await cliExpect(0, [...target.args, 'ownership', 'cus-5', '--json'], { cwd: directory.path }));
    expect(current.currentOwner).toBe('u-alice');

    const release = JSON.stringify({ command: 'ReleaseCustomer', id: 'release-5', actor: 'u-alice', at: '2025-03-02T09:00:00Z', data: { customerId: 'cus-5' } });
    await cliExpect(0, [...target.args, 'exec', '-'], { cwd: directory.path, input: release });
    const behind = jsonOf<{ currentOwner: string | null }>(await cliExpect(0, [...target.args, 'ownership', 'cus-5', '--json', '--no-catch-up'], { cwd: directory.path }));
    expect(behind.currentOwner, 'the read model has not seen the release yet').toBe('u-alice');
    const caughtUp = jsonOf<{ currentOwner: string | null }>(await cliExpect(0, [...target.args, 'ownership', 'cus-5', '--json'], { cwd: directory.path }));
    expect(caughtUp.currentOwner).toBeNull();
  });

  it('queries started at the same moment on a store that has not caught up all answer from complete read models, and leave them complete', async () => {
    // Two rounds of three racing processes: a race that corrupts the read models shows up in most runs.
    for (let round = 0; round < 2; round += 1) {
      const target = await fresh();
      const racing = await Promise.all([0, 1, 2].map(() => cli([...target.args, 'lifecycle', '--json'], { cwd: directory.path })));
      for (const run of racing) {
        expect(run.code, run.stderr).toBe(0);
        expect(jsonOf(run)).toEqual(expectedLifecycle);
      }
      const afterwards = await cliExpect(0, [...target.args, '--no-catch-up', 'lifecycle', '--json'], { cwd: directory.path });
      expect(jsonOf(afterwards), `round ${round}: the read models as the racing catch-ups left them`).toEqual(expectedLifecycle);
    }
  });
});
