// The checks that decide whether a parsed message is well formed enough to act on (RFC 3261 §8.2,
// RFC 4475 §3.1.2). parseMessage already rejects what cannot be framed or matched; this looks inside
// the header values, so a UA can answer a bad request with 400 (or 416) and a reason saying why.

import { parseCSeq } from './cseq.ts';
import { SipParseError } from './errors.ts';
import { headers } from './headers.ts';
import { parseNameAddr } from './nameaddr.ts';
import { isToken } from './scanner.ts';
import type { SipMessage, SipRequest, SipResponse } from './types.ts';
import { parseUri } from './uri.ts';
import { parseVia } from './via.ts';

export interface Rejection {
  /** 400, or 416 for a Request-URI scheme we do not handle (§8.2.2.1). */
  status: number;
  /** Reason phrase naming the problem, e.g. `Bad Request: multiple To headers`. */
  reason: string;
}

/** Headers that may appear once only (§20; RFC 4475 multi01, mcl01). */
const SINGLE = ['to', 'from', 'call-id', 'cseq', 'max-forwards', 'content-length', 'content-type', 'expires', 'date'];
const MAX_DELTA_SECONDS = 2 ** 32 - 1;
const RFC1123 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** Null when the request is fine; else the response to send instead of processing it. */
export function validateRequest(req: SipRequest): Rejection | null {
  let uri;
  try {
    uri = parseUri(req.uri);
  } catch (e) {
    if (!(e instanceof SipParseError)) throw e;
    if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(req.uri) && !/^(sips?|tel):/i.test(req.uri)) {
      return { status: 416, reason: 'Unsupported URI Scheme' };
    }
    return bad(`bad Request-URI: ${e.message}`);
  }
  // §19.1.1: headers are not allowed in a Request-URI (RFC 4475 escruri).
  if (Object.keys(uri.headers).length > 0) return bad('the Request-URI carries headers');

  const mf = headers(req, 'max-forwards')[0];
  // Leading zeros are legal (RFC 4475 wsinv: "0068").
  if (mf !== undefined && (!/^0*\d{1,3}$/.test(mf) || Number(mf) > 255)) return bad(`Max-Forwards "${mf}" is not 0-255`);

  const problem = commonProblem(req);
  if (problem !== null) return bad(problem);

  // RFC 4475 badbranch: the RFC 3261 cookie with no identifier after it identifies nothing.
  const top = parseVia(headers(req, 'via')[0]);
  if (top.params.branch === 'z9hG4bK') return bad('the Via branch is only the magic cookie');

  for (const c of headers(req, 'contact')) {
    if (c === '*') {
      if (req.method !== 'REGISTER' || headers(req, 'contact').length > 1) return bad('Contact "*" is only for a REGISTER, alone');
      continue;
    }
    const p = check(() => parseNameAddr(c));
    if (p !== null) return bad(`bad Contact: ${p}`);
    const expires = parseNameAddr(c).params.expires;
    if (expires !== undefined && (expires === null || !isDeltaSeconds(expires))) return bad(`Contact expires "${expires}" is out of range`);
  }
  return null;
}

/** Null when the response is fine; else why it should be discarded (§8.1.3.3 does not answer responses). */
export function validateResponse(res: SipResponse): string | null {
  const problem = commonProblem(res);
  if (problem !== null) return problem;
  const retryAfter = headers(res, 'retry-after')[0];
  if (retryAfter !== undefined) {
    const delta = /^(\d+)/.exec(retryAfter)?.[1];
    if (delta === undefined || !isDeltaSeconds(delta)) return `Retry-After "${retryAfter}" is out of range`;
  }
  for (const w of headers(res, 'warning')) {
    if (!/^\d{3} \S+ "/.test(w)) return `Warning "${w}" is not "code agent \\"text\\""`;
  }
  return null;
}

function commonProblem(msg: SipMessage): string | null {
  for (const name of SINGLE) {
    if (headers(msg, name).length > 1) return `multiple ${name} headers`;
  }
  const callId = headers(msg, 'call-id')[0];
  if (callId === undefined || callId === '' || /\s/.test(callId)) return `bad Call-ID "${callId}"`;
  for (const name of ['from', 'to']) {
    const p = check(() => parseNameAddr(headers(msg, name)[0] ?? ''));
    if (p !== null) return `bad ${name === 'from' ? 'From' : 'To'}: ${p}`;
  }
  for (const v of headers(msg, 'via')) {
    const p = check(() => parseVia(v));
    if (p !== null) return `bad Via: ${p}`;
  }
  const cseq = check(() => parseCSeq(headers(msg, 'cseq')[0] ?? ''));
  if (cseq !== null) return cseq;
  for (const name of ['route', 'record-route']) {
    for (const v of headers(msg, name)) {
      const p = check(() => parseNameAddr(v));
      if (p !== null) return `bad ${name}: ${p}`;
    }
  }
  const expires = headers(msg, 'expires')[0];
  if (expires !== undefined && !isDeltaSeconds(expires)) return `Expires "${expires}" is out of range`;
  const date = headers(msg, 'date')[0];
  if (date !== undefined && !RFC1123.test(date)) return `Date "${date}" is not an RFC 1123 date in GMT`;
  const type = headers(msg, 'content-type')[0];
  if (type !== undefined && !isMediaType(type)) return `Content-Type "${type}" is not type/subtype`;
  return null;
}

function isMediaType(value: string): boolean {
  const m = /^([^/\s;]+)[ \t]*\/[ \t]*([^;\s]+)/.exec(value);
  return m !== null && isToken(m[1]) && isToken(m[2]);
}

function isDeltaSeconds(value: string): boolean {
  return /^\d{1,10}$/.test(value) && Number(value) <= MAX_DELTA_SECONDS;
}

/** Runs a parser; its SipParseError message, or null when it succeeds. */
function check(parse: () => unknown): string | null {
  try {
    parse();
    return null;
  } catch (e) {
    if (e instanceof SipParseError) return e.message;
    throw e;
  }
}

function bad(detail: string): Rejection {
  // A reason phrase is one line of text; keep it short enough for any peer to log.
  const reason = `Bad Request: ${detail}`.replace(/[\r\n]+/g, ' ');
  return { status: 400, reason: reason.length > 200 ? `${reason.slice(0, 199)}…` : reason };
}
