import { DAY_MS } from '../shared/numbers.ts';

/** The next occurrence of a birthday on or after a day. */
export interface BirthdayOccurrence {
  /** The day it falls on, `YYYY-MM-DD`. */
  readonly date: string;
  /** Whole days from the reference day (0 = that very day). */
  readonly daysUntil: number;
  /** The age reached that day when the birthday carries a year, else `null`. */
  readonly age: number | null;
}

const birthdayPattern = /^(?:(\d{4})-)?(\d{2})-(\d{2})$/;
const datePattern = /^(\d{4})-(\d{2})-(\d{2})/;
/** Days per month in a leap year: the widest a `MM-DD` birthday may be. */
const maxDays = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const pad = (value: number, width: number): string => String(value).padStart(width, '0');

/**
 * The day a birthday falls on in a year. February 29 is kept on February 28
 * in common years: the birthday stays in its month and is never skipped,
 * which is what a reminder is for.
 */
function occurrenceIn(year: number, month: number, day: number): number {
  const dayInYear = month === 2 && day === 29 && !isLeap(year) ? 28 : day;
  return Date.UTC(year, month - 1, dayInYear);
}

/**
 * The next occurrence of a birthday (`MM-DD` or `YYYY-MM-DD`) on or after a
 * day (`YYYY-MM-DD`, or any timestamp whose first ten characters are its UTC
 * day), or `null` for a birthday that is missing, erased or not a calendar
 * day. Total: it never throws, because decrypted personal data is whatever
 * the log holds.
 */
export function nextBirthday(birthday: string | null, onOrAfter: string): BirthdayOccurrence | null {
  if (birthday === null) return null;
  const parsed = birthdayPattern.exec(birthday);
  const reference = datePattern.exec(onOrAfter);
  if (parsed === null || reference === null) return null;
  const birthYear = parsed[1] === undefined ? null : Number(parsed[1]);
  const month = Number(parsed[2]);
  const day = Number(parsed[3]);
  if (month < 1 || month > 12 || day < 1 || day > maxDays[month - 1]!) return null;
  if (birthYear !== null && month === 2 && day === 29 && !isLeap(birthYear)) return null;
  const year = Number(reference[1]);
  const from = Date.UTC(year, Number(reference[2]) - 1, Number(reference[3]));
  let occurrenceYear = year;
  let occurrence = occurrenceIn(year, month, day);
  if (occurrence < from) {
    occurrenceYear = year + 1;
    occurrence = occurrenceIn(occurrenceYear, month, day);
  }
  const age = birthYear === null || occurrenceYear < birthYear ? null : occurrenceYear - birthYear;
  return {
    date: `${pad(occurrenceYear, 4)}-${pad(month, 2)}-${pad(new Date(occurrence).getUTCDate(), 2)}`,
    daysUntil: Math.round((occurrence - from) / DAY_MS),
    age,
  };
}
