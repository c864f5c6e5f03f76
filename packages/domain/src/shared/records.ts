/**
 * A record entry by key, own properties only. Keys here are caller-supplied
 * identifiers, and `constructor` or `__proto__` are valid identifiers: a
 * plain `record[key]` would read `Object.prototype` instead of "absent".
 */
export const own = <Value>(record: { readonly [key: string]: Value }, key: string): Value | undefined =>
  Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
