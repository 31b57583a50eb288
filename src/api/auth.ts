// Who is calling: an API key in `x-api-key`, `Authorization: Bearer KEY`, or Basic `SID:KEY` (the
// tenant's sid and one of its keys, as Callr's API takes them). The tenant then reaches only its own
// data: routes look everything up by (tenant, id), so another tenant's sid is simply not found.

import type { FastifyReply, FastifyRequest } from 'fastify';
import { RingflowError } from '../errors.ts';
import type { ApiKey } from '../store/api-keys.ts';
import type { Tenant } from '../store/tenants.ts';
import type { ApiDeps } from './deps.ts';
import type { RateLimiter } from './rate-limit.ts';

export interface Caller {
  tenant: Tenant;
  key: ApiKey;
}

/** The key text a request carries, and the tenant sid it claims (Basic), if any. */
export function credentials(request: FastifyRequest): { secret: string; sid?: string } | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return { secret: header.trim() };
  const authorization = request.headers.authorization ?? '';
  const [scheme, value = ''] = authorization.split(/\s+/, 2);
  if (/^bearer$/i.test(scheme ?? '') && value) return { secret: value };
  if (/^basic$/i.test(scheme ?? '') && value) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { sid: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  }
  return undefined;
}

export async function authenticate(deps: ApiDeps, secret: string, sid?: string): Promise<Caller | undefined> {
  const key = await deps.store.apiKeys.authenticate(secret);
  if (!key || (sid !== undefined && sid !== key.tenantId)) return undefined;
  const tenant = await deps.store.tenants.get(key.tenantId);
  return tenant ? { tenant, key } : undefined;
}

/** An onRequest hook: sets request.caller, or answers 401 / 429. */
export function requireCaller(deps: ApiDeps, limiter: RateLimiter) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const given = credentials(request);
    const caller = given && (await authenticate(deps, given.secret, given.sid));
    if (!caller) {
      reply.header('www-authenticate', 'Basic realm="ringflow", Bearer');
      throw new RingflowError('RF_API_UNAUTHORIZED', {});
    }
    const wait = limiter.take(caller.key.id);
    if (wait > 0) throw new RingflowError('RF_API_RATE_LIMITED', { retryAfter: Math.ceil(wait / 1000) });
    (request as FastifyRequest & { caller: Caller }).caller = caller;
  };
}

export function callerOf(request: FastifyRequest): Caller {
  return (request as FastifyRequest & { caller: Caller }).caller;
}
