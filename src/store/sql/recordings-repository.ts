import type { RecordingRecord, RecordingsRepository } from '../recordings.ts';
import type { SqlContext } from './context.ts';
import type { RecordingsTable } from './schema.ts';

export function createRecordingsRepository({ db }: SqlContext): RecordingsRepository {
  return {
    async create(recording) {
      await db.insertInto('recordings').values({
        sid: recording.sid,
        tenant_id: recording.tenantId,
        run_sid: recording.runSid,
        call_sid: recording.callSid,
        path: recording.path,
        duration_ms: Math.round(recording.durationMs),
        format: recording.format,
        created: recording.created,
      }).execute();
    },
    async get(tenantId, sid) {
      const row = await db.selectFrom('recordings').selectAll().where('tenant_id', '=', tenantId).where('sid', '=', sid).executeTakeFirst();
      return row && toRecording(row);
    },
    async forRun(runSid) {
      const rows = await db.selectFrom('recordings').selectAll().where('run_sid', '=', runSid).orderBy('created').orderBy('sid').execute();
      return rows.map(toRecording);
    },
  };
}

function toRecording(row: RecordingsTable): RecordingRecord {
  return {
    sid: row.sid,
    tenantId: row.tenant_id,
    runSid: row.run_sid,
    callSid: row.call_sid,
    path: row.path,
    durationMs: row.duration_ms,
    format: 'wav',
    created: row.created,
  };
}
