// The checks that decide whether a parsed message is well formed enough to act on (RFC 3261 §8.2,
// RFC 4475 §3.1.2). parseMessage already rejects what cannot be framed or matched; this looks inside
// the header values, so a UA can answer a bad request with 400 (or 416) and a reason saying why.

import { SipParseError } from './errors.ts';
import { parsedCSeq, parsedNameAddr, parsedUri, parsedVia, type Shared } from './parsed.ts';
import { isToken } from './scanner.ts';
import type { SipMessage, SipRequest, SipResponse, Via } from './types.ts';

export interface Rejection {
  /** 400, or 416 for a Request-URI scheme we do not handle (§8.2.2.1). */
  status: number;
  /** Reason phrase naming the problem, e.g. `Bad Request: multiple To headers`. */
  reason: string;
}

/** Headers that may appear once only (§20; RFC 4475 multi01, mcl01). */
const SINGLE = ['to', 'from', 'call-id', 'cseq', 'max-forwards', 'content-length', 'content-type', 'expires', 'date'] as const;
const MAX_DELTA_SECONDS = 2 ** 32 - 1;
const RFC1123 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** Null when the request is fine; else the response to send instead of processing it. */
export function validateRequest(req: SipRequest): Rejection | null {
  let uri;
  try {
    uri = parsedUri(req, req.uri);
  } catch (e) {
    if (!(e instanceof SipParseError)) throw e;
    if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(req.uri) && !/^(sips?|tel):/i.test(req.uri)) {
      return { status: 416, reason: 'Unsupported URI Scheme' };
    }
    return bad(`bad Request-URI: ${e.message}`);
  }
  // §19.1.1: headers are not allowed in a Request-URI (RFC 4475 escruri).
  if (hasOwnKeys(uri.headers)) return bad('the Request-URI carries headers');

  const once = singles(req);
  const mf = once.first('max-forwards');
  // Leading zeros are legal (RFC 4475 wsinv: "0068").
  if (mf !== undefined && (!/^0*\d{1,3}$/.test(mf) || Number(mf) > 255)) return bad(`Max-Forwards "${mf}" is not 0-255`);

  const common = commonProblem(req, once);
  if (typeof common === 'string') return bad(common);

  // RFC 4475 badbranch: the RFC 3261 cookie with no identifier after it identifies nothing.
  const top = common.topVia ?? parsedVia(req, first(req, 'via') as string);
  if (top.params.branch === 'z9hG4bK') return bad('the Via branch is only the magic cookie');

  for (const h of req.headers) {
    if (h.name !== 'contact') continue;
    const c = h.value;
    if (c === '*') {
      if (req.method !== 'REGISTER' || count(req, 'contact') > 1) return bad('Contact "*" is only for a REGISTER, alone');
      continue;
    }
    const contact = attempt(parsedNameAddr, req, c);
    if (contact instanceof SipParseError) return bad(`bad Contact: ${contact.message}`);
    const expires = contact.params.expires;
    if (expires !== undefined && (expires === null || !isDeltaSeconds(expires))) return bad(`Contact expires "${expires}" is out of range`);
  }
  return null;
}

/** Null when the response is fine; else why it should be discarded (§8.1.3.3 does not answer responses). */
export function validateResponse(res: SipResponse): string | null {
  const common = commonProblem(res, singles(res));
  if (typeof common === 'string') return common;
  const retryAfter = first(res, 'retry-after');
  if (retryAfter !== undefined) {
    const delta = /^(\d+)/.exec(retryAfter)?.[1];
    if (delta === undefined || !isDeltaSeconds(delta)) return `Retry-After "${retryAfter}" is out of range`;
  }
  for (const h of res.headers) {
    if (h.name !== 'warning') continue;
    const w = h.value;
    if (!/^\d{3} \S+ "/.test(w)) return `Warning "${w}" is not "code agent \\"text\\""`;
  }
  return null;
}

/** The headers that may appear once: the first value of each, and the first (in SINGLE order) given twice. */
interface Singles {
  first(name: (typeof SINGLE)[number]): string | undefined;
  repeated: string | undefined;
}

/** Singles in one pass over the headers. */
function singles(msg: SipMessage): Singles {
  const values: (string | undefined)[] = [];
  let seen = 0;
  let twice = 0;
  for (const h of msg.headers) {
    const i = SINGLE.indexOf(h.name as (typeof SINGLE)[number]);
    if (i === -1) continue;
    if ((seen & (1 << i)) === 0) {
      seen |= 1 << i;
      values[i] = h.value;
    } else {
      twice |= 1 << i;
    }
  }
  // The lowest bit is the first name in SINGLE order.
  const repeated = twice === 0 ? undefined : SINGLE[31 - Math.clz32(twice & -twice)];
  return { first: (name) => values[SINGLE.indexOf(name)], repeated };
}

// Headers that may repeat are read by scanning the message: with a dozen headers a scan costs
// less than gathering them first, and allocates nothing.

/** The first value of a header (`name` canonical), or undefined. */
function first(msg: SipMessage, name: string): string | undefined {
  for (const h of msg.headers) if (h.name === name) return h.value;
  return undefined;
}

function count(msg: SipMessage, name: string): number {
  let n = 0;
  for (const h of msg.headers) if (h.name === name) n++;
  return n;
}

/** Why the message is malformed, or what the checks parsed (the top Via) when it is not. */
function commonProblem(msg: SipMessage, once: Singles): string | { topVia: Shared<Via> | undefined } {
  if (once.repeated !== undefined) return `multiple ${once.repeated} headers`;
  const callId = once.first('call-id');
  if (callId === undefined || callId === '' || /\s/.test(callId)) return `bad Call-ID "${callId}"`;
  for (const name of ['from', 'to'] as const) {
    const p = attempt(parsedNameAddr, msg, once.first(name) ?? '');
    if (p instanceof SipParseError) return `bad ${name === 'from' ? 'From' : 'To'}: ${p.message}`;
  }
  let topVia: Shared<Via> | undefined;
  for (const h of msg.headers) {
    if (h.name !== 'via') continue;
    const p = attempt(parsedVia, msg, h.value);
    if (p instanceof SipParseError) return `bad Via: ${p.message}`;
    topVia ??= p;
  }
  const cseq = attempt(parsedCSeq, msg, once.first('cseq') ?? '');
  if (cseq instanceof SipParseError) return cseq.message;
  for (const name of ['route', 'record-route']) {
    for (const h of msg.headers) {
      if (h.name !== name) continue;
      const p = attempt(parsedNameAddr, msg, h.value);
      if (p instanceof SipParseError) return `bad ${name}: ${p.message}`;
    }
  }
  const expires = once.first('expires');
  if (expires !== undefined && !isDeltaSeconds(expires)) return `Expires "${expires}" is out of range`;
  const date = once.first('date');
  if (date !== undefined && !RFC1123.test(date)) return `Date "${date}" is not an RFC 1123 date in GMT`;
  const type = once.first('content-type');
  if (type !== undefined && !isMediaType(type)) return `Content-Type "${type}" is not type/subtype`;
  return { topVia };
}

function hasOwnKeys(record: object): boolean {
  for (const key in record) if (Object.hasOwn(record, key)) return true;
  return false;
}

function isMediaType(value: string): boolean {
  const m = /^([^/\s;]+)[ \t]*\/[ \t]*([^;\s]+)/.exec(value);
  return m !== null && isToken(m[1]) && isToken(m[2]);
}

function isDeltaSeconds(value: string): boolean {
  return /^\d{1,10}$/.test(value) && Number(value) <= MAX_DELTA_SECONDS;
}

/** What the parser makes of the message's `text`, or the SipParseError it failed with. */
function attempt<T>(parse: (msg: SipMessage, text: string) => T, msg: SipMessage, text: string): T | SipParseError {
  try {
    return parse(msg, text);
  } catch (e) {
    if (e instanceof SipParseError) return e;
    throw e;
  }
}

function bad(detail: string): Rejection {
  // A reason phrase is one line of text; keep it short enough for any peer to log.
  const reason = `Bad Request: ${detail}`.replace(/[\r\n]+/g, ' ');
  return { status: 400, reason: reason.length > 200 ? `${reason.slice(0, 199)}…` : reason };
}
