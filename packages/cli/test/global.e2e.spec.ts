import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, cli, cliExpect, expectErrorReport, jsonOf, ndjsonOf, temporaryDirectory } from './cli.ts';
import { scenarioNdjson } from './scenario.ts';

/**
 * The global part of cli.md: choosing the store (`--store`, `EVENTCRM_STORE`,
 * the default file, `--tenant`), unreachable and unknown stores, help, the
 * error line and `--debug`, and progress that stays on stderr.
 */

const directory = temporaryDirectory();
afterAll(() => directory.remove());
const member = JSON.stringify({ command: 'RegisterMember', id: 'global-1', actor: 'system', at: '2025-01-02T08:00:00Z', data: { memberId: 'u-ann', name: 'Ann', role: 'rep', team: 'east' } });
const headOf = async (cwd: string, args: readonly string[], env?: Record<string, string | undefined>): Promise<number> =>
  ndjsonOf(await cliExpect(0, [...args, 'export', 'events'], { cwd, ...(env === undefined ? {} : { env }) })).length;

describe('choosing the store', () => {
  it('defaults to sqlite:./eventcrm.db in the working directory', async () => {
    const cwd = temporaryDirectory();
    try {
      await cliExpect(0, ['exec', '-', '--json'], { cwd: cwd.path, input: member });
      expect(existsSync(join(cwd.path, 'eventcrm.db'))).toBe(true);
      expect(await headOf(cwd.path, ['--store', `sqlite:${join(cwd.path, 'eventcrm.db')}`])).toBe(1);
    } finally {
      cwd.remove();
    }
  });

  it('takes EVENTCRM_STORE from the environment, and --store over it', async () => {
    const cwd = temporaryDirectory();
    try {
      const env = { EVENTCRM_STORE: 'sqlite:./from-env.db' };
      await cliExpect(0, ['exec', '-'], { cwd: cwd.path, input: member, env });
      expect(readdirSync(cwd.path).filter((name) => name.endsWith('.db'))).toEqual(['from-env.db']);
      expect(await headOf(cwd.path, [], env)).toBe(1);
      await cliExpect(0, ['--store', 'sqlite:./from-flag.db', 'exec', '-'], { cwd: cwd.path, input: member, env });
      expect(readdirSync(cwd.path).filter((name) => name.endsWith('.db')).sort()).toEqual(['from-env.db', 'from-flag.db']);
    } finally {
      cwd.remove();
    }
  });

  it('memory: is process-local: commands run, nothing is written, the next invocation starts empty', async () => {
    const cwd = temporaryDirectory();
    try {
      const executed = await cliExpect(0, ['--store', 'memory:', 'exec', '-', '--json'], { cwd: cwd.path, input: scenarioNdjson() });
      expect(ndjsonOf<{ ok: boolean }>(executed).every((line) => line.ok)).toBe(true);
      const lifecycle = jsonOf<{ stages: { reached: number }[] }>(await cliExpect(0, ['--store', 'memory:', 'lifecycle', '--json'], { cwd: cwd.path }));
      expect(lifecycle.stages.map((stage) => stage.reached)).toEqual([0, 0, 0, 0]);
      expect(readdirSync(cwd.path)).toEqual([]);
    } finally {
      cwd.remove();
    }
  });

  it('--tenant keeps a tenant in its own SQLite file beside the named one', async () => {
    const cwd = temporaryDirectory();
    try {
      await cliExpect(0, ['--store', 'sqlite:./crm.db', '--tenant', 'acme', 'exec', '-'], { cwd: cwd.path, input: member });
      expect(readdirSync(cwd.path).filter((name) => name.endsWith('.db'))).toEqual(['crm.acme.db']);
      expect(await headOf(cwd.path, ['--store', 'sqlite:./crm.db', '--tenant', 'acme'])).toBe(1);
      expect(await headOf(cwd.path, ['--store', 'sqlite:./crm.db', '--tenant', 'globex'])).toBe(0);
    } finally {
      cwd.remove();
    }
  });

  it('an unreachable server is exit 2 with one line (and the error document with --json)', async () => {
    const unreachable = [
      ['--store', 'postgres://postgres@127.0.0.1:1/test'],
      ['--store', 'kurrentdb://127.0.0.1:1?tls=false'],
      ['--store', `sqlite:${join(directory.path, 'no', 'such', 'folder', 'crm.db')}`],
    ];
    const runs = await Promise.all(unreachable.flatMap((store) => [cli([...store, 'lifecycle'], { cwd: directory.path }), cli([...store, 'lifecycle', '--json'], { cwd: directory.path })]));
    for (const [index, store] of unreachable.entries()) {
      const [human, json] = [runs[index * 2]!, runs[index * 2 + 1]!];
      expect(human.code, store.join(' ')).toBe(2);
      expectErrorReport(human, 'STORE_UNAVAILABLE');
      expect(json.code).toBe(2);
      expectErrorReport(json, 'STORE_UNAVAILABLE', { json: true });
    }
    expect(runs[0]!.stderr, 'the message says where').toMatch(/PostgreSQL.*127\.0\.0\.1:1/);
  });

  it('an unknown store URL, an empty SQLite path or a malformed tenant is a usage error (exit 2)', async () => {
    const cases = [
      ['--store', 'mysql://localhost/crm'],
      ['--store', 'sqlite:'],
      ['--store', 'sqlite:./x.db', '--tenant', 'Not A Tenant'],
    ];
    const runs = await Promise.all(cases.map((args) => cli([...args, 'lifecycle', '--json'], { cwd: directory.path })));
    for (const run of runs) {
      expect(run.code).toBe(2);
      expectErrorReport(run, 'USAGE', { json: true });
    }
    expect(runs[0]!.stderr).toMatch(/unknown store URL "mysql:\/\/localhost\/crm"/);
    const environment = await cli(['lifecycle'], { cwd: directory.path, env: { EVENTCRM_STORE: 'file:crm.db' } });
    expect(environment.code).toBe(2);
    expectErrorReport(environment, 'USAGE', { message: /file:crm\.db/ });
  });
});

describe('help', () => {
  const commands = ['exec', 'demo', 'funnel', 'lifecycle', 'ownership', 'portfolio', 'stats', 'rankings', 'reminders', 'pool', 'audit', 'verify', 'rebuild', 'project', 'export'];
  const options: Record<string, readonly string[]> = {
    exec: ['<file>', '--stop-on-error'],
    demo: ['--members', '--customers', '--months', '--seed'],
    funnel: ['--owner', '--team', '--opened-from', '--opened-to', '--currency'],
    lifecycle: [],
    ownership: ['<customer>', '--as-of'],
    portfolio: ['<member>', '--as-of'],
    stats: ['<member>', '--period'],
    rankings: ['--period', '--metric', '--currency', '--teams'],
    reminders: ['--member', '--as-of'],
    'pool sweep': ['--as-of', '--dry-run'],
    audit: ['<customer>'],
    verify: [],
    rebuild: ['--projection', 'funnel', 'ownership', 'rankings', 'reminders', 'all'],
    project: ['--follow'],
    'export events': ['--from'],
  };
  const globalOptions = ['--store', 'EVENTCRM_STORE', '--tenant', '--json', '--csv', '--progress', '--no-catch-up', '--debug'];

  it('eventcrm --help lists every command of cli.md and the global options, on stdout, exit 0', async () => {
    const help = await cliExpect(0, ['--help'], { cwd: directory.path });
    expect(help.stderr).toBe('');
    for (const command of commands) expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    for (const option of globalOptions) expect(help.stdout).toContain(option);
    expect(help.stdout, 'the subcommands of pool and export are named').toMatch(/pool sweep/);
    expect(help.stdout).toMatch(/export events/);
  });

  it('eventcrm <command> --help lists every argument and option cli.md gives the command, and the global ones', async () => {
    const entries = Object.entries(options);
    const runs = await Promise.all(entries.map(([command]) => cli([...command.split(' '), '--help'], { cwd: directory.path })));
    for (const [index, [command, expected]] of entries.entries()) {
      const help = runs[index]!;
      expect(help.code, command).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: eventcrm ${command} `));
      for (const option of [...expected, '--json', '--store']) expect(help.stdout, `${command} --help mentions ${option}`).toContain(option);
    }
  });

  it('no command, or pool without its subcommand, shows the help on stderr and exits 2', async () => {
    for (const args of [[], ['pool'], ['export']]) {
      const run = await cli(args, { cwd: directory.path });
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^Usage: eventcrm/);
      expect(run.stderr.trimEnd().split('\n').at(-1)).toMatch(/^USAGE: eventcrm.* needs a command/);
    }
  });

  it('a usage error is one line naming the problem and where the help is, not the whole help', async () => {
    const run = await cli(['rankings', '--period', '2025-Q1', '--bogus', '--json'], { cwd: directory.path });
    expect(run.code).toBe(2);
    expectErrorReport(run, 'USAGE', { json: true, message: /unknown option '--bogus'.*eventcrm rankings --help/ });
    const both = await cli(['lifecycle', '--json', '--csv'], { cwd: directory.path });
    expect(both.code).toBe(2);
    expectErrorReport(both, 'USAGE', { json: true, message: /--json and --csv/ });
  });

  it('--csv on a command whose result is no table (exec, demo, rebuild, project, export events) is a usage error, not human text in a CSV pipeline', async () => {
    const commands = [['exec', '-'], ['demo'], ['rebuild'], ['project'], ['export', 'events']];
    const runs = await Promise.all(commands.map((command) => cli(['--store', 'memory:', ...command, '--csv'], { cwd: directory.path })));
    for (const [index, run] of runs.entries()) {
      expect(run.code, commands[index]!.join(' ')).toBe(2);
      expectErrorReport(run, 'USAGE', { message: new RegExp(`--csv .*${commands[index]![0]!}`) });
    }
  });
});

describe('errors and --debug', () => {
  let damaged: string;
  beforeAll(() => {
    damaged = join(directory.path, 'damaged.db');
    writeFileSync(damaged, 'this is not an SQLite database, it is a text file'.repeat(200));
  });

  it('print one line without a stack trace by default, and the stack (with its cause) with --debug', async () => {
    const [plain, debug] = await Promise.all([cli(['--store', `sqlite:${damaged}`, 'verify'], { cwd: directory.path }), cli(['--store', `sqlite:${damaged}`, 'verify', '--debug'], { cwd: directory.path })]);
    expect(plain.code).toBe(2);
    expectErrorReport(plain, 'STORE_CORRUPTED');
    expect(debug.code).toBe(2);
    expect(debug.stdout).toBe('');
    const lines = debug.stderr.split('\n');
    expect(lines[0]).toBe(plain.stderr.trimEnd());
    expect(debug.stderr).toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
    expect(debug.stderr).toMatch(/caused by: StoreError/);
  });
});

describe('progress', () => {
  it('--progress draws on stderr only; stdout keeps exactly the JSON document; without it (stderr not a terminal) stderr stays empty', async () => {
    const cwd = temporaryDirectory();
    try {
      const store = ['--store', 'sqlite:./progress.db'];
      await cliExpect(0, [...store, 'exec', '-'], { cwd: cwd.path, input: scenarioNdjson() });
      const withBar = await cliExpect(0, [...store, 'rebuild', '--progress', '--json'], { cwd: cwd.path });
      expect(jsonOf<{ events: number }>(withBar).events).toBe(36);
      expect(withBar.stderr).toMatch(/rebuild \[.*\] 100% \| 36\/36 \| \d+\/s \| ETA/);
      const verified = await cliExpect(0, [...store, 'verify', '--progress'], { cwd: cwd.path });
      expect(verified.stdout).toBe('checked 36 events in 16 streams\nThe log is intact.\n');
      expect(verified.stderr).toMatch(/verify \[/);
      const quiet = await cliExpect(0, [...store, 'rebuild', '--json'], { cwd: cwd.path });
      expect(quiet.stderr).toBe('');
      jsonOf(quiet);
    } finally {
      cwd.remove();
    }
  });
});

/** util-linux `script` gives the CLI a terminal; without it the colour check cannot run (it is no part of cli.md's contract to need it). */
const scriptAvailable = existsSync('/usr/bin/script');
if (!scriptAvailable) console.warn('\n!!! /usr/bin/script is missing: SKIPPING the check that human output is coloured on a terminal.\n');

describe.runIf(scriptAvailable)('colour', () => {
  it('human output is coloured on a terminal, and not with NO_COLOR (nor, see the other specs, when piped)', async () => {
    const cwd = temporaryDirectory();
    try {
      await cliExpect(0, ['--store', 'sqlite:./colour.db', 'exec', '-'], { cwd: cwd.path, input: scenarioNdjson() });
      const onTerminal = (env: NodeJS.ProcessEnv) =>
        spawnSync('/usr/bin/script', ['-qec', `'${process.execPath}' '${binPath}' --store sqlite:./colour.db ownership cus-2`, '/dev/null'], { cwd: cwd.path, env, encoding: 'utf8', timeout: 60_000 });
      const { EVENTCRM_STORE: _store, NO_COLOR: _noColour, FORCE_COLOR: _forceColour, ...env } = process.env;
      const coloured = onTerminal(env);
      expect(coloured.status, coloured.stderr).toBe(0);
      expect(coloured.stdout).toContain('current owner: u-carol');
      expect(coloured.stdout).toMatch(/\u001b\[\d+m/);
      const plain = onTerminal({ ...env, NO_COLOR: '1' });
      expect(plain.status).toBe(0);
      expect(plain.stdout).toContain('current owner: u-carol');
      expect(plain.stdout).not.toMatch(/\u001b\[\d+m/);
    } finally {
      cwd.remove();
    }
  });
});
