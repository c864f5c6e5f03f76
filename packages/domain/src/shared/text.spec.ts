import { describe, expect, it } from 'vitest';
import { emailKey, foldName, normaliseEmail, normalisePhone, phoneKey } from './text.ts';

// domain.md §3 Duplicate check: phones compare by their digits as given (a
// number without a country code is not guessed); emails trimmed and
// lower-cased; similar names by case/space/punctuation-folded equality.
// domain.md §0: a phone normalises to 6–20 digits.

describe('phone normalisation', () => {
  it.each([
    ['+86 10 1234 5678', '+861012345678'],
    ['+861012345678', '+861012345678'],
    ['861012345678', '861012345678'],
    ['+86 (10) 1234-5678', '+861012345678'],
    ['  010.1234.5678 ', '01012345678'],
    ['123456', '123456'],
    ['12345678901234567890', '12345678901234567890'],
  ])('%s is %s', (raw, normalised) => {
    expect(normalisePhone(raw)).toBe(normalised);
  });

  it.each(['12345', '123456789012345678901', 'call me', '86+1012345678', '++861012345678', '1012345678 ext 5', ''])('"%s" is not a phone number', (raw) => {
    expect(normalisePhone(raw)).toBeUndefined();
  });

  it('compares numbers by their digits: with and without "+" and spaces they are the same key', () => {
    const keys = ['+86 10 1234 5678', '+861012345678', '861012345678'].map((raw) => phoneKey(normalisePhone(raw)!));
    expect(keys).toEqual(['phone:861012345678', 'phone:861012345678', 'phone:861012345678']);
  });

  it('does not guess a country code: a national number is a different key', () => {
    expect(phoneKey(normalisePhone('010 1234 5678')!)).toBe('phone:01012345678');
    expect(phoneKey(normalisePhone('010 1234 5678')!)).not.toBe(phoneKey(normalisePhone('+86 10 1234 5678')!));
  });
});

describe('email normalisation', () => {
  it('trims and lower-cases', () => {
    expect(normaliseEmail('  Info@ACME.com ')).toBe('info@acme.com');
    expect(emailKey(' INFO@acme.COM')).toBe('email:info@acme.com');
  });
});

describe('name folding for the similar-name flag', () => {
  it.each([
    ['ACME, Ltd.', 'acmeltd'],
    ['acme ltd', 'acmeltd'],
    ['  Acme-Ltd ', 'acmeltd'],
    ['ＡＣＭＥ　Ｌｔｄ', 'acmeltd'],
    ['北京 科技·有限公司', '北京科技有限公司'],
  ])('%s folds to %s', (name, folded) => {
    expect(foldName(name)).toBe(folded);
  });

  it('keeps names that differ in letters apart', () => {
    expect(foldName('Acme Ltd')).not.toBe(foldName('Acne Ltd'));
  });
});
