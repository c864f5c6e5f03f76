import { parseArgs } from 'node:util';
import { isRejection, isStoreError } from '@eventcrm/runtime';
import { parseAnchor, type StreamAnchor } from '../anchor.ts';
import { auditOwnershipAt, crossCheckWithCli } from '../audit.ts';
import { readInstant } from '../instant.ts';
import { renderCliCheck, renderReport } from '../render.ts';
import { openStore, StoreSelectionError, type StoreSelection } from '../store.ts';

const usage = `usage: audit --store URL [--tenant ID] --customer ID --as-of TIME [--anchor STREAM@REV:HASH] [--no-cli] [--json]

  --store URL      sqlite:PATH or postgres://… (as for eventcrm --store)
  --tenant ID      the tenant (as for eventcrm --tenant)
  --customer ID    the customer
  --as-of TIME     an instant with a UTC offset (2026-02-11T08:00:00Z), or a date (its start, UTC)
  --anchor A       a head hash recorded earlier (printed by an earlier run) to check the stream against
  --no-cli         skip asking the eventcrm CLI the same questions
  --json           print one JSON document instead of text

Exit codes: 0 every check passed; 1 a check failed (read model, hash chains,
anchor, CLI) or the customer is unknown; 2 bad arguments or an unreachable store.`;

/**
 * \`pnpm --filter @eventcrm/example-auditor-replay start -- --store sqlite:./crm.db --customer cus-1 --as-of 2026-02-11T08:00:00Z\`:
 * who owned the customer at that instant and who moved it there, from the
 * log, then every cross-check (read model, hash chains, anchor, CLI).
 */
async function main(): Promise<number> {
  let values;
  try {
    const args = process.argv.slice(2);
    values = parseArgs({
      args: args[0] === '--' ? args.slice(1) : args,
      options: {
        store: { type: 'string' },
        tenant: { type: 'string' },
        customer: { type: 'string' },
        'as-of': { type: 'string' },
        anchor: { type: 'string' },
        'no-cli': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`USAGE: ${error instanceof Error ? error.message : String(error)}\n${usage}`);
    return 2;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const url = values.store ?? process.env['EVENTCRM_STORE'];
  const customerId = values.customer;
  const at = values['as-of'] === undefined ? undefined : readInstant(values['as-of']);
  const anchor: StreamAnchor | undefined = values.anchor === undefined ? undefined : parseAnchor(values.anchor);
  const problems = [
    url === undefined ? '--store (or EVENTCRM_STORE) is required' : null,
    customerId === undefined ? '--customer is required' : null,
    values['as-of'] === undefined ? '--as-of is required' : at === undefined ? `--as-of ${JSON.stringify(values['as-of'])} is neither an instant with a UTC offset nor a date YYYY-MM-DD` : null,
    values.anchor !== undefined && anchor === undefined ? `--anchor must be STREAM@REVISION:SHA256HEX, got ${JSON.stringify(values.anchor)}` : null,
  ].filter((problem): problem is string => problem !== null);
  if (url === undefined || customerId === undefined || at === undefined || problems.length > 0) {
    for (const problem of problems) console.error(`USAGE: ${problem}`);
    console.error(usage);
    return 2;
  }
  const selection: StoreSelection = values.tenant === undefined ? { url } : { url, tenant: values.tenant };

  let crm;
  try {
    crm = openStore(selection);
    const report = await auditOwnershipAt(crm, { customerId, at, ...(anchor === undefined ? {} : { anchor }) });
    if (isRejection(report)) {
      if (values.json) console.log(JSON.stringify({ error: { code: report.code, message: report.message } }));
      console.error(`${report.code}: ${report.message}`);
      return 1;
    }
    // The CLI opens the store on its own: close ours first, so on SQLite no two writers catch up at once.
    await crm.close();
    crm = undefined;
    const cli = values['no-cli'] ? null : await crossCheckWithCli(selection, report, { human: !values.json });
    const findings = [...report.findings, ...(cli?.findings ?? [])];
    if (values.json) {
      const cliSummary = cli?.checks.map((check) => ({ name: check.name, args: check.json.args, exitCode: check.json.exitCode, agrees: check.agrees })) ?? null;
      console.log(JSON.stringify({ ...report, cli: cliSummary, findings, ok: findings.length === 0 }));
    } else {
      process.stdout.write(renderReport(report));
      if (cli !== null) {
        process.stdout.write(`\n${renderCliCheck(cli)}`);
        for (const finding of cli.findings) console.log(`CLI check failed: ${finding}`);
      }
    }
    return findings.length === 0 ? 0 : 1;
  } catch (error) {
    if (error instanceof StoreSelectionError) {
      console.error(`USAGE: ${error.message}`);
      return 2;
    }
    if (isStoreError(error)) {
      console.error(`${error.code}: ${error.message}`);
      return 2;
    }
    throw error;
  } finally {
    await crm?.close();
  }
}

process.exitCode = await main();
