import { StoreError, isStoreError } from '@eventcrm/runtime';

/**
 * Where the store connects, for error messages ("PostgreSQL at
 * 127.0.0.1:5432/test"). Never includes the password.
 */
export interface ServerLabel {
  readonly text: string;
}

/** Builds the label from a connection string or pool settings, without credentials. */
export function serverLabel(settings: { connectionString?: string | undefined; host?: string | undefined; port?: number | undefined; database?: string | undefined }): ServerLabel {
  let host = settings.host;
  let port = settings.port === undefined ? undefined : String(settings.port);
  let database = settings.database;
  if (settings.connectionString !== undefined) {
    try {
      const url = new URL(settings.connectionString);
      host = url.hostname === '' ? (url.searchParams.get('host') ?? host) : url.hostname;
      port = url.port === '' ? port : url.port;
      database = url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : database;
    } catch {
      // A libpq keyword string ("host=... port=..."): fall back to the explicit settings.
    }
  }
  return { text: `PostgreSQL at ${host ?? 'localhost'}:${port ?? '5432'}${database === undefined ? '' : `/${database}`}` };
}

const connectionErrnos: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/**
 * SQLSTATE classes that mean "the server cannot serve us right now":
 * 08 connection exception, 53 insufficient resources, 57 operator
 * intervention (shutdown, cannot connect now), 28 invalid authorisation,
 * 3D invalid catalog (the database does not exist).
 */
const unavailableClasses: ReadonlySet<string> = new Set(['08', '53', '57', '28', '3D']);

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** True for failures of the connection itself (as opposed to a rejected statement). */
export function isConnectionFailure(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined && (connectionErrnos.has(code) || unavailableClasses.has(code.slice(0, 2)))) return true;
  if (error instanceof AggregateError) return error.errors.some(isConnectionFailure);
  const message = messageOf(error);
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Cannot use a pool after calling end|Client was closed|Client has encountered a connection error/i.test(message);
}

/** True for SQLSTATE class 22 (data exception): a value PostgreSQL refuses, such as `\u0000` in jsonb. */
export const isDataException = (error: unknown): boolean => codeOf(error)?.startsWith('22') === true;

/** True when the transaction lost a deadlock or serialisation race and may simply be retried. */
export const isTransientConflict = (error: unknown): boolean => codeOf(error) === '40P01' || codeOf(error) === '40001';

/**
 * Turns whatever `pg` threw into a typed store fault. Store errors pass
 * through; connection failures become `STORE_UNAVAILABLE` naming the server;
 * a missing schema or table (someone dropped it under us) is
 * `STORE_CORRUPTED`; anything else is reported as `STORE_UNAVAILABLE` too,
 * because to the caller it means the same thing: the store could not do it,
 * and the `cause` keeps the original for the logs.
 */
export function toStoreError(error: unknown, server: ServerLabel, doing: string): StoreError {
  if (isStoreError(error)) return error;
  const code = codeOf(error);
  if (isConnectionFailure(error)) {
    return new StoreError('STORE_UNAVAILABLE', `${server.text} is unavailable while ${doing}: ${messageOf(error)}`, { cause: error });
  }
  if (code === '42P01' || code === '3F000' || code === '42883') {
    return new StoreError('STORE_CORRUPTED', `${server.text}: the event store schema is missing or incomplete while ${doing}: ${messageOf(error)}`, { cause: error });
  }
  return new StoreError('STORE_UNAVAILABLE', `${server.text} failed while ${doing}: ${messageOf(error)}${code === undefined ? '' : ` (SQLSTATE ${code})`}`, { cause: error });
}
