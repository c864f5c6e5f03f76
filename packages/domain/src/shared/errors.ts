/**
 * Business rejections are values, never exceptions. Every code is part of the
 * public contract (domain.md §7): callers and scripts match on `code`.
 */
export const errorCodes = [
  'INVALID_COMMAND',
  'MALFORMED_JSON',
  'INVALID_CONFIGURATION',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'FORBIDDEN',
  'MEMBER_INACTIVE',
  'DUPLICATE_CUSTOMER',
  'CUSTOMER_NOT_IN_POOL',
  'CUSTOMER_IN_POOL',
  'CUSTOMER_LOCKED',
  'CUSTOMER_INACTIVE',
  'HOLDING_LIMIT_REACHED',
  'DAILY_CLAIM_LIMIT_REACHED',
  'RECLAIM_COOLDOWN',
  'NOT_DUE',
  'INVALID_STAGE',
  'OPPORTUNITY_CLOSED',
  'INVALID_TRANSITION',
  'ALREADY_RATED',
  'CURRENCY_MISMATCH',
  'CLOCK_SKEW',
  'CONCURRENCY_CONFLICT',
] as const;

/** A stable `UPPER_SNAKE` rejection code. */
export type ErrorCode = (typeof errorCodes)[number];

/** One bad field of an input: its dotted path (`data.importance`) and what is wrong. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

/** A rejected command: nothing was appended. */
export interface DomainError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: { readonly [key: string]: unknown };
}

/** Builds a rejection; `details` is left out when not given, so outputs stay minimal. */
export function domainError(code: ErrorCode, message: string, details?: { readonly [key: string]: unknown }): DomainError {
  return details === undefined ? { code, message } : { code, message, details };
}

/** The rejection for input that failed schema validation, listing every bad field. */
export function invalidCommand(issues: readonly ValidationIssue[]): DomainError {
  const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  return domainError('INVALID_COMMAND', summary === '' ? 'invalid command' : summary, { issues });
}

const codeSet: ReadonlySet<string> = new Set(errorCodes);

/** True for a value shaped like a `DomainError` with a known code. */
export function isDomainError(value: unknown): value is DomainError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { code?: unknown; message?: unknown };
  return typeof candidate.code === 'string' && codeSet.has(candidate.code) && typeof candidate.message === 'string';
}
