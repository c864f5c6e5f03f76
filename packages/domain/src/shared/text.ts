import { z } from 'zod';

/**
 * Text rules of domain.md §0: strings are trimmed; names and titles are
 * 1–200 characters; free text at most 10,000; identifiers 1–64 characters
 * of `[A-Za-z0-9._:-]`; phones normalise to 6–20 digits; emails are valid
 * addresses of at most 254 characters, compared trimmed and lower-cased.
 */
export const identifierSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,64}$/, { message: 'must be 1-64 characters of A-Z a-z 0-9 . _ : -' });

/** A member id: an identifier other than the reserved actor name `system`. */
export const memberIdSchema = identifierSchema.refine((id) => id !== SYSTEM_ACTOR, { message: '"system" is reserved for the system actor' });

/** The built-in actor for imports, policies and migrations. */
export const SYSTEM_ACTOR = 'system';

/** A name or title: trimmed, 1–200 characters. */
export const nameSchema = z.string().trim().min(1, { message: 'must not be empty' }).max(200, { message: 'must be at most 200 characters' });

/** Free text (summary, description, body, resolution, note): trimmed, at most 10,000 characters. */
export const freeTextSchema = z.string().trim().max(10_000, { message: 'must be at most 10000 characters' });

/** Free text that must say something. */
export const requiredTextSchema = freeTextSchema.min(1, { message: 'must not be empty' });

const phoneCharacters = /^\+?[0-9 ()./-]+$/;

/**
 * Normalises a phone number: a leading `+` is kept, every other non-digit
 * separator is dropped; a number without a country code is not guessed.
 * Returns `undefined` when it is not a phone number of 6–20 digits.
 */
export function normalisePhone(raw: string): string | undefined {
  const trimmed = raw.trim();
  if (!phoneCharacters.test(trimmed)) return undefined;
  const digits = trimmed.replace(/[^0-9]/g, '');
  if (digits.length < 6 || digits.length > 20) return undefined;
  return trimmed.startsWith('+') ? `+${digits}` : digits;
}

/** The digits of a normalised phone: what the duplicate check compares. */
export const phoneDigits = (phone: string): string => phone.replace(/[^0-9]/g, '');

/** Zod schema: a phone, normalised. */
export const phoneSchema = z.string().transform((raw, ctx) => {
  const phone = normalisePhone(raw);
  if (phone === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be a phone number of 6-20 digits (digits, spaces, + ( ) . / - only)' });
    return z.NEVER;
  }
  return phone;
});

/** Normalises an email for storage and comparison: trimmed and lower-cased. */
export const normaliseEmail = (raw: string): string => raw.trim().toLowerCase();

/** Zod schema: an email address of at most 254 characters, normalised. */
export const emailSchema = z
  .string()
  .trim()
  .max(254, { message: 'must be at most 254 characters' })
  .pipe(z.email({ message: 'must be a valid email address' }))
  .transform(normaliseEmail);

/**
 * Folds a name for the similar-name check: Unicode-normalised, case-folded,
 * with spaces, punctuation and symbols removed ("ACME, Ltd." ≈ "acme ltd").
 */
export const foldName = (name: string): string =>
  name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}\p{Z}\s]+/gu, '');

/** Reservation key for a customer's phone (its digits). */
export const phoneKey = (phone: string): string => `phone:${phoneDigits(phone)}`;

/** Reservation key for a customer's email. */
export const emailKey = (email: string): string => `email:${normaliseEmail(email)}`;

/** A birthday: `MM-DD` or a full date `YYYY-MM-DD`. */
export const birthdaySchema = z
  .string()
  .trim()
  .refine(
    (text) => {
      const monthDay = /^(\d{2})-(\d{2})$/.exec(text);
      if (monthDay !== null) {
        const month = Number(monthDay[1]);
        const day = Number(monthDay[2]);
        return month >= 1 && month <= 12 && day >= 1 && day <= [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
      }
      const full = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
      if (full === null) return false;
      const date = new Date(Date.UTC(Number(full[1]), Number(full[2]) - 1, Number(full[3])));
      return date.getUTCMonth() === Number(full[2]) - 1 && date.getUTCDate() === Number(full[3]);
    },
    { message: 'must be MM-DD or YYYY-MM-DD' },
  );
