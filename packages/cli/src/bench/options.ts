/**
 * The command line of `pnpm bench` (spec/bench.md): parsed here, apart from
 * the harness, so a typo is a clear message before any database is touched.
 */

/** A store the benchmark can run on. */
export type BenchStoreKind = 'sqlite' | 'postgres' | 'memory';

/** A phase of a store's run; `import` always runs, the others can be left out. */
export type BenchPhase = 'raw-append' | 'commands' | 'raw-read' | 'rebuild' | 'queries';

/** Every phase, in the order a run does them. */
export const allPhases: readonly BenchPhase[] = ['raw-append', 'commands', 'raw-read', 'rebuild', 'queries'];

/** What one invocation of the benchmark measures. */
export interface BenchOptions {
  /** Events the workload should append (the demo generator is scaled to it, within about 10%). */
  readonly events: number;
  readonly stores: readonly BenchStoreKind[];
  readonly json: boolean;
  /** Commands of the one-at-a-time phase: the last commands of the history, held back from the import. */
  readonly commands: number;
  /** Measured queries per kind. */
  readonly queries: number;
  readonly phases: readonly BenchPhase[];
  /** Also run the workload at 4× the events (import and rebuild only) and compare the rebuild's peak RSS. */
  readonly rssScaling: boolean;
  /** The demo generator's seed and end date: the same pair gives the same events. */
  readonly seed: number;
  readonly end: string;
  /** PostgreSQL server for the `postgres` store. */
  readonly postgresUrl: string;
  /** When set, the child processes write V8 CPU profiles (`--cpu-prof`) into this directory. */
  readonly profileDirectory: string | undefined;
}

/** A bad command line: the message says which option and what it accepts. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

const sizePattern = /^(\d+(?:\.\d+)?)([km]?)$/i;

/** `4m`, `250k`, `1.5m`, `1_000_000` or a plain number, as a whole number of events. */
export function parseEventCount(text: string): number {
  const match = sizePattern.exec(text.replaceAll('_', '').replaceAll(',', '').trim());
  if (match === null) throw new BenchUsageError(`--events takes a count like 1000000, 250k or 4m, got ${JSON.stringify(text)}`);
  const scale = { '': 1, k: 1_000, m: 1_000_000 }[match[2]!.toLowerCase() as '' | 'k' | 'm'];
  const events = Math.round(Number(match[1]) * scale);
  if (!Number.isSafeInteger(events) || events < 1_000) throw new BenchUsageError(`--events must be at least 1000, got ${JSON.stringify(text)}`);
  return events;
}

const storeKinds: readonly BenchStoreKind[] = ['sqlite', 'postgres', 'memory'];

function listOf<T extends string>(option: string, text: string, allowed: readonly T[]): T[] {
  const items = text.split(',').map((item) => item.trim()).filter((item) => item !== '');
  const unknown = items.filter((item) => !(allowed as readonly string[]).includes(item));
  if (items.length === 0 || unknown.length > 0) throw new BenchUsageError(`${option} takes a comma-separated list of ${allowed.join(', ')}; got ${JSON.stringify(text)}`);
  return [...new Set(items as T[])];
}

function positiveInteger(option: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new BenchUsageError(`${option} takes a positive whole number, got ${JSON.stringify(text)}`);
  return value;
}

/** The usage text printed for `--help` and after a usage error. */
export const benchUsage = `usage: pnpm bench [-- options]
  --events N        events in the workload: 1000000 (default), 250k, 4m, ...
  --stores LIST     sqlite,postgres (default), memory
  --json            print one JSON object instead of the table
  --commands N      commands of the one-at-a-time phase (default 3000)
  --queries N       measured queries per kind (default 200)
  --phases LIST     ${allPhases.join(',')} (default all; the import always runs)
  --rss-scaling     import and rebuild at N and at 4N events and compare the rebuild's peak RSS
  --seed N          demo generator seed (default 42)
  --end YYYY-MM-DD  the history's end date (default 2026-01-01)
  --profile DIR     write V8 CPU profiles of the child processes (rebuild, raw read) to DIR
PostgreSQL: EVENTCRM_PG_URL (default postgres://postgres@127.0.0.1:5432/test).`;

/** Parses the arguments after `pnpm bench --`; throws `BenchUsageError`. Returns `undefined` for `--help`. */
export function parseBenchArgs(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions | undefined {
  let events = 1_000_000;
  let stores: BenchStoreKind[] = ['sqlite', 'postgres'];
  let json = false;
  let commands = 3_000;
  let queries = 200;
  let phases: BenchPhase[] = [...allPhases];
  let rssScaling = false;
  let seed = 42;
  let end = '2026-01-01';
  let profileDirectory: string | undefined;
  const args = argv.filter((arg) => arg !== '--');
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = args[index + 1];
      if (next === undefined || next.startsWith('--')) throw new BenchUsageError(`${name} needs a value`);
      index += 1;
      return next;
    };
    switch (name) {
      case '--help':
      case '-h':
        return undefined;
      case '--events':
        events = parseEventCount(value());
        break;
      case '--stores':
        stores = listOf('--stores', value(), storeKinds);
        break;
      case '--json':
        json = true;
        break;
      case '--commands':
        commands = positiveInteger('--commands', value());
        break;
      case '--queries':
        queries = positiveInteger('--queries', value());
        break;
      case '--phases':
        phases = listOf('--phases', value(), [...allPhases, 'import' as BenchPhase]).filter((phase) => phase !== ('import' as BenchPhase));
        break;
      case '--rss-scaling':
        rssScaling = true;
        break;
      case '--seed':
        seed = Number(value());
        if (!Number.isSafeInteger(seed)) throw new BenchUsageError('--seed takes a whole number');
        break;
      case '--end': {
        end = value();
        if (!/^\d{4}-\d{2}-\d{2}$/.test(end) || Number.isNaN(Date.parse(end))) throw new BenchUsageError(`--end takes a date YYYY-MM-DD, got ${JSON.stringify(end)}`);
        break;
      }
      case '--profile':
        profileDirectory = value();
        break;
      default:
        throw new BenchUsageError(`unknown option ${JSON.stringify(arg)}`);
    }
  }
  return {
    events,
    stores,
    json,
    commands,
    queries,
    phases,
    rssScaling,
    seed,
    end,
    postgresUrl: env['EVENTCRM_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test',
    profileDirectory,
  };
}
