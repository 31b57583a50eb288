import type { RunError, RunStatus } from '../../runtime/run.ts';
import type { TimelineEvent } from '../../runtime/timeline.ts';
import type { RunRecord, RunsRepository } from '../runs.ts';
import { atomic, laterIso, nowIso, type Db, type SqlContext } from './context.ts';
import type { RunsTable } from './schema.ts';
import { chunked, fromJson, fromJsonOrNull, toCount, toJson } from './values.ts';

/** How long an Idempotency-Key is remembered. */
const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** Timeline rows per INSERT (3 parameters each, far below both engines' limits). */
const TIMELINE_BATCH = 500;

export function createRunsRepository({ db, clock }: SqlContext): RunsRepository {
  return {
    async create(run) {
      await insertRun(db, run);
    },

    async createIdempotent(run, key, requestHash) {
      const cutoff = laterIso(clock, -KEY_LIFETIME_MS);
      return atomic(db, async (db) => {
        // Claim the key: insert it, or take over an expired one. Of two concurrent requests with
        // the same key, PostgreSQL makes the second wait on the first's uncommitted row and then
        // finds it taken; SQLite runs one transaction at a time. Only the claimant inserts a run.
        const claimed = await db.insertInto('run_keys')
          .values({ tenant_id: run.tenantId, key, run_sid: run.sid, request_hash: requestHash, created: nowIso(clock) })
          .onConflict((oc) => oc.columns(['tenant_id', 'key']).doUpdateSet({
            run_sid: (eb) => eb.ref('excluded.run_sid'),
            request_hash: (eb) => eb.ref('excluded.request_hash'),
            created: (eb) => eb.ref('excluded.created'),
          }).where('run_keys.created', '<=', cutoff))
          .returning('run_sid').executeTakeFirst();
        if (claimed) {
          await insertRun(db, run);
          return { created: true as const, run };
        }
        const holder = await db.selectFrom('run_keys').innerJoin('runs', 'runs.sid', 'run_keys.run_sid')
          .selectAll('runs').select('run_keys.request_hash')
          .where('run_keys.tenant_id', '=', run.tenantId).where('run_keys.key', '=', key)
          .executeTakeFirstOrThrow();
        return { created: false as const, run: toRun(holder), sameRequest: holder.request_hash === requestHash };
      });
    },

    async update(sid, changes) {
      const set: Partial<RunsTable> = {};
      if (changes.status !== undefined) set.status = changes.status;
      if (changes.variables !== undefined) set.variables = toJson(changes.variables);
      if (changes.error !== undefined) set.error = changes.error === null ? null : toJson(changes.error);
      if (changes.started !== undefined) set.started = changes.started;
      if (changes.ended !== undefined) set.ended = changes.ended;
      if (Object.keys(set).length === 0) return;
      await db.updateTable('runs').set(set).where('sid', '=', sid).execute();
    },

    async get(tenantId, sid) {
      const row = await db.selectFrom('runs').selectAll().where('tenant_id', '=', tenantId).where('sid', '=', sid).executeTakeFirst();
      return row && toRun(row);
    },

    async list(tenantId, filter) {
      let query = db.selectFrom('runs').where('tenant_id', '=', tenantId);
      if (filter.scenarioSid !== undefined) query = query.where('scenario_sid', '=', filter.scenarioSid);
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      const counted = await query.select((eb) => eb.fn.countAll().as('total')).executeTakeFirstOrThrow();
      const rows = await query.selectAll().orderBy('created', 'desc').orderBy('sid', 'desc')
        .limit(filter.limit).offset(filter.offset).execute();
      return { total: toCount(counted.total), hits: rows.map(toRun) };
    },

    async appendTimeline(runSid, events) {
      const rows = events.map(({ seq, event }) => ({ run_sid: runSid, seq, event: toJson(event) }));
      const batches = chunked(rows, TIMELINE_BATCH);
      if (batches.length === 0) return;
      // A batch written again (a retry after an unclear failure) is ignored, not an error.
      const write = async (db: Db) => {
        for (const batch of batches) {
          await db.insertInto('timeline_events').values(batch).onConflict((oc) => oc.columns(['run_sid', 'seq']).doNothing()).execute();
        }
      };
      await (batches.length === 1 ? write(db) : atomic(db, write));
    },

    async timeline(runSid) {
      const rows = await db.selectFrom('timeline_events').select('event').where('run_sid', '=', runSid).orderBy('seq').execute();
      return rows.map((row) => fromJson<TimelineEvent>(row.event));
    },

    async failUnfinished(node, error, ended) {
      const rows = await db.updateTable('runs')
        .set({ status: 'failed', error: toJson(error), ended })
        .where('status', 'in', ['queued', 'running'])
        .where((w) => w.or([w('node', '=', node), w('node', 'is', null)]))
        .returningAll().execute();
      return rows.map(toRun).sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0));
    },
  };
}

async function insertRun(db: Db, run: RunRecord): Promise<void> {
  await db.insertInto('runs').values({
    sid: run.sid,
    tenant_id: run.tenantId,
    scenario_sid: run.scenarioSid,
    scenario_version: run.scenarioVersion,
    type: run.type,
    status: run.status,
    variables: toJson(run.variables),
    error: run.error === null ? null : toJson(run.error),
    created: run.created,
    started: run.started,
    ended: run.ended,
    node: run.node,
  }).execute();
}

function toRun(row: RunsTable): RunRecord {
  return {
    sid: row.sid,
    tenantId: row.tenant_id,
    scenarioSid: row.scenario_sid,
    scenarioVersion: row.scenario_version,
    type: row.type as RunRecord['type'],
    status: row.status as RunStatus,
    variables: fromJson<Record<string, unknown>>(row.variables),
    error: fromJsonOrNull<RunError>(row.error),
    created: row.created,
    started: row.started,
    ended: row.ended,
    node: row.node ?? '',
  };
}
