// /v2.0/simulator/calls: place a simulated inbound call into this server (`ringflow call-in`), when
// telephony is simulated. The number called must be one of the caller's tenant.

import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import { RingflowError } from '../../errors.ts';
import { parsePress } from '../../telephony/sim/party-spec.ts';
import { checkNumber } from '../../server/phone-numbers.ts';
import { callerOf } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { errors } from '../schemas.ts';

export function simulatorRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/v2.0/simulator/calls', {
    schema: {
      tags: ['simulator'], summary: 'Place a simulated inbound call (simulated telephony only)',
      body: Type.Object({
        from: Type.String({ description: 'The caller.' }),
        to: Type.String({ description: 'A number assigned to one of your scenarios.' }),
        presses: Type.Array(Type.String(), { default: [], description: 'Keys: "1" after the next prompt, "42#@3.5" at 3.5 s.' }),
        hangupAt: Type.Optional(Type.Number({ minimum: 0, description: 'Seconds after the start when the caller hangs up.' })),
      }, { additionalProperties: false }),
      response: { 201: Type.Object({ call: Type.String(), run: Type.Union([Type.String(), Type.Null()]) }), ...errors(400, 404) },
    },
  }, async (request, reply) => {
    if (!deps.simulator) throw new RingflowError('RF_NOT_SIMULATED', {});
    const body = request.body as { from: string; to: string; presses: string[]; hangupAt?: number };
    const to = checkNumber(body.to, deps.defaultCountry, false);
    const e164 = to.valid ? to.e164 : body.to;
    const route = await deps.store.numbers.route(e164);
    if (!route || route.tenantId !== callerOf(request).tenant.id) throw new RingflowError('RF_API_NOT_FOUND', { what: 'number of yours', id: e164 });
    const party = {
      presses: body.presses.map((p, i) => parsePress(p, `presses[${i}]`)),
      ...(body.hangupAt === undefined ? {} : { hangupAtMs: Math.round(body.hangupAt * 1000) }),
    };
    const { callSid, runSid } = await deps.simulator.callIn({ from: body.from, to: e164, party });
    return reply.status(201).send({ call: callSid, run: runSid ?? null });
  });
}
