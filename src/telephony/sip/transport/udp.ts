// SIP over UDP (RFC 3261 §18): one datagram, one message. A datagram that does not parse is
// answered with 400 when possible and otherwise dropped; nothing a peer sends can throw out of
// the socket handler.

import { createSocket, type Socket } from 'node:dgram';
import { literalLookup } from '../../literal-lookup.ts';
import { isIPv6 } from 'node:net';
import { parseMessage } from '../message/parse.ts';
import { serializeMessage } from '../message/serialize.ts';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../message/stream.ts';
import type { SipMessage } from '../message/types.ts';
import { acceptBytes, type InboundContext } from './inbound.ts';
import { newStats, type MessageHandler, type SendTarget, type SipLog, type Transport, type TransportStats } from './transport.ts';

export interface UdpTransportOptions {
  /** Address to bind, e.g. `0.0.0.0` or `127.0.0.1`. */
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Larger datagrams are dropped unread. Default 64 KiB. */
  maxMessageBytes?: number;
  log?: SipLog;
}

export class UdpTransport implements Transport {
  readonly name = 'UDP' as const;
  readonly stats: TransportStats = newStats();
  readonly #socket: Socket;
  readonly #max: number;
  readonly #log: SipLog | undefined;
  readonly #inbound: InboundContext;
  #handler: MessageHandler | undefined;
  #closed = false;

  private constructor(socket: Socket, opts: UdpTransportOptions) {
    this.#socket = socket;
    this.#max = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.#log = opts.log;
    this.#inbound = {
      stats: this.stats,
      handler: () => this.#handler,
      reply: (res, source) => void this.send(res, { host: source.address, port: source.port, transport: 'UDP' }).catch(() => {}),
      log: this.#log,
    };
    socket.on('message', (data, rinfo) => this.#onDatagram(data, rinfo.address, rinfo.port));
    // ICMP errors and the like surface here; a UDP socket stays usable after them.
    socket.on('error', (e) => this.#log?.('warn', 'sip: udp socket error', { error: String(e) }));
  }

  static listen(opts: UdpTransportOptions): Promise<UdpTransport> {
    const socket = createSocket({ type: isIPv6(opts.host) ? 'udp6' : 'udp4', lookup: literalLookup });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(opts.port, opts.host, () => {
        socket.off('error', reject);
        resolve(new UdpTransport(socket, opts));
      });
    });
  }

  get local(): { address: string; port: number } {
    const a = this.#socket.address();
    return { address: a.address, port: a.port };
  }

  onMessage(handler: MessageHandler): void {
    this.#handler = handler;
  }

  send(msg: SipMessage, target: SendTarget): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the UDP transport is closed'));
    const data = serializeMessage(msg);
    return new Promise((resolve, reject) => {
      this.#socket.send(data, target.port, target.host, (err) => {
        if (err) reject(err);
        else {
          this.stats.sent++;
          resolve();
        }
      });
    });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }

  #onDatagram(data: Buffer, address: string, port: number): void {
    try {
      if (data.length > this.#max) {
        this.stats.malformed++;
        return;
      }
      // RFC 5626 §3.5.1 keep-alives (CRLF) and stray whitespace carry no message.
      if (/^[\r\n\s]*$/.test(data.toString('latin1'))) return;
      acceptBytes(() => parseMessage(data), { address, port, transport: 'UDP' }, this.#inbound);
    } catch (e) {
      this.stats.handlerErrors++;
      this.#log?.('error', 'sip: udp datagram handling failed', { error: String(e) });
    }
  }
}
