// Framing SIP messages on a stream transport (TCP, TLS; RFC 3261 §18.3): the header section ends at
// the first empty line, the body is exactly Content-Length bytes, and CRLFs between messages are
// keep-alives (RFC 5626 §3.5.1). One framer per connection.

import { SipParseError } from './errors.ts';
import { contentLengthOf, findHeadEnd, skipLeadingLineEnds } from './head.ts';
import { readHeaders } from './header-section.ts';
import { parseMessage } from './parse.ts';
import type { SipMessage } from './types.ts';

export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * A framed message: parsed, or framed correctly but failing a later check (the connection stays
 * usable; a UA may answer 400 using `error.partial`).
 */
export type FramedMessage = { ok: true; message: SipMessage; raw: Buffer } | { ok: false; error: SipParseError; raw: Buffer };

export interface StreamFramerOptions {
  /** Largest message (headers and body) accepted; past it `push` throws SIP_PARSE_TOO_LARGE. */
  maxMessageBytes?: number;
}

export class SipStreamFramer {
  readonly #max: number;
  #buf: Buffer = Buffer.alloc(0);
  #broken: SipParseError | null = null;
  #keepAlives = 0;

  constructor(opts: StreamFramerOptions = {}) {
    this.#max = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  /** Bytes received but not yet part of a complete message. */
  get pending(): number {
    return this.#buf.length;
  }

  /** How many keep-alive CRLF runs were skipped between messages (for the transport to answer pings). */
  get keepAlives(): number {
    return this.#keepAlives;
  }

  /**
   * Feeds a chunk; returns the messages it completed. Throws SipParseError when the stream cannot be
   * framed any more (no or bad Content-Length, message too large): the transport must close the
   * connection, and every later call throws the same error.
   */
  push(chunk: Buffer): FramedMessage[] {
    if (this.#broken !== null) throw this.#broken;
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const out: FramedMessage[] = [];
    try {
      for (;;) {
        const framed = this.#next();
        if (framed === null) break;
        out.push(framed);
      }
    } catch (e) {
      this.#broken = e instanceof SipParseError ? e : new SipParseError('SIP_PARSE_HEADER', String(e));
      this.#buf = Buffer.alloc(0);
      throw this.#broken;
    }
    return out;
  }

  #next(): FramedMessage | null {
    const start = skipLeadingLineEnds(this.#buf);
    if (start > 0) {
      this.#keepAlives++;
      this.#buf = this.#buf.subarray(start);
    }
    if (this.#buf.length === 0) return null;
    const bounds = findHeadEnd(this.#buf, 0);
    if (bounds === null) {
      if (this.#buf.length > this.#max) this.#tooLarge(this.#buf.length);
      return null;
    }
    if (bounds.bodyStart > this.#max) this.#tooLarge(bounds.bodyStart);
    const length = contentLengthOf(
      readHeaders(this.#buf.toString('utf8', 0, bounds.headEnd))
        .filter((h) => h.name === 'content-length')
        .map((h) => h.value),
    );
    if (length === null) throw new SipParseError('SIP_PARSE_CONTENT_LENGTH', 'Content-Length is required on a stream transport');
    const end = bounds.bodyStart + length;
    if (end > this.#max) this.#tooLarge(end);
    if (this.#buf.length < end) return null;
    const raw = Buffer.from(this.#buf.subarray(0, end));
    this.#buf = this.#buf.subarray(end);
    try {
      return { ok: true, message: parseMessage(raw, { stream: true }), raw };
    } catch (e) {
      if (e instanceof SipParseError) return { ok: false, error: e, raw };
      throw e;
    }
  }

  #tooLarge(size: number): never {
    throw new SipParseError('SIP_PARSE_TOO_LARGE', `message of ${size} bytes or more exceeds the limit of ${this.#max} bytes`);
  }
}
