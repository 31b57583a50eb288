// Where to send a request (RFC 3261 §8.1.2, RFC 3263 without DNS NAPTR/SRV): the first Route if
// there is one, else the Request-URI; its host, port (5060 by default) and `transport` parameter.

import { parseNameAddr } from '../message/nameaddr.ts';
import { parseUri } from '../message/uri.ts';
import type { SipUri } from '../message/types.ts';
import { transportName, type SendTarget, type TransportName } from './transport.ts';

export function uriTarget(uri: SipUri | string, defaultTransport: TransportName = 'UDP'): SendTarget {
  const u = typeof uri === 'string' ? parseUri(uri) : uri;
  const transport = transportName(u.params.transport) ?? defaultTransport;
  // maddr overrides the host (§19.1.1).
  const host = u.params.maddr ?? u.host;
  return { host, port: u.port ?? 5060, transport };
}

/** The next hop for a request with these Route values (outermost first) and Request-URI. */
export function nextHop(requestUri: string, routes: readonly string[], defaultTransport: TransportName = 'UDP'): SendTarget {
  if (routes.length > 0) return uriTarget(parseNameAddr(routes[0]).uri, defaultTransport);
  return uriTarget(requestUri, defaultTransport);
}
