// The safety guard as the client applies it: after DNS, on the address actually connected to.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHttpClient, type HttpClientOptions } from '../../src/http/client.ts';
import type { HttpRequest } from '../../src/http/exchange.ts';
import { parseAllowList } from '../../src/http/guard.ts';
import { SystemClock } from '../../src/time/clock.ts';
import { startServer, tableLookup, type LoopbackServer } from './loopback-server.ts';

const never = new AbortController().signal;

function get(url: string): HttpRequest {
  return { url, method: 'GET', headers: {}, timeoutMs: 5000 };
}

function clientWith(options: Partial<HttpClientOptions> = {}) {
  return createHttpClient({ clock: new SystemClock(), ...options });
}

describe('guard in the client', () => {
  let server: LoopbackServer;

  before(async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"reached":true}');
    });
  });

  after(() => server.close());

  const blockedCases: [string, string, RegExp][] = [
    ['127.0.0.1', 'http://127.0.0.1:PORT/', /127\.0\.0\.1 \(127\.0\.0\.1\) blocked: loopback address/],
    ['localhost (system resolver)', 'http://localhost:PORT/', /localhost \((127\.0\.0\.1|::1)\) blocked: loopback address/],
    ['[::1]', 'http://[::1]:PORT/', /\[::1\] \(::1\) blocked: loopback address/],
    ['IPv4-mapped [::ffff:127.0.0.1]', 'http://[::ffff:127.0.0.1]:PORT/', /blocked: loopback address/],
    ['169.254.169.254', 'http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 \(169\.254\.169\.254\) blocked: cloud metadata address/],
    ['0.0.0.0', 'http://0.0.0.0:PORT/', /blocked: unspecified address/],
    ['an integer spelling of 127.0.0.1', 'http://2130706433:PORT/', /blocked: loopback address/],
  ];
  for (const [name, template, detail] of blockedCases) {
    it(`blocks ${name} by default, without connecting`, async () => {
      const connections = server.connections();
      const res = await clientWith().send(get(template.replace('PORT', String(server.port))), never);
      assert.equal(res.error, 'blocked');
      assert.equal(res.ok, false);
      assert.equal(res.status, 0);
      assert.match(res.errorDetail ?? '', detail);
      assert.match(res.errorDetail ?? '', /RINGFLOW_HTTP_ALLOW or --http-allow/);
      assert.equal(server.connections(), connections);
    });
  }

  it('blocks a name that resolves to a private address', async () => {
    const res = await clientWith({ lookup: tableLookup({ 'crm.fake': '10.20.30.40' }) }).send(get('http://crm.fake/contacts'), never);
    assert.equal(res.error, 'blocked');
    assert.match(res.errorDetail ?? '', /crm\.fake \(10\.20\.30\.40\) blocked: private network address/);
  });

  it('never connects when a name resolves to a loopback address that is listening', async () => {
    const connections = server.connections();
    const lookup = tableLookup({ 'crm.fake': '127.0.0.1' });
    const res = await clientWith({ lookup }).send(get(`http://crm.fake:${server.port}/`), never);
    assert.equal(res.error, 'blocked');
    assert.deepEqual(lookup.calls, ['crm.fake']);
    assert.equal(server.connections(), connections);
    assert.equal(server.requests.length, 0);
  });

  it('blocks when every address of a name is blocked, naming the first', async () => {
    const lookup = tableLookup({ 'crm.fake': ['10.0.0.1', '127.0.0.1'] });
    const res = await clientWith({ lookup }).send(get(`http://crm.fake:${server.port}/`), never);
    assert.match(res.errorDetail ?? '', /\(10\.0\.0\.1\)/);
  });

  it('connects to the allowed address of a name that also has a blocked one', async () => {
    const lookup = tableLookup({ 'crm.fake': ['10.0.0.1', '127.0.0.1'] });
    const res = await clientWith({ lookup, allow: parseAllowList('127.0.0.1') }).send(get(`http://crm.fake:${server.port}/`), never);
    assert.equal(res.ok, true);
  });

  it('allows by CIDR', async () => {
    const res = await clientWith({ allow: parseAllowList('127.0.0.0/8') }).send(get(`${server.origin}/`), never);
    assert.equal(res.ok, true);
    assert.deepEqual(res.json, { reached: true });
  });

  it('allows by host name, and only that name', async () => {
    const lookup = tableLookup({ 'crm.fake': '127.0.0.1', 'other.fake': '127.0.0.1' });
    const client = clientWith({ lookup, allow: parseAllowList('CRM.fake') });
    assert.equal((await client.send(get(`http://crm.fake:${server.port}/`), never)).ok, true);
    assert.equal((await client.send(get(`http://other.fake:${server.port}/`), never)).error, 'blocked');
    assert.equal(server.requests.at(-1)!.headers.host, `crm.fake:${server.port}`);
  });

  it('allows subdomains by wildcard, not the bare domain', async () => {
    const lookup = tableLookup({ 'api.corp.example': '127.0.0.1', 'corp.example': '127.0.0.1' });
    const client = clientWith({ lookup, allow: parseAllowList('*.corp.example') });
    assert.equal((await client.send(get(`http://api.corp.example:${server.port}/`), never)).ok, true);
    assert.equal((await client.send(get(`http://corp.example:${server.port}/`), never)).error, 'blocked');
  });

  it('pins the connection to the vetted address (a second DNS answer is never used)', async () => {
    // A rebinding resolver: first an allowed address, then an address the guard would refuse.
    let calls = 0;
    const lookup = async () => [{ address: calls++ === 0 ? '127.0.0.1' : '10.255.255.1', family: 4 }];
    const res = await clientWith({ lookup, allow: parseAllowList('127.0.0.1') }).send(get(`http://rebind.fake:${server.port}/`), never);
    assert.equal(res.ok, true);
    assert.equal(calls, 1);
  });

  it('reports a DNS failure as dns', async () => {
    const res = await clientWith({ lookup: tableLookup({}) }).send(get('http://nowhere.fake/'), never);
    assert.equal(res.error, 'dns');
    assert.equal(res.status, 0);
    assert.match(res.errorDetail ?? '', /nowhere\.fake.*ENOTFOUND/);
  });

  it('reports a temporary DNS failure and an empty answer as dns', async () => {
    const again = clientWith({ lookup: async () => { throw Object.assign(new Error('getaddrinfo EAI_AGAIN x'), { code: 'EAI_AGAIN' }); } });
    assert.equal((await again.send(get('http://flaky.fake/'), never)).error, 'dns');
    const empty = clientWith({ lookup: async () => [] });
    assert.equal((await empty.send(get('http://empty.fake/'), never)).error, 'dns');
  });
});
