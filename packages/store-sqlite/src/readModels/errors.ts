import { StoreError } from '@eventcrm/runtime';

/**
 * A read-model call refused for its input: an invalid table spec, identifier
 * or namespace, a cell that does not fit its column (wrong type, an unsafe
 * integer, a non-finite number, text with a lone surrogate, JSON that would
 * not read back as written), a row without its key, a malformed checkpoint,
 * or a table whose stored shape differs from the spec it is written with.
 * Raised before or inside the write transaction, so a refused call leaves no
 * trace.
 *
 * The runtime's `StoreErrorCode` has no read-model code yet, so it carries
 * `INVALID_APPEND` ("the write is invalid; nothing was written"), the
 * closest existing meaning and the one the PostgreSQL read-model store uses;
 * `isStoreError` recognises it like every other store fault.
 */
export class ReadModelInputError extends StoreError {
  constructor(message: string) {
    super('INVALID_APPEND', message);
    this.name = 'ReadModelInputError';
  }
}
