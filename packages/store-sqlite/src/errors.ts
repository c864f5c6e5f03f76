import Database from 'better-sqlite3';
import { StoreError, isStoreError } from '@eventcrm/runtime';

const { SqliteError } = Database;

/** The SQLite result code of an error thrown by better-sqlite3, if it is one. */
export const sqliteCode = (error: unknown): string | undefined => (error instanceof SqliteError ? error.code : undefined);

/**
 * Turns whatever SQLite threw into the port's typed errors, so callers never
 * match on SQLite's codes or messages. Errors that are already store errors
 * (raised by the adapter's own checks inside a transaction) pass through
 * unchanged; anything that is not an SQLite error is a bug and is rethrown
 * as it is.
 */
export function toStoreError(error: unknown, context: { readonly path: string; readonly busyTimeoutMs: number }): unknown {
  if (isStoreError(error)) return error;
  const code = sqliteCode(error);
  if (code === undefined) return error;
  const message = (error as Error).message;
  const where = `SQLite event store ${context.path}`;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreError('STORE_UNAVAILABLE', `${where}: still locked by another connection after the ${context.busyTimeoutMs} ms busy timeout (${code})`, { cause: error });
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new StoreError('STORE_UNAVAILABLE', `${where} is read-only: ${message} (${code})`, { cause: error });
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new StoreError('STORE_CORRUPTED', `${where} is damaged or not an SQLite database: ${message} (${code})`, { cause: error });
  }
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' && message.includes('events.event_id')) {
    return new StoreError('INVALID_APPEND', `${where}: an event id in the append is already stored (${message})`, { cause: error });
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return new StoreError('STORE_UNAVAILABLE', `${where} cannot be opened: ${message} (${code})`, { cause: error });
  }
  return new StoreError('STORE_UNAVAILABLE', `${where}: ${message} (${code})`, { cause: error });
}
