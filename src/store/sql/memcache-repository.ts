// memcache@v1 in the database: per tenant, with expiry on the injected clock. Numbers live in their
// own column so `incr` is one atomic upsert on both engines.

import { sql } from 'kysely';
import type { MemcacheRepository, MemcacheStore } from '../../actions/context.ts';
import { laterIso, nowIso, type SqlContext } from './context.ts';
import type { MemcacheTable } from './schema.ts';

export function createMemcacheStore({ db, clock }: SqlContext): MemcacheStore {
  /** Expiry of an entry written now with `ttlSeconds` (0 or absent: never). */
  const expiry = (ttlSeconds: number | undefined) => (ttlSeconds ? laterIso(clock, ttlSeconds * 1000) : null);
  const live = (expires: string | null, now: string) => expires === null || expires > now;

  return {
    forTenant(tenant): MemcacheRepository {
      return {
        async get(key) {
          const row = await db.selectFrom('memcache').select(['value', 'num', 'expires'])
            .where('tenant_id', '=', tenant).where('key', '=', key).executeTakeFirst();
          if (!row || !live(row.expires, nowIso(clock))) return undefined;
          return read(row);
        },

        async set(key, value, ttlSeconds) {
          const row = { tenant_id: tenant, key, ...write(value), expires: expiry(ttlSeconds) };
          await db.insertInto('memcache').values(row)
            .onConflict((oc) => oc.columns(['tenant_id', 'key']).doUpdateSet({ value: row.value, num: row.num, expires: row.expires }))
            .execute();
        },

        async incr(key, delta, ttlSeconds) {
          const now = nowIso(clock);
          // A missing or expired key starts from 0; a live number is added to; a live non-number
          // matches neither branch of the WHERE, so nothing is written and nothing returned. The
          // row lock of the upsert makes concurrent increments add up on PostgreSQL too.
          const row = await db.insertInto('memcache')
            .values({ tenant_id: tenant, key, value: null, num: delta, expires: expiry(ttlSeconds) })
            .onConflict((oc) => oc.columns(['tenant_id', 'key']).doUpdateSet({
              num: sql<number>`case when ${expired(now)} then excluded.num else memcache.num + excluded.num end`,
              value: null,
              // A new ttl restarts the expiry; without one a live key keeps its own.
              expires: ttlSeconds
                ? sql<string>`excluded.expires`
                : sql<string | null>`case when ${expired(now)} then null else memcache.expires end`,
            }).where(sql<boolean>`memcache.num is not null or ${expired(now)}`))
            .returning('num').executeTakeFirst();
          return row?.num ?? undefined;
        },

        async delete(key) {
          const row = await db.deleteFrom('memcache').where('tenant_id', '=', tenant).where('key', '=', key)
            .returning('expires').executeTakeFirst();
          return row !== undefined && live(row.expires, nowIso(clock));
        },
      };
    },
  };
}

/** The existing row's expiry has passed (a SQL condition on the conflicting row). */
function expired(now: string) {
  return sql<boolean>`(memcache.expires is not null and memcache.expires <= ${now})`;
}

function write(value: unknown): Pick<MemcacheTable, 'value' | 'num'> {
  if (typeof value === 'number' && Number.isFinite(value)) return { value: null, num: value };
  // Values are JSON data; anything JSON cannot hold (undefined, NaN) is stored as null.
  return { value: JSON.stringify(value ?? null) ?? 'null', num: null };
}

function read(row: Pick<MemcacheTable, 'value' | 'num'>): unknown {
  if (row.num !== null) return Number(row.num);
  return row.value === null ? null : JSON.parse(row.value);
}
