// The Outbound Call Trigger API, with Knovvu's field names: POST /v2/call starts a call and a run,
// POST /v2/callresult tells their CallState. Served on the main port and, when configured, on a port
// of its own (22222 in Knovvu's documentation).

import { Type } from 'typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RingflowError } from '../../errors.ts';
import type { CallTrigger } from '../../server/outbound-calls.ts';
import { authenticate, credentials } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import type { RateLimiter } from '../rate-limit.ts';
import { ErrorRef } from '../schemas.ts';

const Required = (description: string) => Type.String({ minLength: 1, description });
const CallBody = Type.Object(
  {
    Project: Required('Project name (stored, echoed in events).'),
    Tenant: Required('Tenant name (or sid); the AccessToken must belong to it.'),
    ConversationId: Required('Your conversation id, echoed in the result.'),
    AccessToken: Required('An API key of the tenant.'),
    ScenarioPath: Required('The scenario: its sid or its name.'),
    OrchestratorUrl: Type.String({ description: 'Stored; when it is an http(s) URL, the conversation’s state changes are POSTed to it.' }),
    EndUser: Type.Optional(Type.Object({ Name: Type.Optional(Type.String()), Phone: Type.Optional(Type.String()), Email: Type.Optional(Type.String()) }, { description: 'run.endUser in the scenario.' })),
    Locale: Type.Optional(Type.String({ description: 'Overrides defaults.language.' })),
    ScenarioInputParameters: Type.Array(Type.Object({ Name: Required('Variable name ($ added).'), Value: Type.Optional(Type.Unknown()) }), {
      description: 'Run variables; _Destination (the number to call) and _DisplayNumber (the caller id) are required.',
    }),
    ResultDestination: Type.Optional(Type.String({ description: 'http(s) URL that receives the result (an empty string: none).' })),
    SendResultImmediately: Type.Optional(Type.Boolean({ description: 'true: the result is sent when the call ends; false (default): queued and sent in order by the background deliverer.' })),
  },
  { $id: 'CallTrigger' },
);
const CallState = Type.Union([Type.String(), Type.Null()], { description: 'Answered, Busy, Error, Invalid Number, No Answer, Rejected, Temporarily Unavailable; while going on: Queued, Dialing, In Progress.' });

export function outboundCallRoutes(app: FastifyInstance, deps: ApiDeps, limiter: RateLimiter): void {
  const callerFor = async (request: FastifyRequest, token: string | undefined, tenantName: string | undefined) => {
    const given = token !== undefined ? { secret: token } : credentials(request);
    const caller = given && (await authenticate(deps, given.secret, 'sid' in given ? given.sid : undefined));
    if (!caller) throw new RingflowError('RF_CALL_TOKEN', { field: 'AccessToken', detail: 'not a valid API key' });
    // Tenant: the tenant's name, or its sid.
    if (tenantName !== undefined && caller.tenant.name !== tenantName && caller.tenant.id !== tenantName) {
      throw new RingflowError('RF_CALL_TOKEN', { field: 'Tenant', detail: `the AccessToken does not belong to the tenant "${tenantName}"` });
    }
    const wait = limiter.take(caller.key.id);
    if (wait > 0) throw new RingflowError('RF_API_RATE_LIMITED', { retryAfter: Math.ceil(wait / 1000) });
    return caller;
  };

  app.post('/v2/call', {
    schema: {
      tags: ['outbound call trigger'], summary: 'Place a call and run a scenario on it (Knovvu Outbound Call Trigger API)',
      body: CallBody,
      response: { 200: Type.Object({ UniqueId: Type.String() }), 400: ErrorRef, 401: ErrorRef, 404: ErrorRef, 429: ErrorRef, 503: ErrorRef },
    },
  }, async (request) => {
    if (!deps.accepting()) throw new RingflowError('RF_SHUTTING_DOWN', {});
    const body = request.body as CallTrigger;
    const caller = await callerFor(request, body.AccessToken, body.Tenant);
    return deps.outbound.trigger(caller.tenant.id, body);
  });

  app.post('/v2/callresult', {
    schema: {
      tags: ['outbound call trigger'], summary: 'The CallState of calls placed with /v2/call',
      description: 'Authenticate with AccessToken in the body, or the usual x-api-key / Authorization header.',
      body: Type.Object({ UniqueIds: Type.Array(Type.String(), { maxItems: 1000 }), AccessToken: Type.Optional(Type.String()) }),
      response: {
        200: Type.Object({ CallResults: Type.Array(Type.Object({ UniqueId: Type.String(), CallRequestId: Type.Union([Type.String(), Type.Null()]), CallState, Error: Type.Optional(Type.String()) })) }),
        400: ErrorRef, 401: ErrorRef, 429: ErrorRef,
      },
    },
  }, async (request) => {
    const body = request.body as { UniqueIds: string[]; AccessToken?: string };
    const caller = await callerFor(request, body.AccessToken, undefined);
    return deps.outbound.results(caller.tenant.id, body.UniqueIds);
  });
}
