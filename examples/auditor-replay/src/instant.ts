/**
 * The instant an auditor asks about. Times in eventcrm are canonical UTC
 * strings (`2026-01-05T09:00:00.000Z`) that compare correctly as text, so
 * the date given on the command line is brought to that form once, here,
 * and every later comparison is a plain string comparison, exactly as the
 * read model's own `ownerAsOf` compares.
 */

const instantPattern = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?))?$/i;

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** An instant the auditor asked about, and how the input was read (a bare date is the start of that UTC day). */
export interface AskedInstant {
  /** Canonical UTC form, `YYYY-MM-DDTHH:mm:ss.sssZ`. */
  readonly instant: string;
  /** True when the input was a bare date `YYYY-MM-DD`, read as 00:00:00.000 UTC that day. */
  readonly fromDate: boolean;
}

/**
 * Reads an ISO-8601 instant with a UTC offset (`2026-02-11T08:00:00Z`,
 * `2026-02-11T16:00+08:00`) or a bare calendar date (`2026-02-11`, the start
 * of that UTC day); `undefined` when it is neither or names no real instant
 * (February 30th, hour 24). Fractions beyond milliseconds are cut, as the
 * library cuts them.
 */
export function readInstant(text: string): AskedInstant | undefined {
  const match = instantPattern.exec(text.trim());
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction, offset] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (h === undefined) return { instant: new Date(Date.UTC(year, month - 1, day)).toISOString(), fromDate: true };
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (offset !== undefined && offset.toUpperCase() !== 'Z') {
    const digits = offset.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMins = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (offset.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const millis = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  const epoch = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  if (!Number.isFinite(epoch) || epoch < 0) return undefined;
  return { instant: new Date(epoch).toISOString(), fromDate: false };
}
