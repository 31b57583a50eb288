import { RingflowError } from '../../errors.ts';
import type { Tenant, TenantsRepository } from '../tenants.ts';
import { nowIso, type SqlContext } from './context.ts';
import { newId, randomHex } from './ids.ts';
import type { TenantsTable } from './schema.ts';

export function createTenantsRepository({ db, clock }: SqlContext): TenantsRepository {
  return {
    async create(name) {
      const row: TenantsTable = { id: newId('TN'), name, webhook_secret: randomHex(32), created: nowIso(clock) };
      // ON CONFLICT DO NOTHING rather than catching the violation: inside a PostgreSQL transaction
      // an error would abort the caller's whole transaction.
      const inserted = await db.insertInto('tenants').values(row).onConflict((oc) => oc.column('name').doNothing())
        .returning('id').executeTakeFirst();
      if (!inserted) throw new RingflowError('RF_TENANT_EXISTS', { name });
      return toTenant(row);
    },
    async get(id) {
      const row = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toTenant(row);
    },
    async byName(name) {
      const row = await db.selectFrom('tenants').selectAll().where('name', '=', name).executeTakeFirst();
      return row && toTenant(row);
    },
    async list() {
      const rows = await db.selectFrom('tenants').selectAll().orderBy('name').orderBy('id').execute();
      return rows.map(toTenant);
    },
  };
}

function toTenant(row: TenantsTable): Tenant {
  return { id: row.id, name: row.name, webhookSecret: row.webhook_secret, created: row.created };
}
