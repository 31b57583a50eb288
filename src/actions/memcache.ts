import { Type } from 'typebox';
import { defineAction } from './action.ts';

export const memcache = defineAction({
  name: 'memcache',
  version: 1,
  summary: 'A small key/value store shared by all runs of the same tenant: counters, flags, last-seen values.',
  params: Type.Object(
    {
      operation: Type.Enum(['get', 'set', 'incr', 'decr', 'delete'], { description: 'What to do with the key.' }),
      key: Type.String({ minLength: 1, maxLength: 250, description: 'The key.' }),
      value: Type.Optional(Type.Unsafe<unknown>({ description: 'For set: any JSON value. For incr/decr: the step (default 1).' })),
      ttl: Type.Optional(Type.Number({ minimum: 0, maximum: 31_536_000, description: 'Seconds the key lives after set/incr/decr (0 or absent: no expiry).' })),
    },
    { additionalProperties: false },
  ),
  result: '`{ok, value}` — the stored value (get, set), the new number (incr, decr), whether a key was removed (delete). `ok` is false for get of a missing key and incr of a non-number.',
  needs: 'none',
  async execute(ctx, params) {
    const store = ctx.memcache;
    switch (params.operation) {
      case 'get': {
        const value = await store.get(params.key);
        return { ok: value !== undefined, value };
      }
      case 'set':
        await store.set(params.key, params.value ?? null, params.ttl);
        return { ok: true, value: params.value ?? null };
      case 'incr':
      case 'decr': {
        const step = params.value === undefined ? 1 : typeof params.value === 'number' ? params.value : typeof params.value === 'string' && /^-?\d+(\.\d+)?$/.test(params.value.trim()) ? Number(params.value) : Number.NaN;
        if (!Number.isFinite(step)) return { ok: false, error: 'not-a-number', value: undefined };
        const value = await store.incr(params.key, params.operation === 'incr' ? step : -step, params.ttl);
        return value === undefined ? { ok: false, error: 'not-a-number', value: undefined } : { ok: true, value };
      }
      default:
        return { ok: true, value: await store.delete(params.key) };
    }
  },
});
