// Requests a UAC sends outside a dialog: the INVITE and REGISTER with their retries (same Call-ID
// and From tag, next CSeq, new branch: §8.1.3.5, §22.2) and the CANCEL of an INVITE (§9.1).

import { formatCSeq, parseCSeq } from '../message/cseq.ts';
import { header, headers } from '../message/headers.ts';
import { formatNameAddr, parseNameAddr } from '../message/nameaddr.ts';
import type { SipHeader, SipRequest } from '../message/types.ts';
import { newBranch } from '../message/build.ts';
import { formatVia, parseVia } from '../message/via.ts';

/** A name-addr with angle brackets from `sip:…`, `<sip:…>` or `"Name" <sip:…>`. */
export function asNameAddr(value: string): string {
  return formatNameAddr(parseNameAddr(value.includes('<') ? value : `<${value}>`));
}

/** Adds `;tag=` to a From value. */
export function withTag(value: string, tag: string): string {
  const na = parseNameAddr(asNameAddr(value));
  return formatNameAddr({ ...na, params: { ...na.params, tag } });
}

/** §8.1.3.5 / §22.2: the same request again with the next CSeq and a new branch (then the caller adds credentials). */
export function nextAttempt(req: SipRequest): SipRequest {
  const copy: SipRequest = { ...req, headers: req.headers.map((h) => ({ ...h })) };
  const cseq = parseCSeq(header(req, 'cseq') ?? '');
  const hs = copy.headers;
  const c = hs.find((h) => h.name === 'cseq');
  if (c) c.value = formatCSeq({ seq: cseq.seq + 1, method: cseq.method });
  const v = hs.find((h) => h.name === 'via');
  if (v) {
    const via = parseVia(v.value);
    via.params = { ...via.params, branch: newBranch() };
    v.value = formatVia(via);
  }
  return copy;
}

/** §9.1: CANCEL with the INVITE's Request-URI, top Via (same branch), Call-ID, From, To, Route and CSeq number. */
export function cancelFor(invite: SipRequest): SipRequest {
  const hs: SipHeader[] = [{ name: 'via', value: header(invite, 'via') ?? '' }, { name: 'max-forwards', value: '70' }];
  for (const route of headers(invite, 'route')) hs.push({ name: 'route', value: route });
  for (const name of ['from', 'to', 'call-id']) hs.push({ name, value: header(invite, name) ?? '' });
  hs.push({ name: 'cseq', value: formatCSeq({ seq: parseCSeq(header(invite, 'cseq') ?? '').seq, method: 'CANCEL' }) });
  return { kind: 'request', method: 'CANCEL', uri: invite.uri, version: 'SIP/2.0', headers: hs, body: Buffer.alloc(0) };
}
