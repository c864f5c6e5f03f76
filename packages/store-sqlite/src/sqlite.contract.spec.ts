import { describeEventStoreContract } from '@eventcrm/runtime/testing';
import { sqliteHarness } from './testing.ts';

describeEventStoreContract('sqlite', sqliteHarness());
// A batch size of 1 makes every multi-event read cross batch boundaries, where keyset cursor bugs hide.
describeEventStoreContract('sqlite (batchSize 1)', sqliteHarness(undefined, { batchSize: 1 }));
