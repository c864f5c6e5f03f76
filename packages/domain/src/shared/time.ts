import { z } from 'zod';

/**
 * Time in eventcrm is always an ISO-8601 UTC string with milliseconds and `Z`
 * (`2026-01-05T09:00:00.000Z`). Inputs may carry any UTC offset; they are
 * normalised once, at the edge. The domain never reads the clock: the
 * effective time of every command is handed in.
 */
export type Timestamp = string;
/** A calendar date, `YYYY-MM-DD`. */
export type CalendarDate = string;

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

const instantPattern =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)$/i;
const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

const validCalendar = (year: number, month: number, day: number): boolean =>
  month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);

/**
 * Parses an ISO-8601 instant with any offset into epoch milliseconds, or
 * `undefined` when it is not a real instant (February 30th, hour 25, ...).
 */
export function parseInstant(text: string): number | undefined {
  const match = instantPattern.exec(text);
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction, offset] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (!validCalendar(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  let offsetMinutes = 0;
  if (offset !== undefined && offset.toUpperCase() !== 'Z') {
    const sign = offset.startsWith('-') ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMins = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = sign * (offsetHours * 60 + offsetMins);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
}

/** Epoch milliseconds to the canonical `YYYY-MM-DDTHH:mm:ss.sssZ` form. */
export const toTimestamp = (millis: number): Timestamp => new Date(millis).toISOString();

/** Epoch milliseconds of a canonical timestamp. */
export const toMillis = (timestamp: Timestamp): number => Date.parse(timestamp);

/** Normalises any valid ISO-8601 instant to the canonical UTC form, or `undefined`. */
export function normaliseInstant(text: string): Timestamp | undefined {
  const millis = parseInstant(text);
  return millis === undefined || !Number.isFinite(millis) || millis < 0 || millis > MAX_MILLIS ? undefined : toTimestamp(millis);
}

/** True for a real calendar date `YYYY-MM-DD`. */
export function isCalendarDate(text: string): boolean {
  const match = datePattern.exec(text);
  if (match === null) return false;
  return validCalendar(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** Zod schema: any ISO-8601 instant, normalised to a canonical UTC timestamp. */
export const timestampSchema = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const normalised = normaliseInstant(text);
    if (normalised === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 date-time with a UTC offset, e.g. 2026-01-05T09:00:00Z' });
      return z.NEVER;
    }
    return normalised;
  });

/** Zod schema: a real calendar date `YYYY-MM-DD`. */
export const calendarDateSchema = z
  .string()
  .trim()
  .refine(isCalendarDate, { message: 'must be a calendar date YYYY-MM-DD' });

/** The UTC calendar day of a timestamp, `YYYY-MM-DD`. */
export const utcDay = (timestamp: Timestamp): CalendarDate => timestamp.slice(0, 10);

/** The UTC month of a timestamp or date, `YYYY-MM`. */
export const utcMonth = (timestampOrDate: string): string => timestampOrDate.slice(0, 7);

/** The latest instant eventcrm represents; arithmetic saturates here so timestamps keep sorting as strings. */
export const MAX_MILLIS = 253402300799999;

const saturate = (millis: number): number => Math.min(Math.max(millis, 0), MAX_MILLIS);

/** Adds hours to a timestamp (saturating at year 9999). */
export const addHours = (timestamp: Timestamp, hours: number): Timestamp => toTimestamp(saturate(toMillis(timestamp) + hours * HOUR_MS));

/** Adds days (24 h each) to a timestamp (saturating at year 9999). */
export const addDays = (timestamp: Timestamp, days: number): Timestamp => toTimestamp(saturate(toMillis(timestamp) + days * DAY_MS));

/** Compares two canonical timestamps (they sort as strings; this names the intent). */
export const compareTimestamps = (a: Timestamp, b: Timestamp): number => (a < b ? -1 : a > b ? 1 : 0);

/** The later of two timestamps, ignoring nulls. */
export function laterOf(a: Timestamp | null, b: Timestamp | null): Timestamp | null {
  if (a === null) return b;
  if (b === null) return a;
  return a >= b ? a : b;
}

/**
 * The exact-elapsed-time rule of domain.md §0: an N-day rule holds at T iff
 * `T − start ≥ N × 24 h`.
 */
export const elapsedDaysAtLeast = (start: Timestamp, at: Timestamp, days: number): boolean =>
  toMillis(at) - toMillis(start) >= days * DAY_MS;

/** Whole days elapsed from `start` to `at`, rounded down (never negative). */
export const wholeDaysBetween = (start: Timestamp, at: Timestamp): number =>
  Math.max(0, Math.floor((toMillis(at) - toMillis(start)) / DAY_MS));

/** A reporting period: a UTC year, quarter or month, as a half-open interval. */
export interface Period {
  readonly label: string;
  readonly kind: 'year' | 'quarter' | 'month';
  /** Inclusive start. */
  readonly from: Timestamp;
  /** Exclusive end. */
  readonly to: Timestamp;
  /** The months it covers, `YYYY-MM`, in order. */
  readonly months: readonly string[];
}

const periodPattern = /^(\d{4})(?:-(Q[1-4]|\d{2}))?$/;
const pad2 = (value: number): string => String(value).padStart(2, '0');

/** Parses `2026`, `2026-Q1` or `2026-03` into a period, or `undefined`. */
export function parsePeriod(text: string): Period | undefined {
  const match = periodPattern.exec(text.trim());
  if (match === null) return undefined;
  const year = Number(match[1]);
  const part = match[2];
  let firstMonth = 1;
  let count = 12;
  let kind: Period['kind'] = 'year';
  if (part !== undefined && part.startsWith('Q')) {
    firstMonth = (Number(part.slice(1)) - 1) * 3 + 1;
    count = 3;
    kind = 'quarter';
  } else if (part !== undefined) {
    firstMonth = Number(part);
    if (firstMonth < 1 || firstMonth > 12) return undefined;
    count = 1;
    kind = 'month';
  }
  const months = Array.from({ length: count }, (_, index) => `${year}-${pad2(firstMonth + index)}`);
  const from = toTimestamp(Date.UTC(year, firstMonth - 1, 1));
  const to = toTimestamp(Date.UTC(year, firstMonth - 1 + count, 1));
  return { label: text.trim(), kind, from, to, months };
}

/** Zod schema: a period `2026`, `2026-Q1` or `2026-03`, kept as its label. */
export const periodSchema = z
  .string()
  .trim()
  .refine((text) => parsePeriod(text) !== undefined, { message: 'must be a period: YYYY, YYYY-Qn or YYYY-MM' });
