import { createHash } from 'node:crypto';
import { RingflowError } from '../../errors.ts';
import type { ApiKey, ApiKeysRepository } from '../api-keys.ts';
import { nowIso, type SqlContext } from './context.ts';
import { newId, randomBase64url } from './ids.ts';
import type { ApiKeysTable } from './schema.ts';

/** Characters of the key kept in clear, to recognise it in a list (`rf_` and 5 more). */
const PREFIX_LENGTH = 8;

export function createApiKeysRepository({ db, clock }: SqlContext): ApiKeysRepository {
  return {
    async create(tenantId, name) {
      const secret = `rf_${randomBase64url(32)}`;
      const row: ApiKeysTable = {
        id: newId('AK'),
        tenant_id: tenantId,
        name: name ?? null,
        prefix: secret.slice(0, PREFIX_LENGTH),
        key_hash: hashKey(secret),
        created: nowIso(clock),
        revoked: null,
      };
      await db.insertInto('api_keys').values(row).execute();
      return { key: toApiKey(row), secret };
    },
    async register(tenantId, secret, name) {
      const keyHash = hashKey(secret);
      const row: ApiKeysTable = {
        id: newId('AK'),
        tenant_id: tenantId,
        name: name ?? null,
        prefix: secret.slice(0, PREFIX_LENGTH),
        key_hash: keyHash,
        created: nowIso(clock),
        revoked: null,
      };
      const inserted = await db.insertInto('api_keys').values(row).onConflict((oc) => oc.column('key_hash').doNothing())
        .returning('id').executeTakeFirst();
      if (inserted) return toApiKey(row);
      const existing = await db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirstOrThrow();
      // The same text configured for two tenants: handing back the other tenant's key would let one
      // act as the other.
      if (existing.tenant_id !== tenantId) throw new RingflowError('RF_API_KEY_TAKEN', {});
      return toApiKey(existing);
    },
    async authenticate(secret) {
      const row = await db.selectFrom('api_keys').selectAll()
        .where('key_hash', '=', hashKey(secret)).where('revoked', 'is', null)
        .executeTakeFirst();
      return row && toApiKey(row);
    },
    async list(tenantId) {
      const rows = await db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId)
        .orderBy('created').orderBy('id').execute();
      return rows.map(toApiKey);
    },
    async revoke(tenantId, id) {
      // Revoking twice keeps the first time, and still answers true: the key exists and is revoked.
      const rows = await db.updateTable('api_keys')
        .set((eb) => ({ revoked: eb.fn.coalesce('revoked', eb.val(nowIso(clock))) }))
        .where('tenant_id', '=', tenantId).where('id', '=', id)
        .returning('id').execute();
      return rows.length > 0;
    },
  };
}

/** Keys are 256 random bits, so a plain SHA-256 is enough: there is nothing to guess or salt. */
function hashKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function toApiKey(row: ApiKeysTable): ApiKey {
  return { id: row.id, tenantId: row.tenant_id, name: row.name, prefix: row.prefix, created: row.created, revoked: row.revoked };
}
