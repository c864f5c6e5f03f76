import { describeReadModelContract } from '../testing/readModelContract.ts';
import { createInMemoryReadModelStore } from './memoryReadModels.ts';

describeReadModelContract('memory', { create: () => Promise.resolve(createInMemoryReadModelStore()) });
