import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Crm, createInMemoryEventStore, isRejection, type ReadModelStore } from '@eventcrm/runtime';
import { createSqliteEventStore, createSqliteReadModelStore } from '@eventcrm/store-sqlite';
import { convertMavenDataset } from '../convert.ts';
import { isMavenDataError, readMavenDataset } from '../csv.ts';
import { defaultMavenDataDirectory, importMavenDataset, mavenDataPresent } from '../importer.ts';

/**
 * `pnpm --filter @eventcrm/example-maven-crm-import start [-- options]`:
 * imports the dataset into a SQLite file (events and read models side by
 * side, as the CLI keeps them) or into memory, and prints the throughput and
 * a few figures. Running it again on the same file appends nothing (every
 * command is recognised as a duplicate).
 *
 *   --data DIR        the dataset folder (default: the checkout's shared copy)
 *   --db PATH         the SQLite file (default ./maven-crm.db)
 *   --memory          use the in-memory store instead of a file
 *   --batch-size N    commands per atomic append (default 500)
 *   --ndjson PATH     write the commands as NDJSON (for `eventcrm exec PATH`) instead of importing
 *
 * Exit codes: 0 done, 1 some command was rejected, 2 the data or the
 * arguments are unusable.
 */
async function main(): Promise<number> {
  let options;
  try {
    // `pnpm start -- --db x` passes the `--` through.
    const args = process.argv.slice(2);
    options = parseArgs({
      args: args[0] === '--' ? args.slice(1) : args,
      options: {
        data: { type: 'string' },
        db: { type: 'string', default: 'maven-crm.db' },
        memory: { type: 'boolean', default: false },
        'batch-size': { type: 'string' },
        ndjson: { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const directory = options.data ?? defaultMavenDataDirectory;
  if (!mavenDataPresent(directory)) {
    console.error(`The Maven CRM dataset is not at ${directory}; pass --data DIR.`);
    return 2;
  }
  const batchSize = options['batch-size'] === undefined ? undefined : Number(options['batch-size']);
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0)) {
    console.error(`--batch-size must be a positive whole number, not ${options['batch-size']}`);
    return 2;
  }

  if (options.ndjson !== undefined) return writeNdjson(directory, options.ndjson);

  let crm: Crm;
  if (options.memory) crm = new Crm({ store: createInMemoryEventStore() });
  else {
    const store = createSqliteEventStore({ path: options.db, cacheSizeMiB: 256 });
    const readModels: ReadModelStore = createSqliteReadModelStore({ store });
    crm = new Crm({ store, readModels });
  }
  const where = options.memory ? 'memory' : `sqlite:${options.db}`;
  try {
    const { conversion, report } = await importMavenDataset(crm, {
      directory,
      ...(batchSize === undefined ? {} : { batchSize }),
      onProgress: (done) => {
        if (process.stderr.isTTY) process.stderr.write(`\r${done} commands`);
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    const { summary } = conversion;
    console.log(`Dataset: ${summary.opportunities.rows} opportunity rows (${summary.opportunities.won} won, ${summary.opportunities.lost} lost, ${summary.opportunities.open} open), ${conversion.skipped.length} skipped`);
    for (const skipped of conversion.skipped) console.log(`  skipped ${skipped.file}:${skipped.line} ${skipped.key}: ${skipped.reason}`);
    console.log(
      `Import into ${where}: ${report.commands} commands (${report.accepted} new, ${report.duplicates} duplicates, ${report.rejected.length} rejected), ` +
        `${report.events} events in ${(report.elapsedMs / 1000).toFixed(2)} s = ${report.commandsPerSecond} commands/s, ${report.eventsPerSecond} events/s`,
    );
    for (const rejection of report.rejected.slice(0, 20)) console.log(`  rejected ${rejection.commandId} (${rejection.command}): ${rejection.code} ${rejection.message}`);
    const caughtUp = await crm.catchUp();
    console.log(`Projections: ${caughtUp.events} events caught up in ${caughtUp.seconds.toFixed(2)} s = ${Math.round(caughtUp.eventsPerSecond)} events/s`);

    const funnel = await crm.funnel({}, { catchUp: false });
    if (!isRejection(funnel)) {
      console.log(`Funnel: won ${funnel.won.count} (${funnel.won.amount.USD ?? '0.00'} USD), lost ${funnel.lost.count}, open ${funnel.open.count}, win rate ${funnel.winRate}, average cycle ${funnel.avgCycleDays} days`);
    }
    const ranking = await crm.rankings({ period: '2017', metric: 'wonAmount', currency: 'USD' }, { catchUp: false });
    if (!isRejection(ranking)) {
      console.log('Top 5 by amount won in 2017:');
      for (const row of ranking.rows.slice(0, 5)) console.log(`  ${row.rank}. ${'memberId' in row ? row.memberId : row.team}  ${row.value} USD (${row.wonCount} deals)`);
    }
    return report.rejected.length > 0 ? 1 : 0;
  } catch (error) {
    if (isMavenDataError(error)) {
      console.error(`${error.code}: ${error.message}`);
      return 2;
    }
    throw error;
  } finally {
    await crm.close();
  }
}

/** Writes the converted commands, one JSON object a line, in execution order. */
async function writeNdjson(directory: string, path: string): Promise<number> {
  try {
    const conversion = convertMavenDataset(await readMavenDataset(directory));
    await writeFile(path, conversion.commands.map((command) => `${JSON.stringify(command)}\n`).join(''));
    console.log(`Wrote ${conversion.commands.length} commands to ${path} (${conversion.skipped.length} rows skipped)`);
    return 0;
  } catch (error) {
    if (isMavenDataError(error)) {
      console.error(`${error.code}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = await main();
