import * as echarts from 'echarts';
import type { OwnershipHistory, RankingsReport, SalesFunnel } from '@eventcrm/projections';

/** What the demo report page shows. */
export interface ReportContent {
  readonly title: string;
  readonly generatedAt: string;
  readonly summary: readonly (readonly [label: string, value: string])[];
  readonly funnel: SalesFunnel;
  readonly rankings: RankingsReport;
  readonly ownership: OwnershipHistory;
}

const escape = (text: string): string => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** Renders one chart to an SVG string on the server (ECharts SSR: no browser, no DOM). */
function svg(option: echarts.EChartsCoreOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** The funnel: how many opportunities reached each pipeline stage, and how many were won. */
function funnelChart(funnel: SalesFunnel): string {
  const data = [...funnel.stages.map((stage) => ({ name: stage.stage, value: stage.reached })), { name: 'won', value: funnel.won.count }];
  return svg(
    {
      title: { text: 'Sales funnel: opportunities reaching each stage', left: 'center', textStyle: { fontSize: 14 } },
      tooltip: {},
      series: [
        {
          type: 'funnel',
          top: 40,
          bottom: 10,
          left: '10%',
          width: '80%',
          sort: 'none',
          label: { show: true, position: 'inside', formatter: '{b}: {c}' },
          data,
        },
      ],
    },
    720,
    360,
  );
}

const moneyValue = (value: string | number | null): number => (value === null ? 0 : Number(value));

/** The top of a ranking as horizontal bars. */
function rankingsChart(report: RankingsReport): string {
  const rows = report.rows.filter((row) => row.rank !== null).slice(0, 10).reverse();
  const label = (row: RankingsReport['rows'][number]): string => ('memberId' in row ? row.memberId : row.team);
  return svg(
    {
      title: { text: `Rankings ${report.period}: ${report.metric}${report.currency === null ? '' : ` (${report.currency})`}`, left: 'center', textStyle: { fontSize: 14 } },
      grid: { left: 110, right: 40, top: 40, bottom: 30 },
      xAxis: { type: 'value' },
      yAxis: { type: 'category', data: rows.map(label) },
      series: [{ type: 'bar', data: rows.map((row) => moneyValue(row.value)), label: { show: true, position: 'right' }, itemStyle: { color: '#3b7dd8' } }],
    },
    720,
    Math.max(200, 60 + rows.length * 28),
  );
}

/** One customer's ownership periods on a time axis (the pool in grey). */
function ownershipChart(history: OwnershipHistory, until: string): string {
  const owners = [...new Set(history.periods.map((period) => period.owner ?? '(pool)'))];
  const items = history.periods.map((period) => ({
    value: [owners.indexOf(period.owner ?? '(pool)'), Date.parse(period.from), Date.parse(period.to ?? until)],
    itemStyle: { color: period.owner === null ? '#b0b0b0' : '#2f9e6e' },
    name: `${period.start.reason} → ${period.end?.reason ?? 'now'}`,
  }));
  return svg(
    {
      title: { text: `Ownership of ${history.customerId}`, left: 'center', textStyle: { fontSize: 14 } },
      grid: { left: 110, right: 30, top: 40, bottom: 40 },
      // ECharts' default time labels mix day numbers with month names at month starts, and crowd each other on a 720px chart.
      xAxis: { type: 'time', splitNumber: 5, axisLabel: { formatter: '{yyyy}-{MM}-{dd}', hideOverlap: true } },
      yAxis: { type: 'category', data: owners },
      series: [
        {
          type: 'custom',
          encode: { x: [1, 2], y: 0 },
          data: items,
          renderItem: (params: unknown, api: { value(dimension: number): number; coord(point: readonly number[]): number[]; size(point: readonly number[]): number[]; visual(name: string): unknown }) => {
            const category = api.value(0);
            const start = api.coord([api.value(1), category]);
            const end = api.coord([api.value(2), category]);
            const height = (api.size([0, 1])[1] ?? 20) * 0.6;
            void params;
            return {
              type: 'rect',
              shape: { x: start[0], y: (start[1] ?? 0) - height / 2, width: Math.max(2, (end[0] ?? 0) - (start[0] ?? 0)), height },
              style: { fill: api.visual('color') as string },
            };
          },
        },
      ],
    },
    720,
    Math.max(180, 80 + owners.length * 36),
  );
}

const table = (columns: readonly string[], rows: readonly (readonly unknown[])[]): string =>
  `<table><thead><tr>${columns.map((column) => `<th>${escape(column)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map((value) => `<td>${escape(value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value as string))}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;

/**
 * The demo's report: one self-contained HTML page (inline SVG charts rendered
 * server-side with Apache ECharts, inline CSS, no scripts or external
 * resources), so it opens anywhere and can be archived as is.
 */
export function renderReportHtml(content: ReportContent): string {
  const { funnel, rankings, ownership } = content;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escape(content.title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 760px; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
.chart { border: 1px solid #e3e3e3; border-radius: 6px; padding: 8px; margin: 0.5rem 0; }
table { border-collapse: collapse; font-size: 0.85rem; width: 100%; } td, th { border-bottom: 1px solid #eee; padding: 3px 6px; text-align: left; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; } dt { color: #666; }
</style>
</head>
<body>
<h1>${escape(content.title)}</h1>
<p>Generated ${escape(content.generatedAt)} by <code>eventcrm demo</code>.</p>
<dl>${content.summary.map(([label, value]) => `<dt>${escape(label)}</dt><dd>${escape(value)}</dd>`).join('')}</dl>
<h2>Sales funnel</h2>
<div class="chart" id="funnel-chart">${funnelChart(funnel)}</div>
${table(
  ['stage', 'reached', 'conversion', 'open now', 'avg days in stage'],
  funnel.stages.map((stage) => [stage.stage, stage.reached, stage.conversion === null ? '-' : `${(stage.conversion * 100).toFixed(1)}%`, stage.current.count, stage.avgDaysInStage ?? '-']),
)}
<h2>Performance rankings</h2>
<div class="chart" id="rankings-chart">${rankingsChart(rankings)}</div>
<h2>Ownership history</h2>
<div class="chart" id="ownership-chart">${ownershipChart(ownership, content.generatedAt)}</div>
${table(
  ['owner', 'from', 'to', 'start', 'end'],
  ownership.periods.map((period) => [period.owner ?? '(pool)', period.from, period.to ?? '(now)', `${period.start.reason} by ${period.start.actor}`, period.end === null ? '' : `${period.end.reason} by ${period.end.actor}`]),
)}
</body>
</html>
`;
}
