import { loadavg } from 'node:os';

/**
 * Wall time and this process's CPU time, accumulated over the stretches the
 * benchmark times (say, only the `executeBatch` calls, not the generator
 * that feeds them). CPU time is given beside wall time because the machine
 * the benchmark runs on is shared: other work inflates wall time, much less
 * a process's own CPU time.
 */
export class Stopwatch {
  private wallMs = 0;
  private cpuMicros = 0;
  private startedWall: number | undefined;
  private startedCpu: NodeJS.CpuUsage | undefined;

  start(): void {
    this.startedWall = performance.now();
    this.startedCpu = process.cpuUsage();
  }

  stop(): void {
    if (this.startedWall === undefined || this.startedCpu === undefined) throw new Error('Stopwatch.stop without start');
    const cpu = process.cpuUsage(this.startedCpu);
    this.wallMs += performance.now() - this.startedWall;
    this.cpuMicros += cpu.user + cpu.system;
    this.startedWall = undefined;
    this.startedCpu = undefined;
  }

  /** Times one awaited call. */
  async time<T>(fn: () => Promise<T>): Promise<T> {
    this.start();
    try {
      return await fn();
    } finally {
      this.stop();
    }
  }

  get seconds(): number {
    return this.wallMs / 1000;
  }

  get cpuSeconds(): number {
    return this.cpuMicros / 1e6;
  }
}

/** The nearest-rank percentile (`p` in 0..100) of some samples; `NaN` when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/** Rounds for reports: 3 significant digits below 100, whole numbers above. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  if (Math.abs(value) >= 100) return Math.round(value);
  return Number(value.toPrecision(3));
}

/** The 1-minute load average now: printed with every phase, so a reader can tell a figure taken on a busy machine. */
export const loadNow = (): number => round(loadavg()[0] ?? 0);

/** Peak resident memory of this process so far, in MiB. */
export const peakRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);
