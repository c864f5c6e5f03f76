import { describe, expect, it } from 'vitest';
import { addDays, addHours, isCalendarDate, normaliseInstant, parsePeriod, utcDay, utcMonth, wholeDaysBetween } from './time.ts';

// domain.md §0 Time, Dates, Periods, Durations.

describe('instants: any UTC offset in, YYYY-MM-DDTHH:mm:ss.sssZ out', () => {
  it.each([
    ['2026-01-05T09:00:00.000Z', '2026-01-05T09:00:00.000Z'],
    ['2026-01-05T09:00:00Z', '2026-01-05T09:00:00.000Z'],
    ['2026-01-05T09:00Z', '2026-01-05T09:00:00.000Z'],
    ['2026-01-05T17:00:00+08:00', '2026-01-05T09:00:00.000Z'],
    ['2026-01-05T17:00:00+0800', '2026-01-05T09:00:00.000Z'],
    ['2026-01-05T17:00:00+08', '2026-01-05T09:00:00.000Z'],
    ['2026-01-05T04:30:00-04:30', '2026-01-05T09:00:00.000Z'],
    ['2026-01-01T01:00:00+02:00', '2025-12-31T23:00:00.000Z'],
    ['2026-01-05T09:00:00.5Z', '2026-01-05T09:00:00.500Z'],
    ['2026-01-05T09:00:00.123456789Z', '2026-01-05T09:00:00.123Z'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
  ])('%s is %s', (text, canonical) => {
    expect(normaliseInstant(text)).toBe(canonical);
  });

  it('keeps every millisecond exactly', () => {
    for (let millis = 0; millis < 1000; millis += 1) {
      const fraction = String(millis).padStart(3, '0');
      expect(normaliseInstant(`2026-01-05T09:00:00.${fraction}Z`)).toBe(`2026-01-05T09:00:00.${fraction}Z`);
    }
  });

  it.each([
    '2026-01-05T09:00:00', // no offset: not UTC-anchored
    '2026-02-30T09:00:00Z',
    '2026-02-29T09:00:00Z', // 2026 is not a leap year
    '2026-13-01T09:00:00Z',
    '2026-01-05T24:00:00Z',
    '2026-01-05T09:60:00Z',
    '2026-01-05T09:00:60Z',
    '2026-01-05T09:00:00+24:00',
    '2026-01-05',
    '05/01/2026 09:00',
    'yesterday',
    '',
  ])('"%s" is not an instant', (text) => {
    expect(normaliseInstant(text)).toBeUndefined();
  });
});

describe('calendar dates YYYY-MM-DD', () => {
  it.each(['2026-01-31', '2028-02-29', '2026-12-31'])('%s is a date', (text) => expect(isCalendarDate(text)).toBe(true));
  it.each(['2026-02-30', '2026-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-1-5', '20260105'])('%s is not a date', (text) =>
    expect(isCalendarDate(text)).toBe(false),
  );
});

describe('periods: year, quarter, month, UTC, half-open', () => {
  it('a year', () => {
    expect(parsePeriod('2026')).toEqual({
      label: '2026',
      kind: 'year',
      from: '2026-01-01T00:00:00.000Z',
      to: '2027-01-01T00:00:00.000Z',
      months: ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12'],
    });
  });

  it('a quarter', () => {
    expect(parsePeriod('2026-Q4')).toEqual({
      label: '2026-Q4',
      kind: 'quarter',
      from: '2026-10-01T00:00:00.000Z',
      to: '2027-01-01T00:00:00.000Z',
      months: ['2026-10', '2026-11', '2026-12'],
    });
  });

  it('a month', () => {
    expect(parsePeriod('2026-02')).toEqual({ label: '2026-02', kind: 'month', from: '2026-02-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z', months: ['2026-02'] });
  });

  it.each(['2026-Q5', '2026-Q0', '2026-13', '2026-00', '2026-q1', '26', '2026-3', 'Q1-2026'])('"%s" is not a period', (text) => {
    expect(parsePeriod(text)).toBeUndefined();
  });
});

describe('durations compare exact elapsed time (N × 24 h), rounded down for display', () => {
  it('adds days and hours as exact multiples of 24 h and 1 h', () => {
    expect(addDays('2026-03-28T12:00:00.000Z', 2)).toBe('2026-03-30T12:00:00.000Z');
    expect(addHours('2026-01-05T23:30:00.000Z', 1)).toBe('2026-01-06T00:30:00.000Z');
  });

  it('counts whole days rounded down, never negative', () => {
    expect(wholeDaysBetween('2026-01-05T09:00:00.000Z', '2026-02-04T08:59:59.999Z')).toBe(29);
    expect(wholeDaysBetween('2026-01-05T09:00:00.000Z', '2026-02-04T09:00:00.000Z')).toBe(30);
    expect(wholeDaysBetween('2026-01-05T09:00:00.000Z', '2026-02-05T08:59:59.999Z')).toBe(30);
    expect(wholeDaysBetween('2026-01-05T09:00:00.000Z', '2026-01-04T09:00:00.000Z')).toBe(0);
  });

  it('the UTC day and month of an instant', () => {
    expect(utcDay('2026-01-05T23:59:59.999Z')).toBe('2026-01-05');
    expect(utcMonth('2026-01-05T23:59:59.999Z')).toBe('2026-01');
  });
});
