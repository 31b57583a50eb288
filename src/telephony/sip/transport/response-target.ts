// RFC 3261 §18.2.2 (and RFC 3581 §4): where a server sends a response, read from the top Via of the
// request it answers and the source it came from.

import { header } from '../message/headers.ts';
import type { SipRequest } from '../message/types.ts';
import { parsedVia } from '../message/parsed.ts';
import { isReliable, transportName, type MessageSource, type SendTarget } from './transport.ts';

export function responseTarget(request: SipRequest, source: MessageSource): SendTarget {
  const top = header(request, 'via');
  if (top === undefined) return { host: source.address, port: source.port, transport: source.transport, connection: source.connection };
  const via = parsedVia(request, top);
  const transport = transportName(via.transport) ?? source.transport;
  const host = via.params.received ?? via.host;
  const rport = via.params.rport;
  const port = rport !== undefined && rport !== null && /^\d+$/.test(rport) ? Number(rport) : (via.port ?? 5060);
  // Over a stream, the connection the request came in on comes first; the address is the fallback
  // when that connection has closed (§18.2.2).
  if (isReliable(transport)) return { host, port, transport, connection: source.connection };
  return { host, port, transport };
}
