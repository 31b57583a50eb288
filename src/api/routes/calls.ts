// /v2.0/calls: every call with its CDR, filtered and paged with a cursor; one call with the run's
// variables and timeline and the call's attached data.

import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import { RingflowError } from '../../errors.ts';
import type { CallRecord } from '../../store/calls.ts';
import { checkNumber } from '../../server/phone-numbers.ts';
import { callerOf } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { errors } from '../schemas.ts';

const Call = Type.Object(
  {
    sid: Type.String(),
    run: Type.String({ description: 'The run the call belongs to.' }),
    direction: Type.Enum(['inbound', 'outbound']),
    from: Type.String(),
    to: Type.String(),
    status: Type.String({ description: 'ringing, answered or ended.' }),
    cdr: Type.Unknown({ description: 'The call detail record (Callr 2025-09-01 fields).' }),
    attachedData: Type.Record(Type.String(), Type.Unknown()),
    created: Type.String(),
    updated: Type.String(),
  },
  { $id: 'Call' },
);

const view = (c: CallRecord) => ({ sid: c.sid, run: c.runSid, direction: c.direction, from: c.from, to: c.to, status: c.status, cdr: c.cdr, attachedData: c.attachedData, created: c.created, updated: c.updated });

export function callRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/v2.0/calls', {
    schema: {
      tags: ['calls'], summary: 'List calls, newest first',
      querystring: Type.Object({
        status: Type.Optional(Type.Enum(['ringing', 'answered', 'ended'], { description: 'The call’s state now (its outcome is `cdr.status`).' })),
        direction: Type.Optional(Type.Enum(['inbound', 'outbound'])),
        number: Type.Optional(Type.String({ description: 'Calls from or to this number.' })),
        since: Type.Optional(Type.String({ format: 'date-time', description: 'Started at or after (ISO 8601).' })),
        until: Type.Optional(Type.String({ format: 'date-time', description: 'Started before (ISO 8601).' })),
        run: Type.Optional(Type.String()),
        campaign: Type.Optional(Type.String({ description: 'Reserved for campaigns (a later release): no call belongs to one yet.' })),
        cursor: Type.Optional(Type.String({ description: 'The `next` of the previous page.' })),
        limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ hits: Type.Array(Call), next: Type.Union([Type.String(), Type.Null()]) }), ...errors(400) },
    },
  }, async (request) => {
    const q = request.query as { status?: string; direction?: 'inbound' | 'outbound'; number?: string; since?: string; until?: string; run?: string; campaign?: string; cursor?: string; limit: number };
    if (q.campaign !== undefined) return { hits: [], next: null };
    // Times are compared as stored (UTC, `Z`): `+02:00` is converted, not compared as text.
    const utc = (text: string | undefined) => (text === undefined ? undefined : new Date(text).toISOString());
    // A number as people write it (national, spaced) finds the E.164 the calls hold.
    const number = q.number === undefined ? undefined : ((n) => (n.valid ? n.e164 : q.number))(checkNumber(q.number, deps.defaultCountry, false));
    const page = await deps.store.calls.list(callerOf(request).tenant.id, { status: q.status, direction: q.direction, number, since: utc(q.since), until: utc(q.until), runSid: q.run }, q.cursor, q.limit);
    return { hits: page.hits.map(view), next: page.next };
  });

  app.get('/v2.0/calls/:sid', {
    schema: {
      tags: ['calls'], summary: 'Read a call: CDR, attached data, and its run’s variables and timeline',
      params: Type.Object({ sid: Type.String() }),
      response: { 200: Type.Object({ ...Call.properties, variables: Type.Record(Type.String(), Type.Unknown()), timeline: Type.Array(Type.Unknown()) }), ...errors(404) },
    },
  }, async (request) => {
    const { sid } = request.params as { sid: string };
    const tenantId = callerOf(request).tenant.id;
    const call = await deps.store.calls.get(tenantId, sid);
    if (!call) throw new RingflowError('RF_API_NOT_FOUND', { what: 'call', id: sid });
    const [run, timeline] = await Promise.all([deps.store.runs.get(tenantId, call.runSid), deps.store.runs.timeline(call.runSid)]);
    return { ...view(call), variables: run?.variables ?? {}, timeline };
  });
}
