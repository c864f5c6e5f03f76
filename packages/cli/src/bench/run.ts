import { ManualClock, type Crm, type ExecutionOutcome } from '@eventcrm/runtime';
import { runChild, type ChildReport } from './childRun.ts';
import { loadNow, Stopwatch, percentile, round } from './measure.ts';
import type { BenchOptions, BenchPhase, BenchStoreKind } from './options.ts';
import { queryKinds, runCatchUps, runQueries, type QueryFigures, type QueryKind } from './queries.ts';
import { openTarget, type BenchTarget } from './targets.ts';
import { importBatchSize, Workload } from './workload.ts';

/** Events per page the projection runner reads (its default batch size): the raw read of PostgreSQL pages the same way. */
const runnerPageSize = 5_000;
/** One-row transactions of the commit ceiling (the one-at-a-time commands' floor of durable commits). */
const rawCommitCount = 2_000;
/** A multi-row INSERT on PostgreSQL takes at most 65,535 parameters: 10 per row. */
const maxPostgresRowsPerInsert = 6_000;

/** Wall and CPU time of a phase, and the machine's load when it ended. */
export interface PhaseTiming {
  readonly seconds: number;
  /** This process's (or the child's) CPU seconds. */
  readonly cpu_seconds: number;
  /** The PostgreSQL server's CPU seconds for the phase's connections; `null` on SQLite and memory. */
  readonly server_cpu_seconds: number | null;
  readonly load: number;
}

/** Every figure of one store (spec/bench.md); `null` where the phase did not run or the store has no such ceiling. */
export interface StoreFigures {
  readonly events: number;
  readonly import_events_per_s: number;
  readonly raw_append_events_per_s: number | null;
  readonly rebuild_events_per_s: number | null;
  readonly raw_read_events_per_s: number | null;
  readonly rebuild_vs_raw_read: number | null;
  readonly rebuild_peak_rss_mb: number | null;
  readonly commands_per_s: number | null;
  readonly command_p99_ms: number | null;
  readonly query_p50_ms: Partial<Record<QueryKind, number>>;
  readonly query_p99_ms: Partial<Record<QueryKind, number>>;
  /** How each figure was obtained: counts, wall and CPU seconds, load, the rates per CPU second. */
  readonly details: StoreDetails;
}

/** The detail behind the figures. */
export interface StoreDetails {
  readonly import: PhaseTiming & { readonly commands: number; readonly events: number; readonly rejected: number; readonly transactions: number; readonly events_per_cpu_s: number };
  readonly raw_append?: PhaseTiming & { readonly rows: number; readonly rows_per_transaction: number; readonly events_per_cpu_s: number };
  /** Not a spec figure: the rate of one-row transactions by plain INSERTs, the ceiling under `commands_per_s` (each command is at least one durable commit). */
  readonly raw_commits?: PhaseTiming & { readonly transactions: number; readonly per_s: number };
  readonly commands?: PhaseTiming & {
    readonly commands: number;
    readonly rejected: number;
    readonly events: number;
    readonly p50_ms: number;
    readonly max_ms: number;
    /** Per command name, by total time: where the one-at-a-time time goes. */
    readonly by_command: readonly CommandKindFigures[];
  };
  readonly raw_read?: PhaseTiming & { readonly rows: number; readonly events_per_cpu_s: number; readonly peak_rss_mb: number };
  readonly rebuild?: PhaseTiming & { readonly log_events: number; readonly events_projected: number; readonly events_per_cpu_s: number };
  readonly queries?: Partial<Record<QueryKind | 'catch_up_nothing_new', QueryFigures>>;
}

/** The latencies of one command name in the one-at-a-time phase. */
export interface CommandKindFigures {
  readonly command: string;
  readonly count: number;
  readonly total_ms: number;
  readonly p50_ms: number;
  readonly max_ms: number;
}

function byCommand(names: readonly string[], latencies: readonly number[]): CommandKindFigures[] {
  const groups = new Map<string, number[]>();
  names.forEach((name, index) => groups.set(name, [...(groups.get(name) ?? []), latencies[index]!]));
  return [...groups]
    .map(([command, times]) => ({
      command,
      count: times.length,
      total_ms: round(times.reduce((sum, time) => sum + time, 0)),
      p50_ms: round(percentile(times, 50)),
      max_ms: round(percentile(times, 100)),
    }))
    .sort((a, b) => b.total_ms - a.total_ms);
}

/** What a progress line goes to (stderr, so `--json` output stays clean). */
export type ProgressLog = (line: string) => void;

const countEvents = (outcome: ExecutionOutcome): number => (outcome.ok ? outcome.events.length + outcome.triggered.reduce((sum, inner) => sum + countEvents(inner), 0) : 0);

const timing = (stopwatch: Stopwatch, serverCpu: number | null): PhaseTiming => ({
  seconds: round(stopwatch.seconds),
  cpu_seconds: round(stopwatch.cpuSeconds),
  server_cpu_seconds: serverCpu === null ? null : round(serverCpu),
  load: loadNow(),
});

const rate = (count: number, seconds: number): number => (seconds > 0 ? Math.round(count / seconds) : 0);

const fromChild = (report: ChildReport): PhaseTiming => ({
  seconds: round(report.seconds),
  cpu_seconds: round(report.cpuSeconds),
  server_cpu_seconds: report.serverCpuSeconds === null ? null : round(report.serverCpuSeconds),
  load: loadNow(),
});

/** Client plus server CPU seconds: what a phase cost the machine, whatever else ran on it. */
const totalCpu = (timing: PhaseTiming): number => timing.cpu_seconds + (timing.server_cpu_seconds ?? 0);

const cpuText = (timing: PhaseTiming): string => `CPU ${timing.cpu_seconds} s${timing.server_cpu_seconds === null ? '' : ` + server ${timing.server_cpu_seconds} s`}, load ${timing.load}`;

/**
 * Runs the benchmark on one store, on a fresh database, in the order
 * import → raw append → commands → raw read → rebuild → queries, and drops
 * the database at the end. The import's clock is the history's end, so the
 * run is deterministic; only the generator-free calls into the library are
 * timed.
 */
export async function benchStore(kind: BenchStoreKind, events: number, options: BenchOptions, phases: readonly BenchPhase[], log: ProgressLog): Promise<StoreFigures> {
  const workload = new Workload(Workload.optionsFor(events, options.seed, options.end), phases.includes('commands') ? options.commands : 0);
  const clock = new ManualClock(`${options.end}T00:00:00.000Z`);
  const target = await openTarget(kind, options.postgresUrl);
  const say = (line: string): void => log(`[bench ${kind} ${events}] ${line}`);
  try {
    say(`workload: ${workload.options.customers} customers, ${workload.options.members} members, ${workload.options.months} months, seed ${workload.options.seed}, ending ${workload.options.end}`);
    const crm = await target.openCrm(clock);
    try {
      return await benchOpenStore(target, crm, workload, options, phases, say, clock);
    } finally {
      if (target.kind !== 'memory') await crm.close();
    }
  } finally {
    await target.dispose();
  }
}

async function benchOpenStore(
  target: BenchTarget,
  crm: Crm,
  workload: Workload,
  options: BenchOptions,
  phases: readonly BenchPhase[],
  say: (line: string) => void,
  clock: ManualClock,
): Promise<StoreFigures> {
  // ---- import: the history through Crm.executeBatch, policies inline; only the library calls are timed.
  const importWatch = new Stopwatch();
  let commands = 0;
  let importEvents = 0;
  let rejected = 0;
  let transactions = 0;
  let lastReport = performance.now();
  await target.sampleServerCpu();
  for (const chunk of workload.importChunks()) {
    const outcomes = await importWatch.time(() => crm.executeBatch(chunk, { batchSize: importBatchSize }));
    commands += chunk.length;
    transactions += Math.ceil(chunk.length / importBatchSize);
    for (const outcome of outcomes) {
      if (!outcome.ok) rejected += 1;
      importEvents += countEvents(outcome);
    }
    if (performance.now() - lastReport > 15_000) {
      lastReport = performance.now();
      say(`import: ${importEvents} events, ${rate(importEvents, importWatch.seconds)} events/s`);
    }
  }
  const head = await crm.store.headPosition();
  if (head === null) throw new Error('bench: the import appended nothing');
  const importTiming = timing(importWatch, await target.sampleServerCpu());
  const details: { -readonly [K in keyof StoreDetails]: StoreDetails[K] } = {
    import: { ...importTiming, commands, events: importEvents, rejected, transactions, events_per_cpu_s: rate(importEvents, totalCpu(importTiming)) },
  };
  say(`import: ${importEvents} events (${commands} commands, ${rejected} rejected) in ${importTiming.seconds} s: ${rate(importEvents, importWatch.seconds)} events/s, ${cpuText(importTiming)}`);

  // ---- raw append ceiling: the same rows, plain prepared INSERTs, as many rows per transaction as the import averaged.
  let rawAppendRate: number | null = null;
  if (phases.includes('raw-append') && target.kind !== 'memory') {
    const rowsPerTransaction = Math.min(maxPostgresRowsPerInsert, Math.max(1, Math.round(importEvents / Math.max(1, transactions))));
    const watch = new Stopwatch();
    await target.sampleServerCpu();
    const rows = await target.rawAppend(head, rowsPerTransaction, watch);
    const appendTiming = timing(watch, await target.sampleServerCpu());
    rawAppendRate = rate(rows, watch.seconds);
    details.raw_append = { ...appendTiming, rows, rows_per_transaction: rowsPerTransaction, events_per_cpu_s: rate(rows, totalCpu(appendTiming)) };
    say(`raw append: ${rows} rows, ${rowsPerTransaction} per transaction, in ${appendTiming.seconds} s: ${rawAppendRate} events/s, ${cpuText(appendTiming)}`);
    const commitWatch = new Stopwatch();
    await target.sampleServerCpu();
    const committed = await target.rawCommits(head, rawCommitCount, commitWatch);
    const commitTiming = timing(commitWatch, await target.sampleServerCpu());
    details.raw_commits = { ...commitTiming, transactions: committed, per_s: rate(committed, commitWatch.seconds) };
    say(`raw commits: ${committed} one-row transactions in ${commitTiming.seconds} s: ${details.raw_commits.per_s}/s, ${cpuText(commitTiming)}`);
  }

  // ---- commands one at a time on the importing Crm (warm, as a long-running service would be).
  let commandsPerSecond: number | null = null;
  let commandP99: number | null = null;
  let commandEvents = 0;
  if (phases.includes('commands')) {
    const held = workload.heldBack;
    const watch = new Stopwatch();
    const latencies: number[] = [];
    let commandRejected = 0;
    await target.sampleServerCpu();
    watch.start();
    for (const command of held) {
      const started = performance.now();
      const outcome = await crm.execute(command);
      latencies.push(performance.now() - started);
      if (!outcome.ok) commandRejected += 1;
      commandEvents += countEvents(outcome);
    }
    watch.stop();
    commandsPerSecond = rate(held.length, watch.seconds);
    commandP99 = round(percentile(latencies, 99));
    const commandTiming = timing(watch, await target.sampleServerCpu());
    details.commands = {
      ...commandTiming,
      commands: held.length,
      rejected: commandRejected,
      events: commandEvents,
      p50_ms: round(percentile(latencies, 50)),
      max_ms: round(percentile(latencies, 100)),
      by_command: byCommand(
        held.map((command) => command.command),
        latencies,
      ),
    };
    say(`commands: ${held.length} (${commandRejected} rejected) in ${commandTiming.seconds} s: ${commandsPerSecond}/s, p99 ${commandP99} ms, ${cpuText(commandTiming)}`);
  }
  const logEvents = importEvents + commandEvents;

  // ---- raw read ceiling and rebuild, each in a fresh process, both after one untimed full read.
  await target.warmUp();
  let rawReadRate: number | null = null;
  if (phases.includes('raw-read') && target.childStore !== undefined) {
    const report = await runChild({ mode: 'raw-read', store: target.childStore, pageSize: runnerPageSize }, options.profileDirectory);
    rawReadRate = rate(report.rows, report.seconds);
    const readTiming = fromChild(report);
    details.raw_read = { ...readTiming, rows: report.rows, events_per_cpu_s: rate(report.rows, totalCpu(readTiming)), peak_rss_mb: report.peakRssMb };
    say(`raw read: ${report.rows} rows in ${readTiming.seconds} s: ${rawReadRate} events/s, ${cpuText(readTiming)}`);
  }
  let rebuildRate: number | null = null;
  let rebuildRss: number | null = null;
  if (phases.includes('rebuild')) {
    let report: ChildReport;
    if (target.childStore === undefined) {
      const watch = new Stopwatch();
      const run = await watch.time(() => crm.rebuild());
      report = { rows: run.events, seconds: watch.seconds, cpuSeconds: watch.cpuSeconds, serverCpuSeconds: null, peakRssMb: Number.NaN };
    } else {
      report = await runChild({ mode: 'rebuild', store: target.childStore, pageSize: runnerPageSize }, options.profileDirectory);
      rebuildRss = report.peakRssMb;
    }
    rebuildRate = rate(logEvents, report.seconds);
    const rebuildTiming = fromChild(report);
    details.rebuild = { ...rebuildTiming, log_events: logEvents, events_projected: report.rows, events_per_cpu_s: rate(logEvents, totalCpu(rebuildTiming)) };
    say(`rebuild: ${logEvents} events (${report.rows} projected) in ${rebuildTiming.seconds} s: ${rebuildRate} events/s, ${cpuText(rebuildTiming)}, peak RSS ${rebuildRss ?? '-'} MB`);
  }

  // ---- queries on the built read models, from a Crm of their own (a fresh connection and read-model store).
  const p50: Partial<Record<QueryKind, number>> = {};
  const p99: Partial<Record<QueryKind, number>> = {};
  if (phases.includes('queries')) {
    const reader = target.kind === 'memory' ? crm : await target.openCrm(clock);
    try {
      if (!phases.includes('rebuild')) await reader.catchUp();
      const figures = await runQueries(reader, workload.subjects, options.queries, options.seed);
      const catchUp = await runCatchUps(reader, options.queries);
      details.queries = { ...figures, catch_up_nothing_new: catchUp };
      for (const kind of queryKinds) {
        p50[kind] = round(figures[kind].p50Ms);
        p99[kind] = round(figures[kind].p99Ms);
      }
      say(`queries: ${queryKinds.map((kind) => `${kind} p50 ${p50[kind]} / p99 ${p99[kind]} ms`).join('; ')}; catch-up ${round(catchUp.p50Ms)} / ${round(catchUp.p99Ms)} ms`);
    } finally {
      if (reader !== crm) await reader.close();
    }
  }

  return {
    events: logEvents,
    import_events_per_s: rate(importEvents, importWatch.seconds),
    raw_append_events_per_s: rawAppendRate,
    rebuild_events_per_s: rebuildRate,
    raw_read_events_per_s: rawReadRate,
    rebuild_vs_raw_read: rebuildRate === null || rawReadRate === null || rawReadRate === 0 ? null : round(rebuildRate / rawReadRate),
    rebuild_peak_rss_mb: rebuildRss,
    commands_per_s: commandsPerSecond,
    command_p99_ms: commandP99,
    query_p50_ms: p50,
    query_p99_ms: p99,
    details,
  };
}
