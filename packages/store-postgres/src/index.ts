/**
 * @eventcrm/store-postgres: the PostgreSQL event store (`pg`). Implements the
 * `EventStore` port from `@eventcrm/runtime` and exposes its pool and a
 * transaction helper so that read models and projection checkpoints in the
 * same database can commit together.
 */
export { createPostgresEventStore, migrate } from './postgresEventStore.ts';
export type { MigrateOptions, PostgresEventStore, PostgresEventStoreHooks, PostgresEventStoreOptions } from './postgresEventStore.ts';
export { latestMigrationVersion } from './migrations.ts';
export { defaultSchema } from './schemaNames.ts';
export { createPostgresReadModelStore } from './readModels/postgresReadModelStore.ts';
export type { PostgresReadModelStore, PostgresReadModelStoreOptions } from './readModels/postgresReadModelStore.ts';
export { ReadModelInputError } from './readModels/errors.ts';
