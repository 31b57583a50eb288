// One Via value (RFC 3261 §20.42, §25.1): sent-protocol LWS sent-by *( SEMI via-params ), where
// sent-protocol = "SIP" SLASH "2.0" SLASH transport and SLASH allows LWS on both sides.

import { isIPv6 } from 'node:net';
import { DIGITS, HOST_CHARS } from './charset.ts';
import { formatParams, parseParams } from './params.ts';
import { Scanner } from './scanner.ts';
import type { Via } from './types.ts';

export function parseVia(text: string): Via {
  const s = new Scanner(text, 'SIP_PARSE_VIA', 'Via');
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
  const params = parseParams(s);
  s.skipLws();
  if (!s.done) s.fail(`unexpected "${s.peek()}"`);
  return { transport, host, port, params };
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
