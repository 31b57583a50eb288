import { sql } from 'kysely';
import { RingflowError } from '../../errors.ts';
import type { ScenarioRecord, ScenariosRepository } from '../scenarios.ts';
import { atomic, nowIso, type Db, type SqlContext } from './context.ts';
import { newId } from './ids.ts';
import { isUniqueViolation, toCount } from './values.ts';

export function createScenariosRepository({ db, clock }: SqlContext): ScenariosRepository {
  return {
    async create(tenantId, name, script) {
      const now = nowIso(clock);
      const sid = newId('SC');
      return atomic(db, async (db) => {
        // The partial unique index (tenant, name) among non-deleted scenarios decides, race-free;
        // DO NOTHING instead of an error keeps a caller's PostgreSQL transaction usable.
        const inserted = await db.insertInto('scenarios')
          .values({ sid, tenant_id: tenantId, name, format: 'yaml', version: 1, created: now, updated: now, deleted: null })
          .onConflict((oc) => oc.columns(['tenant_id', 'name']).where(sql<boolean>`deleted is null`).doNothing())
          .returning('sid').executeTakeFirst();
        if (!inserted) throw new RingflowError('RF_SCENARIO_NAME_TAKEN', { name });
        await db.insertInto('scenario_versions').values({ scenario_sid: sid, version: 1, script, created: now }).execute();
        return { sid, tenantId, name, script, format: 'yaml', version: 1, created: now, updated: now } satisfies ScenarioRecord;
      });
    },

    async update(tenantId, sid, changes) {
      const wanted = changes.name;
      try {
        return await atomic(db, async (db) => {
          const current = await currentOf(db, tenantId, sid);
          if (!current) return undefined;
          const scriptChanged = changes.script !== undefined && changes.script !== current.script;
          const renamed = wanted !== undefined && wanted !== current.name;
          if (!scriptChanged && !renamed) return current;
          if (renamed) {
            const holder = await db.selectFrom('scenarios').select('sid')
              .where('tenant_id', '=', tenantId).where('name', '=', wanted).where('deleted', 'is', null)
              .executeTakeFirst();
            if (holder) throw new RingflowError('RF_SCENARIO_NAME_TAKEN', { name: wanted });
          }
          const now = nowIso(clock);
          // version + 1 in the UPDATE itself: two concurrent updates each get their own number
          // (the second waits for the first's row lock), so no version is written twice.
          const row = await db.updateTable('scenarios')
            .set((eb) => ({
              // Only what this update changes: a concurrent rename or new script is not undone.
              ...(renamed ? { name: wanted } : {}),
              version: scriptChanged ? eb('version', '+', 1) : eb.ref('version'),
              updated: now,
            }))
            .where('sid', '=', sid).where('tenant_id', '=', tenantId).where('deleted', 'is', null)
            .returning('version').executeTakeFirst();
          if (!row) return undefined;
          if (scriptChanged) {
            await db.insertInto('scenario_versions').values({ scenario_sid: sid, version: row.version, script: changes.script!, created: now }).execute();
          }
          // Read back rather than assemble: another update may have committed since `current`.
          return currentOf(db, tenantId, sid);
        });
      } catch (error) {
        // A rename that raced another scenario's create or rename to the same name.
        if (isUniqueViolation(error) && wanted !== undefined) throw new RingflowError('RF_SCENARIO_NAME_TAKEN', { name: wanted }, undefined, { cause: error });
        throw error;
      }
    },

    get: (tenantId, sid) => currentOf(db, tenantId, sid),

    async getVersion(tenantId, sid, version) {
      // Versions of deleted scenarios stay readable: runs that used them still point at them.
      // `updated` is when this version was written.
      const row = await db.selectFrom('scenarios as s')
        .innerJoin('scenario_versions as v', 'v.scenario_sid', 's.sid')
        .select(['s.sid', 's.tenant_id', 's.name', 's.format', 'v.version', 's.created', 'v.created as updated', 'v.script'])
        .where('s.tenant_id', '=', tenantId).where('s.sid', '=', sid).where('v.version', '=', version)
        .executeTakeFirst();
      return row && toRecord(row);
    },

    async byName(tenantId, name) {
      const row = await currentQuery(db).where('s.tenant_id', '=', tenantId).where('s.name', '=', name).executeTakeFirst();
      return row && toRecord(row);
    },

    async search(tenantId, search) {
      let query = db.selectFrom('scenarios as s').where('s.tenant_id', '=', tenantId).where('s.deleted', 'is', null);
      if (search.name) {
        const pattern = `%${search.name.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        query = query.where(sql<boolean>`lower(s.name) like ${pattern} escape '\\'`);
      }
      const counted = await query.select((eb) => eb.fn.countAll().as('total')).executeTakeFirstOrThrow();
      const rows = await query
        .innerJoin('scenario_versions as v', (join) => join.onRef('v.scenario_sid', '=', 's.sid').onRef('v.version', '=', 's.version'))
        .select(['s.sid', 's.tenant_id', 's.name', 's.format', 's.version', 's.created', 's.updated', 'v.script'])
        .$call((q) => search.sort === 'name'
          // Names sort as a person reads a list: `Sales` among the s's, not before every lower case.
          ? q.orderBy(sql`lower(s.name)`, search.order).orderBy('s.name', search.order)
          : q.orderBy(`s.${search.sort}`, search.order))
        .orderBy('s.sid', search.order)
        .limit(search.limit).offset(search.offset)
        .execute();
      return { total: toCount(counted.total), hits: rows.map(toRecord) };
    },

    async delete(tenantId, sid) {
      return atomic(db, async (db) => {
        const row = await db.updateTable('scenarios').set({ deleted: nowIso(clock) })
          .where('sid', '=', sid).where('tenant_id', '=', tenantId).where('deleted', 'is', null)
          .returning('sid').executeTakeFirst();
        if (!row) return false;
        await db.deleteFrom('numbers').where('scenario_sid', '=', sid).execute();
        return true;
      });
    },
  };
}

function currentQuery(db: Db) {
  return db.selectFrom('scenarios as s')
    .innerJoin('scenario_versions as v', (join) => join.onRef('v.scenario_sid', '=', 's.sid').onRef('v.version', '=', 's.version'))
    .select(['s.sid', 's.tenant_id', 's.name', 's.format', 's.version', 's.created', 's.updated', 'v.script'])
    .where('s.deleted', 'is', null);
}

async function currentOf(db: Db, tenantId: string, sid: string): Promise<ScenarioRecord | undefined> {
  const row = await currentQuery(db).where('s.tenant_id', '=', tenantId).where('s.sid', '=', sid).executeTakeFirst();
  return row && toRecord(row);
}

interface Row {
  sid: string;
  tenant_id: string;
  name: string;
  format: string;
  version: number;
  created: string;
  updated: string;
  script: string;
}

function toRecord(row: Row): ScenarioRecord {
  return {
    sid: row.sid,
    tenantId: row.tenant_id,
    name: row.name,
    script: row.script,
    format: 'yaml',
    version: row.version,
    created: row.created,
    updated: row.updated,
  };
}
