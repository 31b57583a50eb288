import { Type } from 'typebox';
import { defineAction } from './action.ts';
import { LinkedAbort } from '../linked-abort.ts';

export const fetch = defineAction({
  name: 'fetch',
  version: 2,
  summary: "Calls an HTTP endpoint in the middle of the call: read the caller's data from a CRM, push results.",
  params: Type.Object(
    {
      url: Type.String({ minLength: 1, description: 'http(s) URL.' }),
      method: Type.String({ pattern: '^[A-Za-z]+$', default: 'GET', description: 'Any HTTP method.' }),
      headers: Type.Record(Type.String(), Type.String(), { default: {}, description: 'Request headers.' }),
      body: Type.Optional(
        Type.Unsafe<unknown>({
          type: ['string', 'object', 'array'],
          description: 'Text sent as is; a map or list is sent as JSON with content-type application/json.',
        }),
      ),
      timeout: Type.Number({ exclusiveMinimum: 0, maximum: 300, default: 10, description: 'Seconds for the whole request.' }),
      audio: Type.Object(
        { enabled: Type.Boolean({ default: true, description: 'Play a soft waiting sound while the request runs (answered calls only, never while ringing).' }) },
        { additionalProperties: false, default: {} },
      ),
    },
    { additionalProperties: false },
  ),
  result: '`{ok, status, statusText, headers, body, json, duration, error}` — `ok` for 2xx; `json` the decoded body when it is JSON; on failure `status: 0` and `error` is timeout, dns, refused, reset, tls, too-large, blocked or invalid-url',
  needs: 'none',
  async execute(ctx, params, signal) {
    const headers = { ...params.headers };
    let body: string | undefined;
    if (typeof params.body === 'string') body = params.body;
    else if (params.body !== undefined && params.body !== null) {
      body = JSON.stringify(params.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
    const call = ctx.call;
    const waiting = params.audio.enabled && call?.status === 'answered' ? new LinkedAbort(signal) : undefined;
    // The waiting sound stops with the request; its own end (the caller hung up) is the runner's concern.
    if (waiting) call!.play({ type: 'waiting' }, { loop: 0 }, waiting.signal).catch(() => {});
    try {
      const response = await ctx.http.send({ url: params.url, method: params.method, headers, body, timeoutMs: params.timeout * 1000 }, signal);
      const { ok, status, statusText, headers: responseHeaders, body: text, json, duration, error } = response;
      return { ok, status, statusText, headers: responseHeaders, body: text, ...(json === undefined ? {} : { json }), duration, ...(error ? { error } : {}) };
    } finally {
      waiting?.abort(new Error('request done'));
      waiting?.dispose();
    }
  },
});
