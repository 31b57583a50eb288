// Prompt downloads go through the same guard as fetch@v2: loopback is refused unless allowed, and
// a redirect cannot lead to an address the guard refuses.

import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createGuardedFetch } from '../../src/http/guarded-fetch.ts';
import { parseAllowList } from '../../src/http/guard.ts';

let server: Server;
let port: number;
before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hop') {
      res.writeHead(302, { location: `http://127.0.0.1:${port}/audio` }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'audio/wav' }).end(Buffer.from([1, 2, 3]));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
after(() => server.close());

const init = () => ({ signal: AbortSignal.timeout(5000), redirect: 'follow' as const, headers: {} });

it('refuses loopback by default, naming the address and the way to allow it', async () => {
  const g = createGuardedFetch(parseAllowList(''));
  try {
    await assert.rejects(g.fetch(`http://127.0.0.1:${port}/audio`, init()), /127\.0\.0\.1 blocked \(loopback address\); allow it with RINGFLOW_HTTP_ALLOW/);
  } finally {
    await g.close();
  }
});

it('fetches bytes from an allowed address', async () => {
  const g = createGuardedFetch(parseAllowList('127.0.0.1'));
  try {
    const r = await g.fetch(`http://127.0.0.1:${port}/audio`, init());
    assert.deepEqual([...new Uint8Array(await r.arrayBuffer())], [1, 2, 3]);
  } finally {
    await g.close();
  }
});

it('checks every redirect hop: an allowed host cannot redirect to a refused address', async () => {
  // "localhost" is allowed by name; the redirect goes to the literal 127.0.0.1, which is not.
  const g = createGuardedFetch(parseAllowList('localhost'));
  try {
    await assert.rejects(g.fetch(`http://localhost:${port}/hop`, init()), /127\.0\.0\.1 blocked/);
  } finally {
    await g.close();
  }
});
