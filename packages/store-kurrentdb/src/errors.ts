import { StoreError, isStoreError } from '@eventcrm/runtime';

/**
 * The client errors the adapter reacts to, recognised by shape rather than
 * by class: the KurrentDB 1.x and EventStoreDB 6.x clients each bring their
 * own copies of the same classes (so `instanceof` against one misses the
 * other), both tag them with a `type` string (`ErrorType` in
 * `utils/CommandError.d.ts`), and some failures arrive untranslated, as a raw
 * gRPC `ServiceError` with a numeric `code` (a refused connection on append
 * does), or as a plain `Error` from discovery.
 */
export type ClientFailure =
  /** An expected revision or consistency check failed: nothing was written. */
  | { readonly kind: 'conflict'; readonly conflicts: readonly StreamConflict[] }
  | { readonly kind: 'not_found' }
  /** The stream was deleted or tombstoned. */
  | { readonly kind: 'deleted'; readonly serverStream: string | undefined }
  /** The server could not be reached, timed out, or is not the leader. */
  | { readonly kind: 'unavailable' }
  | { readonly kind: 'access_denied' }
  /** The server is too old for the operation (`UnsupportedError`). */
  | { readonly kind: 'unsupported'; readonly feature: string; readonly minimumVersion: string }
  /** The append exceeded a server size limit. */
  | { readonly kind: 'too_large' }
  | { readonly kind: 'unknown' };

/** One stream whose state did not match; `actual` as the client reports it. */
export interface StreamConflict {
  readonly serverStream: string;
  readonly actual: 'no_stream' | bigint | undefined;
}

/**
 * Raised by the adapter's own client wrapper when an append the server
 * refused comes back as a value (`success: false`, for clients made with
 * `throwOnAppendFailure: false`) instead of an exception, so that both reach
 * the same handling. Shaped like the clients' `WrongExpectedVersionError`.
 */
export class RejectedAppend extends Error {
  readonly type = 'wrong-expected-version';
  constructor(
    readonly streamName: string,
    readonly actualState: 'no_stream' | bigint,
  ) {
    super(`append to ${streamName} rejected: the stream is at ${String(actualState)}`);
    this.name = 'RejectedAppend';
  }
}

// gRPC status codes (`@grpc/grpc-js` `status`), for errors the clients leave untranslated.
const grpcStatus = { cancelled: 1, deadlineExceeded: 4, permissionDenied: 7, resourceExhausted: 8, unavailable: 14, unauthenticated: 16 } as const;

const unavailableTypes: ReadonlySet<string> = new Set(['unavailable', 'deadline-exceeded', 'timeout', 'not-leader', 'cancelled']);
const tooLargeTypes: ReadonlySet<string> = new Set(['maximum-append-size-exceeded', 'transaction-max-size-exceeded', 'append-record-size-exceeded']);
const unreachableMessage = /ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|No connection established|Failed to discover|client error \(Connect\)/;

const field = (error: object, name: string): unknown => (error as Record<string, unknown>)[name];

/** A string field of an error object, or the fallback. */
const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);

function stateOf(value: unknown): 'no_stream' | bigint | undefined {
  if (value === 'no_stream') return 'no_stream';
  return typeof value === 'bigint' ? value : undefined;
}

/** What a client error means to the adapter. */
export function classifyClientError(error: unknown): ClientFailure {
  if (typeof error !== 'object' || error === null) return { kind: 'unknown' };
  const type = field(error, 'type');
  if (typeof type === 'string') {
    switch (type) {
      case 'wrong-expected-version':
        return {
          kind: 'conflict',
          conflicts: [
            {
              serverStream: text(field(error, 'streamName'), ''),
              // KurrentDB 1.x calls it `actualState`, EventStoreDB 6.x `actualVersion`.
              actual: stateOf(field(error, 'actualState') ?? field(error, 'actualVersion')),
            },
          ],
        };
      case 'append-consistency-violation': {
        const violations = field(error, 'violations');
        const conflicts = Array.isArray(violations)
          ? violations.map((violation: unknown): StreamConflict => {
              const record = (typeof violation === 'object' && violation !== null ? violation : {}) as Record<string, unknown>;
              return { serverStream: text(record['streamName'], ''), actual: stateOf(record['actualState']) };
            })
          : [];
        return { kind: 'conflict', conflicts };
      }
      case 'stream-not-found':
        return { kind: 'not_found' };
      case 'stream-deleted':
      case 'stream-tombstoned': {
        const stream = field(error, 'streamName') ?? field(error, 'stream');
        return { kind: 'deleted', serverStream: typeof stream === 'string' ? stream : undefined };
      }
      case 'access-denied':
        return { kind: 'access_denied' };
      case 'unsupported':
        return { kind: 'unsupported', feature: text(field(error, 'feature'), 'this operation'), minimumVersion: text(field(error, 'minimumVersion'), 'a newer version') };
      default:
        if (unavailableTypes.has(type)) return { kind: 'unavailable' };
        if (tooLargeTypes.has(type)) return { kind: 'too_large' };
    }
  }
  const code = field(error, 'code');
  if (typeof code === 'number') {
    if (code === grpcStatus.unavailable || code === grpcStatus.deadlineExceeded || code === grpcStatus.cancelled) return { kind: 'unavailable' };
    if (code === grpcStatus.unauthenticated || code === grpcStatus.permissionDenied) return { kind: 'access_denied' };
    if (code === grpcStatus.resourceExhausted) return { kind: 'too_large' };
  }
  const message = field(error, 'message');
  if (typeof message === 'string' && unreachableMessage.test(message)) return { kind: 'unavailable' };
  return { kind: 'unknown' };
}

/**
 * The port's error for a failed client call that is not a conflict (the
 * caller handles conflicts, which need the plan to name streams in the
 * port's terms). Store errors pass through; every other failure becomes a
 * `StoreError`, so nothing the client throws leaks past the adapter untyped.
 */
export function toStoreError(error: unknown, action: string): StoreError {
  if (isStoreError(error)) return error;
  const failure = classifyClientError(error);
  const reason = error instanceof Error ? error.message : String(error);
  switch (failure.kind) {
    case 'unavailable':
      return new StoreError('STORE_UNAVAILABLE', `KurrentDB is unavailable (${action}): ${reason}`, { cause: error });
    case 'access_denied':
      return new StoreError('STORE_UNAVAILABLE', `KurrentDB denied access (${action}); check the credentials in the connection string: ${reason}`, { cause: error });
    case 'unsupported':
      return new StoreError('INVALID_APPEND', `${action} needs ${failure.feature}, which requires KurrentDB ${failure.minimumVersion} or later; nothing was written`, { cause: error });
    case 'too_large':
      return new StoreError('INVALID_APPEND', `${action} exceeds a KurrentDB size limit; nothing was written: ${reason}`, { cause: error });
    case 'deleted':
      return new StoreError('STORE_CORRUPTED', `${action}: stream ${failure.serverStream ?? '(unknown)'} was deleted in KurrentDB behind the adapter's back: ${reason}`, { cause: error });
    case 'conflict':
    case 'not_found':
    case 'unknown':
      return new StoreError('STORE_UNAVAILABLE', `KurrentDB failed (${action}): ${reason}`, { cause: error });
  }
}
