import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { heard, simulate } from '../helpers/simulate.ts';
import { startRecorder, type HttpRecorder } from '../helpers/http-recorder.ts';

type Fetched = { ok: boolean; status: number; error?: string; json?: unknown; body: string; headers: Record<string, string>; duration: number };

const fetchFlow = (params: string, extra = '') => `branches:
  inbound-call:
    - action: fetch@v2
      params: ${params}
      result: $api
${extra}`;

describe('fetch@v2', () => {
  let api: HttpRecorder;
  before(async () => {
    api = await startRecorder((req) => {
      if (req.url === '/json') return { body: { results: [{ name: 'Ada' }] } };
      if (req.url === '/list') return { body: [1, 2, 3] };
      if (req.url === '/broken') return { headers: { 'content-type': 'application/json' }, body: '{"results": [' };
      if (req.url === '/fail') return { status: 503, body: { error: 'down' } };
      if (req.url === '/slow') return { hang: true };
      return { status: 200, body: { echo: req.json ?? null } };
    });
  });
  after(() => api.close());

  it('decodes a JSON object or array into json', async () => {
    const r = await simulate(fetchFlow(`{ url: "${api.url}/json" }`));
    const result = r.run?.variables.$api as Fetched;
    assert.equal(result.ok, true);
    assert.equal(result.status, 200);
    assert.deepEqual(result.json, { results: [{ name: 'Ada' }] });
    assert.equal(result.headers['content-type'], 'application/json');
    const list = (await simulate(fetchFlow(`{ url: "${api.url}/list" }`))).run?.variables.$api as Fetched;
    assert.deepEqual(list.json, [1, 2, 3]);
  });

  it('sends a map body as JSON with content-type, and headers as given', async () => {
    await simulate(fetchFlow(`{ url: "${api.url}/echo", method: post, headers: { X-Trace: abc }, body: { caller: "\${{ call.fromNumber }}", n: 3 } }`));
    const request = api.requests.at(-1)!;
    assert.equal(request.method, 'POST');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['x-trace'], 'abc');
    assert.deepEqual(request.json, { caller: '+15550001111', n: 3 });
  });

  it('sends a text body as it is', async () => {
    await simulate(fetchFlow(`{ url: "${api.url}/echo", method: PUT, headers: { content-type: text/plain }, body: "hello \${{ 1 + 1 }}" }`));
    assert.equal(api.requests.at(-1)!.body, 'hello 2');
  });

  it('keeps an invalid JSON body as text without json, still ok per status', async () => {
    const result = (await simulate(fetchFlow(`{ url: "${api.url}/broken" }`))).run?.variables.$api as Fetched;
    assert.equal(result.ok, true);
    assert.equal(result.body, '{"results": [');
    assert.equal('json' in result, false);
  });

  it('gives ok false with the status for a 5xx, and the run goes on', async () => {
    const r = await simulate(fetchFlow(`{ url: "${api.url}/fail" }`, `    - if: "!$api.ok"\n      action: say@v2\n      params: { what: "Service unavailable (\${{ $api.status }})" }\n`));
    assert.equal(r.run?.status, 'completed');
    assert.deepEqual(heard(r), ['say:Service unavailable (503)']);
  });

  it('refuses a loopback address unless allowed: error blocked, nothing sent', async () => {
    const count = api.requests.length;
    const r = await simulate(fetchFlow(`{ url: "${api.url}/json" }`), { httpAllow: '' });
    const result = r.run?.variables.$api as Fetched;
    assert.deepEqual([result.ok, result.status, result.error], [false, 0, 'blocked']);
    assert.equal(api.requests.length, count);
    const http = r.timeline.find((e) => e.type === 'http');
    assert.match(http?.type === 'http' ? http.errorDetail ?? '' : '', /loopback/);
  });

  it('refuses the cloud metadata address', async () => {
    const result = (await simulate(fetchFlow('{ url: "http://169.254.169.254/latest/meta-data/", timeout: 2 }'))).run?.variables.$api as Fetched;
    assert.equal(result.error, 'blocked');
  });

  it('times out: error timeout after the given seconds, the call goes on', async () => {
    const r = await simulate(fetchFlow(`{ url: "${api.url}/slow", timeout: 0.3 }`, '    - action: say@v2\n      params: { what: after }\n'));
    const result = r.run?.variables.$api as Fetched;
    assert.deepEqual([result.ok, result.status, result.error], [false, 0, 'timeout']);
    assert.ok(result.duration >= 290 && result.duration < 2000, `duration ${result.duration}`);
    assert.deepEqual(heard(r), ['say:after']);
  });

  it('plays the waiting sound on an answered call while the request runs, not while ringing', async () => {
    const answered = await simulate(fetchFlow(`{ url: "${api.url}/json" }`));
    assert.ok(answered.transcript.some((e) => e.kind === 'waiting'));
    const ringing = await simulate(`defaults: { autoAnswer: false }\n${fetchFlow(`{ url: "${api.url}/json" }`)}`);
    assert.ok(!ringing.transcript.some((e) => e.kind === 'waiting'));
    const disabled = await simulate(fetchFlow(`{ url: "${api.url}/json", audio: { enabled: false } }`));
    assert.ok(!disabled.transcript.some((e) => e.kind === 'waiting'));
  });

  it('stops the request when the caller hangs up meanwhile, and runs the hangup branch', async () => {
    const r = await simulate(fetchFlow(`{ url: "${api.url}/slow", timeout: 20 }`, '  hangup:\n    - action: log@v1\n      params: { message: "gone" }\n'), {
      caller: { hangupAtMs: 300 },
    });
    assert.deepEqual(r.run?.variables.$api, { ok: false, reason: 'hangup' });
    assert.ok(r.timeline.some((e) => e.type === 'log' && e.message === 'gone'));
    const ended = r.transcript.find((e) => e.kind === 'ended')!;
    assert.ok(ended.at >= 300 && ended.at < 1500, `hung up at ${ended.at}`);
  });

  it('records the exchange in the timeline with the step position, secrets redacted', async () => {
    const r = await simulate(fetchFlow(`{ url: "${api.url}/echo", method: POST, headers: { Authorization: "Bearer s3cret" }, body: { a: 1 } }`));
    const http = r.timeline.find((e) => e.type === 'http');
    assert.ok(http?.type === 'http');
    assert.equal(http.line, 3);
    assert.equal(http.request.headers.Authorization, '[redacted]');
    assert.equal(http.request.body, '{"a":1}');
    assert.equal(http.response?.status, 200);
    assert.ok(!JSON.stringify(r.timeline).includes('s3cret'));
  });
});

describe('fetch@v2 with a 50 MB response', () => {
  let server: Server;
  let url: string;
  before(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < 50 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => {});
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/big`;
  });
  after(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));

  it('stops reading at the cap: error too-large, the run goes on', async () => {
    const r = await simulate(fetchFlow(`{ url: "${url}" }`, '    - action: say@v2\n      params: { what: still here }\n'));
    const result = r.run?.variables.$api as Fetched;
    assert.deepEqual([result.ok, result.status, result.error], [false, 0, 'too-large']);
    assert.deepEqual(heard(r), ['say:still here']);
  });
});
