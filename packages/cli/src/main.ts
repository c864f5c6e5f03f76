import { isDomainError, type DomainError } from '@eventcrm/domain';
import { allProjections, isStoreError, projectionNames, type Clock, type Crm } from '@eventcrm/runtime';
import { Command, CommanderError, Option } from 'commander';
import { execCommand } from './commands/exec.ts';
import { exportEvents } from './commands/export.ts';
import { funnelSummary, funnelTable, lifecycleTable, ownershipTable, rankingsTable, remindersTable } from './commands/render.ts';
import { CliError, EXIT_OK, EXIT_REJECTED, EXIT_USAGE, usageError } from './errors.ts';
import { processIo, writeLine, type CliIo } from './io.ts';
import { Printer, type OutputMode } from './output.ts';
import { progressBar } from './progress.ts';
import { DEFAULT_STORE, openCrm } from './storeUrl.ts';

/** Global options (before or after the command). */
interface GlobalOptions {
  readonly store?: string;
  readonly tenant?: string;
  readonly json?: boolean;
  readonly csv?: boolean;
  readonly debug?: boolean;
  readonly progress?: boolean;
  readonly catchUp?: boolean;
}

/** What every command action gets. */
export interface CommandContext {
  readonly io: CliIo;
  readonly printer: Printer;
  readonly options: GlobalOptions;
  /** Opens the store named by `--store` / `EVENTCRM_STORE` (once). */
  crm(): Promise<Crm>;
  /** Opens the store again (after the caller closed it, e.g. to replace a file). */
  reopen(): Promise<Crm>;
  /** Whether progress bars are shown (stderr is a TTY, or `--progress`). */
  readonly showProgress: boolean;
}

/** A command's action: returns the exit code. */
type Action<Args extends unknown[]> = (context: CommandContext, ...args: Args) => Promise<number>;

const rejectionExit = (error: DomainError): number => (error.code === 'INVALID_COMMAND' ? EXIT_USAGE : EXIT_REJECTED);

/** Prints a query answer, or its rejection (exit 1 for NOT_FOUND, 2 for bad arguments). */
function answer<Value>(context: CommandContext, value: Value, render: (value: Exclude<Value, DomainError>) => { tabular?: () => ReturnType<typeof funnelTable>; human?: () => void }): number {
  if (isDomainError(value)) throw new CliError(value.code, value.message, rejectionExit(value), { details: value.details });
  const result = value as Exclude<Value, DomainError>;
  context.printer.result(result, render(result));
  return EXIT_OK;
}

/**
 * Builds the `eventcrm` program (commander). `run` executes one invocation
 * and resolves to the process exit code; it never throws.
 */
export async function run(argv: readonly string[], io: CliIo = processIo(), hooks: { readonly clock?: Clock } = {}): Promise<number> {
  let exitCode = EXIT_OK;
  let opened: Crm | undefined;
  let context: CommandContext | undefined;
  const program = new Command('eventcrm');

  const contextOf = (command: Command): CommandContext => {
    if (context !== undefined) return context;
    const options = command.optsWithGlobals<GlobalOptions>();
    if (options.json === true && options.csv === true) throw usageError('--json and --csv cannot be used together');
    const mode: OutputMode = options.json === true ? 'json' : options.csv === true ? 'csv' : 'human';
    const open = () =>
      openCrm(options.store ?? io.env['EVENTCRM_STORE'] ?? DEFAULT_STORE, {
        cwd: io.cwd,
        ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
        ...(hooks.clock === undefined ? {} : { clock: hooks.clock }),
      });
    context = {
      io,
      options,
      printer: new Printer(io, mode),
      showProgress: options.progress === true || (io.stderr.isTTY === true && mode !== 'json'),
      crm: async () => {
        opened ??= await open();
        return opened;
      },
      reopen: async () => {
        opened = await open();
        return opened;
      },
    };
    return context;
  };

  /** Wraps a command's handler; `csv: false` for commands whose result is no table (cli.md: `--csv` where the result is a table). */
  const action =
    <Args extends unknown[]>(handler: Action<Args>, options: { readonly csv?: boolean } = {}) =>
    async (...args: unknown[]): Promise<void> => {
      const command = args[args.length - 1] as Command;
      const context = contextOf(command);
      if (options.csv === false && context.printer.mode === 'csv') {
        const name = command.parent === null || command.parent === program ? command.name() : `${command.parent.name()} ${command.name()}`;
        throw usageError(`--csv is for results that are tables, and ${name} prints none (use --json)`);
      }
      exitCode = await handler(context, ...(args.slice(0, -1) as Args));
    };

  const queryOptions = (context: CommandContext) => ({ catchUp: context.options.catchUp !== false });

  program
    .description('eventcrm: an event-sourced CRM core. Commands in, provable history out.')
    .option('--store <url>', `event store: sqlite:PATH, memory:, postgres://…, kurrentdb://… (env EVENTCRM_STORE; default ${DEFAULT_STORE})`)
    .option('--tenant <id>', 'tenant: its own SQLite file, PostgreSQL schema or KurrentDB stream prefix')
    .option('--json', 'print exactly one JSON document (NDJSON for streams of results) on stdout')
    .option('--csv', 'print tables as CSV')
    .option('--progress', 'show progress bars on stderr even when it is not a terminal')
    .option('--no-catch-up', 'answer queries from the read models as they are, without catching up first')
    .option('--debug', 'print stack traces of errors')
    // Each command's --help also lists --store, --json, --csv...: what it accepts, complete in one place.
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Usage errors are reported like every other error (`report`): one line with a code, and the JSON document with --json.
      outputError: () => undefined,
    });

  program
    .command('exec')
    .description('execute commands from NDJSON (one command per line; - reads stdin); one result line per non-blank line; exit 1 if any line was rejected')
    .argument('<file>', 'NDJSON file, or - for stdin')
    .option('--stop-on-error', 'stop at the first rejected line')
    .action(action(async (ctx, file: string, options: { stopOnError?: boolean }) => execCommand(await ctx.crm(), ctx.io, ctx.printer, file, options), { csv: false }));

  program
    .command('demo')
    .description('fill a store with a realistic, seeded CRM history, build every projection, print a report and write eventcrm-report.html')
    .option('--members <n>', 'team size', parseCount('--members'))
    .option('--customers <n>', 'customers', parseCount('--customers'))
    .option('--months <n>', 'months of history', parseCount('--months'))
    .option('--seed <s>', 'random seed (same seed, same history)', parseCount('--seed'))
    .option('--report <path>', 'where to write the HTML report', 'eventcrm-report.html')
    .action(
      action(async (ctx, options: { members?: number; customers?: number; months?: number; seed?: number; report: string }) => {
        const { demoCommand } = await import('./commands/demo.ts');
        return demoCommand(ctx, options);
      }, { csv: false }),
    );

  program
    .command('funnel')
    .description('the sales funnel (projections.md §1)')
    .option('--owner <member>', "the opportunity's current owner")
    .option('--team <team>', "the current owner's current team")
    .option('--opened-from <date>', 'opened at or after (YYYY-MM-DD or a timestamp)')
    .option('--opened-to <date>', 'opened before')
    .option('--currency <code>', 'only opportunities in this currency')
    .action(
      action(async (ctx, options: { owner?: string; team?: string; openedFrom?: string; openedTo?: string; currency?: string }) => {
        const funnel = await (await ctx.crm()).funnel(options, queryOptions(ctx));
        return answer(ctx, funnel, (value) => ({
          tabular: () => funnelTable(value),
          human: () => {
            ctx.printer.table(funnelTable(value), { title: 'Sales funnel' });
            for (const line of funnelSummary(value)) ctx.printer.line(line);
          },
        }));
      }),
    );

  program
    .command('lifecycle')
    .description('the customer lifecycle funnel')
    .action(action(async (ctx) => answer(ctx, await (await ctx.crm()).lifecycle(queryOptions(ctx)), (value) => ({ tabular: () => lifecycleTable(value) }))));

  program
    .command('ownership')
    .description("a customer's ownership periods, or its owner at a time")
    .argument('<customer>', 'customer id')
    .option('--as-of <time>', 'the owner at this instant instead of the whole history')
    .action(
      action(async (ctx, customerId: string, options: { asOf?: string }) => {
        const crm = await ctx.crm();
        if (options.asOf !== undefined) {
          return answer(ctx, await crm.ownerAsOf(customerId, options.asOf, queryOptions(ctx)), (value) => ({
            tabular: () => ({ columns: ['customer', 'as of', 'owner'], rows: [[value.customerId, value.asOf, value.owner ?? '(pool)']] }),
          }));
        }
        return answer(ctx, await crm.ownership(customerId, queryOptions(ctx)), (value) => ({
          tabular: () => ownershipTable(value),
          human: () => {
            ctx.printer.line(`${ctx.printer.paint.bold(value.customerId)} current owner: ${value.currentOwner ?? '(pool)'}`);
            ctx.printer.table(ownershipTable(value));
          },
        }));
      }),
    );

  program
    .command('portfolio')
    .description('the customers a member owned at a time (default now)')
    .argument('<member>', 'member id')
    .option('--as-of <time>', 'instant (default now)')
    .action(
      action(async (ctx, memberId: string, options: { asOf?: string }) => {
        const crm = await ctx.crm();
        return answer(ctx, await crm.portfolio(memberId, options.asOf ?? crm.clock.now(), queryOptions(ctx)), (value) => ({
          tabular: () => ({ columns: ['customer'], rows: value.customers.map((id) => [id]) }),
          human: () => ctx.printer.line(`${value.memberId} owned ${value.customers.length} customers at ${value.asOf}: ${value.customers.join(', ') || '-'}`),
        }));
      }),
    );

  program
    .command('stats')
    .description("a member's ownership stats for a period (claims, assignments, transfers, releases, recycles)")
    .argument('<member>', 'member id')
    .requiredOption('--period <period>', 'YYYY, YYYY-Qn or YYYY-MM')
    .action(
      action(async (ctx, memberId: string, options: { period: string }) =>
        answer(ctx, await (await ctx.crm()).ownershipStats(memberId, options.period, queryOptions(ctx)), (value) => ({
          tabular: () => ({ columns: Object.keys(value), rows: [Object.values(value)] }),
        })),
      ),
    );

  program
    .command('rankings')
    .description('performance rankings for a period (projections.md §3)')
    .requiredOption('--period <period>', 'YYYY, YYYY-Qn or YYYY-MM')
    .option('--metric <metric>', 'wonAmount, wonCount, winRate, avgDealSize, pipelineCreated, followUps, customersClaimed, ticketsResolved, avgResolutionHours, slaMetRate, csat, targetAttainment', 'wonAmount')
    .option('--currency <code>', 'required for money metrics')
    .option('--teams', 'rank teams instead of members')
    .action(
      action(async (ctx, options: { period: string; metric: string; currency?: string; teams?: boolean }) =>
        answer(
          ctx,
          await (await ctx.crm()).rankings(
            { period: options.period, metric: options.metric, ...(options.currency === undefined ? {} : { currency: options.currency }), teams: options.teams === true },
            queryOptions(ctx),
          ),
          (value) => ({ tabular: () => rankingsTable(value) }),
        ),
      ),
    );

  program
    .command('reminders')
    .description('the to-do list (projections.md §4)')
    .option('--member <member>', 'one member (default: everyone)')
    .option('--as-of <time>', 'instant (default now)')
    .action(
      action(async (ctx, options: { member?: string; asOf?: string }) => {
        const crm = await ctx.crm();
        const query = { asOf: options.asOf ?? crm.clock.now(), ...(options.member === undefined ? {} : { memberId: options.member }) };
        return answer(ctx, await crm.reminders(query, queryOptions(ctx)), (value) => ({ tabular: () => remindersTable(value) }));
      }),
    );

  program
    .command('pool')
    .description('the public customer pool: pool sweep --as-of T [--dry-run] recycles the customers a recycle rule holds for')
    .command('sweep')
    .description('recycle every owned customer a recycle rule holds for at --as-of (domain.md §6.3)')
    .requiredOption('--as-of <time>', 'the sweep time')
    .option('--dry-run', 'list the recycles without making them')
    .action(
      action(async (ctx, options: { asOf: string; dryRun?: boolean }) => {
        const result = await (await ctx.crm()).sweepPool(options.asOf, { dryRun: options.dryRun === true });
        if (!result.ok) throw new CliError(result.error.code, result.error.message, rejectionExit(result.error), { details: result.error.details });
        const report = result.report;
        ctx.printer.result(report, {
          tabular: () => ({ columns: ['customer', 'owner', 'rule', 'idle days'], rows: report.recycles.map((r) => [r.customerId, r.owner, r.rule, r.idleDays]) }),
          human: () => {
            ctx.printer.line(`${report.dryRun ? 'Would recycle' : 'Recycled'} ${report.recycles.length} customers as of ${report.asOf}`);
            if (report.recycles.length > 0) ctx.printer.table({ columns: ['customer', 'owner', 'rule', 'idle days'], rows: report.recycles.map((r) => [r.customerId, r.owner, r.rule, r.idleDays]) });
            for (const skip of report.skipped) ctx.printer.line(`skipped ${skip.customerId}: ${skip.reason}${skip.lastEventAt === undefined ? '' : ` (last event ${skip.lastEventAt})`}`);
          },
        });
        return EXIT_OK;
      }),
    );

  program
    .command('audit')
    .description("replay a customer's ownership straight from the event store and check the read model against it; exit 1 on any difference")
    .argument('<customer>', 'customer id')
    .action(
      action(async (ctx, customerId: string) => {
        const audited = await (await ctx.crm()).audit(customerId, queryOptions(ctx));
        if (isDomainError(audited)) throw new CliError(audited.code, audited.message, rejectionExit(audited), { details: audited.details });
        const audit = audited;
        ctx.printer.result(audit, {
          tabular: () => ({
            columns: ['revision', 'position', 'at', 'reason', 'from', 'to', 'actor', 'command', 'event'],
            rows: audit.facts.map((fact) => [fact.revision, fact.position, fact.at, `${fact.reason}${fact.detail === undefined || fact.detail === null ? '' : `/${fact.detail}`}`, fact.from ?? '(pool)', fact.to ?? '(pool)', fact.actor, fact.commandId, fact.eventId]),
          }),
          human: () => {
            ctx.printer.table(
              {
                columns: ['rev', 'position', 'at', 'reason', 'from', 'to', 'actor', 'command'],
                rows: audit.facts.map((fact) => [fact.revision, fact.position, fact.at, `${fact.reason}${fact.detail === undefined || fact.detail === null ? '' : `/${fact.detail}`}`, fact.from ?? '(pool)', fact.to ?? '(pool)', fact.actor, fact.commandId]),
              },
              { title: `Ownership facts of ${customerId}, read from the event store` },
            );
            if (audit.consistent) ctx.printer.line(ctx.printer.paint.green('The read model agrees with the log.'));
            for (const difference of audit.differences) ctx.printer.line(ctx.printer.paint.red(`difference: ${difference.message}`));
          },
        });
        return audit.consistent ? EXIT_OK : EXIT_REJECTED;
      }),
    );

  program
    .command('verify')
    .description('walk the whole log: hash chains intact, revisions contiguous, every event decodes and upcasts; exit 1 naming each broken place')
    .action(
      action(async (ctx) => {
        const crm = await ctx.crm();
        const bar = progressBar(ctx.io, 'verify', ctx.showProgress, Number((await crm.store.headPosition()) ?? 0));
        const report = await crm.verify({ onProgress: (done) => bar.update(done) });
        bar.stop();
        ctx.printer.result(report, {
          tabular: () => ({
            columns: ['stream', 'revision', 'position', 'problem', 'message'],
            rows: [...report.breaks.map((b) => [b.stream, b.revision, b.position, b.problem, b.message]), ...report.undecodable.map((u) => [u.stream, u.revision, u.position, 'undecodable', u.message])],
          }),
          human: () => {
            ctx.printer.line(`checked ${report.eventsChecked} events in ${report.streamsChecked} streams`);
            for (const b of report.breaks) ctx.printer.line(ctx.printer.paint.red(`${b.stream}@${b.revision} (position ${b.position}): ${b.problem}: ${b.message}`));
            for (const u of report.undecodable) ctx.printer.line(ctx.printer.paint.red(`${u.stream}@${u.revision} (position ${u.position}): undecodable ${u.type} v${u.schemaVersion}: ${u.message}`));
            ctx.printer.line(report.intact ? ctx.printer.paint.green('The log is intact.') : ctx.printer.paint.red('The log is NOT intact.'));
          },
        });
        return report.intact ? EXIT_OK : EXIT_REJECTED;
      }),
    );

  program
    .command('rebuild')
    .description('rebuild read models beside the live copy and swap them in; progress with events/s and ETA')
    .addOption(new Option('--projection <name>', 'which projection').choices([...projectionNames, 'all']).default('all'))
    .action(
      action(async (ctx, options: { projection: string }) => {
        const crm = await ctx.crm();
        const bar = progressBar(ctx.io, 'rebuild', ctx.showProgress, Number((await crm.store.headPosition()) ?? 0));
        const report = await crm.rebuild({
          ...(options.projection === 'all' ? {} : { only: [options.projection] }),
          onProgress: (progress) => bar.update(Number(progress.position ?? 0), { rate: progress.eventsPerSecond, etaSeconds: progress.etaSeconds }),
        });
        bar.stop();
        const summary = { projections: report.projections, events: report.events, seconds: Number(report.seconds.toFixed(3)), eventsPerSecond: Math.round(report.eventsPerSecond) };
        ctx.printer.result(summary, {
          human: () => ctx.printer.line(`rebuilt ${report.projections.join(', ')}: ${report.events} events in ${summary.seconds} s (${summary.eventsPerSecond} events/s)`),
        });
        return EXIT_OK;
      }, { csv: false }),
    );

  program
    .command('project')
    .description('catch the projections up with the log; with --follow keep them live until interrupted')
    .option('--follow', 'keep following new events (SIGINT/SIGTERM stop after the current batch)')
    .action(
      action(async (ctx, options: { follow?: boolean }) => {
        const crm = await ctx.crm();
        const report = await crm.catchUp();
        if (options.follow !== true) {
          ctx.printer.result({ events: report.events, position: report.position }, { human: () => ctx.printer.line(`caught up: ${report.events} events applied, at position ${report.position ?? '-'}`) });
          return EXIT_OK;
        }
        const controller = new AbortController();
        const stop = () => controller.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        // A log line: like progress, only on a terminal or with --progress (cli.md).
        if (ctx.showProgress) writeLine(ctx.io.stderr, `following the log (${allProjections.length} projections); Ctrl-C stops`);
        try {
          await crm.follow({ signal: controller.signal });
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
        return EXIT_OK;
      }, { csv: false }),
    );

  program
    .command('export')
    .description('export data: export events [--from POSITION] writes the log as NDJSON')
    .command('events')
    .description('the log as NDJSON, in stored form (for backups, migrations, other tools)')
    .option('--from <position>', 'first position to export (inclusive)')
    .action(action(async (ctx, options: { from?: string }) => exportEvents(await ctx.crm(), ctx.io, options), { csv: false }));

  ignoreBrokenPipe(io);
  try {
    await program.parseAsync(['node', 'eventcrm', ...argv]);
  } catch (error) {
    exitCode = report(error, io, context, argv, program);
  } finally {
    if (opened !== undefined) await opened.close().catch(() => undefined);
  }
  return exitCode;
}

const parseCount =
  (name: string) =>
  (value: string): number => {
    if (!/^\d+$/.test(value)) throw usageError(`${name} must be a whole number, got ${JSON.stringify(value)}`);
    return Number(value);
  };

const guardedStreams = new WeakSet<object>();

/**
 * `eventcrm export events | head` closes stdout early: the write fails with
 * EPIPE, which Node raises as an unhandled 'error' event (a crash with a
 * stack trace) unless someone listens. The reader has all it wanted, so a
 * broken pipe is not an error; the commands notice the closed stream and
 * stop writing.
 */
function ignoreBrokenPipe(io: CliIo): void {
  if (guardedStreams.has(io.stdout)) return;
  guardedStreams.add(io.stdout);
  io.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') writeLine(io.stderr, `OUTPUT_FAILED: cannot write to stdout: ${error.message}`);
  });
}

/** The subcommand path named in `argv` (`pool sweep`), for the usage hint. */
function commandPath(program: Command, argv: readonly string[]): string[] {
  const path: string[] = [];
  let command = program;
  for (const arg of argv) {
    if (arg.startsWith('-')) continue;
    const sub = command.commands.find((candidate) => candidate.name() === arg || candidate.aliases().includes(arg));
    if (sub === undefined) break;
    path.push(arg);
    command = sub;
  }
  return path;
}

/** One clear line on stderr (and the JSON error document on stdout with --json); the exit code. */
function report(error: unknown, io: CliIo, context: CommandContext | undefined, argv: readonly string[], program: Command): number {
  const debug = context?.options.debug === true || argv.includes('--debug');
  const json = context?.printer.mode === 'json' || argv.includes('--json');
  let code = 'INTERNAL';
  let exit = EXIT_USAGE;
  let message = error instanceof Error ? error.message : String(error);
  if (error instanceof CommanderError) {
    // --help and `help` exit 0; anything else commander stops on is a usage error.
    if (error.exitCode === 0) return EXIT_OK;
    const path = ['eventcrm', ...commandPath(program, argv)].join(' ');
    code = 'USAGE';
    message =
      error.code === 'commander.help'
        ? `${path} needs a command (listed above)`
        : `${error.message.replace(/^error: /, '')} (see ${path} --help)`;
  } else if (error instanceof CliError) {
    code = error.code;
    exit = error.exitCode;
  } else if (isStoreError(error)) {
    code = error.code;
  }
  message = message.split('\n')[0] ?? message;
  writeLine(io.stderr, `${code}: ${message}`);
  if (debug) {
    // The whole chain: a CliError usually wraps the store's error, whose stack is the useful one.
    for (let cause: unknown = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth += 1) {
      writeLine(io.stderr, `${depth === 0 ? '' : 'caused by: '}${cause.stack ?? `${cause.name}: ${cause.message}`}`);
    }
  }
  const details = error instanceof CliError ? error.details : undefined;
  if (json) writeLine(io.stdout, JSON.stringify({ error: { code, message, ...(details === undefined ? {} : { details }) } }));
  return exit;
}
