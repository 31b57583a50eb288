// Two user agents on 127.0.0.1 (ports chosen by the OS) with a short T1 so the 64·T1 waits take
// about 3 s, and a raw UDP socket for playing a misbehaving peer.

import { createSocket, type Socket } from 'node:dgram';
import { SystemClock } from '../../../../src/time/clock.ts';
import { parseMessage } from '../../../../src/telephony/sip/message/parse.ts';
import type { SipMessage } from '../../../../src/telephony/sip/message/types.ts';
import { SipUserAgent, type SipUserAgentOptions } from '../../../../src/telephony/sip/ua/user-agent.ts';
import type { TransportName } from '../../../../src/telephony/sip/transport/transport.ts';

export const T1 = 50;

export function sdp(port: number, direction = 'sendrecv'): string {
  return [
    'v=0',
    `o=- ${port} 1 IN IP4 127.0.0.1`,
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP 0 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    `a=${direction}`,
    '',
  ].join('\r\n');
}

export async function agent(opts: Partial<Omit<SipUserAgentOptions, 'transport' | 'clock'>> = {}): Promise<SipUserAgent> {
  return SipUserAgent.listen({ clock: new SystemClock(), host: '127.0.0.1', port: 0, timers: { t1: T1 }, ...opts });
}

export function uriOf(ua: SipUserAgent, user: string, transport: TransportName): string {
  const { port } = ua.transport.sentBy(transport);
  return `sip:${user}@127.0.0.1:${port}${transport === 'TCP' ? ';transport=tcp' : ''}`;
}

/** Resolves with the first value `emitter` gives for `event`. */
export function once<T>(subscribe: (fn: (v: T) => void) => void): Promise<T> {
  return new Promise((resolve) => subscribe(resolve));
}

/** A bare UDP socket speaking SIP by hand. */
export class RawPeer {
  readonly socket: Socket;
  readonly received: SipMessage[] = [];
  #waiters: { pred: (m: SipMessage) => boolean; resolve: (m: SipMessage) => void }[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('message', (data) => {
      let msg: SipMessage;
      try {
        msg = parseMessage(data);
      } catch {
        return;
      }
      this.received.push(msg);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.pred(msg)) return true;
        w.resolve(msg);
        return false;
      });
    });
  }

  static async open(): Promise<RawPeer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new RawPeer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(text: string | Buffer, port: number): void {
    this.socket.send(typeof text === 'string' ? Buffer.from(text.replace(/\r?\n/g, '\r\n')) : text, port, '127.0.0.1');
  }

  next(pred: (m: SipMessage) => boolean, timeoutMs = 5000): Promise<SipMessage> {
    const found = this.received.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a message')), timeoutMs);
      this.#waiters.push({
        pred,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  close(): void {
    this.socket.close();
  }
}

export function invite(port: number, peerPort: number, branch: string, callId: string, extra: string[] = []): string {
  const body = sdp(40000);
  return [
    `INVITE sip:bob@127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${peerPort};branch=${branch};rport`,
    'Max-Forwards: 70',
    `From: <sip:raw@127.0.0.1:${peerPort}>;tag=raw1`,
    `To: <sip:bob@127.0.0.1:${port}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:raw@127.0.0.1:${peerPort}>`,
    'Content-Type: application/sdp',
    ...extra,
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}
