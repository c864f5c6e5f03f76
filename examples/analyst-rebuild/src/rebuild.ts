import type { Crm, RunProgress, RunReport } from '@eventcrm/runtime';

/** A rebuild's report and every progress update it gave. */
export interface RebuildOutcome {
  readonly report: RunReport;
  readonly progress: readonly RunProgress[];
}

const seconds = (value: number | null): string => (value === null ? '?' : value < 10 ? `${value.toFixed(1)} s` : `${Math.round(value)} s`);

/** One progress line: events done, share of the log, events per second, time left. */
export function progressLine(progress: RunProgress): string {
  const share = progress.fraction === null ? '' : ` (${(progress.fraction * 100).toFixed(1)}%)`;
  return `rebuild: ${progress.eventsDone} events${share}, ${Math.round(progress.eventsPerSecond)} events/s, ETA ${seconds(progress.etaSeconds)}`;
}

/**
 * Rebuilds every projection from the first event (`crm.rebuild`): the new
 * tables are filled beside the live ones, which keep answering, and swapped
 * in atomically at the end; several projections share one pass over the log.
 * `onProgress` sees each update (after every batch of the runner); `print`
 * gets a line at most every `intervalMs` and always for the last update.
 */
export async function rebuildWithProgress(
  crm: Crm,
  options: { readonly print?: (line: string) => void; readonly intervalMs?: number; readonly onProgress?: (progress: RunProgress) => void } = {},
): Promise<RebuildOutcome> {
  const progress: RunProgress[] = [];
  let printedAt = Number.NEGATIVE_INFINITY;
  // A holder, not a variable: the callback's assignments are invisible to the narrowing after the await.
  const unprinted: { update: RunProgress | null } = { update: null };
  const report = await crm.rebuild({
    onProgress: (update) => {
      progress.push(update);
      options.onProgress?.(update);
      unprinted.update = update;
      const now = performance.now();
      if (options.print !== undefined && now - printedAt >= (options.intervalMs ?? 500)) {
        options.print(progressLine(update));
        printedAt = now;
        unprinted.update = null;
      }
    },
  });
  if (unprinted.update !== null) options.print?.(progressLine(unprinted.update));
  return { report, progress };
}
