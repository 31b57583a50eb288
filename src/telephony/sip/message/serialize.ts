// From a SipMessage to bytes: full header names, one entry per line, Content-Length set from the
// body (any stale Content-Length entry is replaced), CRLF line ends (RFC 3261 §7).

import { wireName } from './header-names.ts';
import type { SipMessage } from './types.ts';

export function serializeMessage(msg: SipMessage): Buffer {
  const startLine = msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`;
  let head = `${startLine}\r\n`;
  for (const h of msg.headers) {
    if (h.name === 'content-length') continue;
    // A value must never carry a line break: it would let one header smuggle in another.
    head += `${wireName(h.name)}: ${h.value.replace(/[\r\n]+/g, ' ')}\r\n`;
  }
  head += `Content-Length: ${msg.body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'utf8'), msg.body]);
}
