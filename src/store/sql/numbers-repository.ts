import { sql } from 'kysely';
import { RingflowError } from '../../errors.ts';
import type { NumberRoute, NumbersRepository } from '../numbers.ts';
import { nowIso, type SqlContext } from './context.ts';
import type { NumbersTable } from './schema.ts';

export function createNumbersRepository({ db, clock }: SqlContext): NumbersRepository {
  return {
    async assign(tenantId, scenarioSid, e164) {
      // One upsert decides: a free number is inserted, the tenant's own number moves, and another
      // tenant's number is left alone (the WHERE of DO UPDATE fails, so nothing is returned).
      const row = await db.insertInto('numbers')
        .values({ e164, tenant_id: tenantId, scenario_sid: scenarioSid, assigned: nowIso(clock) })
        .onConflict((oc) => oc.column('e164').doUpdateSet({
          scenario_sid: (eb) => eb.ref('excluded.scenario_sid'),
          // Assigning it again to the same scenario keeps the original time.
          assigned: sql<string>`case when numbers.scenario_sid = excluded.scenario_sid then numbers.assigned else excluded.assigned end`,
        }).where('numbers.tenant_id', '=', tenantId))
        .returningAll().executeTakeFirst();
      if (!row) throw new RingflowError('RF_NUMBER_TAKEN', { number: e164 });
      return toRoute(row);
    },
    async unassign(tenantId, scenarioSid, e164) {
      const rows = await db.deleteFrom('numbers')
        .where('e164', '=', e164).where('tenant_id', '=', tenantId).where('scenario_sid', '=', scenarioSid)
        .returning('e164').execute();
      return rows.length > 0;
    },
    async route(e164) {
      const row = await db.selectFrom('numbers').selectAll().where('e164', '=', e164).executeTakeFirst();
      return row && toRoute(row);
    },
    async forScenario(tenantId, scenarioSid) {
      const rows = await db.selectFrom('numbers').selectAll()
        .where('tenant_id', '=', tenantId).where('scenario_sid', '=', scenarioSid).orderBy('e164').execute();
      return rows.map(toRoute);
    },
  };
}

function toRoute(row: NumbersTable): NumberRoute {
  return { e164: row.e164, tenantId: row.tenant_id, scenarioSid: row.scenario_sid, assigned: row.assigned };
}
