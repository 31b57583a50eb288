// One TCP connection carrying SIP (RFC 3261 §18.3): bytes are framed by Content-Length, each framed
// message goes through the shared inbound checks, a stream that can no longer be framed is closed,
// and a connection idle for too long is closed to free the peer's and our resources.

import type { Socket } from 'node:net';
import type { Clock, Timer } from '../../../time/clock.ts';
import { SipParseError } from '../message/errors.ts';
import { SipStreamFramer } from '../message/stream.ts';
import { acceptMessage, acceptParseError, type InboundContext } from './inbound.ts';
import type { MessageSource, SipLog, StreamConnection } from './transport.ts';

export interface TcpConnectionOptions {
  id: number;
  clock: Clock;
  maxMessageBytes: number;
  idleTimeoutMs: number;
  inbound: InboundContext;
  onClose: (conn: TcpConnection) => void;
  log?: SipLog | undefined;
}

export class TcpConnection implements StreamConnection {
  readonly id: number;
  readonly remote: { address: string; port: number };
  readonly #socket: Socket;
  readonly #framer: SipStreamFramer;
  readonly #opts: TcpConnectionOptions;
  #open = true;
  #lastActivity: number;
  #idleTimer: Timer | undefined;

  constructor(socket: Socket, opts: TcpConnectionOptions) {
    this.id = opts.id;
    this.#socket = socket;
    this.#opts = opts;
    this.remote = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    this.#framer = new SipStreamFramer({ maxMessageBytes: opts.maxMessageBytes });
    this.#lastActivity = opts.clock.now();
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.#onData(chunk));
    socket.on('error', (e) => opts.log?.('debug', 'sip: tcp connection error', { remote: this.#label(), error: String(e) }));
    socket.on('close', () => this.#closed());
    this.#armIdle(opts.idleTimeoutMs);
  }

  get open(): boolean {
    return this.#open;
  }

  write(data: Buffer): Promise<void> {
    if (!this.#open) return Promise.reject(new Error(`the TCP connection to ${this.#label()} is closed`));
    this.#lastActivity = this.#opts.clock.now();
    return new Promise((resolve, reject) => {
      this.#socket.write(data, (err) => (err ? reject(err) : resolve()));
    });
  }

  close(): void {
    if (!this.#open) return;
    this.#socket.destroy();
    this.#closed();
  }

  #onData(chunk: Buffer): void {
    this.#lastActivity = this.#opts.clock.now();
    const source: MessageSource = { address: this.remote.address, port: this.remote.port, transport: 'TCP', connection: this };
    const ctx = this.#opts.inbound;
    try {
      for (const framed of this.#framer.push(chunk)) {
        if (!this.#open) return;
        if (framed.ok) acceptMessage(framed.message, source, ctx);
        else acceptParseError(framed.error, source, ctx);
      }
    } catch (e) {
      // The stream cannot be framed any more (no Content-Length, too large): nothing after this
      // point can be trusted to start at a message boundary, so the connection goes (§18.3).
      ctx.stats.malformed++;
      const detail = e instanceof SipParseError ? e.code : String(e);
      this.#opts.log?.('debug', 'sip: closing an unframable tcp stream', { remote: this.#label(), error: detail });
      this.close();
    }
  }

  #armIdle(ms: number): void {
    if (!this.#open || this.#opts.idleTimeoutMs <= 0) return;
    this.#idleTimer = this.#opts.clock.setTimer(ms, () => {
      const idle = this.#opts.clock.now() - this.#lastActivity;
      if (idle >= this.#opts.idleTimeoutMs) this.close();
      else this.#armIdle(this.#opts.idleTimeoutMs - idle);
    });
  }

  #closed(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#idleTimer?.cancel();
    this.#opts.onClose(this);
  }

  #label(): string {
    return `${this.remote.address}:${this.remote.port}`;
  }
}
