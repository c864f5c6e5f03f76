import type { DomainError } from '@eventcrm/runtime';

/** What a query string declares: the parameters it requires and those it allows (`'any'`: pass every name on, for a library call that checks names itself). */
export interface QuerySpec {
  readonly required?: readonly string[];
  readonly optional?: readonly string[] | 'any';
  /** Prefix of issue paths, to match the library's own paths for the same call (`filters.` for the funnel). */
  readonly pathPrefix?: string;
}

interface Issue {
  readonly path: string;
  readonly message: string;
}

/** The `INVALID_COMMAND` rejection the library itself gives for bad arguments, so every 400 of the service reads the same. */
export function invalidArguments(issues: readonly Issue[]): DomainError {
  return { code: 'INVALID_COMMAND', message: issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '), details: { issues } };
}

/**
 * Reads a parsed query string into single string values, or the
 * `INVALID_COMMAND` naming every bad parameter: a repeated one (which value
 * would be meant?), an unknown one (a typo must not silently widen a report)
 * and a missing required one.
 */
export function readQuery(query: unknown, spec: QuerySpec): { readonly ok: true; readonly values: Readonly<Record<string, string>> } | { readonly ok: false; readonly error: DomainError } {
  const prefix = spec.pathPrefix ?? '';
  const allowed = spec.optional === 'any' ? undefined : new Set([...(spec.required ?? []), ...(spec.optional ?? [])]);
  const values: Record<string, string> = {};
  const issues: Issue[] = [];
  const entries = typeof query === 'object' && query !== null ? Object.entries(query as Record<string, unknown>) : [];
  for (const [name, value] of entries) {
    if (allowed !== undefined && !allowed.has(name)) issues.push({ path: `${prefix}${name}`, message: `unknown query parameter; allowed: ${[...allowed].join(', ') || 'none'}` });
    else if (typeof value !== 'string') issues.push({ path: `${prefix}${name}`, message: 'given more than once' });
    else Object.defineProperty(values, name, { value, enumerable: true, writable: true, configurable: true });
  }
  for (const name of spec.required ?? []) {
    if (!Object.hasOwn(values, name) && !issues.some((issue) => issue.path === `${prefix}${name}`)) issues.push({ path: `${prefix}${name}`, message: 'required' });
  }
  return issues.length === 0 ? { ok: true, values } : { ok: false, error: invalidArguments(issues) };
}

const identifier = /^[A-Za-z0-9._:-]{1,64}$/;

/** `undefined` for a valid identifier (domain.md §0), else the rejection naming `path`. */
export function checkIdentifier(value: string, path: string): DomainError | undefined {
  return identifier.test(value) ? undefined : invalidArguments([{ path, message: 'must be 1-64 characters of A-Z a-z 0-9 . _ : -' }]);
}
