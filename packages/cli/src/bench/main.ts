import { cpus, loadavg, platform, totalmem } from 'node:os';
import { BenchUsageError, benchUsage, parseBenchArgs } from './options.ts';
import { round } from './measure.ts';
import { renderReport, rssTargets, storeTargets, type BenchReport, type MachineDescription, type RssScaling } from './report.ts';
import { benchStore } from './run.ts';

/** The machine the run is on, as the report prints it. */
export function describeMachine(): MachineDescription {
  const processors = cpus();
  return {
    cpus: processors.length,
    cpu_model: processors[0]?.model.trim() ?? 'unknown',
    memory_gib: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${platform()} ${process.arch}`,
    load_at_start: loadavg().map(round),
  };
}

/** Where the benchmark writes: the report to stdout, progress to stderr. */
export interface BenchIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const processIo: BenchIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * `pnpm bench` (spec/bench.md): runs the benchmark on each store asked for,
 * one after the other (never two at once on this 2-core machine), and prints
 * the table or, with `--json`, one JSON object. Returns the exit code: 0
 * whether or not targets are met (the report says which), 2 for a bad
 * command line, 1 when a run failed.
 */
export async function runBenchCli(argv: readonly string[], io: BenchIo = processIo): Promise<number> {
  let options;
  try {
    options = parseBenchArgs(argv, process.env);
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    io.stderr(`${error.message}\n${benchUsage}\n`);
    return 2;
  }
  if (options === undefined) {
    io.stdout(`${benchUsage}\n`);
    return 0;
  }
  const log = (line: string): void => io.stderr(`${line}\n`);
  const report: { -readonly [K in keyof BenchReport]: BenchReport[K] } = {
    date: new Date().toISOString(),
    machine: describeMachine(),
    events: options.events,
    stores: {},
  };
  try {
    if (options.rssScaling) {
      const scaling: NonNullable<BenchReport['rss_scaling']> = {};
      for (const kind of options.stores.filter((store) => store !== 'memory')) {
        const base = await benchStore(kind, options.events, options, ['rebuild'], log);
        const large = await benchStore(kind, options.events * 4, options, ['rebuild'], log);
        const figures: RssScaling = {
          events: base.events,
          peak_rss_mb: base.rebuild_peak_rss_mb,
          events_4x: large.events,
          peak_rss_mb_4x: large.rebuild_peak_rss_mb,
          ratio: base.rebuild_peak_rss_mb === null || large.rebuild_peak_rss_mb === null ? null : round(large.rebuild_peak_rss_mb / base.rebuild_peak_rss_mb),
        };
        scaling[kind] = { ...figures, targets: rssTargets(figures) };
      }
      report.rss_scaling = scaling;
    } else {
      for (const kind of options.stores) {
        const figures = await benchStore(kind, options.events, options, options.phases, log);
        report.stores[kind] = { ...figures, targets: storeTargets(kind, figures) };
      }
    }
  } catch (error) {
    io.stderr(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
  io.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderReport(report)}\n`);
  return 0;
}
