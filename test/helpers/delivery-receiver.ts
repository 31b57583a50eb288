// A webhook receiver on 127.0.0.1 for delivery tests: records every request it gets (with the time,
// headers and body), answers as the test says (a status, a hang, a reset connection), and can go
// down (connections refused) and come back up on the same port.

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  /** Date.now() when the body had arrived. */
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  eventId: string;
  attempt: number;
}

/** 200 (or another status), never answer, or cut the connection. */
export type Behaviour = number | 'hang' | 'reset';

export interface Receiver {
  readonly url: string;
  readonly requests: Received[];
  /** Decides the answer to each request (default 200). */
  behave(decide: (r: Received) => Behaviour): void;
  /** Stops listening: connections are refused. */
  down(): Promise<void>;
  /** Listens again, on the same port. */
  up(): Promise<void>;
  /** Resolves with the requests once `done` holds for them; rejects past the deadline. */
  until(done: (requests: Received[]) => boolean, timeoutMs?: number, what?: string): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(options: { down?: boolean } = {}): Promise<Receiver> {
  const requests: Received[] = [];
  const waiters = new Set<() => void>();
  let decide: (r: Received) => Behaviour = () => 200;
  let server: Server | undefined;
  let port = 0;

  const listen = async () => {
    const s = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        const r: Received = {
          at: Date.now(),
          path: req.url ?? '',
          headers: req.headers,
          body,
          json,
          eventId: String(req.headers['x-ringflow-event-id'] ?? ''),
          attempt: Number(req.headers['x-ringflow-delivery-attempt'] ?? 0),
        };
        requests.push(r);
        for (const w of waiters) w();
        const how = decide(r);
        if (how === 'hang') return;
        if (how === 'reset') {
          req.socket.destroy();
          return;
        }
        res.writeHead(how, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    port = (s.address() as AddressInfo).port;
    server = s;
  };
  const stop = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  const url = `http://127.0.0.1:${port}`;
  if (options.down) await stop();

  return {
    url,
    requests,
    behave(d) {
      decide = d;
    },
    down: stop,
    up: listen,
    until(done, timeoutMs = 10_000, what = 'the expected requests') {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!done(requests)) return;
          finish();
          resolve(requests);
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`receiver: ${what} did not arrive within ${timeoutMs} ms; got ${requests.length}: ${JSON.stringify(requests.map((r) => r.json))}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close: stop,
  };
}
