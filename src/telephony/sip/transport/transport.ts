// The contract between the transport layer (RFC 3261 §18) and the layers above: send a message to
// an address, be told about each message that arrives and where it came from. UDP and TCP
// implement it; the transaction layer's tests use a fake.

import type { SipMessage } from '../message/types.ts';

export type TransportName = 'UDP' | 'TCP';

/** An open stream (a TCP connection) a message arrived on; a response to it goes back over it (§18.2.2). */
export interface StreamConnection {
  readonly id: number;
  readonly open: boolean;
  write(data: Buffer): Promise<void>;
}

/** Where to send a message. For a response, `connection` is the stream its request came in on. */
export interface SendTarget {
  host: string;
  port: number;
  transport: TransportName;
  connection?: StreamConnection | undefined;
}

/** Where a received message came from. */
export interface MessageSource {
  address: string;
  port: number;
  transport: TransportName;
  connection?: StreamConnection | undefined;
}

export type MessageHandler = (msg: SipMessage, source: MessageSource) => void;

/** What the transaction layer needs of a transport: the TransportLayer, one Transport, or a test fake. */
export interface MessageChannel {
  /** Rejects when the message could not leave (connection refused, socket closed): a transport error (§17.1.4). */
  send(msg: SipMessage, target: SendTarget): Promise<void>;
  onMessage(handler: MessageHandler): void;
}

export interface Transport extends MessageChannel {
  readonly name: TransportName;
  /** The address and port the socket is bound to. */
  readonly local: { address: string; port: number };
  readonly stats: TransportStats;
  close(): Promise<void>;
}

/** Counters a transport keeps so an operator can see bad peers without reading packet traces. */
export interface TransportStats {
  /** Messages handed up. */
  received: number;
  sent: number;
  /** Input that could not be parsed or failed validation. */
  malformed: number;
  /** Malformed requests answered with a 400 (or 416) instead of being dropped. */
  rejected: number;
  /** Errors thrown by the handler above (caught: a socket handler never throws). */
  handlerErrors: number;
}

export function newStats(): TransportStats {
  return { received: 0, sent: 0, malformed: 0, rejected: 0, handlerErrors: 0 };
}

/** §18: a reliable transport does its own retransmission, so the transactions do not. */
export function isReliable(name: TransportName): boolean {
  return name !== 'UDP';
}

/** `UDP` / `TCP` from a Via transport or a `transport=` URI parameter (case-insensitive, §19.1.1); null for the others. */
export function transportName(text: string | null | undefined): TransportName | null {
  const upper = (text ?? '').toUpperCase();
  return upper === 'UDP' || upper === 'TCP' ? upper : null;
}

export type SipLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type SipLog = (level: SipLogLevel, message: string, fields?: Record<string, unknown>) => void;
