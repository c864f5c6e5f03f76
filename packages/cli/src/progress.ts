import cliProgress from 'cli-progress';
import type { CliIo } from './io.ts';

/** A progress display that may be a no-op (stderr not a TTY and no `--progress`). */
export interface Progress {
  update(done: number, detail?: { readonly total?: number; readonly rate?: number; readonly etaSeconds?: number | null }): void;
  stop(): void;
}

const silent: Progress = { update: () => undefined, stop: () => undefined };

const formatEta = (seconds: number | null | undefined): string => {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '--';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
};

/**
 * A progress bar on stderr (cli-progress), only when stderr is a terminal or
 * `--progress` asks for it, so scripts reading stdout never see it.
 */
export function progressBar(io: CliIo, label: string, enabled: boolean, total = 0): Progress {
  if (!enabled) return silent;
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {etaText}`,
      hideCursor: io.stderr.isTTY === true,
      noTTYOutput: io.stderr.isTTY !== true,
      notTTYSchedule: 1000,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(total, 1), 0, { rate: 0, etaText: '--' });
  return {
    update(done, detail = {}) {
      if (detail.total !== undefined) bar.setTotal(Math.max(detail.total, done, 1));
      bar.update(done, { rate: Math.round(detail.rate ?? 0), etaText: formatEta(detail.etaSeconds) });
    },
    stop() {
      bar.stop();
    },
  };
}
