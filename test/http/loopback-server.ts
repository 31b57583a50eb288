// Test servers on 127.0.0.1, port 0, that record what reached them: requests, connections, and
// when each socket closed (to prove the client really hung up).

import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface LoopbackServer {
  readonly port: number;
  /** `http://127.0.0.1:PORT` (or https). */
  readonly origin: string;
  readonly requests: RecordedRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  /** Resolves with the n-th accepted socket (0-based), now or when it arrives. */
  socket(index?: number): Promise<Socket>;
  /** Resolves when the n-th socket has closed. */
  socketClosed(index?: number): Promise<void>;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, recorded: RecordedRequest) => void;

const CERT_DIR = new URL('./fixtures/', import.meta.url);
export const TEST_CERT = readFileSync(new URL('crm-test.cert.pem', CERT_DIR), 'utf8');
const TEST_KEY = readFileSync(new URL('crm-test.key.pem', CERT_DIR), 'utf8');

/** An HTTP (or HTTPS, with the crm.test certificate) server; the handler sees the full request body. */
export function startServer(handler: Handler, options: { tls?: boolean } = {}): Promise<LoopbackServer> {
  const requests: RecordedRequest[] = [];
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      handler(req, res, recorded);
    });
  };
  const server = options.tls ? createHttpsServer({ cert: TEST_CERT, key: TEST_KEY }, onRequest) : createHttpServer(onRequest);
  return listen(server, requests, options.tls ? 'https' : 'http');
}

/** A raw TCP server, for responses node:http would not write (no reason phrase, cut mid-way). */
export function startRawServer(onSocket: (socket: Socket) => void): Promise<LoopbackServer> {
  return listen(createNetServer(onSocket), [], 'http');
}

async function listen(server: Server, requests: RecordedRequest[], scheme: string): Promise<LoopbackServer> {
  const sockets: Socket[] = [];
  const closed: Promise<void>[] = [];
  const waiting: ((s: Socket) => void)[] = [];
  server.on('connection', (socket: Socket) => {
    sockets.push(socket);
    closed.push(new Promise<void>((resolve) => socket.once('close', () => resolve())));
    socket.on('error', () => {}); // the client hanging up mid-way is what several tests want
    waiting.splice(0).forEach((wake) => wake(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const socket = async (index = 0): Promise<Socket> => {
    while (sockets.length <= index) await new Promise<Socket>((resolve) => waiting.push(resolve));
    return sockets[index]!;
  };
  return {
    port,
    origin: `${scheme}://127.0.0.1:${port}`,
    requests,
    connections: () => sockets.length,
    socket,
    socketClosed: async (index = 0) => {
      await socket(index);
      await closed[index];
    },
    close: async () => {
      sockets.forEach((s) => s.destroy());
      server.close();
      await once(server, 'close');
    },
  };
}

/** A port on 127.0.0.1 with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** A lookup that answers from a fixed table, counting calls; unknown names fail like NXDOMAIN. */
export function tableLookup(table: Record<string, string | string[]>): {
  (hostname: string): Promise<{ address: string; family: number }[]>;
  calls: string[];
} {
  const calls: string[] = [];
  const lookup = async (hostname: string) => {
    calls.push(hostname);
    const entry = table[hostname];
    if (entry === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
    return [entry].flat().map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(lookup, { calls });
}
