// Transaction identifiers (RFC 3261 §17.1.3, §17.2.3).

import { header } from '../message/headers.ts';
import { parsedCSeq, parsedNameAddr, parsedVia } from '../message/parsed.ts';
import type { SipMessage, SipRequest } from '../message/types.ts';

export const MAGIC_COOKIE = 'z9hG4bK';

/** §17.1.3: a response belongs to the client transaction with its top Via branch and CSeq method. */
export function clientKey(msg: SipMessage): string | null {
  const top = header(msg, 'via');
  const cseq = header(msg, 'cseq');
  if (top === undefined || cseq === undefined) return null;
  const branch = parsedVia(msg, top).params.branch;
  if (branch === undefined || branch === null) return null;
  return `${branch}|${parsedCSeq(msg, cseq).method}`;
}

/**
 * §17.2.3: branch + sent-by + method, where an ACK matches its INVITE. For a pre-RFC 3261 peer
 * (no magic cookie) the fallback compares Request-URI, From tag, Call-ID, CSeq number and top Via.
 */
export function serverKey(req: SipRequest): string {
  return serverKeyAs(req, req.method);
}

/** The server key of `req` as if its method were `asMethod`. */
function serverKeyAs(req: SipRequest, asMethod: string): string {
  const via = parsedVia(req, header(req, 'via') ?? '');
  const method = asMethod === 'ACK' ? 'INVITE' : asMethod;
  const branch = via.params.branch;
  if (branch !== undefined && branch !== null && branch.startsWith(MAGIC_COOKIE)) {
    return `${branch}|${via.host.toLowerCase()}:${via.port ?? ''}|${method}`;
  }
  const fromTag = parsedNameAddr(req, header(req, 'from') ?? '').params.tag ?? '';
  const seq = parsedCSeq(req, header(req, 'cseq') ?? '').seq;
  return `2543|${req.uri}|${fromTag}|${header(req, 'call-id')}|${seq}|${via.host}:${via.port ?? ''}|${branch ?? ''}|${method}`;
}

/** The key of the INVITE server transaction a CANCEL refers to (§9.2: same branch and sent-by). */
export function canceledInviteKey(cancel: SipRequest): string {
  return serverKeyAs(cancel, 'INVITE');
}
