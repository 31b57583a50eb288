// /v2.0/events: a live stream (Server-Sent Events) of the tenant's calls and steps, for the console
// and for anyone who wants to watch a scenario run. One `data:` line of JSON per event.

import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import { callerOf } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { errors } from '../schemas.ts';

const HEARTBEAT_MS = 15_000;

export function eventRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/v2.0/events', {
    schema: {
      tags: ['calls'], summary: 'Live events of calls and runs (text/event-stream)',
      description: 'Each event: `event: <type>` (run, branch, step, http, call, log, warning, error) and `data: {"run": sid, "event": {...timeline entry}}`.',
      querystring: Type.Object({ run: Type.Optional(Type.String({ description: 'Only this run.' })) }, { additionalProperties: false }),
      response: { 200: Type.Unsafe({ type: 'string', description: 'text/event-stream' }), ...errors() },
    },
  }, (request, reply) => {
    const tenantId = callerOf(request).tenant.id;
    const only = (request.query as { run?: string }).run;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': ringflow events\n\n');
    const unsubscribe = deps.events.subscribe(tenantId, (e) => {
      if (only !== undefined && e.runSid !== only) return;
      res.write(`event: ${e.type}\ndata: ${JSON.stringify({ run: e.runSid, event: e.data })}\n\n`);
    });
    const heartbeat = deps.clock.setTimer(HEARTBEAT_MS, function beat() {
      res.write(': keep-alive\n\n');
      timer = deps.clock.setTimer(HEARTBEAT_MS, beat);
    });
    let timer = heartbeat;
    request.raw.on('close', () => {
      unsubscribe();
      timer.cancel();
    });
  });
}
