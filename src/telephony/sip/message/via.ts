// One Via value (RFC 3261 §20.42, §25.1): sent-protocol LWS sent-by *( SEMI via-params ), where
// sent-protocol = "SIP" SLASH "2.0" SLASH transport and SLASH allows LWS on both sides.

import { isIPv6 } from 'node:net';
import { DIGITS, HOST_CHARS, inSet, TOKEN_CHARS } from './charset.ts';
import { formatParams, parseParams } from './params.ts';
import { lwsEnd, Scanner } from './scanner.ts';
import type { Via } from './types.ts';

export function parseVia(text: string): Via {
  const s = new Scanner(text, 'SIP_PARSE_VIA', 'Via');
  const { transport, host, port } = usualSentBy(s) ?? sentBy(s);
  const params = parseParams(s);
  s.skipLws();
  if (!s.done) s.fail(`unexpected "${s.peek()}"`);
  return { transport, host, port, params };
}

type SentBy = Pick<Via, 'transport' | 'host' | 'port'>;

/**
 * `SIP/2.0/UDP host[:port]` as UAs write it (no LWS inside, no IPv6), read in place; null, with the
 * cursor left at the start, for anything else, which `sentBy` then reads or explains.
 */
function usualSentBy(s: Scanner): SentBy | null {
  const text = s.text;
  const n = text.length;
  if (n < 9 || (text.charCodeAt(0) | 0x20) !== 0x73 || (text.charCodeAt(1) | 0x20) !== 0x69 || (text.charCodeAt(2) | 0x20) !== 0x70) return null;
  if (!text.startsWith('/2.0/', 3)) return null;
  let i = 8;
  while (i < n && inSet(TOKEN_CHARS, text.charCodeAt(i))) i++;
  if (i === 8) return null;
  const transport = text.slice(8, i).toUpperCase();
  const lws = i;
  i = lwsEnd(text, i);
  if (i === lws) return null;
  const hostStart = i;
  while (i < n && inSet(HOST_CHARS, text.charCodeAt(i))) i++;
  if (i === hostStart) return null;
  const host = text.slice(hostStart, i);
  let port: number | null = null;
  const c = text.charCodeAt(i);
  if (c === 0x3a) {
    const digitsStart = ++i;
    let value = 0;
    while (i < n && inSet(DIGITS, text.charCodeAt(i))) value = value * 10 + (text.charCodeAt(i++) - 0x30);
    if (i === digitsStart || i - digitsStart > 5 || value > 65535) return null;
    port = value;
  } else if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) {
    // LWS may come before a ":port".
    return null;
  }
  s.pos = i;
  return { transport, host, port };
}

/** The sent-protocol and sent-by of any Via, or a SipParseError saying what is wrong. */
function sentBy(s: Scanner): SentBy {
  s.skipLws();
  const name = s.token('the protocol name "SIP"');
  slash(s);
  const version = s.token('the protocol version "2.0"');
  if (name.toUpperCase() !== 'SIP' || version !== '2.0') s.fail(`sent-protocol is ${name}/${version}, not SIP/2.0`);
  slash(s);
  const transport = s.token('a transport (UDP, TCP…)').toUpperCase();
  const beforeLws = s.pos;
  s.skipLws();
  if (s.pos === beforeLws) s.fail('expected a space before the sent-by host');

  let host: string;
  if (s.eat('[')) {
    host = s.takeWhile((c) => c !== ']');
    s.expect(']');
    if (!isIPv6(host)) s.fail(`"${host}" is not an IPv6 address`);
  } else {
    host = s.takeSet(HOST_CHARS);
    if (host === '') s.fail('expected the sent-by host');
  }
  let port: number | null = null;
  const beforeColon = s.pos;
  s.skipLws();
  if (s.eat(':')) {
    s.skipLws();
    const digits = s.takeSet(DIGITS);
    if (digits === '' || digits.length > 5 || Number(digits) > 65535) s.fail('bad port');
    port = Number(digits);
  } else {
    s.pos = beforeColon;
  }
  return { transport, host, port };
}

function slash(s: Scanner): void {
  s.skipLws();
  s.expect('/');
  s.skipLws();
}

export function formatVia(via: Via): string {
  const host = via.host.includes(':') ? `[${via.host}]` : via.host;
  const port = via.port === null ? '' : `:${via.port}`;
  return `SIP/2.0/${via.transport} ${host}${port}${formatParams(via.params)}`;
}
