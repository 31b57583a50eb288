// The OpenAPI document as the server serves it at /openapi.json, built without a server running
// (for docs/openapi.json, committed and checked for drift by the test suite).

import { buildApp } from './app.ts';
import type { ApiDeps } from './deps.ts';
import { createLogger } from '../server/logger.ts';
import { SystemClock } from '../time/clock.ts';

export async function openapiDocument(): Promise<unknown> {
  // Routes only read their dependencies when a request comes; none will.
  const unused = new Proxy({}, { get: () => { throw new Error('not available while generating the OpenAPI document'); } });
  const deps = {
    ...(unused as object),
    logger: createLogger('silent'),
    clock: new SystemClock(),
    bodyLimitBytes: 1024 * 1024,
    rateLimit: { perSecond: 1, burst: 1 },
    countRequest: () => {},
    accepting: () => true,
  } as unknown as ApiDeps;
  const app = await buildApp(deps);
  await app.ready();
  const document = app.swagger();
  await app.close();
  return document;
}
