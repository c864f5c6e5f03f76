import type { AnalysisResult } from './analyse.ts';
import { progressLine } from './rebuild.ts';

/** Minor units as a decimal amount in the currency's ISO 4217 digits (USD 2, JPY 0), for display only. */
export function formatMinor(minor: bigint, currency: string): string {
  let digits = 2;
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    // Not an ISO currency code: show two digits.
  }
  const negative = minor < 0n;
  const text = (negative ? -minor : minor).toString().padStart(digits + 1, '0');
  const body = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return `${negative ? '-' : ''}${body} ${currency}`;
}

/** A plain aligned text table (numbers right-aligned). */
export function table(columns: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [columns, ...rows.map((row) => row.map(String))];
  const widths = columns.map((_, index) => Math.max(...cells.map((row) => (row[index] ?? '').length)));
  const numeric = columns.map((_, index) => rows.length > 0 && rows.every((row) => typeof row[index] === 'number' || /^-?[\d.]+( [A-Z]{3})?$/.test(String(row[index]))));
  const line = (row: readonly string[]) => row.map((cell, index) => (numeric[index] === true ? cell.padStart(widths[index] ?? 0) : cell.padEnd(widths[index] ?? 0))).join('  ').trimEnd();
  return [line(columns), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

const days = (milliseconds: number): string => (milliseconds / 86_400_000).toFixed(1);

/** The session as text: the rebuild, each SQL answer, and each check against the library. */
export function renderResult(result: AnalysisResult, minDays: number): string {
  const out: string[] = [];
  const { report, progress, liveRowsBefore, liveRowsDuring, leftoverCopies } = result.rebuild;
  out.push(
    `Rebuilt ${report.projections.join(', ')} in schema ${result.schema}: ${report.events} events in ${report.seconds.toFixed(2)} s (${Math.round(report.eventsPerSecond)} events/s), ${progress.length} progress updates` +
      (progress.length > 0 ? `; last: ${progressLine(progress[progress.length - 1] as (typeof progress)[number])}` : ''),
    `While it ran, the live funnel_opportunities answered ${[...new Set(liveRowsDuring)].join(', ') || '-'} rows (before: ${liveRowsBefore}); rebuild copies left after the swap: ${leftoverCopies.join(', ') || 'none'}`,
    `Checkpoints: ${result.freshness.checkpoints.map((checkpoint) => `${checkpoint.projection} v${checkpoint.version} at ${checkpoint.position}`).join(', ')} (log head ${result.freshness.headPosition ?? '-'})`,
    '',
    'Won amount per team and quarter (rankings_money):',
    table(
      ['quarter', 'team', 'won', 'amount'],
      result.answers.teamWins.map((row) => [row.quarter, row.team, row.wonCount, formatMinor(row.wonMinor, row.currency)]),
    ),
    '',
    `Ended ownership periods longer than ${minDays} days, per member (ownership_periods):`,
    table(
      ['member', 'name', 'team', 'periods', 'days in all', 'longest (days)'],
      result.answers.longPeriods.map((row) => [row.memberId, row.name ?? '-', row.team ?? '-', row.periods, days(row.totalMs), days(row.longestMs)]),
    ),
    '',
    'Open pipeline per stage (funnel_opportunities):',
    table(
      ['stage', 'open', 'amount', 'weighted'],
      result.answers.openPipeline.map((row) => [row.stage, row.opportunities, formatMinor(row.amountMinor, row.currency), formatMinor(row.weightedMinor, row.currency)]),
    ),
    '',
    'Checked against the library:',
  );
  for (const check of result.checks) {
    out.push(`  ${check.differences.length === 0 ? 'equal' : 'DIFFERENT'}: ${check.name} (${check.compared} values against ${check.library})`);
    for (const difference of check.differences) out.push(`    - ${difference}`);
  }
  return `${out.join('\n')}\n`;
}
