/**
 * Deterministic ids for commands issued by policies: the same trigger and
 * target always give the same id, so re-running a policy finds its earlier
 * command already recorded and appends nothing (domain.md §0).
 *
 * The id is a 128-bit FNV-1a digest (two 64-bit lanes with different offset
 * bases) of the parts, short enough for the 64-character identifier rule.
 */
const FNV_PRIME = 0x100000001b3n;
const MASK = (1n << 64n) - 1n;

function fnv1a64(text: string, offset: bigint): bigint {
  let hash = offset;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= BigInt(text.charCodeAt(index));
    hash = (hash * FNV_PRIME) & MASK;
  }
  return hash;
}

/** A policy command id from its parts (trigger, target, …): `p-` and 32 hex digits. */
export function policyCommandId(...parts: readonly string[]): string {
  const text = parts.join('\u0000');
  const high = fnv1a64(text, 0xcbf29ce484222325n).toString(16).padStart(16, '0');
  const low = fnv1a64(text, 0x84222325cbf29ce4n).toString(16).padStart(16, '0');
  return `p-${high}${low}`;
}
