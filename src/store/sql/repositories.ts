// Every repository over one database handle: the root one for the store, a transaction's inside
// Store.transaction, so whatever `work` does commits or rolls back together.

import type { Repositories } from '../store.ts';
import { createApiKeysRepository } from './api-keys-repository.ts';
import { createCallRequestsRepository } from './call-requests-repository.ts';
import { createCallsRepository } from './calls-repository.ts';
import type { SqlContext } from './context.ts';
import { createDeliveriesRepository } from './deliveries-repository.ts';
import { createMemcacheStore } from './memcache-repository.ts';
import { createNumbersRepository } from './numbers-repository.ts';
import { createRecordingsRepository } from './recordings-repository.ts';
import { createRunsRepository } from './runs-repository.ts';
import { createScenariosRepository } from './scenarios-repository.ts';
import { createTenantsRepository } from './tenants-repository.ts';

export function createRepositories(context: SqlContext): Repositories {
  return {
    tenants: createTenantsRepository(context),
    apiKeys: createApiKeysRepository(context),
    scenarios: createScenariosRepository(context),
    numbers: createNumbersRepository(context),
    runs: createRunsRepository(context),
    calls: createCallsRepository(context),
    recordings: createRecordingsRepository(context),
    callRequests: createCallRequestsRepository(context),
    deliveries: createDeliveriesRepository(context),
    memcache: createMemcacheStore(context),
  };
}
