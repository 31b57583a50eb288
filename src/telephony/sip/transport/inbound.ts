// What every transport does with a message that arrived, before the transaction layer sees it:
// validation (answer a bad request with 400 when we can, drop the rest), the Via `received` and
// `rport` stamps, and a handler call that can never throw back into the socket.

import { buildResponse } from '../message/build.ts';
import { SipParseError } from '../message/errors.ts';
import { headers } from '../message/headers.ts';
import type { SipMessage, SipRequest, SipResponse } from '../message/types.ts';
import { validateRequest, validateResponse } from '../message/validate.ts';
import { parsedVia } from '../message/parsed.ts';
import { formatVia } from '../message/via.ts';
import type { MessageHandler, MessageSource, SipLog, TransportStats } from './transport.ts';

export interface InboundContext {
  stats: TransportStats;
  handler: () => MessageHandler | undefined;
  /** Sends a stateless answer to a rejected request straight back to its source. */
  reply: (res: SipResponse, source: MessageSource) => void;
  log?: SipLog | undefined;
}

/** A message that parsed: validate, stamp, hand up. */
export function acceptMessage(msg: SipMessage, source: MessageSource, ctx: InboundContext): void {
  if (msg.kind === 'request') {
    const rejection = validateRequest(msg);
    if (rejection !== null) {
      ctx.stats.malformed++;
      // §17.1.1.3: an ACK is never answered.
      if (msg.method !== 'ACK') {
        ctx.stats.rejected++;
        ctx.reply(buildResponse(msg, rejection.status, rejection.reason), source);
      }
      ctx.log?.('debug', 'sip: rejected a malformed request', { from: `${source.address}:${source.port}`, reason: rejection.reason });
      return;
    }
    stampVia(msg, source);
  } else {
    // §8.1.3.3 has no answer to a bad response: drop it.
    const problem = validateResponse(msg);
    if (problem !== null) {
      ctx.stats.malformed++;
      ctx.log?.('debug', 'sip: dropped a malformed response', { from: `${source.address}:${source.port}`, problem });
      return;
    }
    // §18.1.2: a response with more than one Via was not meant for us.
    if (headers(msg, 'via').length !== 1) {
      ctx.stats.malformed++;
      return;
    }
  }
  ctx.stats.received++;
  const handler = ctx.handler();
  if (handler === undefined) return;
  try {
    handler(msg, source);
  } catch (e) {
    ctx.stats.handlerErrors++;
    ctx.log?.('error', 'sip: message handler threw', { error: String(e) });
  }
}

/** A message that did not parse: answer 400 when the start line and the top Via were read, else drop. */
export function acceptParseError(error: SipParseError, source: MessageSource, ctx: InboundContext): void {
  ctx.stats.malformed++;
  const partial = error.partial;
  ctx.log?.('debug', 'sip: unparsable message', { from: `${source.address}:${source.port}`, code: error.code, error: error.message });
  if (partial === undefined || partial.kind !== 'request' || partial.method === 'ACK') return;
  if (!hasUsableVia(partial)) return;
  const reason = `Bad Request: ${error.message}`.replace(/[\r\n]+/g, ' ');
  ctx.stats.rejected++;
  ctx.reply(buildResponse(partial, 400, reason.length > 200 ? `${reason.slice(0, 199)}…` : reason), source);
}

/** Parses a datagram or framed chunk; a thrown non-parse error is a bug, counted rather than let out. */
export function acceptBytes(parse: () => SipMessage, source: MessageSource, ctx: InboundContext): void {
  let msg: SipMessage;
  try {
    msg = parse();
  } catch (e) {
    if (e instanceof SipParseError) acceptParseError(e, source, ctx);
    else {
      ctx.stats.malformed++;
      ctx.log?.('error', 'sip: parser failed', { error: String(e) });
    }
    return;
  }
  try {
    acceptMessage(msg, source, ctx);
  } catch (e) {
    // A validator bug must not take the socket down either.
    ctx.stats.malformed++;
    ctx.log?.('error', 'sip: validation failed', { error: String(e) });
  }
}

function hasUsableVia(req: SipRequest): boolean {
  const top = headers(req, 'via')[0];
  if (top === undefined) return false;
  try {
    parsedVia(req, top);
    return true;
  } catch {
    return false;
  }
}

/**
 * §18.2.1: `received` when the sent-by host is not the packet's source address; RFC 3581 §4: when
 * the client asked with a bare `rport`, fill it with the source port (and always add `received`).
 */
export function stampVia(req: SipRequest, source: MessageSource): void {
  const entry = req.headers.find((h) => h.name === 'via');
  if (entry === undefined) return;
  // Validation parsed this value already; the shared form is copied, not changed.
  const via = parsedVia(req, entry.value);
  const params = { ...via.params };
  const askedRport = 'rport' in params && params.rport === null;
  if (via.host !== source.address || askedRport) params.received = source.address;
  if (askedRport) params.rport = String(source.port);
  entry.value = formatVia({ transport: via.transport, host: via.host, port: via.port, params });
}
