import { parseArgs } from 'node:util';
import { isStoreError } from '@eventcrm/runtime';
import { analyse } from '../analyse.ts';
import { renderResult } from '../render.ts';
import { DemoFailedError } from '../seed.ts';

const usage = `usage: analyse [--store postgres://…] [--tenant ID] [--customers N] [--members N] [--months N] [--seed S] [--end YYYY-MM-DD]
               [--min-days N] [--batch-size N] [--json]

  --store URL       the PostgreSQL server (default EVENTCRM_PG_URL, else postgres://postgres@127.0.0.1:5432/test)
  --tenant ID       the tenant: schema eventcrm_ID (default analyst_demo); filled with the demo when empty
  --customers N, --members N, --months N, --seed S, --end DAY
                    the demo history's size, seed and last day (default 300, 12, 12, 42, 2026-06-30)
  --min-days N      ownership periods longer than N days count as long (default 30)
  --batch-size N    events per projection batch (progress after each; default 5000)
  --json            print one JSON document (amounts in minor units) instead of text

Exit codes: 0 every SQL answer equals the library's; 1 some differ; 2 bad arguments or an unreachable server.`;

const positive = (name: string, value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new RangeError(`--${name} must be a positive whole number, got ${JSON.stringify(value)}`);
  return Number(value);
};

/**
 * `pnpm --filter @eventcrm/example-analyst-rebuild start [-- options]`: the
 * demo history into a PostgreSQL schema (when empty), a rebuild with
 * progress on stderr, three plain-SQL analyses and their checks against the
 * library's queries on stdout.
 */
async function main(): Promise<number> {
  let options;
  try {
    const args = process.argv.slice(2);
    const { values } = parseArgs({
      args: args[0] === '--' ? args.slice(1) : args,
      options: {
        store: { type: 'string' },
        tenant: { type: 'string', default: 'analyst_demo' },
        customers: { type: 'string' },
        members: { type: 'string' },
        months: { type: 'string' },
        seed: { type: 'string' },
        end: { type: 'string', default: '2026-06-30' },
        'min-days': { type: 'string' },
        'batch-size': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    });
    if (values.help) {
      console.log(usage);
      return 0;
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(values.end)) throw new RangeError(`--end must be a day YYYY-MM-DD, got ${JSON.stringify(values.end)}`);
    options = {
      target: { url: values.store ?? process.env['EVENTCRM_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test', tenant: values.tenant },
      size: {
        customers: positive('customers', values.customers, 300),
        members: positive('members', values.members, 12),
        months: positive('months', values.months, 12),
        seed: positive('seed', values.seed, 42),
        end: values.end,
      },
      minDays: positive('min-days', values['min-days'], 30),
      ...(values['batch-size'] === undefined ? {} : { projectionBatchSize: positive('batch-size', values['batch-size'], 5000) }),
      json: values.json,
    };
  } catch (error) {
    console.error(`USAGE: ${error instanceof Error ? error.message : String(error)}\n${usage}`);
    return 2;
  }
  try {
    const result = await analyse({ ...options, print: (line) => console.error(line) });
    if (options.json) console.log(JSON.stringify(result, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)));
    else process.stdout.write(renderResult(result, options.minDays));
    return result.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof RangeError) {
      console.error(`USAGE: ${error.message}`);
      return 2;
    }
    if (error instanceof DemoFailedError) {
      console.error(error.message);
      return error.exitCode;
    }
    if (isStoreError(error)) {
      console.error(`${error.code}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = await main();
