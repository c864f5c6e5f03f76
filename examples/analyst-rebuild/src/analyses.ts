import type pg from 'pg';

/**
 * Three questions an analyst asks, in plain SQL over the read-model tables
 * (docs/guide-analysts.md). The statements are exported as they run, so the
 * README quotes them and a spec checks that it quotes them exactly.
 *
 * What the tables make you write: money columns are integer minor units in
 * a `text` column (`::numeric` before summing), times are canonical UTC
 * `text` (`::timestamptz` before subtracting; comparing them as text is
 * fine), there is no quarter column (derived from `month`), and a fact
 * credited to a member without a team has team `''`, not NULL.
 */

/** Won amount and count per team (the team at the time of each win), quarter and currency, from `rankings_money`. */
export const wonByTeamQuarterSql = `
SELECT team,
       substr(month, 1, 4) || '-Q' || ((substr(month, 6, 2)::int + 2) / 3) AS quarter,
       currency,
       SUM(won_count) AS won_count,
       SUM(won_minor::numeric) AS won_minor
  FROM rankings_money
 WHERE team <> ''
 GROUP BY team, quarter, currency
HAVING SUM(won_count) > 0
 ORDER BY quarter, team, currency`.trim();

/**
 * Per member: the ended ownership periods longer than `$1` days (count,
 * total and longest length in milliseconds), from `ownership_periods`, with
 * the member's name and current team from `ownership_members`. The open
 * period of each customer is in `ownership_customers` and is not counted.
 */
export const longOwnershipPeriodsSql = `
SELECT p.owner AS member_id,
       m.name,
       m.team,
       COUNT(*) AS periods,
       SUM(EXTRACT(EPOCH FROM p.to_at::timestamptz - p.from_at::timestamptz) * 1000) AS total_ms,
       MAX(EXTRACT(EPOCH FROM p.to_at::timestamptz - p.from_at::timestamptz) * 1000) AS longest_ms
  FROM ownership_periods p
  LEFT JOIN ownership_members m ON m.member_id = p.owner
 WHERE p.owner IS NOT NULL
   AND p.to_at::timestamptz - p.from_at::timestamptz > make_interval(days => $1)
 GROUP BY p.owner, m.name, m.team
 ORDER BY p.owner`.trim();

/**
 * The open pipeline per stage and currency, from `funnel_opportunities`:
 * count, amount and weighted amount. The weighting is the funnel's
 * (projections.md §1): per opportunity, amount × probability / 100 in minor
 * units rounded half-up, the probability being the override while there is
 * one, else the stage's. The probability is a `double precision`; like the
 * library, the SQL first rounds it to hundredths of a percent, and rounds in
 * `numeric` (half away from zero) because `round` on a double rounds half
 * to even.
 */
export const openPipelineSql = `
SELECT stage,
       currency,
       COUNT(*) AS opportunities,
       SUM(amount::numeric) AS amount_minor,
       SUM(round(amount::numeric * round((COALESCE(probability_override, stage_probability) * 100)::numeric) / 10000)) AS weighted_minor
  FROM funnel_opportunities
 WHERE status = 'open'
 GROUP BY stage, currency
 ORDER BY stage, currency`.trim();

/** The quarters and currencies the rankings tables hold anything for: which library rankings to compare with. */
export const rankedQuartersSql = `
SELECT DISTINCT substr(month, 1, 4) || '-Q' || ((substr(month, 6, 2)::int + 2) / 3) AS quarter, currency
  FROM rankings_money
 ORDER BY quarter, currency`.trim();

/** One row of `wonByTeamQuarterSql`. */
export interface TeamQuarterWins {
  readonly team: string;
  readonly quarter: string;
  readonly currency: string;
  readonly wonCount: number;
  readonly wonMinor: bigint;
}

/** One row of `longOwnershipPeriodsSql`. */
export interface LongPeriods {
  readonly memberId: string;
  readonly name: string | null;
  readonly team: string | null;
  readonly periods: number;
  readonly totalMs: number;
  readonly longestMs: number;
}

/** One row of `openPipelineSql`. */
export interface OpenStage {
  readonly stage: string;
  readonly currency: string;
  readonly opportunities: number;
  readonly amountMinor: bigint;
  readonly weightedMinor: bigint;
}

type Row = Record<string, unknown>;

/** A cell pg returned that is not what the SQL selects: the tables are not the ones this example was written for. */
const unexpected = (value: unknown, wanted: string): Error => new TypeError(`expected ${wanted} from PostgreSQL, got ${JSON.stringify(value)}`);

// pg returns bigint and numeric as strings (they may not fit a JS number); the sums here are whole numbers.
function whole(value: unknown): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'number') return BigInt(value);
  if (typeof value === 'string' && /^-?\d+(\.0+)?$/.test(value)) return BigInt(value.replace(/\.0+$/, ''));
  throw unexpected(value, 'a whole number');
}

function text(value: unknown): string {
  if (typeof value !== 'string') throw unexpected(value, 'text');
  return value;
}

const textOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : text(value));

/** Runs `wonByTeamQuarterSql`. */
export async function wonByTeamQuarter(client: pg.Client): Promise<TeamQuarterWins[]> {
  const { rows } = await client.query<Row>(wonByTeamQuarterSql);
  return rows.map((row) => ({ team: text(row['team']), quarter: text(row['quarter']), currency: text(row['currency']), wonCount: Number(whole(row['won_count'])), wonMinor: whole(row['won_minor']) }));
}

/** Runs `longOwnershipPeriodsSql` for periods longer than `minDays` days. */
export async function longOwnershipPeriods(client: pg.Client, minDays: number): Promise<LongPeriods[]> {
  const { rows } = await client.query<Row>(longOwnershipPeriodsSql, [minDays]);
  return rows.map((row) => ({
    memberId: text(row['member_id']),
    name: textOrNull(row['name']),
    team: textOrNull(row['team']),
    periods: Number(whole(row['periods'])),
    totalMs: Number(whole(row['total_ms'])),
    longestMs: Number(whole(row['longest_ms'])),
  }));
}

/** Runs `openPipelineSql`. */
export async function openPipeline(client: pg.Client): Promise<OpenStage[]> {
  const { rows } = await client.query<Row>(openPipelineSql);
  return rows.map((row) => ({
    stage: text(row['stage']),
    currency: text(row['currency']),
    opportunities: Number(whole(row['opportunities'])),
    amountMinor: whole(row['amount_minor']),
    weightedMinor: whole(row['weighted_minor']),
  }));
}

/** Runs `rankedQuartersSql`. */
export async function rankedQuarters(client: pg.Client): Promise<{ quarter: string; currency: string }[]> {
  const { rows } = await client.query<Row>(rankedQuartersSql);
  return rows.map((row) => ({ quarter: text(row['quarter']), currency: text(row['currency']) }));
}
