import { describeEventStoreContract } from '@eventcrm/runtime/testing';
import { describe } from 'vitest';
import { createPostgresHarness, postgresAvailableForTests } from './testing.ts';

/**
 * The shared event store contract, run against PostgreSQL: every test gets
 * stores in fresh random schemas, dropped when the suite ends.
 */
const available = await postgresAvailableForTests();

describe.runIf(available)('PostgreSQL', () => {
  describeEventStoreContract('postgres', createPostgresHarness());
});
