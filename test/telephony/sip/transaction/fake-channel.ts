// A transport double for the transaction layer: records what was sent and when, and lets a test
// deliver messages as if they came off the wire.

import type { Clock } from '../../../../src/time/clock.ts';
import { parseMessage } from '../../../../src/telephony/sip/message/parse.ts';
import type { SipMessage, SipRequest, SipResponse } from '../../../../src/telephony/sip/message/types.ts';
import type { MessageChannel, MessageHandler, MessageSource, SendTarget } from '../../../../src/telephony/sip/transport/transport.ts';

export interface Sent {
  msg: SipMessage;
  target: SendTarget;
  at: number;
}

export class FakeChannel implements MessageChannel {
  readonly sent: Sent[] = [];
  readonly #clock: Clock;
  #handler: MessageHandler | undefined;
  /** When set, every send rejects with this error. */
  failWith: Error | null = null;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  send(msg: SipMessage, target: SendTarget): Promise<void> {
    if (this.failWith) return Promise.reject(this.failWith);
    this.sent.push({ msg, target, at: this.#clock.now() });
    return Promise.resolve();
  }

  onMessage(handler: MessageHandler): void {
    this.#handler = handler;
  }

  deliver(text: string, source: MessageSource = { address: '192.0.2.9', port: 5060, transport: 'UDP' }): void {
    this.#handler?.(parseMessage(Buffer.from(text.replace(/\n/g, '\r\n'))), source);
  }

  requests(method?: string): SipRequest[] {
    return this.sent.map((s) => s.msg).filter((m): m is SipRequest => m.kind === 'request' && (method === undefined || m.method === method));
  }

  responses(status?: number): SipResponse[] {
    return this.sent.map((s) => s.msg).filter((m): m is SipResponse => m.kind === 'response' && (status === undefined || m.status === status));
  }
}

export function request(method: string, branch: string, extra = '', transport = 'UDP'): string {
  return [
    `${method} sip:bob@192.0.2.1 SIP/2.0`,
    `Via: SIP/2.0/${transport} 192.0.2.9:5060;branch=${branch}`,
    'Max-Forwards: 70',
    'From: <sip:alice@192.0.2.9>;tag=a1',
    'To: <sip:bob@192.0.2.1>',
    'Call-ID: c1@192.0.2.9',
    `CSeq: 1 ${method}`,
    ...(extra ? [extra] : []),
    'Content-Length: 0',
    '',
    '',
  ].join('\n');
}

export function response(status: number, branch: string, method: string, toTag = 'b1'): string {
  return [
    `SIP/2.0 ${status} Reason`,
    `Via: SIP/2.0/UDP 192.0.2.1:5060;branch=${branch}`,
    'From: <sip:alice@192.0.2.1>;tag=a1',
    `To: <sip:bob@192.0.2.9>${status > 100 ? `;tag=${toTag}` : ''}`,
    'Call-ID: c1@192.0.2.1',
    `CSeq: 1 ${method}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\n');
}
