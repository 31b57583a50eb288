// Who called whom, read from an INVITE: the called number from the Request-URI (what a carrier or
// softphone dialled), the caller from From, and the X- headers a scenario may read.

import { header } from '../sip/message/headers.ts';
import { parsedNameAddr, parsedUri } from '../sip/message/parsed.ts';
import type { SipRequest } from '../sip/message/types.ts';

// The Request-URI, From and To were parsed when the request was validated: read those forms.

export function calledNumber(request: SipRequest): string {
  try {
    const uri = parsedUri(request, request.uri);
    if (uri.user) return uri.user;
  } catch {
    // fall back to To
  }
  return userOf(request, header(request, 'to')) ?? '';
}

export function callerNumber(request: SipRequest): string {
  return userOf(request, header(request, 'from')) ?? 'anonymous';
}

function userOf(request: SipRequest, value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    return parsedNameAddr(request, value).uri.user ?? undefined;
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
