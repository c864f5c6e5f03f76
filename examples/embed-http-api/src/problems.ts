import type { DomainError, ErrorCode } from '@eventcrm/runtime';

/** A rejection code of the library (domain.md §7), its public `ErrorCode`, so the table below must cover every one. */
export type DomainErrorCode = ErrorCode;

/** Codes this HTTP layer adds for what only HTTP can get wrong. */
export type HttpErrorCode =
  | 'PRECONDITION_FAILED'
  | 'PRECONDITION_REQUIRED'
  | 'INVALID_REQUEST'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'ROUTE_NOT_FOUND'
  | 'STORE_UNAVAILABLE'
  | 'INTERNAL_ERROR';

/** Every `code` a problem document of this service can carry. */
export type ProblemCode = DomainErrorCode | HttpErrorCode;

/** One row of the status table. */
export interface ProblemType {
  readonly status: number;
  /** The status when the member a `MEMBER_INACTIVE` names is the actor itself (it may no longer act at all, like `FORBIDDEN`). */
  readonly actorStatus?: number;
  /** Short, the same for every occurrence (RFC 9457 §3.1.3). */
  readonly title: string;
}

/**
 * The status table, the single source of the README's. The rule behind it:
 * 400 the input is not a valid command or query; 403 the actor may not do
 * this; 404 the target does not exist; 409 the command conflicts with the
 * current state of something it targets (another state of that thing would
 * accept it: re-read, then decide again); 422 well formed and about existing
 * things, but a business rule, limit or timing refuses it.
 */
export const problemTypes: { readonly [Code in ProblemCode]: ProblemType } = {
  INVALID_COMMAND: { status: 400, title: 'The command or query is not valid' },
  MALFORMED_JSON: { status: 400, title: 'The request body is not JSON' },
  NOT_FOUND: { status: 404, title: 'No such customer, member, opportunity or ticket' },
  FORBIDDEN: { status: 403, title: "The actor's role or ownership does not allow this" },
  MEMBER_INACTIVE: { status: 422, actorStatus: 403, title: 'A member involved is deactivated' },
  ALREADY_EXISTS: { status: 409, title: 'The id is already taken' },
  DUPLICATE_CUSTOMER: { status: 409, title: 'The phone or email belongs to another customer' },
  CONCURRENCY_CONFLICT: { status: 409, title: 'The target kept changing while the command was decided' },
  CUSTOMER_NOT_IN_POOL: { status: 409, title: 'The customer is owned, not in the pool' },
  CUSTOMER_IN_POOL: { status: 409, title: 'The customer is in the pool' },
  CUSTOMER_LOCKED: { status: 409, title: 'The customer is locked' },
  CUSTOMER_INACTIVE: { status: 409, title: 'The customer was merged or erased' },
  OPPORTUNITY_CLOSED: { status: 409, title: 'The opportunity is won or lost' },
  INVALID_TRANSITION: { status: 409, title: 'The status does not allow this move' },
  ALREADY_RATED: { status: 409, title: 'The ticket is already rated' },
  CLOCK_SKEW: { status: 409, title: 'The stream already has later events than this effective time' },
  INVALID_CONFIGURATION: { status: 422, title: 'The configuration is not valid' },
  HOLDING_LIMIT_REACHED: { status: 422, title: 'The member holds as many customers as allowed' },
  DAILY_CLAIM_LIMIT_REACHED: { status: 422, title: 'The member made as many claims today as allowed' },
  RECLAIM_COOLDOWN: { status: 422, title: 'A former owner may not claim this customer again yet' },
  NOT_DUE: { status: 422, title: 'The recycle rule does not hold yet' },
  INVALID_STAGE: { status: 422, title: 'The stage is not in the pipeline or not allowed here' },
  CURRENCY_MISMATCH: { status: 422, title: "The amount is not in the opportunity's currency" },
  PRECONDITION_FAILED: { status: 412, title: 'The customer changed since the revision in If-Match' },
  PRECONDITION_REQUIRED: { status: 428, title: 'Conditional commands need If-Match' },
  INVALID_REQUEST: { status: 400, title: 'The request is malformed' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Send application/json' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such endpoint' },
  STORE_UNAVAILABLE: { status: 503, title: 'The event store is unavailable' },
  INTERNAL_ERROR: { status: 500, title: 'Internal error' },
};

/** A problem document (RFC 9457) with this service's extension members `code` and `details`. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ProblemCode;
  readonly details: { readonly [key: string]: unknown };
  /** The command id, when the rejected input had a readable one. */
  readonly commandId?: string;
}

/** The media type of problem documents. */
export const problemMediaType = 'application/problem+json';

/** The path segment naming a code's problem type: `DUPLICATE_CUSTOMER` → `duplicate-customer`. */
export const problemSlug = (code: ProblemCode): string => code.toLowerCase().replaceAll('_', '-');

/**
 * The `type` URI of a code: a relative reference to `GET /problems/<slug>`,
 * which this service answers with the type's description. RFC 9457 asks for
 * a type that resolves to documentation; relative to the request URL, this
 * one does, on whatever host and port the service runs.
 */
export const problemTypeUri = (code: ProblemCode): string => `/problems/${problemSlug(code)}`;

/** The code of a slug, for `GET /problems/:slug`. */
export function codeOfSlug(slug: string): ProblemCode | undefined {
  const code = slug.toUpperCase().replaceAll('-', '_');
  return Object.hasOwn(problemTypes, code) ? (code as ProblemCode) : undefined;
}

/** The status a code maps to; `actor` picks `actorStatus` when the error names the actor itself. */
export function statusOf(code: ProblemCode, details: { readonly [key: string]: unknown } | undefined, actor?: string): number {
  const type = problemTypes[code];
  if (type.actorStatus !== undefined && actor !== undefined && details?.['memberId'] === actor) return type.actorStatus;
  return type.status;
}

/** Builds a problem document. */
export function problem(code: ProblemCode, detail: string, details: { readonly [key: string]: unknown } = {}, extra: { readonly actor?: string | undefined; readonly commandId?: string | undefined } = {}): Problem {
  return {
    type: problemTypeUri(code),
    title: problemTypes[code].title,
    status: statusOf(code, details, extra.actor),
    detail,
    code,
    details,
    ...(extra.commandId === undefined ? {} : { commandId: extra.commandId }),
  };
}

/** A library rejection (a command's or a query's) as a problem document. */
export function problemOfRejection(error: DomainError, extra: { readonly actor?: string | undefined; readonly commandId?: string | undefined } = {}): Problem {
  return problem(error.code, error.message, error.details ?? {}, extra);
}
