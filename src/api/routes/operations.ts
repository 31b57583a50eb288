// What operators and load balancers use: ping, liveness, readiness, Prometheus metrics.

import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../deps.ts';

export function operationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/v2.0/ping', {
    schema: { tags: ['operations'], summary: 'Ping (Callr-compatible)', response: { 200: Type.Object({ pong: Type.Literal('pong'), time: Type.String() }) } },
  }, async () => ({ pong: 'pong' as const, time: new Date(deps.clock.now()).toISOString() }));

  app.get('/healthz', {
    schema: { tags: ['operations'], summary: 'Liveness: the process answers', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
  }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', {
    schema: {
      tags: ['operations'], summary: 'Readiness: the database answers and the server takes new calls',
      response: { 200: Type.Object({ status: Type.String(), database: Type.Boolean(), accepting: Type.Boolean() }), 503: Type.Object({ status: Type.String(), database: Type.Boolean(), accepting: Type.Boolean() }) },
    },
  }, async (_request, reply) => {
    const database = await deps.store.ping().catch(() => false);
    const accepting = deps.accepting();
    const ready = database && accepting;
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', database, accepting });
  });

  app.get('/metrics', {
    schema: { tags: ['operations'], summary: 'Prometheus metrics (text format)', response: { 200: Type.String() } },
  }, async (_request, reply) => reply.type('text/plain; version=0.0.4').send(await deps.metrics.render()));
}
