import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sampleTimeline, writeSampleHistory } from '../sampleHistory.ts';

/**
 * `pnpm --filter @eventcrm/example-auditor-replay sample [-- --db PATH]`:
 * writes the sample history (sampleHistory.ts) into a new SQLite file and
 * prints the audit commands to try on it. An existing file is never
 * touched (exit 2).
 */
function options(): { readonly db: string } | undefined {
  try {
    const args = process.argv.slice(2);
    const { values } = parseArgs({ args: args[0] === '--' ? args.slice(1) : args, options: { db: { type: 'string', default: 'auditor-sample.db' } }, strict: true });
    return { db: values.db };
  } catch (error) {
    console.error(`USAGE: ${error instanceof Error ? error.message : String(error)}; usage: sample [--db PATH]`);
    return undefined;
  }
}

async function main(): Promise<number> {
  const parsed = options();
  if (parsed === undefined) return 2;
  const path = resolve(parsed.db);
  if (existsSync(path)) {
    console.error(`USAGE: ${path} already exists; the sample is written to a new file only`);
    return 2;
  }
  await writeSampleHistory(path);
  console.log(`Wrote the sample history to ${path}. Try:`);
  for (const at of ['2026-01-01T00:00:00Z', sampleTimeline.recycled, '2026-03-01T12:00:00Z', sampleTimeline.departed]) {
    console.log(`  pnpm --filter @eventcrm/example-auditor-replay start -- --store sqlite:${path} --customer cus-1 --as-of ${at}`);
  }
  return 0;
}

process.exitCode = await main();
