import { rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isDomainError, parsePeriod } from '@eventcrm/domain';
import type { SalesFunnel } from '@eventcrm/projections';
import type { Crm } from '@eventcrm/runtime';
import { demoHistory, resolveDemoOptions, type DemoHistoryOptions } from '../demo/history.ts';
import { renderReportHtml } from '../demo/reportHtml.ts';
import { CliError, EXIT_OK, EXIT_USAGE, usageError } from '../errors.ts';
import type { CommandContext } from '../main.ts';
import { progressBar } from '../progress.ts';
import { funnelSummary, funnelTable, ownershipTable, rankingsTable, remindersTable } from './render.ts';
import { DEFAULT_STORE, parseStoreUrl, withTenant } from '../storeUrl.ts';

/** Options of `eventcrm demo`. */
export interface DemoCommandOptions {
  readonly members?: number;
  readonly customers?: number;
  readonly months?: number;
  readonly seed?: number;
  readonly report: string;
}

const ownershipEvents = new Set(['CustomerClaimed', 'CustomerAssigned', 'CustomerTransferred', 'CustomerReleased', 'CustomerRecycled']);

const quarterOf = (millis: number): { readonly label: string; readonly startMs: number } => {
  const date = new Date(millis);
  const quarter = Math.floor(date.getUTCMonth() / 3);
  return { label: `${date.getUTCFullYear()}-Q${quarter + 1}`, startMs: Date.UTC(date.getUTCFullYear(), quarter * 3, 1) };
};

/**
 * The quarter the report ranks: the last complete quarter when the history
 * covers all of it (a partial quarter would rank members on a few weeks),
 * else the quarter in progress, which is then the one with the most history.
 */
function rankedQuarter(historyStartMs: number, end: string): string {
  const current = quarterOf(Date.parse(end));
  const previous = quarterOf(current.startMs - 1);
  return previous.startMs >= historyStartMs ? previous.label : current.label;
}

/** The demo options, checked before the store is touched: a bad size is a usage error naming its option. */
function demoOptions(options: DemoCommandOptions, end: string): DemoHistoryOptions & { readonly months: number } {
  const wanted = {
    seed: options.seed ?? 42,
    end,
    ...(options.members === undefined ? {} : { members: options.members }),
    ...(options.customers === undefined ? {} : { customers: options.customers }),
    ...(options.months === undefined ? {} : { months: options.months }),
  };
  try {
    return { ...wanted, months: resolveDemoOptions(wanted).months };
  } catch (error) {
    if (error instanceof RangeError) throw usageError(error.message.replace(/^demo history: (\w+)/, '--$1'));
    throw error;
  }
}

/**
 * A store the demo may fill: an empty one, or a SQLite file holding an
 * earlier demo (recognised by its command ids), which is replaced. Anything
 * else is refused: the demo never mixes into real data.
 */
async function prepareStore(ctx: CommandContext): Promise<Crm> {
  const url = ctx.options.store ?? ctx.io.env['EVENTCRM_STORE'] ?? DEFAULT_STORE;
  let crm = await ctx.crm();
  const head = await crm.store.headPosition();
  if (head === null) return crm;
  // The file the data is really in: with --tenant it is not the --store path.
  const { location } = withTenant(parseStoreUrl(url), ctx.options.tenant);
  const [first] = await crm.store.readStream('config', { limit: 1 });
  const earlierDemo = first?.metadata.commandId.startsWith('demo-') === true;
  if (location.kind !== 'sqlite' || !earlierDemo) {
    throw new CliError('STORE_NOT_EMPTY', `the demo needs an empty store, and ${url} already holds events; use --store sqlite:./another.db`, EXIT_USAGE);
  }
  await crm.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(resolve(ctx.io.cwd, `${location.path}${suffix}`), { force: true });
  crm = await ctx.reopen();
  return crm;
}

/**
 * `eventcrm demo`: fills the store with a seeded, realistic CRM history,
 * builds every projection and prints a short report (funnel, rankings, one
 * customer's ownership history, reminders); writes the HTML report.
 */
export async function demoCommand(ctx: CommandContext, options: DemoCommandOptions): Promise<number> {
  const started = performance.now();
  const end = (await ctx.crm()).clock.now().slice(0, 10);
  const historyOptions = demoOptions(options, end);
  const crm = await prepareStore(ctx);
  const history = demoHistory(historyOptions);
  // The history starts `months` calendar months before `end` (demo/history.ts).
  const endDate = new Date(Date.parse(end));
  const historyStartMs = Date.UTC(endDate.getUTCFullYear(), endDate.getUTCMonth() - historyOptions.months, endDate.getUTCDate());

  const importBar = progressBar(ctx.io, 'import ', ctx.showProgress);
  const handsChanged = new Map<string, number>();
  let commands = 0;
  let events = 0;
  let rejected = 0;
  const chunk: unknown[] = [];
  const flush = async (): Promise<void> => {
    const outcomes = await crm.executeBatch(chunk.splice(0), { batchSize: 1000 });
    for (const outcome of outcomes) {
      commands += 1;
      if (!outcome.ok) {
        rejected += 1;
        continue;
      }
      for (const reference of [...outcome.events, ...outcome.triggered.flatMap((inner) => (inner.ok ? inner.events : []))]) {
        events += 1;
        if (ownershipEvents.has(reference.type)) handsChanged.set(reference.stream, (handsChanged.get(reference.stream) ?? 0) + 1);
      }
    }
    importBar.update(events, { total: events, rate: events / ((performance.now() - started) / 1000) });
  };
  for (const input of history) {
    chunk.push(input);
    if (chunk.length >= 5000) await flush();
  }
  await flush();
  importBar.stop();

  const rebuildBar = progressBar(ctx.io, 'project', ctx.showProgress, events);
  const rebuild = await crm.rebuild({ onProgress: (progress) => rebuildBar.update(progress.eventsDone, { total: events, rate: progress.eventsPerSecond, etaSeconds: progress.etaSeconds }) });
  rebuildBar.stop();

  const funnel = (await crm.funnel({}, { catchUp: false })) as SalesFunnel;
  const period = rankedQuarter(historyStartMs, end);
  const rankingsResult = await crm.rankings({ period: parsePeriod(period) === undefined ? end.slice(0, 4) : period, metric: 'wonAmount', currency: 'USD' }, { catchUp: false });
  if (isDomainError(rankingsResult)) throw new CliError(rankingsResult.code, rankingsResult.message, EXIT_USAGE);
  const rankings = rankingsResult;
  const busiest = [...handsChanged.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0].slice('customer-'.length);
  const ownershipResult = busiest === undefined ? undefined : await crm.ownership(busiest, { catchUp: false });
  const ownership = ownershipResult === undefined || isDomainError(ownershipResult) ? undefined : (ownershipResult);
  const reminders = await crm.reminders({ asOf: crm.clock.now() }, { catchUp: false });
  const seconds = (performance.now() - started) / 1000;

  const reportPath = resolve(ctx.io.cwd, options.report);
  if (ownership !== undefined) {
    const html = renderReportHtml({
      title: 'eventcrm demo report',
      generatedAt: crm.clock.now(),
      summary: [
        ['commands', `${commands} (${rejected} rejected)`],
        ['events', String(events)],
        ['import + projections', `${seconds.toFixed(1)} s (rebuild ${Math.round(rebuild.eventsPerSecond)} events/s)`],
        ['win rate', funnel.winRate === null ? '-' : `${(funnel.winRate * 100).toFixed(1)}%`],
      ],
      funnel,
      rankings,
      ownership,
    });
    await writeFile(reportPath, html, 'utf8');
  }

  const remindersReport = isDomainError(reminders) ? undefined : reminders;
  const summary = {
    commands,
    rejected,
    events,
    seconds: Number(seconds.toFixed(2)),
    rebuildEventsPerSecond: Math.round(rebuild.eventsPerSecond),
    funnel,
    rankings: { ...rankings, rows: rankings.rows.slice(0, 5) },
    ownership: ownership ?? null,
    reminders: remindersReport === undefined ? null : { asOf: remindersReport.asOf, count: remindersReport.items.length, items: remindersReport.items.slice(0, 10) },
    report: ownership === undefined ? null : reportPath,
  };
  const { printer } = ctx;
  printer.result(summary, {
    human: () => {
      printer.line(printer.paint.bold(`eventcrm demo: ${commands} commands (${rejected} rejected), ${events} events in ${summary.seconds} s`));
      printer.line();
      printer.table(funnelTable(funnel), { title: 'Sales funnel' });
      for (const line of funnelSummary(funnel)) printer.line(line);
      printer.line();
      printer.table({ ...rankingsTable(rankings), rows: rankingsTable(rankings).rows.slice(0, 5) }, { title: `Top of the rankings, ${rankings.period}, won amount in USD` });
      if (ownership !== undefined) {
        printer.line();
        printer.table(ownershipTable(ownership), { title: `Ownership history of ${ownership.customerId} (audit it with: eventcrm audit ${ownership.customerId})` });
      }
      if (remindersReport !== undefined) {
        printer.line();
        const byKind = new Map<string, number>();
        for (const item of remindersReport.items) byKind.set(item.kind, (byKind.get(item.kind) ?? 0) + 1);
        printer.line(printer.paint.bold(`Reminders as of ${remindersReport.asOf}: ${[...byKind.entries()].map(([kind, count]) => `${kind} ${count}`).join(', ') || 'none'}`));
        printer.table({ ...remindersTable(remindersReport), rows: remindersTable(remindersReport).rows.slice(0, 8) });
      }
      if (summary.report !== null) printer.line(`\nReport with charts: ${summary.report}`);
    },
  });
  return EXIT_OK;
}
