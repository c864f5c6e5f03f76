/**
 * @eventcrm/store-sqlite: the embedded default event store, one SQLite file
 * (better-sqlite3, WAL) that several processes can append to at once, and
 * that read models can share.
 */
export { createSqliteEventStore } from './store.ts';
export type { SqliteEventStore, SqliteEventStoreOptions } from './store.ts';
export { eventStoreComponent, eventStoreSchemaVersion } from './schema.ts';
export { createSqliteReadModelStore } from './readModels/sqliteReadModelStore.ts';
export type { SqliteReadModelStore, SqliteReadModelStoreOptions } from './readModels/sqliteReadModelStore.ts';
export { ReadModelInputError } from './readModels/errors.ts';
export { readModelComponent, readModelSchemaVersion } from './readModels/migrations.ts';
