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

/** Whether a stream at `revision` (`null`: no stream) satisfies the condition. */
export function ifMatchAccepts(condition: IfMatch, revision: number | null): boolean {
  if (revision === null) return false;
  return condition.kind === 'any' || condition.revisions.includes(revision);
}

/** Whether `If-None-Match` names the current tag (a GET may then answer 304). Weak comparison, as RFC 9110 §13.1.2 asks. */
export function ifNoneMatchHits(value: string, etag: string): boolean {
  if (value.trim() === '*') return true;
  return value.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
