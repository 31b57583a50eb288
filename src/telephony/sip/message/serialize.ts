// From a SipMessage to bytes: full header names, one entry per line, Content-Length set from the
// body (any stale Content-Length entry is replaced), CRLF line ends (RFC 3261 §7).

import { wireName } from './header-names.ts';
import type { SipMessage } from './types.ts';

export function serializeMessage(msg: SipMessage): Buffer {
  let head = msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0\r\n` : `SIP/2.0 ${msg.status} ${msg.reason}\r\n`;
  for (const h of msg.headers) {
    if (h.name === 'content-length') continue;
    head += `${wireName(h.name)}: ${oneLine(h.value)}\r\n`;
  }
  head += `Content-Length: ${msg.body.length}\r\n\r\n`;
  if (msg.body.length === 0) return Buffer.from(head, 'utf8');
  // One buffer for both, rather than a buffer for the head and another to join it to the body.
  const headLength = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headLength + msg.body.length);
  out.write(head, 0, 'utf8');
  out.set(msg.body, headLength);
  return out;
}

/** A value must never carry a line break: it would let one header smuggle in another. */
function oneLine(value: string): string {
  return value.includes('\r') || value.includes('\n') ? value.replace(/[\r\n]+/g, ' ') : value;
}
