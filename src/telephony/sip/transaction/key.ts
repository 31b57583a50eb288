// Transaction identifiers (RFC 3261 §17.1.3, §17.2.3).

import { parseCSeq } from '../message/cseq.ts';
import { parseNameAddr } from '../message/nameaddr.ts';
import { header } from '../message/headers.ts';
import type { SipMessage, SipRequest } from '../message/types.ts';
import { parseVia } from '../message/via.ts';

export const MAGIC_COOKIE = 'z9hG4bK';

/** §17.1.3: a response belongs to the client transaction with its top Via branch and CSeq method. */
export function clientKey(msg: SipMessage): string | null {
  const top = header(msg, 'via');
  const cseq = header(msg, 'cseq');
  if (top === undefined || cseq === undefined) return null;
  const branch = parseVia(top).params.branch;
  if (branch === undefined || branch === null) return null;
  return `${branch}|${parseCSeq(cseq).method}`;
}

/**
 * §17.2.3: branch + sent-by + method, where an ACK matches its INVITE. For a pre-RFC 3261 peer
 * (no magic cookie) the fallback compares Request-URI, From tag, Call-ID, CSeq number and top Via.
 */
export function serverKey(req: SipRequest): string {
  const via = parseVia(header(req, 'via') ?? '');
  const method = req.method === 'ACK' ? 'INVITE' : req.method;
  const branch = via.params.branch;
  if (branch !== undefined && branch !== null && branch.startsWith(MAGIC_COOKIE)) {
    return `${branch}|${via.host.toLowerCase()}:${via.port ?? ''}|${method}`;
  }
  const fromTag = parseNameAddr(header(req, 'from') ?? '').params.tag ?? '';
  const seq = parseCSeq(header(req, 'cseq') ?? '').seq;
  return `2543|${req.uri}|${fromTag}|${header(req, 'call-id')}|${seq}|${via.host}:${via.port ?? ''}|${branch ?? ''}|${method}`;
}

/** The key of the INVITE server transaction a CANCEL refers to (§9.2: same branch and sent-by). */
export function canceledInviteKey(cancel: SipRequest): string {
  return serverKey({ ...cancel, method: 'INVITE' });
}
