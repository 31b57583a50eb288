// The store: every repository, and transactions across them. Created by openStore() (sql/database.ts).

import type { MemcacheStore } from '../actions/context.ts';
import type { ApiKeysRepository } from './api-keys.ts';
import type { CallRequestsRepository } from './call-requests.ts';
import type { CallsRepository } from './calls.ts';
import type { DeliveriesRepository } from './deliveries.ts';
import type { NumbersRepository } from './numbers.ts';
import type { RecordingsRepository } from './recordings.ts';
import type { RunsRepository } from './runs.ts';
import type { ScenariosRepository } from './scenarios.ts';
import type { TenantsRepository } from './tenants.ts';

export interface Repositories {
  readonly tenants: TenantsRepository;
  readonly apiKeys: ApiKeysRepository;
  readonly scenarios: ScenariosRepository;
  readonly numbers: NumbersRepository;
  readonly runs: RunsRepository;
  readonly calls: CallsRepository;
  readonly recordings: RecordingsRepository;
  readonly callRequests: CallRequestsRepository;
  readonly deliveries: DeliveriesRepository;
  /** memcache@v1 storage, durable, with expiry. */
  readonly memcache: MemcacheStore;
}

export interface Store extends Repositories {
  /** `sqlite` or `postgres`. */
  readonly engine: 'sqlite' | 'postgres';
  /** Runs `work` in one transaction: all of it is committed, or none. */
  transaction<T>(work: (store: Repositories) => Promise<T>): Promise<T>;
  /** True when the database answers (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
