// What a response looks like to a scenario: status, headers, text, JSON; and what the server gets.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHttpClient } from '../../src/http/client.ts';
import type { HttpRequest } from '../../src/http/exchange.ts';
import { parseAllowList } from '../../src/http/guard.ts';
import { SystemClock } from '../../src/time/clock.ts';
import { VirtualClock } from '../../src/time/virtual-clock.ts';
import { startRawServer, startServer, type LoopbackServer } from './loopback-server.ts';

const allow = parseAllowList('127.0.0.1');
const client = createHttpClient({ clock: new SystemClock(), allow });
const never = new AbortController().signal;

function get(url: string, extra: Partial<HttpRequest> = {}): HttpRequest {
  return { url, method: 'GET', headers: {}, timeoutMs: 5000, ...extra };
}

describe('responses', () => {
  let server: LoopbackServer;
  let raw: LoopbackServer;

  before(async () => {
    server = await startServer((req, res) => {
      const reply = (status: number, type: string | undefined, body: string | Buffer, extra: Record<string, string | string[]> = {}) => {
        res.writeHead(status, { ...(type ? { 'content-type': type } : {}), ...extra });
        res.end(body);
      };
      switch (req.url) {
        case '/object': return reply(200, 'application/json; charset=utf-8', '{"name":"Zoë","plan":{"tier":2}}');
        case '/array': return reply(200, 'application/json', '[{"id":1},{"id":2}]');
        case '/scalar': return reply(200, 'application/json', '42');
        case '/problem': return reply(422, 'application/problem+json', '{"title":"bad"}');
        case '/untyped-json': return reply(200, undefined, ' {"a":1}');
        case '/plain-json': return reply(200, 'text/plain', '[1,2]');
        case '/plain-number': return reply(200, 'text/plain', '42');
        case '/html-json': return reply(200, 'text/html', '{"a":1}');
        case '/text': return reply(200, 'text/plain; charset=utf-8', 'hello, caller ☎');
        case '/latin1': return reply(200, 'text/plain; charset=iso-8859-1', Buffer.from([0x5a, 0x6f, 0xeb])); // "Zoë"
        case '/invalid-json': return reply(200, 'application/json', '{"a":');
        case '/empty-json': return reply(204, 'application/json', '');
        case '/boom': return reply(500, 'application/json', '{"error":"db down"}');
        case '/missing': return reply(404, 'text/plain', 'no such customer');
        case '/reason':
          res.statusMessage = 'Customer Found';
          return reply(200, 'text/plain', 'ok');
        case '/multi':
          return reply(200, 'text/plain', 'ok', { 'Set-Cookie': ['a=1', 'b=2'], 'X-Trace-Id': 'T1' });
        case '/echo':
          return reply(200, 'application/json', JSON.stringify({ ok: true }));
        default: return reply(404, 'text/plain', 'unknown');
      }
    });
    // node:http always writes a reason phrase; this one does not.
    raw = await startRawServer((socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 201\r\ncontent-length: 2\r\nconnection: close\r\n\r\nhi'));
    });
  });

  after(async () => {
    await server.close();
    await raw.close();
  });

  it('decodes a JSON object', async () => {
    const res = await client.send(get(`${server.origin}/object`), never);
    assert.equal(res.ok, true);
    assert.equal(res.status, 200);
    assert.equal(res.statusText, 'OK');
    assert.equal(res.body, '{"name":"Zoë","plan":{"tier":2}}');
    assert.deepEqual(res.json, { name: 'Zoë', plan: { tier: 2 } });
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.url, `${server.origin}/object`);
    assert.deepEqual(res.redirects, []);
    assert.equal(res.error, undefined);
    assert.ok(res.duration >= 0);
  });

  it('decodes a JSON array', async () => {
    const res = await client.send(get(`${server.origin}/array`), never);
    assert.deepEqual(res.json, [{ id: 1 }, { id: 2 }]);
  });

  it('decodes scalars and +json types when the content-type says JSON', async () => {
    assert.equal((await client.send(get(`${server.origin}/scalar`), never)).json, 42);
    const problem = await client.send(get(`${server.origin}/problem`), never);
    assert.equal(problem.ok, false);
    assert.deepEqual(problem.json, { title: 'bad' });
  });

  it('decodes objects and arrays by shape when the type is absent or text/plain', async () => {
    assert.deepEqual((await client.send(get(`${server.origin}/untyped-json`), never)).json, { a: 1 });
    assert.deepEqual((await client.send(get(`${server.origin}/plain-json`), never)).json, [1, 2]);
    const number = await client.send(get(`${server.origin}/plain-number`), never);
    assert.equal('json' in number, false);
    const html = await client.send(get(`${server.origin}/html-json`), never);
    assert.equal('json' in html, false);
  });

  it('returns text bodies as text, in the declared charset', async () => {
    const res = await client.send(get(`${server.origin}/text`), never);
    assert.equal(res.body, 'hello, caller ☎');
    assert.equal('json' in res, false);
    assert.equal((await client.send(get(`${server.origin}/latin1`), never)).body, 'Zoë');
  });

  it('leaves json out when the body is not valid JSON, and stays ok', async () => {
    const res = await client.send(get(`${server.origin}/invalid-json`), never);
    assert.equal(res.ok, true);
    assert.equal(res.body, '{"a":');
    assert.equal('json' in res, false);
    assert.equal('json' in (await client.send(get(`${server.origin}/empty-json`), never)), false);
  });

  it('reports a 500 as not ok, with status and body', async () => {
    const res = await client.send(get(`${server.origin}/boom`), never);
    assert.equal(res.ok, false);
    assert.equal(res.status, 500);
    assert.equal(res.statusText, 'Internal Server Error');
    assert.deepEqual(res.json, { error: 'db down' });
    assert.equal(res.error, undefined);
  });

  it('reports a 404 as not ok, with status and body', async () => {
    const res = await client.send(get(`${server.origin}/missing`), never);
    assert.equal(res.ok, false);
    assert.equal(res.status, 404);
    assert.equal(res.statusText, 'Not Found');
    assert.equal(res.body, 'no such customer');
  });

  it('keeps the reason phrase the server sent, and fills in the standard one when it sent none', async () => {
    assert.equal((await client.send(get(`${server.origin}/reason`), never)).statusText, 'Customer Found');
    const res = await client.send(get(`${raw.origin}/`), never);
    assert.equal(res.status, 201);
    assert.equal(res.statusText, 'Created');
    assert.equal(res.body, 'hi');
  });

  it('lower-cases header names and joins repeated values', async () => {
    const res = await client.send(get(`${server.origin}/multi`), never);
    assert.equal(res.headers['set-cookie'], 'a=1, b=2');
    assert.equal(res.headers['x-trace-id'], 'T1');
    assert.ok(Object.keys(res.headers).every((name) => name === name.toLowerCase()));
  });

  it('sends a POST with the body and headers exactly as given', async () => {
    const body = JSON.stringify({ caller: '+33612345678', note: 'rappel à 9h' });
    const res = await client.send(
      get(`${server.origin}/echo`, {
        method: 'post',
        headers: { 'Content-Type': 'application/json', 'X-Tenant': 'acme', Authorization: 'Bearer s3cret' },
        body,
      }),
      never,
    );
    assert.equal(res.ok, true);
    const seen = server.requests.at(-1)!;
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url, '/echo');
    assert.equal(seen.body, body);
    assert.equal(seen.headers['content-type'], 'application/json');
    assert.equal(seen.headers['content-length'], String(Buffer.byteLength(body)));
    assert.equal(seen.headers['x-tenant'], 'acme');
    assert.equal(seen.headers.authorization, 'Bearer s3cret');
    assert.equal(seen.headers['user-agent'], 'Ringflow/0.1');
  });

  it("keeps the caller's user-agent and sends the query string", async () => {
    await client.send(get(`${server.origin}/echo?q=a%20b&n=1#fragment`, { headers: { 'User-Agent': 'MyCRM-Bot/2' } }), never);
    const seen = server.requests.at(-1)!;
    assert.equal(seen.headers['user-agent'], 'MyCRM-Bot/2');
    assert.equal(seen.url, '/echo?q=a%20b&n=1');
  });

  it('uses the configured user-agent', async () => {
    const custom = createHttpClient({ clock: new SystemClock(), allow, userAgent: 'Acme-IVR/1' });
    await custom.send(get(`${server.origin}/echo`), never);
    assert.equal(server.requests.at(-1)!.headers['user-agent'], 'Acme-IVR/1');
  });

  it('measures the duration on the injected clock', async () => {
    const clock = new VirtualClock();
    const res = await createHttpClient({ clock, allow }).send(get(`${server.origin}/object`), never);
    assert.equal(res.ok, true);
    assert.ok(res.duration >= 0 && res.duration < 5000, String(res.duration));
    assert.equal(clock.pending, 0); // the deadline timer was cancelled
  });

  for (const url of ['ftp://127.0.0.1/file', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url', '', 'http://']) {
    it(`refuses ${JSON.stringify(url)} as invalid-url`, async () => {
      const res = await client.send(get(url), never);
      assert.equal(res.error, 'invalid-url');
      assert.equal(res.status, 0);
      assert.equal(res.ok, false);
      assert.equal(res.body, '');
      assert.match(res.errorDetail ?? '', /invalid URL/);
    });
  }

  it('refuses a header that cannot be sent instead of throwing', async () => {
    const res = await client.send(get(`${server.origin}/echo`, { headers: { 'x-bad': 'a\r\nInjected: 1' } }), never);
    assert.equal(res.error, 'invalid-url');
    assert.match(res.errorDetail ?? '', /x-bad/);
  });
});
