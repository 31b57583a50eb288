import { sql } from 'kysely';
import type { CallRequestRecord, CallRequestsRepository, CallState } from '../call-requests.ts';
import type { SqlContext } from './context.ts';
import type { CallRequestsTable } from './schema.ts';
import { chunked, fromFlag, fromJson, fromJsonOrNull, toFlag, toJson } from './values.ts';

/** CallStates a request leaves; every other one is final. */
const UNFINISHED_STATES: readonly CallState[] = ['Queued', 'Dialing', 'In Progress'];

/** Ids per IN list, well below both engines' bound-parameter limits. */
const IN_BATCH = 500;

export function createCallRequestsRepository({ db }: SqlContext): CallRequestsRepository {
  return {
    async create(request) {
      await db.insertInto('call_requests').values(toRow(request)).execute();
    },
    async update(uniqueId, changes) {
      const set: Partial<CallRequestsTable> = {};
      if (changes.callState !== undefined) set.call_state = changes.callState;
      if (changes.started !== undefined) set.started = changes.started;
      if (changes.answered !== undefined) set.answered = changes.answered;
      if (changes.ended !== undefined) set.ended = changes.ended;
      if (changes.duration !== undefined) set.duration = changes.duration;
      if (changes.variables !== undefined) set.variables = toJson(changes.variables);
      if (changes.updated !== undefined) set.updated = changes.updated;
      if (Object.keys(set).length === 0) return;
      await db.updateTable('call_requests').set(set).where('unique_id', '=', uniqueId).execute();
    },
    async get(tenantId, uniqueId) {
      const row = await db.selectFrom('call_requests').selectAll().where('tenant_id', '=', tenantId).where('unique_id', '=', uniqueId).executeTakeFirst();
      return row && toRecord(row);
    },
    async unfinished(node) {
      const rows = await db.selectFrom('call_requests').selectAll('call_requests')
        // A request whose run row is missing, or older than node ownership, counts as this node's.
        .leftJoin('runs', 'runs.sid', 'call_requests.run_sid')
        .where('call_requests.call_state', 'in', UNFINISHED_STATES.map((state) => sql.lit(state)))
        .where((w) => w.or([w('runs.node', '=', node), w('runs.node', 'is', null)]))
        .orderBy('call_requests.created').orderBy('call_requests.unique_id').execute();
      return rows.map(toRecord);
    },
    async getMany(tenantId, uniqueIds) {
      const out: CallRequestRecord[] = [];
      for (const ids of chunked([...new Set(uniqueIds)], IN_BATCH)) {
        const rows = await db.selectFrom('call_requests').selectAll().where('tenant_id', '=', tenantId).where('unique_id', 'in', ids).execute();
        for (const row of rows) out.push(toRecord(row));
      }
      return out;
    },
  };
}

function toRow(r: CallRequestRecord): CallRequestsTable {
  return {
    unique_id: r.uniqueId,
    tenant_id: r.tenantId,
    run_sid: r.runSid,
    conversation_id: r.conversationId,
    project: r.project,
    scenario_sid: r.scenarioSid,
    destination: r.destination,
    display_number: r.displayNumber,
    call_state: r.callState,
    result_destination: r.resultDestination,
    send_result_immediately: toFlag(r.sendResultImmediately),
    orchestrator_url: r.orchestratorUrl,
    end_user: r.endUser === null ? null : toJson(r.endUser),
    locale: r.locale,
    variables: toJson(r.variables),
    created: r.created,
    updated: r.updated,
    started: r.started,
    answered: r.answered,
    ended: r.ended,
    duration: r.duration,
  };
}

function toRecord(row: CallRequestsTable): CallRequestRecord {
  return {
    uniqueId: row.unique_id,
    tenantId: row.tenant_id,
    runSid: row.run_sid,
    conversationId: row.conversation_id,
    project: row.project,
    scenarioSid: row.scenario_sid,
    destination: row.destination,
    displayNumber: row.display_number,
    callState: row.call_state as CallState,
    resultDestination: row.result_destination,
    sendResultImmediately: fromFlag(row.send_result_immediately),
    orchestratorUrl: row.orchestrator_url,
    endUser: fromJsonOrNull<CallRequestRecord['endUser']>(row.end_user),
    locale: row.locale,
    variables: fromJson<Record<string, unknown>>(row.variables),
    created: row.created,
    updated: row.updated,
    started: row.started,
    answered: row.answered,
    ended: row.ended,
    duration: row.duration,
  };
}
