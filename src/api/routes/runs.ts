// Runs: start the api-initiated branch of a scenario (once per Idempotency-Key), read a run with its
// variables, calls and timeline, list a scenario's runs, cancel a run (its calls are hung up).

import { createHash } from 'node:crypto';
import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import { RingflowError } from '../../errors.ts';
import type { RunRecord } from '../../store/runs.ts';
import { VARIABLE_NAME } from '../../scenario/names.ts';
import { withDollars } from '../../server/run-service.ts';
import { callerOf } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { errors } from '../schemas.ts';

const RunStatus = Type.Enum(['queued', 'running', 'completed', 'failed', 'canceled']);
export const RunBody = Type.Object(
  {
    sid: Type.String(),
    scenario: Type.String({ description: 'The scenario sid.' }),
    scenarioVersion: Type.Integer(),
    type: Type.String({ description: 'api, inbound-call or outbound-call.' }),
    status: RunStatus,
    variables: Type.Record(Type.String(), Type.Unknown()),
    error: Type.Union([Type.Null(), Type.Object({ code: Type.String(), message: Type.String(), file: Type.Optional(Type.String()), line: Type.Optional(Type.Integer()), col: Type.Optional(Type.Integer()) })]),
    created: Type.String(),
    started: Type.Union([Type.String(), Type.Null()]),
    ended: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'Run' },
);
const RunDetail = Type.Object({
  ...RunBody.properties,
  calls: Type.Array(Type.Unknown(), { description: 'Every call of the run with its CDR and attached data.' }),
  recordings: Type.Array(Type.Unknown()),
  timeline: Type.Array(Type.Unknown(), { description: 'Every step, HTTP exchange, call event, log line and error, in order.' }),
});

export function runView(r: RunRecord) {
  return { sid: r.sid, scenario: r.scenarioSid, scenarioVersion: r.scenarioVersion, type: r.type, status: r.status, variables: r.variables, error: r.error, created: r.created, started: r.started, ended: r.ended };
}

/** JSON with object keys sorted at every depth, so equal values give equal text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v);
}

export function runRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/v2.0/actions/:sid/runs', {
    schema: {
      tags: ['runs'], summary: 'Start a run of the api-initiated branch',
      params: Type.Object({ sid: Type.String() }),
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'The same key within 24 h gives back the same run instead of starting another.' })) }),
      body: Type.Object({ variables: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Run variables; names with or without $.' })) }, { additionalProperties: false }),
      response: { 201: RunBody, ...errors(400, 404, 409, 422, 503) },
    },
    // A POST without a body starts a run with the scenario's own variables.
    preValidation: async (request) => {
      request.body ??= {};
    },
  }, async (request, reply) => {
    const { sid } = request.params as { sid: string };
    const variables = withDollars((request.body as { variables?: Record<string, unknown> } | undefined)?.variables ?? {});
    const misnamed = Object.keys(variables).filter((name) => !VARIABLE_NAME.test(name));
    if (misnamed.length > 0) {
      throw new RingflowError('RF_API_INVALID', { detail: `body.variables: ${misnamed.map((n) => JSON.stringify(n.slice(1))).join(', ')} cannot be a variable name (letters, digits and _, not starting with a digit; the $ is optional)` });
    }
    const tenantId = callerOf(request).tenant.id;
    const scenario = await deps.store.scenarios.get(tenantId, sid);
    if (!scenario) throw new RingflowError('RF_API_NOT_FOUND', { what: 'scenario', id: sid });
    const key = request.headers['idempotency-key'] as string | undefined;
    // The same request however it is written: `$a` or `a`, keys in any order.
    const idempotency = key === undefined ? undefined : { key, requestHash: createHash('sha256').update(`${sid}\n${canonicalJson(variables)}`).digest('hex') };
    const { record, replayed, sameRequest } = await deps.runs.startApiRun(tenantId, scenario, variables, idempotency);
    if (replayed && !sameRequest) throw new RingflowError('RF_IDEMPOTENCY_MISMATCH', { key });
    if (replayed) reply.header('idempotent-replayed', 'true');
    return reply.status(201).send(runView(record));
  });

  app.get('/v2.0/actions/:sid/runs', {
    schema: {
      tags: ['runs'], summary: "List a scenario's runs, newest first",
      params: Type.Object({ sid: Type.String() }),
      querystring: Type.Object({ status: Type.Optional(RunStatus), offset: Type.Integer({ minimum: 0, default: 0 }), limit: Type.Integer({ minimum: 1, maximum: 100, default: 10 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ offset: Type.Integer(), total: Type.Integer(), hasMore: Type.Boolean(), hits: Type.Array(RunBody) }), ...errors(400, 404) },
    },
  }, async (request) => {
    const { sid } = request.params as { sid: string };
    const q = request.query as { status?: RunRecord['status']; offset: number; limit: number };
    const tenantId = callerOf(request).tenant.id;
    if (!(await deps.store.scenarios.get(tenantId, sid))) throw new RingflowError('RF_API_NOT_FOUND', { what: 'scenario', id: sid });
    const { total, hits } = await deps.store.runs.list(tenantId, { scenarioSid: sid, status: q.status, offset: q.offset, limit: q.limit });
    return { offset: q.offset, total, hasMore: q.offset + hits.length < total, hits: hits.map(runView) };
  });

  app.get('/v2.0/runs/:sid', {
    schema: { tags: ['runs'], summary: 'Read a run: status, variables, calls and timeline', params: Type.Object({ sid: Type.String() }), response: { 200: RunDetail, ...errors(404) } },
  }, async (request) => {
    const { sid } = request.params as { sid: string };
    const run = await deps.store.runs.get(callerOf(request).tenant.id, sid);
    if (!run) throw new RingflowError('RF_API_NOT_FOUND', { what: 'run', id: sid });
    const [calls, recordings, timeline] = await Promise.all([deps.store.calls.forRun(sid), deps.store.recordings.forRun(sid), deps.store.runs.timeline(sid)]);
    return {
      ...runView(run),
      calls: calls.map((c) => ({ sid: c.sid, direction: c.direction, from: c.from, to: c.to, status: c.status, cdr: c.cdr, attachedData: c.attachedData })),
      recordings: recordings.map((r) => ({ sid: r.sid, duration: r.durationMs / 1000, format: r.format, url: `/v2.0/recordings/${r.sid}`, created: r.created })),
      timeline,
    };
  });

  app.delete('/v2.0/runs/:sid', {
    schema: { tags: ['runs'], summary: 'Cancel a run: its calls are hung up', params: Type.Object({ sid: Type.String() }), response: { 200: RunBody, ...errors(404, 409) } },
  }, async (request) => {
    const { sid } = request.params as { sid: string };
    const tenantId = callerOf(request).tenant.id;
    const { outcome, record } = await deps.runs.cancel(tenantId, sid);
    if (outcome === 'not-found' || !record) throw new RingflowError('RF_API_NOT_FOUND', { what: 'run', id: sid });
    if (outcome === 'finished') throw new RingflowError('RF_RUN_FINISHED', { sid });
    return runView(record);
  });
}
