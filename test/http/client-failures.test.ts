// Transport failures come back as values with a kind; only the caller hanging up rejects.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHttpClient } from '../../src/http/client.ts';
import type { HttpRequest } from '../../src/http/exchange.ts';
import { parseAllowList } from '../../src/http/guard.ts';
import { SystemClock } from '../../src/time/clock.ts';
import { VirtualClock } from '../../src/time/virtual-clock.ts';
import { closedPort, startRawServer, startServer, tableLookup, TEST_CERT, type LoopbackServer } from './loopback-server.ts';

const never = new AbortController().signal;
const allow = parseAllowList('127.0.0.1, crm.test, other.test');
const lookup = tableLookup({ 'crm.test': '127.0.0.1', 'other.test': '127.0.0.1' });
const client = createHttpClient({ clock: new SystemClock(), allow, lookup });

function get(url: string, extra: Partial<HttpRequest> = {}): HttpRequest {
  return { url, method: 'GET', headers: {}, timeoutMs: 5000, ...extra };
}

function assertFailure(res: Awaited<ReturnType<typeof client.send>>, kind: string): void {
  assert.equal(res.error, kind, res.errorDetail);
  assert.equal(res.ok, false);
  assert.equal(res.status, 0);
  assert.equal(res.body, '');
  assert.deepEqual(res.headers, {});
  assert.ok(res.errorDetail);
}

describe('connection failures', () => {
  let raw: LoopbackServer;

  before(async () => {
    raw = await startRawServer((socket) => {
      socket.once('data', (chunk) => {
        const path = chunk.toString('latin1').split(' ')[1];
        if (path === '/reset-before') socket.destroy();
        else if (path === '/reset-during') socket.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\npartial', () => socket.destroy());
        else if (path === '/garbage') socket.end('this is not HTTP\r\n\r\n');
      });
    });
  });

  after(() => raw.close());

  it('reports a closed port as refused', async () => {
    const port = await closedPort();
    const res = await client.send(get(`http://127.0.0.1:${port}/`), never);
    assertFailure(res, 'refused');
    assert.equal(res.url, `http://127.0.0.1:${port}/`);
  });

  it('reports a socket closed before the response as reset', async () => {
    assertFailure(await client.send(get(`${raw.origin}/reset-before`), never), 'reset');
  });

  it('reports a socket closed mid-body as reset', async () => {
    assertFailure(await client.send(get(`${raw.origin}/reset-during`), never), 'reset');
  });

  it('reports a response that is not HTTP as reset', async () => {
    assertFailure(await client.send(get(`${raw.origin}/garbage`), never), 'reset');
  });
});

describe('timeouts', () => {
  let silent: LoopbackServer;

  before(async () => {
    silent = await startServer(() => {}); // reads the request, never answers
  });

  after(() => silent.close());

  it('gives up at the deadline on the real clock and closes the socket', async () => {
    const index = silent.connections();
    const started = performance.now();
    const res = await client.send(get(`${silent.origin}/slow`, { timeoutMs: 200 }), never);
    const elapsed = performance.now() - started;
    assertFailure(res, 'timeout');
    assert.match(res.errorDetail ?? '', /200 ms/);
    assert.ok(elapsed >= 190 && elapsed < 900, `took ${elapsed} ms`);
    assert.ok(res.duration >= 190 && res.duration < 900, `duration ${res.duration}`);
    await silent.socketClosed(index); // hangs (and the test times out) if the socket stayed open
  });

  it('fires on a virtual clock too, since the clock flows while the request holds it', async () => {
    const clock = new VirtualClock();
    const index = silent.connections();
    const started = performance.now();
    const res = await createHttpClient({ clock, allow }).send(get(`${silent.origin}/slow`, { timeoutMs: 200 }), never);
    assertFailure(res, 'timeout');
    assert.ok(performance.now() - started < 900);
    assert.ok(res.duration >= 190 && res.duration < 900, `duration ${res.duration}`);
    assert.equal(clock.pending, 0);
    await silent.socketClosed(index);
  });

  it('bounds a DNS lookup that never answers', async () => {
    const hanging = createHttpClient({ clock: new SystemClock(), lookup: () => new Promise(() => {}) });
    assertFailure(await hanging.send(get('http://slow-dns.fake/', { timeoutMs: 100 }), never), 'timeout');
  });

  it('bounds the whole exchange, not each step: a body trickling in still times out', async () => {
    const trickle = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('.'), 20);
      res.on('close', () => clearInterval(timer));
    });
    try {
      const started = performance.now();
      assertFailure(await client.send(get(`${trickle.origin}/`, { timeoutMs: 250 }), never), 'timeout');
      assert.ok(performance.now() - started < 900);
      await trickle.socketClosed(0);
    } finally {
      await trickle.close();
    }
  });
});

describe('response size cap', () => {
  const FIFTY_MB = 50 * 1024 * 1024;
  let big: LoopbackServer;
  let written = 0;

  before(async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    big = await startServer((req, res) => {
      const declared = req.url === '/declared';
      res.writeHead(200, { 'content-type': 'text/plain', ...(declared ? { 'content-length': String(FIFTY_MB) } : {}) });
      if (req.url === '/small') return res.end('0123456789ABCDEF');
      // Streams 50 MB with backpressure, so neither side ever needs to hold it.
      written = 0;
      const pump = () => {
        while (written < FIFTY_MB) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    });
  });

  after(() => big.close());

  it('stops reading a 50 MB body past the cap without buffering it, and hangs up', async () => {
    const index = big.connections();
    const rssBefore = process.memoryUsage().rss;
    const res = await client.send(get(`${big.origin}/stream`), never);
    const growth = process.memoryUsage().rss - rssBefore;
    assertFailure(res, 'too-large');
    assert.match(res.errorDetail ?? '', /1048576 bytes/);
    assert.ok(growth < 20 * 1024 * 1024, `RSS grew by ${(growth / 1048576).toFixed(1)} MB`);
    await big.socketClosed(index);
    assert.ok(written < FIFTY_MB, `server wrote ${written} bytes`);
  });

  it('fails at once when the declared length is over the cap', async () => {
    const index = big.connections();
    const res = await client.send(get(`${big.origin}/declared`), never);
    assertFailure(res, 'too-large');
    assert.match(res.errorDetail ?? '', new RegExp(`${FIFTY_MB} bytes`));
    await big.socketClosed(index);
  });

  it('applies a per-request cap, and the client default', async () => {
    assertFailure(await client.send(get(`${big.origin}/small`, { maxBodyBytes: 10 }), never), 'too-large');
    assert.equal((await client.send(get(`${big.origin}/small`, { maxBodyBytes: 16 }), never)).body, '0123456789ABCDEF');
    const tiny = createHttpClient({ clock: new SystemClock(), allow, maxBodyBytes: 8 });
    assertFailure(await tiny.send(get(`${big.origin}/small`), never), 'too-large');
  });
});

describe('caller hang-up', () => {
  let silent: LoopbackServer;
  let onRequest: () => void = () => {};

  before(async () => {
    silent = await startServer(() => onRequest());
  });

  after(() => silent.close());

  it('rejects with the signal reason at once, and closes the socket', async () => {
    const index = silent.connections();
    const hangup = new AbortController();
    const reason = new Error('caller hung up');
    onRequest = () => hangup.abort(reason);
    const started = performance.now();
    await assert.rejects(client.send(get(`${silent.origin}/slow`, { timeoutMs: 10_000 }), hangup.signal), (e) => e === reason);
    assert.ok(performance.now() - started < 1000);
    await silent.socketClosed(index);
  });

  it('rejects while DNS is still resolving', async () => {
    const hangup = new AbortController();
    const reason = { hungUp: true }; // any value, not only Errors
    const hanging = createHttpClient({
      clock: new SystemClock(),
      lookup: () => {
        queueMicrotask(() => hangup.abort(reason));
        return new Promise(() => {});
      },
    });
    await assert.rejects(hanging.send(get('http://slow-dns.fake/'), hangup.signal), (e) => e === reason);
  });

  it('rejects without sending when the signal is already aborted', async () => {
    const requests = silent.requests.length;
    const reason = new Error('gone');
    await assert.rejects(client.send(get(`${silent.origin}/`), AbortSignal.abort(reason)), (e) => e === reason);
    assert.equal(silent.requests.length, requests);
  });

  it('releases the virtual clock hold either way', async () => {
    const clock = new VirtualClock();
    const hangup = new AbortController();
    onRequest = () => hangup.abort(new Error('bye'));
    await assert.rejects(createHttpClient({ clock, allow }).send(get(`${silent.origin}/`), hangup.signal));
    // Held, the clock would follow real time; released, a sleep jumps straight to its end.
    const started = performance.now();
    await clock.sleep(60_000);
    assert.ok(performance.now() - started < 1000);
  });
});

describe('TLS', () => {
  let tls: LoopbackServer;
  let plain: LoopbackServer;

  before(async () => {
    tls = await startServer((_req, res) => res.end('secret data'), { tls: true });
    plain = await startServer((_req, res) => res.end('plain'));
  });

  after(async () => {
    await tls.close();
    await plain.close();
  });

  it('reports an untrusted self-signed certificate as tls', async () => {
    const res = await client.send(get(`https://crm.test:${tls.port}/`), never);
    assertFailure(res, 'tls');
    assert.match(res.errorDetail ?? '', /self.signed/i);
  });

  it('reports a certificate for another name as tls, even when trusted', async () => {
    const trusting = createHttpClient({ clock: new SystemClock(), allow, lookup, ca: TEST_CERT });
    assertFailure(await trusting.send(get(`https://other.test:${tls.port}/`), never), 'tls');
  });

  it('reports an https request to a plain-HTTP server as tls', async () => {
    assertFailure(await client.send(get(`https://127.0.0.1:${plain.port}/`), never), 'tls');
  });

  it('verifies against the host name while connecting to the pinned address', async () => {
    const trusting = createHttpClient({ clock: new SystemClock(), allow, lookup, ca: TEST_CERT });
    const res = await trusting.send(get(`https://crm.test:${tls.port}/`), never);
    assert.equal(res.ok, true, res.errorDetail);
    assert.equal(res.body, 'secret data');
  });
});
