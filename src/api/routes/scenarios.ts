// /v2.0/actions: scenarios, as Callr's REST API v2 names them. A script with problems is refused with
// every problem listed, each with its line and column.

import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import { RingflowError } from '../../errors.ts';
import type { ScenarioRecord } from '../../store/scenarios.ts';
import { checkNumber } from '../../server/phone-numbers.ts';
import { callerOf } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { errors } from '../schemas.ts';

const Problem = Type.Object({ severity: Type.String(), code: Type.String(), message: Type.String(), line: Type.Optional(Type.Integer()), col: Type.Optional(Type.Integer()) });
export const ScenarioBody = Type.Object(
  {
    sid: Type.String(),
    name: Type.String(),
    script: Type.String(),
    format: Type.Literal('yaml'),
    version: Type.Integer({ description: 'The script version: 1, then +1 at each change of the script.' }),
    numbers: Type.Array(Type.Object({ e164: Type.String(), country: Type.Union([Type.String(), Type.Null()]), assigned: Type.String() })),
    warnings: Type.Array(Problem, { description: 'Warnings from the checks (the scenario runs anyway).' }),
    created: Type.String(),
    updated: Type.String(),
  },
  { $id: 'Scenario' },
);
const Name = Type.String({ minLength: 1, maxLength: 64 });
const Script = Type.String({ minLength: 1, maxLength: 32768, description: 'The scenario, in YAML.' });
const Sid = Type.Object({ sid: Type.String() });

export function scenarioRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const check = (script: string, name: string) => {
    const { problems } = deps.engine.parse(script, { file: name });
    const listed = problems.map((p) => ({ severity: p.severity, code: p.code, message: p.message, line: p.position?.line, col: p.position?.col }));
    const errors = listed.filter((p) => p.severity === 'error');
    if (errors.length > 0) {
      throw new RingflowError('RF_SCENARIO_INVALID', { count: errors.length, first: `${errors[0]!.line}:${errors[0]!.col} ${errors[0]!.message}`, problems: listed });
    }
    return listed;
  };
  const view = async (record: ScenarioRecord, warnings: unknown[] = []) => ({
    sid: record.sid,
    name: record.name,
    script: record.script,
    format: record.format,
    version: record.version,
    numbers: (await deps.store.numbers.forScenario(record.tenantId, record.sid)).map((n) => {
      const number = checkNumber(n.e164, deps.defaultCountry, false);
      return { e164: n.e164, country: number.valid ? number.country ?? null : null, assigned: n.assigned };
    }),
    warnings,
    created: record.created,
    updated: record.updated,
  });
  const notFound = (sid: string) => new RingflowError('RF_API_NOT_FOUND', { what: 'scenario', id: sid });

  app.post('/v2.0/actions', {
    schema: {
      tags: ['scenarios'], summary: 'Create a scenario',
      body: Type.Object({ name: Name, script: Script, format: Type.Optional(Type.Literal('yaml')) }, { additionalProperties: false }),
      response: { 201: ScenarioBody, ...errors(400, 409) },
    },
  }, async (request, reply) => {
    const { name, script } = request.body as { name: string; script: string };
    const warnings = check(script, name);
    const record = await deps.store.scenarios.create(callerOf(request).tenant.id, name, script);
    return reply.status(201).send(await view(record, warnings));
  });

  app.get('/v2.0/actions', {
    schema: {
      tags: ['scenarios'], summary: 'Search scenarios',
      querystring: Type.Object({
        name: Type.Optional(Type.String({ maxLength: 64, description: 'Part of the name.' })),
        sort: Type.Enum(['name', 'created', 'updated'], { default: 'updated' }),
        order: Type.Enum(['asc', 'desc'], { default: 'desc' }),
        offset: Type.Integer({ minimum: 0, default: 0 }),
        limit: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ offset: Type.Integer(), total: Type.Integer(), hasMore: Type.Boolean(), hits: Type.Array(ScenarioBody) }), ...errors(400) },
    },
  }, async (request) => {
    const q = request.query as { name?: string; sort: 'name' | 'created' | 'updated'; order: 'asc' | 'desc'; offset: number; limit: number };
    const { total, hits } = await deps.store.scenarios.search(callerOf(request).tenant.id, q);
    return { offset: q.offset, total, hasMore: q.offset + hits.length < total, hits: await Promise.all(hits.map((h) => view(h))) };
  });

  app.get('/v2.0/actions/:sid', {
    schema: { tags: ['scenarios'], summary: 'Read a scenario', params: Sid, response: { 200: ScenarioBody, ...errors(404) } },
  }, async (request) => {
    const { sid } = request.params as { sid: string };
    const record = await deps.store.scenarios.get(callerOf(request).tenant.id, sid);
    if (!record) throw notFound(sid);
    return view(record);
  });

  app.patch('/v2.0/actions/:sid', {
    schema: {
      tags: ['scenarios'], summary: 'Rename a scenario or change its script (a new version)',
      params: Sid,
      body: Type.Object({ name: Type.Optional(Name), script: Type.Optional(Script), format: Type.Optional(Type.Literal('yaml')) }, { additionalProperties: false }),
      response: { 200: ScenarioBody, ...errors(400, 404, 409) },
    },
  }, async (request) => {
    const { sid } = request.params as { sid: string };
    const { name, script } = request.body as { name?: string; script?: string };
    const tenantId = callerOf(request).tenant.id;
    const current = await deps.store.scenarios.get(tenantId, sid);
    if (!current) throw notFound(sid);
    const warnings = script === undefined ? [] : check(script, name ?? current.name);
    const record = await deps.store.scenarios.update(tenantId, sid, { name, script });
    if (!record) throw notFound(sid);
    return view(record, warnings);
  });

  app.delete('/v2.0/actions/:sid', {
    schema: { tags: ['scenarios'], summary: 'Delete a scenario (its numbers are released)', params: Sid, response: { 204: Type.Null(), ...errors(404) } },
  }, async (request, reply) => {
    const { sid } = request.params as { sid: string };
    if (!(await deps.store.scenarios.delete(callerOf(request).tenant.id, sid))) throw notFound(sid);
    return reply.status(204).send();
  });
}
