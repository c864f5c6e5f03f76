import { describeReadModelContract } from '@eventcrm/runtime/testing';
import { describe } from 'vitest';
import { dropSchemas, postgresAvailableForTests, postgresTestUrl, randomSchemaName } from '../testing.ts';
import { createPostgresReadModelStore } from './postgresReadModelStore.ts';
import type { PostgresReadModelStore } from './postgresReadModelStore.ts';

/**
 * The shared read-model contract, run against PostgreSQL: each store lives
 * in a fresh random schema, dropped when the suite ends.
 */
const available = await postgresAvailableForTests();

describe.runIf(available)('PostgreSQL read models', () => {
  const schemas: string[] = [];
  const stores: PostgresReadModelStore[] = [];
  describeReadModelContract('postgres', {
    create: () => {
      const schema = randomSchemaName('eventcrm_rm');
      schemas.push(schema);
      const store = createPostgresReadModelStore({ connectionString: postgresTestUrl(), schema });
      stores.push(store);
      return Promise.resolve(store);
    },
    dispose: async () => {
      await Promise.all(stores.map((store) => store.close()));
      await dropSchemas(postgresTestUrl(), schemas);
    },
  });
});
