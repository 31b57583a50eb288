// The transports one user agent listens on (UDP and TCP on the same port) and the address it
// advertises in Via and Contact, which differs from the bound one behind NAT or on 0.0.0.0.

import type { Clock } from '../../../time/clock.ts';
import type { SipMessage } from '../message/types.ts';
import { TcpTransport } from './tcp.ts';
import type { MessageChannel, MessageHandler, SendTarget, SipLog, Transport, TransportName, TransportStats } from './transport.ts';
import { UdpTransport } from './udp.ts';

export interface TransportLayerOptions {
  clock: Clock;
  /** Address to bind. Default `0.0.0.0`. */
  host?: string;
  /** Port for UDP and TCP. Default 5060; 0 picks a free port (the same for both). */
  port?: number;
  /** Default both. */
  transports?: readonly TransportName[];
  /** Host for Via sent-by and Contact. Default: the bound host, or 127.0.0.1 when bound to 0.0.0.0. */
  advertisedHost?: string;
  /** Port to advertise when it differs from the bound one (a NAT port mapping). */
  advertisedPort?: number;
  maxMessageBytes?: number;
  tcpIdleTimeoutMs?: number;
  tcpConnectTimeoutMs?: number;
  log?: SipLog;
}

export class TransportLayer implements MessageChannel {
  readonly #transports = new Map<TransportName, Transport>();
  readonly #advertised: { host: string; port: number | undefined };
  #handler: MessageHandler | undefined;

  private constructor(transports: Transport[], advertised: { host: string; port: number | undefined }) {
    for (const t of transports) {
      this.#transports.set(t.name, t);
      t.onMessage((msg, source) => this.#handler?.(msg, source));
    }
    this.#advertised = advertised;
  }

  static async listen(opts: TransportLayerOptions): Promise<TransportLayer> {
    const host = opts.host ?? '0.0.0.0';
    const wanted = opts.transports ?? ['UDP', 'TCP'];
    const transports = await bindAll(host, opts.port ?? 5060, wanted, opts);
    const advertisedHost = opts.advertisedHost ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
    return new TransportLayer(transports, { host: advertisedHost, port: opts.advertisedPort });
  }

  /** Wraps transports made elsewhere (tests, a TLS transport later). */
  static of(transports: Transport[], advertisedHost: string, advertisedPort?: number): TransportLayer {
    return new TransportLayer(transports, { host: advertisedHost, port: advertisedPort });
  }

  get names(): TransportName[] {
    return [...this.#transports.keys()];
  }

  transport(name: TransportName): Transport | undefined {
    return this.#transports.get(name);
  }

  /** The host and port to put in Via sent-by and Contact for messages over `name`. */
  sentBy(name: TransportName): { host: string; port: number } {
    const t = this.#transports.get(name) ?? [...this.#transports.values()][0];
    return { host: this.#advertised.host, port: this.#advertised.port ?? t?.local.port ?? 5060 };
  }

  stats(): Record<string, TransportStats> {
    return Object.fromEntries([...this.#transports].map(([name, t]) => [name, t.stats]));
  }

  onMessage(handler: MessageHandler): void {
    this.#handler = handler;
  }

  send(msg: SipMessage, target: SendTarget): Promise<void> {
    const t = this.#transports.get(target.transport);
    if (t === undefined) return Promise.reject(new Error(`no ${target.transport} transport is listening`));
    return t.send(msg, target);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#transports.values()].map((t) => t.close()));
  }
}

/** Binds every transport on one port; with port 0, retries when the first free UDP port is taken for TCP. */
async function bindAll(host: string, port: number, names: readonly TransportName[], opts: TransportLayerOptions): Promise<Transport[]> {
  for (let attempt = 0; ; attempt++) {
    const bound: Transport[] = [];
    let chosen = port;
    try {
      for (const name of names) {
        const t =
          name === 'UDP'
            ? await UdpTransport.listen({ host, port: chosen, ...optional(opts) })
            : await TcpTransport.listen({
                host,
                port: chosen,
                clock: opts.clock,
                ...optional(opts),
                ...(opts.tcpIdleTimeoutMs !== undefined ? { idleTimeoutMs: opts.tcpIdleTimeoutMs } : {}),
                ...(opts.tcpConnectTimeoutMs !== undefined ? { connectTimeoutMs: opts.tcpConnectTimeoutMs } : {}),
              });
        bound.push(t);
        chosen = t.local.port;
      }
      return bound;
    } catch (e) {
      await Promise.all(bound.map((t) => t.close()));
      const inUse = (e as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (port !== 0 || !inUse || attempt >= 20) throw e;
    }
  }
}

function optional(opts: TransportLayerOptions): { maxMessageBytes?: number; log?: SipLog } {
  return {
    ...(opts.maxMessageBytes !== undefined ? { maxMessageBytes: opts.maxMessageBytes } : {}),
    ...(opts.log !== undefined ? { log: opts.log } : {}),
  };
}
