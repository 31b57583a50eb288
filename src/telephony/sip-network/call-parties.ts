// Who called whom, read from an INVITE: the called number from the Request-URI (what a carrier or
// softphone dialled), the caller from From, and the X- headers a scenario may read.

import { header } from '../sip/message/headers.ts';
import { parseNameAddr } from '../sip/message/nameaddr.ts';
import { parseUri } from '../sip/message/uri.ts';
import type { SipRequest } from '../sip/message/types.ts';

export function calledNumber(request: SipRequest): string {
  try {
    const uri = parseUri(request.uri);
    if (uri.user) return uri.user;
  } catch {
    // fall back to To
  }
  return userOf(header(request, 'to')) ?? '';
}

export function callerNumber(request: SipRequest): string {
  return userOf(header(request, 'from')) ?? 'anonymous';
}

function userOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    return parseNameAddr(value).uri.user ?? undefined;
  } catch {
    return undefined;
  }
}

/** X- headers, lower-case names (the port's `headers`): the first value of each. */
export function xHeaders(request: SipRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of request.headers) if (h.name.startsWith('x-') && !(h.name in out)) out[h.name] = h.value;
  return out;
}
