// Building responses from requests (RFC 3261 §8.2.6) and the random identifiers a UA mints:
// branch (§8.1.1.7), tag (§19.3), Call-ID (§8.1.1.4).

import { randomBytes, randomUUID } from 'node:crypto';
import { canonicalName } from './header-names.ts';
import { parsedNameAddr } from './parsed.ts';
import { SipParseError } from './errors.ts';
import type { SipHeader, SipRequest, SipResponse } from './types.ts';

/** Reason phrases of RFC 3261 §21 and the ones later RFCs added that a UA meets. */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  199: 'Early Dialog Terminated',
  200: 'OK',
  202: 'Accepted',
  204: 'No Notification',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  305: 'Use Proxy',
  380: 'Alternative Service',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  410: 'Gone',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  421: 'Extension Required',
  422: 'Session Interval Too Small',
  423: 'Interval Too Brief',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  484: 'Address Incomplete',
  485: 'Ambiguous',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  489: 'Bad Event',
  491: 'Request Pending',
  493: 'Undecipherable',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  505: 'Version Not Supported',
  513: 'Message Too Large',
  580: 'Precondition Failure',
  600: 'Busy Everywhere',
  603: 'Decline',
  604: 'Does Not Exist Anywhere',
  606: 'Not Acceptable',
};

/** The phrase for a status code; for an unknown code, the phrase of its class. */
export function reasonPhrase(status: number): string {
  return REASON_PHRASES[status] ?? REASON_PHRASES[Math.floor(status / 100) * 100] ?? 'Unknown';
}

export interface ResponseOptions {
  /** The To tag for this dialog; a new one when omitted. Ignored for 100 and when To has a tag already. */
  toTag?: string;
  /** Added after the copied headers (Contact, Allow, WWW-Authenticate…). */
  headers?: readonly SipHeader[];
  body?: Buffer | string;
  /** Content-Type of the body, e.g. `application/sdp`. */
  contentType?: string;
}

/**
 * A response to `request` (§8.2.6.2): all Via in order, From, To (tagged unless 100 or already
 * tagged), Call-ID, CSeq copied; Timestamp copied into a 100 (§8.2.6.1).
 */
export function buildResponse(request: SipRequest, status: number, reason?: string, opts: ResponseOptions = {}): SipResponse {
  const out: SipHeader[] = [];
  const from = request.headers;
  copy(from, 'via', out);
  copy(from, 'from', out);
  for (const h of from) {
    if (h.name === 'to') out.push({ name: 'to', value: status === 100 || hasTag(request, h.value) ? h.value : `${h.value};tag=${opts.toTag ?? newTag()}` });
  }
  copy(from, 'call-id', out);
  copy(from, 'cseq', out);
  if (status === 100) copy(from, 'timestamp', out);
  if (opts.headers !== undefined) for (const h of opts.headers) out.push({ name: canonicalName(h.name), value: h.value });
  const body = typeof opts.body === 'string' ? Buffer.from(opts.body, 'utf8') : (opts.body ?? Buffer.alloc(0));
  if (opts.contentType !== undefined) out.push({ name: 'content-type', value: opts.contentType });
  return { kind: 'response', version: 'SIP/2.0', status, reason: reason ?? reasonPhrase(status), headers: out, body };
}

/** Appends the entries of one header (`name` canonical), in order. */
function copy(from: readonly SipHeader[], name: string, to: SipHeader[]): void {
  for (const h of from) if (h.name === name) to.push({ name, value: h.value });
}

function hasTag(request: SipRequest, to: string): boolean {
  try {
    return parsedNameAddr(request, to).params.tag !== undefined;
  } catch (e) {
    // A To we cannot parse gets a tag appended anyway; the response must still go out.
    if (e instanceof SipParseError) return /;\s*tag\s*=/i.test(to);
    throw e;
  }
}

/** `z9hG4bK` (the RFC 3261 magic cookie) followed by 96 random bits. */
export function newBranch(): string {
  return `z9hG4bK${randomBytes(12).toString('base64url')}`;
}

/**
 * A From/To tag: 64 random bits, token characters only. Taken from a random UUID, which Node draws
 * from a cached block of random bytes: several times cheaper than `randomBytes(8)`, the same 16
 * lower-case hex digits.
 */
export function newTag(): string {
  // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx: the first 8 and the last 12 digits are all random.
  const uuid = randomUUID();
  return uuid.slice(0, 8) + uuid.slice(28, 36);
}

/** A Call-ID, globally unique with 128 random bits; `@host` when a host is given. */
export function newCallId(host?: string): string {
  const id = randomBytes(16).toString('hex');
  return host === undefined || host === '' ? id : `${id}@${host}`;
}
