// Building a request from its parts (RFC 3261 §8.1.1): the mandatory headers in the usual order,
// a Via with a fresh branch and `rport` (RFC 3581), the body with its Content-Type.

import { newBranch } from '../message/build.ts';
import { formatCSeq } from '../message/cseq.ts';
import type { SipHeader, SipRequest } from '../message/types.ts';
import type { TransportName } from '../transport/transport.ts';

export interface RequestSpec {
  method: string;
  uri: string;
  /** Our sent-by for the transport the request leaves on. */
  via: { transport: TransportName; host: string; port: number };
  branch?: string;
  from: string;
  to: string;
  callId: string;
  cseq: number;
  contact?: string | undefined;
  /** Route values, outermost first. */
  routes?: readonly string[];
  maxForwards?: number;
  headers?: readonly SipHeader[] | undefined;
  body?: Buffer | string | undefined;
  contentType?: string | undefined;
  userAgent?: string | undefined;
}

export function buildRequest(spec: RequestSpec): SipRequest {
  const host = spec.via.host.includes(':') ? `[${spec.via.host}]` : spec.via.host;
  const hs: SipHeader[] = [
    { name: 'via', value: `SIP/2.0/${spec.via.transport} ${host}:${spec.via.port};branch=${spec.branch ?? newBranch()};rport` },
    { name: 'max-forwards', value: String(spec.maxForwards ?? 70) },
  ];
  for (const route of spec.routes ?? []) hs.push({ name: 'route', value: route });
  hs.push({ name: 'from', value: spec.from }, { name: 'to', value: spec.to }, { name: 'call-id', value: spec.callId });
  hs.push({ name: 'cseq', value: formatCSeq({ seq: spec.cseq, method: spec.method }) });
  if (spec.contact !== undefined) hs.push({ name: 'contact', value: spec.contact });
  if (spec.userAgent !== undefined) hs.push({ name: 'user-agent', value: spec.userAgent });
  for (const h of spec.headers ?? []) hs.push({ name: h.name.toLowerCase(), value: h.value });
  const body = typeof spec.body === 'string' ? Buffer.from(spec.body, 'utf8') : (spec.body ?? Buffer.alloc(0));
  if (body.length > 0 && spec.contentType !== undefined) hs.push({ name: 'content-type', value: spec.contentType });
  return { kind: 'request', method: spec.method, uri: spec.uri, version: 'SIP/2.0', headers: hs, body };
}
