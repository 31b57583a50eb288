// The checks that decide whether a parsed message is well formed enough to act on (RFC 3261 §8.2,
// RFC 4475 §3.1.2). parseMessage already rejects what cannot be framed or matched; this looks inside
// the header values, so a UA can answer a bad request with 400 (or 416) and a reason saying why.

import { parseCSeq } from './cseq.ts';
import { SipParseError } from './errors.ts';
import { parseNameAddr } from './nameaddr.ts';
import { isToken } from './scanner.ts';
import type { SipMessage, SipRequest, SipResponse, Via } from './types.ts';
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
/** Every header the checks read. */
const CHECKED: ReadonlySet<string> = new Set([...SINGLE, 'via', 'contact', 'route', 'record-route', 'retry-after', 'warning']);
const NONE: readonly string[] = Object.freeze([]);
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

  const values = checkedValues(req);
  const mf = values('max-forwards')[0];
  // Leading zeros are legal (RFC 4475 wsinv: "0068").
  if (mf !== undefined && (!/^0*\d{1,3}$/.test(mf) || Number(mf) > 255)) return bad(`Max-Forwards "${mf}" is not 0-255`);

  const common = commonProblem(values);
  if (typeof common === 'string') return bad(common);

  // RFC 4475 badbranch: the RFC 3261 cookie with no identifier after it identifies nothing.
  const top = common.topVia ?? parseVia(values('via')[0] as string);
  if (top.params.branch === 'z9hG4bK') return bad('the Via branch is only the magic cookie');

  const contacts = values('contact');
  for (const c of contacts) {
    if (c === '*') {
      if (req.method !== 'REGISTER' || contacts.length > 1) return bad('Contact "*" is only for a REGISTER, alone');
      continue;
    }
    const contact = attempt(parseNameAddr, c);
    if (contact instanceof SipParseError) return bad(`bad Contact: ${contact.message}`);
    const expires = contact.params.expires;
    if (expires !== undefined && (expires === null || !isDeltaSeconds(expires))) return bad(`Contact expires "${expires}" is out of range`);
  }
  return null;
}

/** Null when the response is fine; else why it should be discarded (§8.1.3.3 does not answer responses). */
export function validateResponse(res: SipResponse): string | null {
  const values = checkedValues(res);
  const common = commonProblem(values);
  if (typeof common === 'string') return common;
  const retryAfter = values('retry-after')[0];
  if (retryAfter !== undefined) {
    const delta = /^(\d+)/.exec(retryAfter)?.[1];
    if (delta === undefined || !isDeltaSeconds(delta)) return `Retry-After "${retryAfter}" is out of range`;
  }
  for (const w of values('warning')) {
    if (!/^\d{3} \S+ "/.test(w)) return `Warning "${w}" is not "code agent \\"text\\""`;
  }
  return null;
}

/** The values of the checked headers, in order, gathered in one pass over the message. */
function checkedValues(msg: SipMessage): (name: string) => readonly string[] {
  const byName = new Map<string, string[]>();
  for (const h of msg.headers) {
    if (!CHECKED.has(h.name)) continue;
    const list = byName.get(h.name);
    if (list === undefined) byName.set(h.name, [h.value]);
    else list.push(h.value);
  }
  return (name) => byName.get(name) ?? NONE;
}

/** Why the message is malformed, or what the checks parsed (the top Via) when it is not. */
function commonProblem(values: (name: string) => readonly string[]): string | { topVia: Via | undefined } {
  for (const name of SINGLE) {
    if (values(name).length > 1) return `multiple ${name} headers`;
  }
  const callId = values('call-id')[0];
  if (callId === undefined || callId === '' || /\s/.test(callId)) return `bad Call-ID "${callId}"`;
  for (const name of ['from', 'to']) {
    const p = attempt(parseNameAddr, values(name)[0] ?? '');
    if (p instanceof SipParseError) return `bad ${name === 'from' ? 'From' : 'To'}: ${p.message}`;
  }
  let topVia: Via | undefined;
  for (const v of values('via')) {
    const p = attempt(parseVia, v);
    if (p instanceof SipParseError) return `bad Via: ${p.message}`;
    topVia ??= p;
  }
  const cseq = attempt(parseCSeq, values('cseq')[0] ?? '');
  if (cseq instanceof SipParseError) return cseq.message;
  for (const name of ['route', 'record-route']) {
    for (const v of values(name)) {
      const p = attempt(parseNameAddr, v);
      if (p instanceof SipParseError) return `bad ${name}: ${p.message}`;
    }
  }
  const expires = values('expires')[0];
  if (expires !== undefined && !isDeltaSeconds(expires)) return `Expires "${expires}" is out of range`;
  const date = values('date')[0];
  if (date !== undefined && !RFC1123.test(date)) return `Date "${date}" is not an RFC 1123 date in GMT`;
  const type = values('content-type')[0];
  if (type !== undefined && !isMediaType(type)) return `Content-Type "${type}" is not type/subtype`;
  return { topVia };
}

function isMediaType(value: string): boolean {
  const m = /^([^/\s;]+)[ \t]*\/[ \t]*([^;\s]+)/.exec(value);
  return m !== null && isToken(m[1]) && isToken(m[2]);
}

function isDeltaSeconds(value: string): boolean {
  return /^\d{1,10}$/.test(value) && Number(value) <= MAX_DELTA_SECONDS;
}

/** What the parser makes of `text`, or the SipParseError it failed with. */
function attempt<T>(parse: (text: string) => T, text: string): T | SipParseError {
  try {
    return parse(text);
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
