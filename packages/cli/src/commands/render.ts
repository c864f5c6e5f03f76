import type { LifecycleFunnel, OwnershipHistory, RankingsReport, RemindersReport, SalesFunnel } from '@eventcrm/projections';
import type { Tabular } from '../output.ts';

/**
 * Tabular forms of the query results, shared by the human tables and CSV.
 * The JSON output is always the query result itself (projections.md shapes).
 */
const money = (report: { readonly [currency: string]: string }): string =>
  Object.entries(report)
    .map(([currency, amount]) => `${currency} ${amount}`)
    .join(', ') || '-';

const percent = (ratio: number | null): string => (ratio === null ? '-' : `${(ratio * 100).toFixed(1)}%`);

/** The sales funnel's stages. */
export const funnelTable = (funnel: SalesFunnel): Tabular => ({
  columns: ['stage', 'reached', 'conversion', 'open now', 'amount', 'weighted', 'avg days'],
  rows: funnel.stages.map((stage) => [
    stage.stage,
    stage.reached,
    percent(stage.conversion),
    stage.current.count,
    money(stage.current.amount),
    money(stage.current.weighted),
    stage.avgDaysInStage ?? '-',
  ]),
});

/** The sales funnel's summary lines. */
export const funnelSummary = (funnel: SalesFunnel): string[] => [
  `won ${funnel.won.count} (${money(funnel.won.amount)}) · lost ${funnel.lost.count} (${money(funnel.lost.amount)}) · open ${funnel.open.count} (${money(funnel.open.amount)}, weighted ${money(funnel.open.weighted)})`,
  `win rate ${percent(funnel.winRate)} · average cycle ${funnel.avgCycleDays ?? '-'} days · lost by reason ${Object.entries(funnel.lost.byReason).map(([reason, count]) => `${reason} ${count}`).join(', ') || '-'}`,
  `forecast ${Object.entries(funnel.forecast).map(([month, amounts]) => `${month}: ${money(amounts)}`).join('; ') || '-'}`,
];

/** The lifecycle funnel. */
export const lifecycleTable = (lifecycle: LifecycleFunnel): Tabular => ({
  columns: ['stage', 'current', 'reached', 'conversion'],
  rows: [...lifecycle.stages.map((stage) => [stage.stage, stage.current, stage.reached, percent(stage.conversion)]), ['dormant', lifecycle.dormant, '', '']],
});

/** A customer's ownership periods. */
export const ownershipTable = (history: OwnershipHistory): Tabular => ({
  columns: ['owner', 'from', 'to', 'started by', 'ended by'],
  rows: history.periods.map((period) => [
    period.owner ?? '(pool)',
    period.from,
    period.to ?? '(now)',
    `${period.start.reason}${period.start.detail === undefined ? '' : `/${period.start.detail}`} by ${period.start.actor}`,
    period.end === null ? '' : `${period.end.reason}${period.end.detail === undefined ? '' : `/${period.end.detail}`} by ${period.end.actor}`,
  ]),
});

/** A ranking. */
export function rankingsTable(report: RankingsReport): Tabular {
  const who = report.teams ? 'team' : 'member';
  return {
    columns: ['rank', who, report.metric, 'won', 'win rate', 'won amount', 'follow-ups', 'claims', 'tickets', 'csat'],
    rows: report.rows.map((row) => [
      row.rank ?? '-',
      'memberId' in row ? row.memberId : row.team,
      row.value ?? '-',
      row.wonCount,
      percent(row.winRate),
      money(row.wonAmount),
      row.followUps,
      row.customersClaimed,
      row.ticketsResolved,
      row.csat ?? '-',
    ]),
  };
}

/** Reminders. */
export const remindersTable = (report: RemindersReport): Tabular => ({
  columns: ['due', 'kind', 'member', 'subject', 'detail'],
  rows: report.items.map((item) => [item.dueAt, item.kind, item.memberId ?? '-', item.subjectId, summariseDetail(item.subjectId, item.detail as unknown as Record<string, unknown>)]),
});

/** The detail fields a reader acts on, per kind (the rest is in --json): every kind gets at least one, the follow-up its last follow-up. */
const detailKeys = ['customerId', 'rule', 'holds', 'target', 'breached', 'priority', 'stage', 'expectedCloseDate', 'daysOverdue', 'contactId', 'date', 'lastFollowUpAt'];

function summariseDetail(subjectId: string, detail: Record<string, unknown>): string {
  return detailKeys
    .filter((key) => detail[key] !== undefined && detail[key] !== null && !(key === 'customerId' && detail[key] === subjectId))
    .map((key) => `${key}=${String(detail[key] as string)}`)
    .join(' ');
}
