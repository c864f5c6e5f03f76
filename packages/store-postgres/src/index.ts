/**
 * @eventcrm/store-postgres: the PostgreSQL event store (`pg`) and the
 * PostgreSQL read-model store. Implements the `EventStore` and
 * `ReadModelStore` ports from `@eventcrm/runtime`; the read models and
 * projection checkpoints live in the event store's schema and share its
 * pool and transaction helper.
 */
export { createPostgresEventStore, migrate } from './postgresEventStore.ts';
export type { MigrateOptions, PostgresEventStore, PostgresEventStoreHooks, PostgresEventStoreOptions } from './postgresEventStore.ts';
export { latestMigrationVersion } from './migrations.ts';
export { defaultSchema } from './schemaNames.ts';
export { createPostgresReadModelStore } from './readModels/postgresReadModelStore.ts';
export type { PostgresReadModelStore, PostgresReadModelStoreOptions } from './readModels/postgresReadModelStore.ts';
export { ReadModelInputError } from './readModels/errors.ts';
