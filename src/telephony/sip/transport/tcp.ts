// SIP over TCP (RFC 3261 §18): a listening server plus client connections, one per remote
// address and port, reused for every message to that peer and closed when idle.

import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Clock } from '../../../time/clock.ts';
import { serializeMessage } from '../message/serialize.ts';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../message/stream.ts';
import type { SipMessage } from '../message/types.ts';
import type { InboundContext } from './inbound.ts';
import { TcpConnection } from './tcp-connection.ts';
import { newStats, type MessageHandler, type SendTarget, type SipLog, type Transport, type TransportStats } from './transport.ts';

export interface TcpTransportOptions {
  host: string;
  port: number;
  clock: Clock;
  maxMessageBytes?: number;
  /** Close a connection after this long without traffic either way. Default 5 minutes; 0 never. */
  idleTimeoutMs?: number;
  /** Give up on a connection attempt after this long. Default 10 s. */
  connectTimeoutMs?: number;
  log?: SipLog;
}

export class TcpTransport implements Transport {
  readonly name = 'TCP' as const;
  readonly stats: TransportStats = newStats();
  readonly #server: Server;
  readonly #opts: TcpTransportOptions;
  readonly #inbound: InboundContext;
  /** Open connections by `address:port` of the peer (and by the host name they were opened to). */
  readonly #connections = new Map<string, TcpConnection>();
  readonly #connecting = new Map<string, Promise<TcpConnection>>();
  readonly #all = new Set<TcpConnection>();
  #handler: MessageHandler | undefined;
  #nextId = 1;
  #closed = false;

  private constructor(server: Server, opts: TcpTransportOptions) {
    this.#server = server;
    this.#opts = opts;
    this.#inbound = {
      stats: this.stats,
      handler: () => this.#handler,
      reply: (res, source) => void this.send(res, { host: source.address, port: source.port, transport: 'TCP', connection: source.connection }).catch(() => {}),
      log: opts.log,
    };
    server.on('connection', (socket) => this.#adopt(socket));
    server.on('error', (e) => opts.log?.('warn', 'sip: tcp server error', { error: String(e) }));
  }

  static listen(opts: TcpTransportOptions): Promise<TcpTransport> {
    const server = createServer();
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => {
        server.off('error', reject);
        resolve(new TcpTransport(server, opts));
      });
    });
  }

  get local(): { address: string; port: number } {
    const a = this.#server.address();
    return a !== null && typeof a === 'object' ? { address: a.address, port: a.port } : { address: this.#opts.host, port: this.#opts.port };
  }

  /** Number of open connections (for tests and metrics). */
  get connectionCount(): number {
    return this.#all.size;
  }

  onMessage(handler: MessageHandler): void {
    this.#handler = handler;
  }

  async send(msg: SipMessage, target: SendTarget): Promise<void> {
    if (this.#closed) throw new Error('the TCP transport is closed');
    const data = serializeMessage(msg);
    // §18.2.2: a response goes back over the connection its request came on while that is open.
    const conn = target.connection?.open ? target.connection : await this.#connectionTo(target.host, target.port);
    await conn.write(data);
    this.stats.sent++;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const conn of [...this.#all]) conn.close();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #connectionTo(host: string, port: number): Promise<TcpConnection> {
    const key = `${host}:${port}`;
    const existing = this.#connections.get(key);
    if (existing?.open) return Promise.resolve(existing);
    const pending = this.#connecting.get(key);
    if (pending) return pending;
    const attempt = this.#open(host, port).finally(() => this.#connecting.delete(key));
    this.#connecting.set(key, attempt);
    return attempt;
  }

  #open(host: string, port: number): Promise<TcpConnection> {
    const release = this.#opts.clock.hold(); // real I/O: a virtual clock must not jump past it
    return new Promise<TcpConnection>((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = this.#opts.clock.setTimer(this.#opts.connectTimeoutMs ?? 10_000, () => {
        socket.destroy(new Error(`TCP connection to ${host}:${port} timed out`));
      });
      socket.once('error', (e) => {
        timer.cancel();
        reject(e);
      });
      socket.once('connect', () => {
        timer.cancel();
        if (this.#closed) {
          socket.destroy();
          reject(new Error('the TCP transport is closed'));
          return;
        }
        const conn = this.#adopt(socket);
        this.#connections.set(`${host}:${port}`, conn);
        resolve(conn);
      });
    }).finally(release);
  }

  #adopt(socket: Socket): TcpConnection {
    const conn = new TcpConnection(socket, {
      id: this.#nextId++,
      clock: this.#opts.clock,
      maxMessageBytes: this.#opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      idleTimeoutMs: this.#opts.idleTimeoutMs ?? 300_000,
      inbound: this.#inbound,
      log: this.#opts.log,
      onClose: (c) => {
        this.#all.delete(c);
        for (const [key, value] of this.#connections) if (value === c) this.#connections.delete(key);
      },
    });
    if (this.#closed) {
      conn.close();
      return conn;
    }
    this.#all.add(conn);
    this.#connections.set(`${conn.remote.address}:${conn.remote.port}`, conn);
    return conn;
  }
}
