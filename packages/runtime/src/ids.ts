import { v7 as uuidv7 } from 'uuid';

/**
 * Command and event ids the library generates when the caller gives none:
 * UUIDv7, so they sort by creation time and index well.
 */
export const newId = (): string => uuidv7();
