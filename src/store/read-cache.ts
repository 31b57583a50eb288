// The reads every request makes — its API key, its tenant, the scenario it names, the route of the
// number an inbound call dialled — kept in memory
// for a few seconds, so a busy server does not ask the database the same thing thousands of times a
// second. Changes made through this process invalidate at once; another process's changes (a key
// revoked from the command line, a scenario changed on another node) are seen within the TTL.
// Only found records are kept: unknown keys cannot fill the memory.

import type { Clock } from '../time/clock.ts';
import type { ApiKey } from './api-keys.ts';
import type { NumberRoute } from './numbers.ts';
import type { ScenarioRecord } from './scenarios.ts';
import type { Store } from './store.ts';
import type { Tenant } from './tenants.ts';

export const KEY_TTL_MS = 5_000;
export const SCENARIO_TTL_MS = 2_000;
const MAX_ENTRIES = 10_000;

class TtlCache<V> {
  readonly #entries = new Map<string, { value: V; until: number }>();
  readonly #clock: Clock;
  readonly #ttl: number;

  constructor(clock: Clock, ttlMs: number) {
    this.#clock = clock;
    this.#ttl = ttlMs;
  }

  async get(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.#entries.get(key);
    if (hit && hit.until > this.#clock.now()) return hit.value;
    const value = await load();
    if (value === undefined) this.#entries.delete(key);
    else {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
      this.#entries.set(key, { value, until: this.#clock.now() + this.#ttl });
    }
    return value;
  }

  /** Drops every entry whose key starts with `prefix`. */
  forget(prefix: string): void {
    for (const key of this.#entries.keys()) if (key.startsWith(prefix)) this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** A Store whose hot reads are cached; writes go straight through and invalidate what they change. */
export function cachedStore(store: Store, clock: Clock): Store {
  const keys = new TtlCache<ApiKey>(clock, KEY_TTL_MS);
  const tenants = new TtlCache<Tenant>(clock, KEY_TTL_MS);
  const scenarios = new TtlCache<ScenarioRecord>(clock, SCENARIO_TTL_MS);
  const forgetScenarios = (tenantId: string) => scenarios.forget(`${tenantId}\n`);
  const routes = new TtlCache<NumberRoute>(clock, SCENARIO_TTL_MS);
  return {
    ...store,
    transaction: (work) => store.transaction(work),
    ping: () => store.ping(),
    close: () => store.close(),
    apiKeys: {
      ...store.apiKeys,
      authenticate: (secret) => keys.get(secret, () => store.apiKeys.authenticate(secret)),
      revoke: async (tenantId, id) => {
        keys.clear();
        return store.apiKeys.revoke(tenantId, id);
      },
    },
    numbers: {
      ...store.numbers,
      route: (e164) => routes.get(e164, () => store.numbers.route(e164)),
      assign: async (tenantId, scenarioSid, e164) => {
        routes.forget(e164);
        const route = await store.numbers.assign(tenantId, scenarioSid, e164);
        routes.forget(e164);
        return route;
      },
      unassign: async (tenantId, scenarioSid, e164) => {
        routes.forget(e164);
        const removed = await store.numbers.unassign(tenantId, scenarioSid, e164);
        routes.forget(e164);
        return removed;
      },
    },
    tenants: {
      ...store.tenants,
      get: (id) => tenants.get(id, () => store.tenants.get(id)),
    },
    scenarios: {
      ...store.scenarios,
      get: (tenantId, sid) => scenarios.get(`${tenantId}\nsid\n${sid}`, () => store.scenarios.get(tenantId, sid)),
      byName: (tenantId, name) => scenarios.get(`${tenantId}\nname\n${name}`, () => store.scenarios.byName(tenantId, name)),
      update: async (tenantId, sid, changes) => {
        forgetScenarios(tenantId);
        const updated = await store.scenarios.update(tenantId, sid, changes);
        forgetScenarios(tenantId);
        return updated;
      },
      delete: async (tenantId, sid) => {
        forgetScenarios(tenantId);
        const deleted = await store.scenarios.delete(tenantId, sid);
        forgetScenarios(tenantId);
        return deleted;
      },
    },
  };
}
