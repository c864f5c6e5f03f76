import * as E from 'fp-ts/lib/Either.js';
import { z } from 'zod';
import { configureCommandSchemas, type ConfigureCommand } from './config/configure.ts';
import { customerCommandSchemas } from './customer/commands.ts';
import type { CustomerCommand } from './customer/decide.ts';
import { memberCommandSchemas } from './member/commands.ts';
import type { MemberCommand } from './member/decide.ts';
import { opportunityCommandSchemas } from './opportunity/commands.ts';
import type { OpportunityCommand } from './opportunity/decide.ts';
import { domainError, invalidCommand, type DomainError, type ValidationIssue } from './shared/errors.ts';
import { identifierSchema } from './shared/text.ts';
import { normaliseInstant, toMillis, toTimestamp, type Timestamp } from './shared/time.ts';
import { ticketCommandSchemas } from './ticket/commands.ts';
import type { TicketCommand } from './ticket/decide.ts';

/** Every command's `data` schema by command name: the public command catalogue. */
export const commandSchemas = {
  ...memberCommandSchemas,
  ...customerCommandSchemas,
  ...opportunityCommandSchemas,
  ...ticketCommandSchemas,
  ...configureCommandSchemas,
} as const;

/** A command name. */
export type CommandName = keyof typeof commandSchemas;
/** Every command name, in catalogue order. */
export const commandNames = Object.keys(commandSchemas) as readonly CommandName[];

/** Any validated command, with its id and effective time resolved. */
export type CrmCommand = MemberCommand | CustomerCommand | OpportunityCommand | TicketCommand | ConfigureCommand;

/**
 * The command envelope as it arrives (NDJSON line or library call). Strict:
 * unknown keys, including `__proto__` and `constructor`, are rejected.
 */
export const commandEnvelopeSchema = z.strictObject({
  command: z.string(),
  id: identifierSchema.optional(),
  actor: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, { message: 'must be a member id or system' }),
  at: z.string().optional(),
  data: z.unknown(),
  correlationId: identifierSchema.optional(),
  causationId: z.string().min(1).max(200).optional(),
});

/** What parsing needs from the outside world: the clock and an id generator. */
export interface ParseEnvironment {
  /** The injected clock's current time. */
  readonly now: Timestamp;
  /** Generates a command id when the input has none (the runtime uses UUIDv7). */
  readonly newId: () => string;
}

/** How far ahead of the clock an effective time may lie. */
const MAX_FUTURE_MS = 5 * 60_000;

const toIssues = (issues: readonly z.core.$ZodIssue[], prefix: readonly string[]): ValidationIssue[] =>
  issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    return keys.map((key) => ({
      path: [...prefix, ...issue.path.map(String), ...(key === undefined ? [] : [key])].join('.') || '(root)',
      message: issue.message,
    }));
  }).flat();

const commandNameSet: ReadonlySet<string> = new Set(commandNames);

/**
 * Validates any input as a command (domain.md §0): the strict envelope, a
 * known command name, the command's own data schema (strings trimmed,
 * values normalised), and an effective time at most five minutes ahead of
 * the clock. Never throws; every bad field is reported with its path.
 */
export function parseCommand(input: unknown, environment: ParseEnvironment): E.Either<DomainError, CrmCommand> {
  const envelope = commandEnvelopeSchema.safeParse(input);
  if (!envelope.success) {
    const issues = toIssues(envelope.error.issues, []);
    // Name an unknown command too, so the first message is not only about a missing field of it.
    const name = typeof input === 'object' && input !== null ? (input as { command?: unknown }).command : undefined;
    if (typeof name === 'string' && !commandNameSet.has(name) && !issues.some((issue) => issue.path === 'command')) {
      issues.unshift({ path: 'command', message: `unknown command ${name}` });
    }
    return E.left(invalidCommand(issues));
  }
  const { command, id, actor, at, data, correlationId, causationId } = envelope.data;
  if (!commandNameSet.has(command)) {
    return E.left(invalidCommand([{ path: 'command', message: `unknown command ${command}` }]));
  }
  const issues: ValidationIssue[] = [];
  let effectiveAt = environment.now;
  if (at !== undefined) {
    const normalised = normaliseInstant(at);
    if (normalised === undefined) {
      issues.push({ path: 'at', message: 'must be an ISO-8601 date-time with a UTC offset, e.g. 2026-01-05T09:00:00Z' });
    } else if (toMillis(normalised) > toMillis(environment.now) + MAX_FUTURE_MS) {
      issues.push({ path: 'at', message: `must not lie more than 5 minutes ahead of the clock (${toTimestamp(toMillis(environment.now) + MAX_FUTURE_MS)})` });
    } else {
      effectiveAt = normalised;
    }
  }
  const schema = commandSchemas[command as CommandName] as z.ZodType;
  issues.push(...unencodableText(data, ['data']));
  const parsedData = schema.safeParse(data);
  if (!parsedData.success) issues.push(...toIssues(parsedData.error.issues, ['data']));
  if (issues.length > 0 || !parsedData.success) return E.left(invalidCommand(issues));
  const commandId = id ?? environment.newId();
  return E.right({
    command,
    id: commandId,
    actor,
    at: effectiveAt,
    data: parsedData.data,
    correlationId: correlationId ?? commandId,
    causationId: causationId ?? null,
  } as CrmCommand);
}

const nul = '\u0000';
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Strings no store can keep faithfully: NUL (PostgreSQL `jsonb` refuses it)
 * and unpaired UTF-16 surrogates (not valid Unicode). Rejected at the edge so
 * every store accepts exactly the same commands.
 */
function unencodableText(value: unknown, path: readonly string[], depth = 0): ValidationIssue[] {
  if (typeof value === 'string') {
    if (value.includes(nul)) return [{ path: path.join('.'), message: 'must not contain the NUL character' }];
    if (loneSurrogate.test(value)) return [{ path: path.join('.'), message: 'must be valid Unicode (an unpaired surrogate was found)' }];
    return [];
  }
  if (value === null || typeof value !== 'object' || depth > 32) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) => unencodableText(inner, [...path, key], depth + 1));
}

/** The rejection for an NDJSON line that is not JSON. */
export const malformedJson = (message: string): DomainError => domainError('MALFORMED_JSON', message);
