// Redirects: followed by hand, method rules, the limit, and the guard on every hop.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHttpClient } from '../../src/http/client.ts';
import type { HttpRequest } from '../../src/http/exchange.ts';
import { parseAllowList } from '../../src/http/guard.ts';
import { SystemClock } from '../../src/time/clock.ts';
import { startServer, tableLookup, type LoopbackServer } from './loopback-server.ts';

const never = new AbortController().signal;

function request(url: string, extra: Partial<HttpRequest> = {}): HttpRequest {
  return { url, method: 'GET', headers: {}, timeoutMs: 5000, ...extra };
}

describe('redirects', () => {
  let server: LoopbackServer;
  const lookup = tableLookup({ 'a.fake': '127.0.0.1', 'b.fake': '127.0.0.1' });
  // a.fake is allowed by name; b.fake resolves to the same loopback address but is not allowed.
  const client = createHttpClient({ clock: new SystemClock(), allow: parseAllowList('127.0.0.1, a.fake'), lookup });
  const onlyA = createHttpClient({ clock: new SystemClock(), allow: parseAllowList('a.fake'), lookup });

  before(async () => {
    server = await startServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const to = (status: number, location: string) => {
        res.writeHead(status, { location });
        res.end(`see ${location}`);
      };
      switch (url.pathname) {
        case '/start': return to(302, '/final');
        case '/absolute': return to(301, `${server.origin}/final`);
        case '/see-other': return to(303, '/final');
        case '/temporary': return to(307, '/final');
        case '/permanent': return to(308, '/final');
        case '/moved': return to(301, '/final');
        case '/loop': return to(302, `/loop?n=${Number(url.searchParams.get('n') ?? 0) + 1}`);
        case '/to-b': return to(302, `http://b.fake:${server.port}/final`);
        case '/to-a': return to(302, `http://a.fake:${server.port}/final`);
        case '/to-ftp': return to(302, 'ftp://a.fake/file');
        case '/to-metadata': return to(302, 'http://169.254.169.254/latest/meta-data/');
        case '/final':
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ method: req.method, at: 'final' }));
        default:
          res.writeHead(404);
          return res.end();
      }
    });
  });

  after(() => server.close());

  it('follows a relative 302 and reports the final URL', async () => {
    const res = await client.send(request(`${server.origin}/start`), never);
    assert.equal(res.ok, true);
    assert.deepEqual(res.json, { method: 'GET', at: 'final' });
    assert.equal(res.url, `${server.origin}/final`);
    assert.deepEqual(res.redirects, [{ status: 302, location: `${server.origin}/final` }]);
  });

  it('follows an absolute 301', async () => {
    const res = await client.send(request(`${server.origin}/absolute`), never);
    assert.equal(res.status, 200);
    assert.deepEqual(res.redirects, [{ status: 301, location: `${server.origin}/final` }]);
  });

  for (const [path, status] of [['/see-other', 303], ['/moved', 301], ['/start', 302]] as const) {
    it(`turns a POST into a GET without body on ${status}`, async () => {
      const before = server.requests.length;
      const res = await client.send(
        request(`${server.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-keep': '1' }, body: '{"a":1}' }),
        never,
      );
      assert.deepEqual(res.json, { method: 'GET', at: 'final' });
      const [first, second] = server.requests.slice(before);
      assert.equal(first!.method, 'POST');
      assert.equal(first!.body, '{"a":1}');
      assert.equal(second!.method, 'GET');
      assert.equal(second!.body, '');
      assert.equal(second!.headers['content-type'], undefined);
      assert.equal(second!.headers['content-length'], undefined);
      assert.equal(second!.headers['x-keep'], '1');
    });
  }

  for (const [path, status] of [['/temporary', 307], ['/permanent', 308]] as const) {
    it(`keeps method and body on ${status}`, async () => {
      const before = server.requests.length;
      const res = await client.send(
        request(`${server.origin}${path}`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'payload' }),
        never,
      );
      assert.deepEqual(res.json, { method: 'PUT', at: 'final' });
      const second = server.requests[before + 1]!;
      assert.equal(second.body, 'payload');
      assert.equal(second.headers['content-type'], 'text/plain');
    });
  }

  it('stops a loop after the limit and returns the last redirect response', async () => {
    const before = server.requests.length;
    const res = await client.send(request(`${server.origin}/loop`), never);
    assert.equal(res.status, 302);
    assert.equal(res.ok, false);
    assert.equal(res.error, undefined);
    assert.match(res.errorDetail ?? '', /5 redirects/);
    assert.equal(res.redirects.length, 5);
    assert.equal(res.url, `${server.origin}/loop?n=5`);
    assert.equal(res.headers.location, '/loop?n=6');
    assert.equal(res.body, 'see /loop?n=6');
    assert.equal(server.requests.length - before, 6); // the first request and 5 redirects
  });

  it('honours a request-level limit, 0 meaning the redirect itself is the answer', async () => {
    const res = await client.send(request(`${server.origin}/start`, { maxRedirects: 0 }), never);
    assert.equal(res.status, 302);
    assert.deepEqual(res.redirects, []);
    const two = await client.send(request(`${server.origin}/loop`, { maxRedirects: 2 }), never);
    assert.equal(two.redirects.length, 2);
  });

  it('blocks a redirect from an allowed host to a blocked one, before connecting', async () => {
    const before = server.requests.length;
    const connections = server.connections();
    const res = await onlyA.send(request(`http://a.fake:${server.port}/to-b`), never);
    assert.equal(res.error, 'blocked');
    assert.equal(res.status, 0);
    assert.match(res.errorDetail ?? '', /b\.fake \(127\.0\.0\.1\).*loopback.*RINGFLOW_HTTP_ALLOW/);
    assert.deepEqual(res.redirects, [{ status: 302, location: `http://b.fake:${server.port}/final` }]);
    assert.equal(res.url, `http://b.fake:${server.port}/final`);
    assert.equal(server.requests.length - before, 1);
    assert.equal(server.connections() - connections, 1);
  });

  it('blocks a redirect to the metadata address', async () => {
    const res = await client.send(request(`${server.origin}/to-metadata`), never);
    assert.equal(res.error, 'blocked');
    assert.match(res.errorDetail ?? '', /169\.254\.169\.254.*metadata/);
  });

  it('refuses a redirect to a non-http scheme', async () => {
    const res = await client.send(request(`${server.origin}/to-ftp`), never);
    assert.equal(res.error, 'invalid-url');
    assert.match(res.errorDetail ?? '', /ftp:\/\/a\.fake\/file/);
  });

  it('drops credentials on a redirect to another origin, keeps them on the same origin', async () => {
    const headers = { authorization: 'Bearer s3cret', cookie: 'sid=1', 'x-other': 'kept' };
    let before = server.requests.length;
    await client.send(request(`http://a.fake:${server.port}/to-a`, { headers }), never);
    let second = server.requests[before + 1]!;
    assert.equal(second.headers.authorization, 'Bearer s3cret');
    assert.equal(second.headers.cookie, 'sid=1');

    before = server.requests.length;
    await client.send(request(`${server.origin}/to-a`, { headers }), never);
    second = server.requests[before + 1]!;
    assert.equal(second.headers.host, `a.fake:${server.port}`);
    assert.equal(second.headers.authorization, undefined);
    assert.equal(second.headers.cookie, undefined);
    assert.equal(second.headers['x-other'], 'kept');
  });
});
