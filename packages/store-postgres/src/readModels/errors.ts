import { StoreError } from '@eventcrm/runtime';

/**
 * A read-model call refused for its input: an invalid table spec or
 * identifier, a cell that does not fit its column (wrong type, an unsafe
 * integer, a non-finite number, text PostgreSQL cannot store such as `\u0000`
 * or a lone surrogate), a row without its key, or a malformed checkpoint.
 * Raised before anything is written, so a refused commit leaves no trace.
 *
 * The runtime's `StoreErrorCode` has no read-model code yet, so it carries
 * `INVALID_APPEND` ("the write is invalid; nothing was written"), the
 * closest existing meaning; `isStoreError` recognises it like every other
 * store fault.
 */
export class ReadModelInputError extends StoreError {
  constructor(message: string) {
    super('INVALID_APPEND', message);
    this.name = 'ReadModelInputError';
  }
}
