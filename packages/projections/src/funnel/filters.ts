import { currencyDigits, invalidCommand, isCalendarDate, normaliseInstant, type DomainError, type ValidationIssue } from '@eventcrm/domain';
import * as E from 'fp-ts/lib/Either.js';

/**
 * The sales-funnel filters of projections.md §1, all optional and combined
 * with AND: the opportunity's current owner, the current owner's current
 * team, the open-time cohort `[openedFrom, openedTo)` and the currency.
 * Bounds are dates `YYYY-MM-DD` (midnight UTC) or ISO-8601 instants with
 * any UTC offset. `undefined` (or `null`) means not given, so a caller
 * can pass optional options straight through.
 */
export interface FunnelFilters {
  readonly owner?: string | undefined;
  readonly team?: string | undefined;
  readonly openedFrom?: string | undefined;
  readonly openedTo?: string | undefined;
  readonly currency?: string | undefined;
}

/** Filters checked and normalised: `echo` is what a funnel reports back; the bounds are canonical timestamps. */
export interface ParsedFunnelFilters {
  /** The filters as given, normalised (dates stay dates, instants become canonical UTC); absent ones left out. */
  readonly echo: FunnelFilters;
  readonly owner: string | undefined;
  readonly team: string | undefined;
  /** Inclusive lower bound of the open time, a canonical timestamp. */
  readonly openedFrom: string | undefined;
  /** Exclusive upper bound of the open time, a canonical timestamp. */
  readonly openedTo: string | undefined;
  readonly currency: string | undefined;
}

const filterKeys = ['owner', 'team', 'openedFrom', 'openedTo', 'currency'] as const;

/**
 * Thrown by `salesFunnel` for filters that are not filters (a bound that is
 * no date, a non-string id, an unknown key). A filter that is well formed
 * but matches nothing is never an error: it gives an empty funnel.
 */
export class FunnelFilterError extends Error {
  readonly code = 'INVALID_COMMAND' as const;
  readonly error: DomainError;
  constructor(error: DomainError) {
    super(error.message);
    this.name = 'FunnelFilterError';
    this.error = error;
  }
}

/** True for the error `salesFunnel` throws on malformed filters. */
export const isFunnelFilterError = (value: unknown): value is FunnelFilterError => value instanceof FunnelFilterError;

/** A bound as a canonical timestamp and its echo, or undefined when it is neither a date nor an instant. */
function parseBound(value: string): { readonly at: string; readonly echo: string } | undefined {
  if (isCalendarDate(value)) return { at: `${value}T00:00:00.000Z`, echo: value };
  const at = normaliseInstant(value);
  return at === undefined ? undefined : { at, echo: at };
}

/**
 * Checks and normalises funnel filters. Every problem is reported with its
 * path (`filters.openedFrom`), as `INVALID_COMMAND` like any other input
 * that fails validation. `undefined` and `null` mean "not given".
 */
export function parseFunnelFilters(input: unknown): E.Either<DomainError, ParsedFunnelFilters> {
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) return E.left(invalidCommand([{ path: 'filters', message: 'must be an object' }]));
  const issues: ValidationIssue[] = [];
  const given = input as { readonly [key: string]: unknown };
  for (const key of Object.keys(given)) {
    if (!(filterKeys as readonly string[]).includes(key)) issues.push({ path: `filters.${key}`, message: `unknown filter ${key}` });
  }
  const echo: { -readonly [Key in keyof FunnelFilters]: string } = {};
  const values: { -readonly [Key in keyof FunnelFilters]: string } = {};
  for (const key of filterKeys) {
    const raw = given[key];
    if (raw === undefined || raw === null) continue;
    if (typeof raw !== 'string' || raw.trim() === '') {
      issues.push({ path: `filters.${key}`, message: 'must be a non-empty string' });
      continue;
    }
    const value = raw.trim();
    if (key === 'openedFrom' || key === 'openedTo') {
      const bound = parseBound(value);
      if (bound === undefined) {
        issues.push({ path: `filters.${key}`, message: 'must be a date YYYY-MM-DD or an ISO-8601 date-time with a UTC offset' });
        continue;
      }
      echo[key] = bound.echo;
      values[key] = bound.at;
    } else if (key === 'currency' && currencyDigits(value) === undefined) {
      // A misspelt currency (say `usd`) would otherwise match nothing and look like an empty funnel.
      issues.push({ path: 'filters.currency', message: 'must be an ISO-4217 currency code such as USD' });
    } else {
      echo[key] = value;
      values[key] = value;
    }
  }
  if (issues.length > 0) return E.left(invalidCommand(issues));
  return E.right({
    echo,
    owner: values.owner,
    team: values.team,
    openedFrom: values.openedFrom,
    openedTo: values.openedTo,
    currency: values.currency,
  });
}
