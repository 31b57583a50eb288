// RFC 3261 §17.1.1.3: the ACK an INVITE client transaction sends for a 300–699 response. It is part
// of the INVITE transaction: same branch, same Request-URI, the To of the response.

import { formatCSeq, parseCSeq } from '../message/cseq.ts';
import { header, headers } from '../message/headers.ts';
import type { SipHeader, SipRequest, SipResponse } from '../message/types.ts';

export function ackForFailure(invite: SipRequest, response: SipResponse): SipRequest {
  const hs: SipHeader[] = [];
  const topVia = header(invite, 'via');
  if (topVia !== undefined) hs.push({ name: 'via', value: topVia });
  for (const route of headers(invite, 'route')) hs.push({ name: 'route', value: route });
  hs.push({ name: 'max-forwards', value: '70' });
  hs.push({ name: 'from', value: header(invite, 'from') ?? '' });
  hs.push({ name: 'to', value: header(response, 'to') ?? header(invite, 'to') ?? '' });
  hs.push({ name: 'call-id', value: header(invite, 'call-id') ?? '' });
  const seq = parseCSeq(header(invite, 'cseq') ?? '').seq;
  hs.push({ name: 'cseq', value: formatCSeq({ seq, method: 'ACK' }) });
  return { kind: 'request', method: 'ACK', uri: invite.uri, version: 'SIP/2.0', headers: hs, body: Buffer.alloc(0) };
}
