import type { Cdr } from '../../telephony/port.ts';
import type { CallRecord, CallsRepository } from '../calls.ts';
import type { SqlContext } from './context.ts';
import { decodeCallCursor, encodeCallCursor } from './call-cursor.ts';
import type { CallsTable } from './schema.ts';
import { fromJson, toJson } from './values.ts';

export function createCallsRepository({ db }: SqlContext): CallsRepository {
  return {
    async save(call) {
      const row = toRow(call);
      // `created` is never rewritten: it is the call's place in the keyset pagination.
      await db.insertInto('calls').values(row)
        .onConflict((oc) => oc.column('sid').doUpdateSet({
          run_sid: row.run_sid,
          direction: row.direction,
          from_number: row.from_number,
          to_number: row.to_number,
          status: row.status,
          cdr: row.cdr,
          attached_data: row.attached_data,
          updated: row.updated,
        }).where('calls.tenant_id', '=', row.tenant_id))
        .execute();
    },

    async get(tenantId, sid) {
      const row = await db.selectFrom('calls').selectAll().where('tenant_id', '=', tenantId).where('sid', '=', sid).executeTakeFirst();
      return row && toCall(row);
    },

    async list(tenantId, filter, cursor, limit) {
      let query = db.selectFrom('calls').selectAll().where('tenant_id', '=', tenantId);
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      if (filter.direction !== undefined) query = query.where('direction', '=', filter.direction);
      if (filter.runSid !== undefined) query = query.where('run_sid', '=', filter.runSid);
      if (filter.since !== undefined) query = query.where('created', '>=', filter.since);
      if (filter.until !== undefined) query = query.where('created', '<', filter.until);
      const number = filter.number;
      if (number !== undefined) query = query.where((eb) => eb.or([eb('from_number', '=', number), eb('to_number', '=', number)]));
      if (cursor !== undefined) {
        // Keyset: strictly after the last call shown, in (created, sid) descending order. Calls
        // inserted meanwhile are newer, so they land before the first page, never inside this one.
        const after = decodeCallCursor(cursor);
        query = query.where((eb) => eb(eb.refTuple('created', 'sid'), '<', eb.tuple(after.created, after.sid)));
      }
      const size = Math.max(1, Math.floor(limit));
      const rows = await query.orderBy('created', 'desc').orderBy('sid', 'desc').limit(size + 1).execute();
      const hits = rows.slice(0, size).map(toCall);
      const last = hits.at(-1);
      return { hits, next: rows.length > size && last ? encodeCallCursor(last) : null };
    },

    async forRun(runSid) {
      const rows = await db.selectFrom('calls').selectAll().where('run_sid', '=', runSid).orderBy('created').orderBy('sid').execute();
      return rows.map(toCall);
    },
  };
}

function toRow(call: CallRecord): CallsTable {
  return {
    sid: call.sid,
    tenant_id: call.tenantId,
    run_sid: call.runSid,
    direction: call.direction,
    from_number: call.from,
    to_number: call.to,
    status: call.status,
    cdr: toJson(call.cdr),
    attached_data: toJson(call.attachedData),
    created: call.created,
    updated: call.updated,
  };
}

function toCall(row: CallsTable): CallRecord {
  return {
    sid: row.sid,
    tenantId: row.tenant_id,
    runSid: row.run_sid,
    direction: row.direction as CallRecord['direction'],
    from: row.from_number,
    to: row.to_number,
    status: row.status,
    cdr: fromJson<Cdr>(row.cdr),
    attachedData: fromJson<Record<string, unknown>>(row.attached_data),
    created: row.created,
    updated: row.updated,
  };
}
