import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { JsonObject, JsonValue } from '../store/port.ts';

/**
 * Crypto-shredding (domain.md §3, ErasePersonalData): personal fields are
 * stored encrypted with a per-subject key (AES-256-GCM, a fresh IV per
 * value); erasure destroys the key, after which every earlier copy of those
 * fields is unreadable and decodes as `null`. The hash chain covers the
 * stored (encrypted) bytes, so erasure never breaks it.
 */
const PREFIX = 'enc:v1:';

/** A new random data key, base64. */
export const newDataKey = (): string => randomBytes(32).toString('base64');

/** True for a value this module encrypted. */
export const isEncrypted = (value: unknown): value is string => typeof value === 'string' && value.startsWith(PREFIX);

/** Encrypts a JSON string value with a base64 key. */
export function encryptValue(plain: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

/** Decrypts a value; `null` when it cannot be (wrong or destroyed key, tampered bytes). */
export function decryptValue(stored: string, key: Buffer): string | null {
  try {
    const raw = Buffer.from(stored.slice(PREFIX.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

type Transform = (value: JsonValue) => JsonValue;

function mapPath(value: JsonValue, path: readonly string[], transform: Transform): JsonValue {
  if (path.length === 0) return transform(value);
  const [head, ...rest] = path;
  if (head === '*') return Array.isArray(value) ? (value as readonly JsonValue[]).map((item) => mapPath(item, rest, transform)) : value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const record = value as { readonly [key: string]: JsonValue };
  if (head === undefined || !(head in record)) return value;
  return { ...record, [head]: mapPath(record[head]!, rest, transform) };
}

/** Applies a transform to the fields at dotted paths (`contacts.*.name`) of an event's data. */
export function mapFields(data: JsonObject, paths: readonly string[], transform: Transform): JsonObject {
  let result: JsonValue = data;
  for (const path of paths) result = mapPath(result, path.split('.'), transform);
  return result as JsonObject;
}

/** Encrypts the string values at the given paths (nulls stay null). */
export const encryptFields = (data: JsonObject, paths: readonly string[], key: Buffer): JsonObject =>
  mapFields(data, paths, (value) => (typeof value === 'string' ? encryptValue(value, key) : value));

/** Decrypts the values at the given paths; with no key (erased) they become `null`. */
export const decryptFields = (data: JsonObject, paths: readonly string[], key: Buffer | undefined): JsonObject =>
  mapFields(data, paths, (value) => (isEncrypted(value) ? (key === undefined ? null : decryptValue(value, key)) : value));
