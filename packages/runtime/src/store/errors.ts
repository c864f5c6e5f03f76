import type { ExpectedRevision } from './port.ts';

/**
 * Infrastructure faults raised by event stores. Business rejections are
 * values (`DomainError`); these are exceptions, each with a stable `code` and
 * an `isXError` guard, so callers never match on messages or classes across
 * package copies.
 */
export type StoreErrorCode =
  | 'WRONG_EXPECTED_REVISION'
  | 'COMMAND_ALREADY_RECORDED'
  | 'RESERVATION_CONFLICT'
  | 'STORE_UNAVAILABLE'
  | 'STORE_CORRUPTED'
  | 'INVALID_APPEND';

/** Base class of every store fault. */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  /** In `appendBatch`, the index of the request that failed. */
  requestIndex?: number;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

/** A stream did not match the writer's expectation; nothing was written. */
export class WrongExpectedRevisionError extends StoreError {
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** The stream's actual last revision, `null` when it does not exist. */
    readonly actual: number | null,
  ) {
    super('WRONG_EXPECTED_REVISION', `stream ${stream}: expected ${String(expected)}, actual ${actual === null ? 'no stream' : String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** The command id already produced events; nothing was written. */
export class CommandAlreadyRecordedError extends StoreError {
  constructor(readonly commandId: string) {
    super('COMMAND_ALREADY_RECORDED', `command ${commandId} is already recorded`);
    this.name = 'CommandAlreadyRecordedError';
  }
}

/** A unique key is held by another owner; nothing was written. */
export class ReservationConflictError extends StoreError {
  constructor(
    readonly key: string,
    /** The owner holding the key. */
    readonly owner: string,
  ) {
    super('RESERVATION_CONFLICT', `key ${key} is reserved by ${owner}`);
    this.name = 'ReservationConflictError';
  }
}

const hasCode = (error: unknown, code: StoreErrorCode): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;

const storeErrorCodes: ReadonlySet<string> = new Set<StoreErrorCode>([
  'WRONG_EXPECTED_REVISION',
  'COMMAND_ALREADY_RECORDED',
  'RESERVATION_CONFLICT',
  'STORE_UNAVAILABLE',
  'STORE_CORRUPTED',
  'INVALID_APPEND',
]);

/** True for any store fault (also across duplicated package copies, by code). */
export const isStoreError = (error: unknown): error is StoreError =>
  error instanceof StoreError ||
  (error instanceof Error && storeErrorCodes.has(String((error as { code?: unknown }).code)));

/** True when an append failed on a stream's expected revision. */
export const isWrongExpectedRevisionError = (error: unknown): error is WrongExpectedRevisionError => hasCode(error, 'WRONG_EXPECTED_REVISION');

/** True when an append failed because its command id was already recorded. */
export const isCommandAlreadyRecordedError = (error: unknown): error is CommandAlreadyRecordedError => hasCode(error, 'COMMAND_ALREADY_RECORDED');

/** True when an append failed on a unique reservation. */
export const isReservationConflictError = (error: unknown): error is ReservationConflictError => hasCode(error, 'RESERVATION_CONFLICT');
