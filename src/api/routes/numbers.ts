// /v2.0/actions/{sid}/numbers/{e164}: route inbound calls to a number to this scenario.

import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import { RingflowError } from '../../errors.ts';
import { checkNumber } from '../../server/phone-numbers.ts';
import { callerOf } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { errors } from '../schemas.ts';

const Params = Type.Object({ sid: Type.String(), number: Type.String({ description: 'E.164, e.g. +33187654321 (%2B for the + in some clients).' }) });
const Route = Type.Object({ e164: Type.String(), scenario: Type.String(), assigned: Type.String() });

export function numberRoutes(app: FastifyInstance, deps: ApiDeps): void {
  // The router has already decoded the path (%2B is +): decoding again would turn a literal %25
  // into a crash and %252B into a +.
  const e164Of = (text: string) => {
    const number = checkNumber(text, deps.defaultCountry, false);
    if (!number.valid) throw new RingflowError('RF_API_INVALID_NUMBER', { field: 'number', detail: number.reason });
    return number.e164;
  };

  app.put('/v2.0/actions/:sid/numbers/:number', {
    schema: { tags: ['scenarios'], summary: 'Route inbound calls to a number to this scenario', params: Params, response: { 200: Route, ...errors(400, 404, 409) } },
  }, async (request) => {
    const { sid, number } = request.params as { sid: string; number: string };
    const tenantId = callerOf(request).tenant.id;
    const e164 = e164Of(number);
    if (!(await deps.store.scenarios.get(tenantId, sid))) throw new RingflowError('RF_API_NOT_FOUND', { what: 'scenario', id: sid });
    const route = await deps.store.numbers.assign(tenantId, sid, e164);
    return { e164: route.e164, scenario: route.scenarioSid, assigned: route.assigned };
  });

  app.delete('/v2.0/actions/:sid/numbers/:number', {
    schema: { tags: ['scenarios'], summary: 'Stop routing a number to this scenario', params: Params, response: { 204: Type.Null(), ...errors(400, 404) } },
  }, async (request, reply) => {
    const { sid, number } = request.params as { sid: string; number: string };
    const e164 = e164Of(number);
    if (!(await deps.store.numbers.unassign(callerOf(request).tenant.id, sid, e164))) {
      throw new RingflowError('RF_API_NOT_FOUND', { what: 'number on this scenario', id: e164 });
    }
    return reply.status(204).send();
  });
}
