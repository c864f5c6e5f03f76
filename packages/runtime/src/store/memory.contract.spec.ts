import { describeEventStoreContract, inMemoryStoreHarness } from '../testing/index.ts';

describeEventStoreContract('memory', inMemoryStoreHarness());
// A batch size of 1 makes every multi-event read cross batch boundaries, where cursor bugs hide.
describeEventStoreContract('memory (batchSize 1)', inMemoryStoreHarness({ batchSize: 1 }));
