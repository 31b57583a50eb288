// The HTTP API: Fastify with schema-first routes. The OpenAPI document is generated from the route
// schemas and served with an interactive page at /docs.

import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { ApiDeps } from './deps.ts';
import { requireCaller } from './auth.ts';
import { installErrorHandling } from './errors.ts';
import { RateLimiter } from './rate-limit.ts';
import { ErrorBody } from './schemas.ts';
import { requestValidator } from './validator.ts';
import { callRoutes } from './routes/calls.ts';
import { eventRoutes } from './routes/events.ts';
import { numberRoutes } from './routes/numbers.ts';
import { operationRoutes } from './routes/operations.ts';
import { outboundCallRoutes } from './routes/outbound-call.ts';
import { recordingRoutes } from './routes/recordings.ts';
import { runRoutes } from './routes/runs.ts';
import { scenarioRoutes } from './routes/scenarios.ts';
import { simulatorRoutes } from './routes/simulator.ts';

export const API_VERSION = '0.1.0';

export interface AppOptions {
  /** Only the Outbound Call Trigger API (for its own port). */
  outboundOnly?: boolean;
}

export async function buildApp(deps: ApiDeps, options: AppOptions = {}): Promise<FastifyInstance> {
  // pino's Logger type is richer than Fastify's FastifyBaseLogger: the app is typed with the latter.
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'api' }) as unknown as FastifyBaseLogger,
    bodyLimit: deps.bodyLimitBytes,
    // Requests are counted in metrics, not logged one by one.
    logController: new LogController({ disableRequestLogging: true }),
    // Validation reports every field at fault, not just the first.
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false } },
    // Sids and numbers go in paths; a + is not a space here.
    routerOptions: { ignoreTrailingSlash: true },
  }) as unknown as FastifyInstance;
  installErrorHandling(app, deps.bodyLimitBytes);
  app.addSchema(ErrorBody);
  app.addHook('onResponse', async (request, reply) => {
    deps.countRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode);
  });

  const limiter = new RateLimiter(deps.clock, deps.rateLimit.perSecond, deps.rateLimit.burst);
  if (!options.outboundOnly) {
    await app.register(swagger, {
      // Shared schemas keep their names (Error, …) in the document instead of def-0, def-1.
      refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'Ringflow API',
          version: API_VERSION,
          description: 'Scenarios, runs, calls and recordings (Callr REST v2 compatible), and the Outbound Call Trigger API (Knovvu compatible). Authenticate with `x-api-key: KEY`, `Authorization: Bearer KEY`, or Basic `TENANT_SID:KEY`.',
        },
        components: {
          securitySchemes: {
            apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
            bearer: { type: 'http', scheme: 'bearer' },
            basic: { type: 'http', scheme: 'basic' },
          },
        },
        security: [{ apiKey: [] }, { bearer: [] }, { basic: [] }],
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    operationRoutes(app, deps);
    await app.register(async (authed) => {
      authed.setValidatorCompiler(requestValidator());
      // Before the body is read: a request without a valid key (or over its rate) costs no
      // parsing and learns nothing from validation errors.
      authed.addHook('onRequest', requireCaller(deps, limiter));
      scenarioRoutes(authed, deps);
      numberRoutes(authed, deps);
      runRoutes(authed, deps);
      callRoutes(authed, deps);
      recordingRoutes(authed, deps);
      eventRoutes(authed, deps);
      simulatorRoutes(authed, deps);
    });
  }
  outboundCallRoutes(app, deps, limiter);
  return app;
}
