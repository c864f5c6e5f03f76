/**
 * Entity tags over stream revisions. A customer's representation is a pure
 * function of its stream, so the stream's revision is a strong validator:
 * `"7"` is the customer after its eighth event.
 */

/** The strong entity tag of a stream revision. */
export const etagOf = (revision: number): string => `"${revision}"`;

/**
 * A parsed `If-Match` (RFC 9110 §13.1.1): `*` (any current representation,
 * i.e. the customer exists) or the revisions named by strong tags. Weak tags
 * and tags that are not a revision are kept out of `revisions`: `If-Match`
 * uses the strong comparison, so they can never match.
 */
export type IfMatch = { readonly kind: 'any' } | { readonly kind: 'revisions'; readonly revisions: readonly number[] };

const entityTag = /[ \t]*(W\/)?"([\x21\x23-\x7E\x80-\xFF]*)"[ \t]*(?:,|$)/y;
const revisionText = /^(?:0|[1-9][0-9]{0,14})$/;

/** Parses an `If-Match` field value; `undefined` when it is not one (a 400, not a 412). */
export function parseIfMatch(value: string): IfMatch | undefined {
  if (value.trim() === '*') return { kind: 'any' };
  const revisions: number[] = [];
  entityTag.lastIndex = 0;
  let matched = false;
  while (entityTag.lastIndex < value.length) {
    const start = entityTag.lastIndex;
    const found = entityTag.exec(value);
    if (found === null || entityTag.lastIndex === start) return undefined;
    matched = true;
    const [, weak, opaque = ''] = found;
    if (weak === undefined && revisionText.test(opaque)) revisions.push(Number(opaque));
  }
  return matched ? { kind: 'revisions', revisions } : undefined;
}

/**
 * How `Crm.execute` is to check an `If-Match`, given the stream's revision read
 * just before. The executor checks an expected revision when it decides (after
 * the idempotent replay and the validation of the command, so those answer
 * first) and, for a stream the command writes, appends on top of exactly that
 * revision, so "the condition held" and "written on top of what the client
 * saw" are one fact.
 * - `expect`: pass `revision` as the stream's expected revision. A revision
 *   the condition accepts when there is one; `no_stream` when an existing
 *   stream is at a revision it does not accept (a stream never stops existing,
 *   so that fails for sure); for a missing stream, a revision the condition
 *   accepts, in case the stream appears at exactly that one meanwhile.
 * - `none`: `*` on an existing stream holds from now on, so nothing is checked.
 * - `unsatisfiable`: a missing stream and no revision named (only weak tags):
 *   nothing the executor can be told would be right, so a 412 at once.
 */
export type Expectation =
  | { readonly kind: 'expect'; readonly revision: number | 'no_stream' }
  | { readonly kind: 'none' }
  | { readonly kind: 'unsatisfiable' };

/** The expectation that enforces `condition` on a stream now at `current` (`null`: no stream); see `Expectation`. */
export function expectationOf(condition: IfMatch, current: number | null): Expectation {
  if (current !== null) {
    if (condition.kind === 'any') return { kind: 'none' };
    return { kind: 'expect', revision: condition.revisions.includes(current) ? current : 'no_stream' };
  }
  const first = condition.kind === 'any' ? 0 : condition.revisions[0];
  return first === undefined ? { kind: 'unsatisfiable' } : { kind: 'expect', revision: first };
}

/** Whether `If-None-Match` names the current tag (a GET may then answer 304). Weak comparison, as RFC 9110 §13.1.2 asks. */
export function ifNoneMatchHits(value: string, etag: string): boolean {
  if (value.trim() === '*') return true;
  return value.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
