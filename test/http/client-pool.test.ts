// Keep-alive: a connection is reused after a clean exchange, and never after a failed one.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHttpClient } from '../../src/http/client.ts';
import { parseAllowList } from '../../src/http/guard.ts';
import { SystemClock } from '../../src/time/clock.ts';
import { startServer } from './loopback-server.ts';

describe('connection reuse', () => {
  const clients: { close?: () => Promise<void> }[] = [];
  after(() => Promise.all(clients.map((c) => c.close?.())));
  const client = () => {
    const c = createHttpClient({ clock: new SystemClock(), allow: parseAllowList('127.0.0.1') });
    clients.push(c);
    return c;
  };
  const signal = new AbortController().signal;

  it('sends several requests to one origin over one connection', async () => {
    const server = await startServer((_req, res) => res.end('{"ok":true}'));
    const http = client();
    for (let i = 0; i < 5; i++) {
      const r = await http.send({ url: `${server.origin}/n${i}`, method: 'GET', headers: {}, timeoutMs: 2000 }, signal);
      assert.equal(r.status, 200);
    }
    assert.equal(server.connections(), 1);
    await server.close();
  });

  it('opens a fresh connection after a timeout closed the last one', async () => {
    let first = true;
    const server = await startServer((_req, res) => {
      if (first) {
        first = false;
        return; // never answers
      }
      res.end('late but fine');
    });
    const http = client();
    const slow = await http.send({ url: `${server.origin}/slow`, method: 'GET', headers: {}, timeoutMs: 150 }, signal);
    assert.equal(slow.error, 'timeout');
    const next = await http.send({ url: `${server.origin}/next`, method: 'GET', headers: {}, timeoutMs: 2000 }, signal);
    assert.equal(next.body, 'late but fine');
    assert.equal(server.connections(), 2);
    await server.close();
  });

  it('does not reuse a connection whose response was too large', async () => {
    const server = await startServer((req, res) => res.end(req.url === '/big' ? 'x'.repeat(5000) : 'small'));
    const http = createHttpClient({ clock: new SystemClock(), allow: parseAllowList('127.0.0.1'), maxBodyBytes: 1000 });
    clients.push(http);
    assert.equal((await http.send({ url: `${server.origin}/big`, method: 'GET', headers: {}, timeoutMs: 2000 }, signal)).error, 'too-large');
    assert.equal((await http.send({ url: `${server.origin}/small`, method: 'GET', headers: {}, timeoutMs: 2000 }, signal)).body, 'small');
    assert.equal(server.connections(), 2);
    await server.close();
  });
});
