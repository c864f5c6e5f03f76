import type { BenchStoreKind } from './options.ts';
import { queryKinds } from './queries.ts';
import type { PhaseTiming, StoreFigures } from './run.ts';

/** The machine a run was on (spec/bench.md's `machine`). */
export interface MachineDescription {
  readonly cpus: number;
  readonly cpu_model: string;
  readonly memory_gib: number;
  readonly node: string;
  readonly platform: string;
  /** 1, 5 and 15-minute load averages when the run started: a shared machine inflates wall times. */
  readonly load_at_start: readonly number[];
}

/** The peak RSS of the rebuild at N and at 4N events. */
export interface RssScaling {
  readonly events: number;
  readonly peak_rss_mb: number | null;
  readonly events_4x: number;
  readonly peak_rss_mb_4x: number | null;
  readonly ratio: number | null;
}

/** One target of spec/bench.md checked against a figure. */
export interface TargetCheck {
  readonly figure: string;
  readonly value: number | null;
  readonly target: string;
  /** `null` when the figure was not measured in this run. */
  readonly met: boolean | null;
}

/** The JSON document `--json` prints. */
export interface BenchReport {
  readonly date: string;
  readonly machine: MachineDescription;
  readonly events: number;
  readonly stores: Partial<Record<BenchStoreKind, StoreFigures & { readonly targets: readonly TargetCheck[] }>>;
  readonly rss_scaling?: Partial<Record<BenchStoreKind, RssScaling & { readonly targets: readonly TargetCheck[] }>>;
}

const commandTargets: Partial<Record<BenchStoreKind, number>> = { sqlite: 3_000, postgres: 1_000 };
const queryP99TargetMs = 20;

const check = (figure: string, value: number | null, target: string, met: (value: number) => boolean): TargetCheck => ({ figure, value, target, met: value === null ? null : met(value) });

/** The targets of spec/bench.md for one store's figures. */
export function storeTargets(kind: BenchStoreKind, figures: StoreFigures): TargetCheck[] {
  const checks: TargetCheck[] = [];
  if (figures.raw_append_events_per_s !== null) {
    const floor = 0.25 * figures.raw_append_events_per_s;
    checks.push(check('import_events_per_s', figures.import_events_per_s, `≥ 0.25 × raw append = ${Math.round(floor)}`, (value) => value >= floor));
  }
  if (kind !== 'memory') checks.push(check('rebuild_vs_raw_read', figures.rebuild_vs_raw_read, '≥ 0.5', (value) => value >= 0.5));
  const commandFloor = commandTargets[kind];
  if (commandFloor !== undefined) checks.push(check('commands_per_s', figures.commands_per_s, `≥ ${commandFloor}`, (value) => value >= commandFloor));
  for (const kind of queryKinds) {
    checks.push(check(`query_p99_ms ${kind}`, figures.query_p99_ms[kind] ?? null, `< ${queryP99TargetMs} (at 1M events)`, (value) => value < queryP99TargetMs));
  }
  return checks;
}

/** The memory target: the rebuild's peak RSS at 4N events at most 1.25 × its value at N. */
export function rssTargets(scaling: RssScaling): TargetCheck[] {
  return [check('rebuild_peak_rss_mb 4x / 1x', scaling.ratio, '≤ 1.25', (value) => value <= 1.25)];
}

const format = (value: number | null | undefined): string => {
  if (value === null || value === undefined || Number.isNaN(value)) return '-';
  return Math.abs(value) >= 1000 ? Math.round(value).toLocaleString('en-US') : String(value);
};

const metText = (met: boolean | null): string => (met === null ? 'n/a' : met ? 'met' : 'MISSED');

const table = (header: readonly string[], rows: readonly (readonly string[])[]): string[] => {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)];
};

/**
 * The human report: the machine, then per store a Markdown table of every
 * figure with its target and whether it is met, and the CPU seconds behind
 * the wall-clock rates (the machine is shared: CPU time is the steadier
 * figure). Markdown so that `docs/benchmarks.md` can quote it as printed.
 */
export function renderReport(report: BenchReport): string {
  const lines: string[] = [];
  const { machine } = report;
  lines.push(`eventcrm benchmark, ${report.date}: ${report.events.toLocaleString('en-US')} events requested`);
  lines.push(`machine: ${machine.cpus} × ${machine.cpu_model}, ${machine.memory_gib} GiB, Node ${machine.node} (${machine.platform}), load at start ${machine.load_at_start.join(' / ')}`);
  for (const [kind, figures] of Object.entries(report.stores) as [BenchStoreKind, NonNullable<BenchReport['stores'][BenchStoreKind]>][]) {
    lines.push('', `## ${kind} (${figures.events.toLocaleString('en-US')} events in the log)`, '');
    const targetOf = new Map(figures.targets.map((target) => [target.figure, target]));
    const row = (figure: string, value: number | null | undefined, detail = ''): string[] => {
      const target = targetOf.get(figure);
      return [figure, format(value), target?.target ?? '', target === undefined ? '' : metText(target.met), detail];
    };
    const { details } = figures;
    const cpu = (timing: PhaseTiming | undefined, perCpu?: number): string =>
      timing === undefined
        ? ''
        : `${timing.seconds} s wall, ${timing.cpu_seconds} s CPU${timing.server_cpu_seconds === null ? '' : ` + ${timing.server_cpu_seconds} s server CPU`}${perCpu === undefined ? '' : ` (${format(perCpu)}/CPU s)`}, load ${timing.load}`;
    const rows = [
      row('import_events_per_s', figures.import_events_per_s, cpu(details.import, details.import.events_per_cpu_s)),
      row('raw_append_events_per_s', figures.raw_append_events_per_s, cpu(details.raw_append, details.raw_append?.events_per_cpu_s)),
      row('rebuild_events_per_s', figures.rebuild_events_per_s, cpu(details.rebuild, details.rebuild?.events_per_cpu_s)),
      row('raw_read_events_per_s', figures.raw_read_events_per_s, cpu(details.raw_read, details.raw_read?.events_per_cpu_s)),
      row(
        'rebuild_vs_raw_read',
        figures.rebuild_vs_raw_read,
        details.rebuild !== undefined && details.raw_read !== undefined ? `by CPU time: ${format(Math.round((details.rebuild.events_per_cpu_s / details.raw_read.events_per_cpu_s) * 1000) / 1000)}` : '',
      ),
      row('rebuild_peak_rss_mb', figures.rebuild_peak_rss_mb, details.raw_read === undefined ? '' : `raw read process: ${details.raw_read.peak_rss_mb} MB`),
      row('commands_per_s', figures.commands_per_s, details.commands === undefined ? '' : `${details.commands.commands} commands, ${cpu(details.commands)}`),
      row(
        'command_p99_ms',
        figures.command_p99_ms,
        details.commands === undefined
          ? ''
          : `p50 ${details.commands.p50_ms} ms, max ${details.commands.max_ms} ms; most time: ${details.commands.by_command
              .slice(0, 3)
              .map((kind) => `${kind.command} ×${kind.count} ${format(Math.round(kind.total_ms))} ms`)
              .join(', ')}`,
      ),
      ...(details.raw_commits === undefined
        ? []
        : [row('(ceiling) raw one-row commits per s', details.raw_commits.per_s, `${details.raw_commits.transactions} plain INSERT transactions, ${cpu(details.raw_commits)}`)]),
      ...queryKinds.map((kind) => {
        const figure = details.queries?.[kind];
        return row(`query_p99_ms ${kind}`, figures.query_p99_ms[kind], figure === undefined ? '' : `p50 ${figures.query_p50_ms[kind]} ms, max ${format(Math.round(figure.maxMs * 10) / 10)} ms${figure.rejected > 0 ? `, ${figure.rejected} rejections` : ''}`);
      }),
    ];
    const catchUp = details.queries?.catch_up_nothing_new;
    if (catchUp !== undefined) rows.push(['catch-up, nothing new (every query pays it by default)', `${format(Math.round(catchUp.p99Ms * 100) / 100)}`, '', '', `p50 ${Math.round(catchUp.p50Ms * 100) / 100} ms (p99 shown)`]);
    lines.push(...table(['figure', 'value', 'target', 'met', 'detail'], rows));
  }
  for (const [kind, scaling] of Object.entries(report.rss_scaling ?? {}) as [BenchStoreKind, NonNullable<NonNullable<BenchReport['rss_scaling']>[BenchStoreKind]>][]) {
    lines.push('', `## ${kind}: rebuild peak RSS, ${scaling.events.toLocaleString('en-US')} vs ${scaling.events_4x.toLocaleString('en-US')} events`, '');
    const target = scaling.targets[0];
    lines.push(
      ...table(
        ['figure', 'value', 'target', 'met'],
        [
          ['rebuild_peak_rss_mb at N', format(scaling.peak_rss_mb), '', ''],
          ['rebuild_peak_rss_mb at 4N', format(scaling.peak_rss_mb_4x), '', ''],
          ['ratio 4N / N', format(scaling.ratio), target?.target ?? '', target === undefined ? '' : metText(target.met)],
        ],
      ),
    );
  }
  return lines.join('\n');
}
