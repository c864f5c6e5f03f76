import { describe, expect, it } from 'vitest';
import { nextBirthday } from './birthdays.ts';

// projections.md §4: contact birthdays within 7 days. The next occurrence is
// on or after T's UTC day; February 29 falls on February 28 in common years.

describe('nextBirthday', () => {
  it('finds the occurrence later in the same year, counting whole days from the reference day', () => {
    expect(nextBirthday('03-10', '2026-03-03')).toEqual({ date: '2026-03-10', daysUntil: 7, age: null });
    expect(nextBirthday('03-10', '2026-03-03T23:59:59.999Z')).toEqual({ date: '2026-03-10', daysUntil: 7, age: null });
  });

  it('counts the birthday itself as the next occurrence on its day (0 days)', () => {
    expect(nextBirthday('03-10', '2026-03-10')).toEqual({ date: '2026-03-10', daysUntil: 0, age: null });
  });

  it('moves to next year once the day has passed, across the year end', () => {
    // 2026-03-11 → 2027-03-11 is 365 days; the 10th is one earlier.
    expect(nextBirthday('03-10', '2026-03-11')).toEqual({ date: '2027-03-10', daysUntil: 364, age: null });
    expect(nextBirthday('01-02', '2026-12-28')).toEqual({ date: '2027-01-02', daysUntil: 5, age: null });
  });

  it('gives the age reached when the birthday carries a year', () => {
    expect(nextBirthday('1990-03-10', '2026-03-05')).toEqual({ date: '2026-03-10', daysUntil: 5, age: 36 });
    expect(nextBirthday('1990-01-02', '2026-12-30')).toEqual({ date: '2027-01-02', daysUntil: 3, age: 37 });
  });

  it('keeps February 29 on February 28 in common years and on the 29th in leap years', () => {
    expect(nextBirthday('02-29', '2027-02-25')).toEqual({ date: '2027-02-28', daysUntil: 3, age: null });
    expect(nextBirthday('02-29', '2027-02-28')).toEqual({ date: '2027-02-28', daysUntil: 0, age: null });
    expect(nextBirthday('2000-02-29', '2028-02-25')).toEqual({ date: '2028-02-29', daysUntil: 4, age: 28 });
    // On March 1st of a common year the 28th has passed: next is the leap day of 2028.
    expect(nextBirthday('02-29', '2027-03-01')).toEqual({ date: '2028-02-29', daysUntil: 365, age: null });
  });

  it('is total: missing, erased or malformed birthdays have no occurrence', () => {
    expect(nextBirthday(null, '2026-03-03')).toBeNull();
    expect(nextBirthday('13-01', '2026-03-03')).toBeNull();
    expect(nextBirthday('02-30', '2026-03-03')).toBeNull();
    expect(nextBirthday('1999-02-29', '2026-03-03')).toBeNull();
    expect(nextBirthday('enc:v1:opaque', '2026-03-03')).toBeNull();
    expect(nextBirthday('03-10', 'not a day')).toBeNull();
  });
});
