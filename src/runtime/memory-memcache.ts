// memcache@v1 storage in memory, per tenant, with expiry on the injected clock: the engine's default,
// for the simulator and tests. The server passes a durable one from the database instead.

import type { MemcacheStore } from '../actions/context.ts';
import type { Clock } from '../time/clock.ts';

interface Entry {
  value: unknown;
  /** ms since the epoch; undefined: never expires. */
  expires: number | undefined;
}

export function createMemoryMemcache(clock: Clock): MemcacheStore {
  const tenants = new Map<string, Map<string, Entry>>();
  const live = (entries: Map<string, Entry>, key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry?.expires !== undefined && entry.expires <= clock.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const expiry = (ttl: number | undefined) => (ttl ? clock.now() + ttl * 1000 : undefined);

  return {
    forTenant(tenant) {
      let entries = tenants.get(tenant);
      if (!entries) tenants.set(tenant, (entries = new Map()));
      const map = entries;
      return {
        async get(key) {
          return structuredClone(live(map, key)?.value);
        },
        async set(key, value, ttl) {
          map.set(key, { value: structuredClone(value), expires: expiry(ttl) });
        },
        async incr(key, delta, ttl) {
          const entry = live(map, key);
          const current = entry === undefined ? 0 : entry.value;
          if (typeof current !== 'number') return undefined;
          const value = current + delta;
          map.set(key, { value, expires: ttl ? expiry(ttl) : entry?.expires });
          return value;
        },
        async delete(key) {
          const existed = live(map, key) !== undefined;
          map.delete(key);
          return existed;
        },
      };
    },
  };
}
