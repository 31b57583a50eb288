// From bytes to a SipMessage (RFC 3261 §7): start line, headers (folded, compact, comma lists),
// body framed by Content-Length. Checks only what every layer above relies on; finer checks that
// decide a 400 are in validate.ts.

import { SipParseError } from './errors.ts';
import { contentLengthOf, findHeadEnd, skipLeadingLineEnds } from './head.ts';
import { readHeaders, startLineOf } from './header-section.ts';
import { parseCSeq } from './cseq.ts';
import { allInSet, charSet, inSet, TOKEN_CHARS } from './charset.ts';
import { clip, isToken } from './scanner.ts';
import type { SipMessage, SipRequest } from './types.ts';

export interface ParseOptions {
  /** Stream transport (TCP, TLS): Content-Length is mandatory (§18.3). */
  stream?: boolean;
}

/** Headers a message cannot be matched to a transaction or dialog without (§8.1.1). */
const REQUIRED = ['via', 'from', 'to', 'call-id', 'cseq'] as const;
const ALL_REQUIRED = (1 << REQUIRED.length) - 1;
const SCHEME_START = charSet(/^[A-Za-z]$/);
const SCHEME_CHARS = charSet(/^[A-Za-z0-9+.-]$/);

/**
 * Parses one message. On a datagram, bytes after Content-Length are ignored (§18.3) and a missing
 * Content-Length means the body is the rest of the datagram. Throws SipParseError, nothing else.
 */
export function parseMessage(data: Buffer, opts: ParseOptions = {}): SipMessage {
  const start = skipLeadingLineEnds(data);
  if (start >= data.length) throw new SipParseError('SIP_PARSE_EMPTY', 'the message is empty');
  // A datagram whose headers are not followed by an empty line is read as headers only.
  const bounds = findHeadEnd(data, start) ?? { headEnd: data.length, bodyStart: data.length };
  const head = data.toString('utf8', start, bounds.headEnd);

  const msg = parseStartLine(startLineOf(head));
  msg.headers = readHeaders(head);

  // One pass over the headers for what the checks below need.
  let lengths: string[] | undefined;
  let present = 0;
  let cseqValue: string | undefined;
  for (const h of msg.headers) {
    if (h.name === 'content-length') {
      (lengths ??= []).push(h.value);
      continue;
    }
    const at = REQUIRED.indexOf(h.name as (typeof REQUIRED)[number]);
    if (at === -1) continue;
    present |= 1 << at;
    if (h.name === 'cseq') cseqValue ??= h.value;
  }

  let length: number | null;
  try {
    length = contentLengthOf(lengths ?? []);
  } catch (e) {
    throw withPartial(e, msg);
  }
  const available = data.length - bounds.bodyStart;
  if (length === null) {
    if (opts.stream === true) throw new SipParseError('SIP_PARSE_CONTENT_LENGTH', 'Content-Length is required on a stream transport');
    length = available;
  }
  if (length > available) {
    // The headers were read: a datagram cut short is answered 400 (RFC 3261 §18.3), not dropped.
    throw new SipParseError('SIP_PARSE_CONTENT_LENGTH', `Content-Length is ${length} but only ${available} bytes follow the headers`, { partial: msg });
  }
  // A copy, so the message does not keep the whole datagram alive; allocUnsafe, as every byte is written.
  msg.body = Buffer.allocUnsafe(length);
  msg.body.set(data.subarray(bounds.bodyStart, bounds.bodyStart + length));

  if (present !== ALL_REQUIRED) {
    const name = REQUIRED.find((_, i) => (present & (1 << i)) === 0);
    throw new SipParseError('SIP_PARSE_MISSING_HEADER', `the ${name === 'call-id' ? 'Call-ID' : name} header is missing`, { partial: msg });
  }
  let cseq;
  try {
    cseq = parseCSeq(cseqValue ?? '');
  } catch (e) {
    throw withPartial(e, msg);
  }
  if (msg.kind === 'request' && cseq.method !== msg.method) {
    throw new SipParseError('SIP_PARSE_CSEQ_METHOD', `the CSeq method ${cseq.method} differs from the request method ${msg.method}`, {
      partial: msg,
    });
  }
  return msg;
}

function withPartial(e: unknown, msg: SipMessage): unknown {
  return e instanceof SipParseError ? new SipParseError(e.code, e.message, { partial: msg }) : e;
}

/** Request-Line (§7.1): Method SP Request-URI SP SIP-Version, single spaces; Status-Line (§7.2). */
function parseStartLine(line: string): SipMessage {
  return usualRequestLine(line) ?? parseAnyStartLine(line);
}

/**
 * `METHOD uri SIP/2.0` as every UA writes it, checked without splitting or regexes; null for
 * anything else (a response, odd spacing, another spelling of the version, an error), which
 * parseAnyStartLine then reads or explains.
 */
function usualRequestLine(line: string): SipRequest | null {
  const sp1 = line.indexOf(' ');
  const sp2 = sp1 === -1 ? -1 : line.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 <= sp1 + 1 || sp2 !== line.length - 8 || !line.endsWith('SIP/2.0')) return null;
  // Neither the method (a token) nor the URI may hold a space: so there are exactly two.
  if (!allInSet(TOKEN_CHARS, line, 0, sp1)) return null;
  if (!inSet(SCHEME_START, line.charCodeAt(sp1 + 1))) return null;
  let colon = -1;
  for (let i = sp1 + 2; i < sp2; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x3a) {
      colon = i;
      break;
    }
    if (!inSet(SCHEME_CHARS, c)) return null;
  }
  // After the scheme, at least one character and no control, space or DEL (validate.ts checks more).
  if (colon === -1 || colon + 1 === sp2) return null;
  for (let i = colon + 1; i < sp2; i++) {
    const c = line.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return null;
  }
  return { kind: 'request', version: 'SIP/2.0', method: line.slice(0, sp1), uri: line.slice(sp1 + 1, sp2), headers: [], body: Buffer.alloc(0) };
}

function parseAnyStartLine(line: string): SipMessage {
  const fail = (code: 'SIP_PARSE_START_LINE' | 'SIP_PARSE_VERSION' | 'SIP_PARSE_STATUS', detail: string): never => {
    throw new SipParseError(code, `start line "${clip(line)}": ${detail}`, { line: 1 });
  };
  if (/^SIP\//i.test(line)) {
    const m = /^(SIP\/\d+\.\d+) (\d+)(?: ([^\r\n]*))?$/i.exec(line);
    if (m === null) return fail('SIP_PARSE_START_LINE', 'expected "SIP/2.0 <code> <reason>"');
    if (m[1].toUpperCase() !== 'SIP/2.0') return fail('SIP_PARSE_VERSION', `version ${m[1]} is not SIP/2.0`);
    if (m[2].length !== 3) return fail('SIP_PARSE_START_LINE', 'the status code must have 3 digits');
    const status = Number(m[2]);
    if (status < 100 || status > 699) return fail('SIP_PARSE_STATUS', `status ${status} is outside 100-699`);
    return { kind: 'response', version: 'SIP/2.0', status, reason: m[3] ?? '', headers: [], body: Buffer.alloc(0) };
  }
  const parts = line.split(' ');
  if (parts.length !== 3 || parts.some((p) => p === '')) {
    const version = parts.at(-1) ?? '';
    if (/^SIP\/\d+\.\d+$/i.test(version) && version.toUpperCase() !== 'SIP/2.0') return fail('SIP_PARSE_VERSION', `version ${version} is not SIP/2.0`);
    return fail('SIP_PARSE_START_LINE', 'expected "METHOD uri SIP/2.0" separated by single spaces');
  }
  const [method, uri, version] = parts;
  if (!/^SIP\/\d+\.\d+$/i.test(version)) return fail('SIP_PARSE_START_LINE', `"${clip(version)}" is not a SIP version`);
  if (version.toUpperCase() !== 'SIP/2.0') return fail('SIP_PARSE_VERSION', `version ${version} is not SIP/2.0`);
  if (!isToken(method)) return fail('SIP_PARSE_START_LINE', `"${clip(method)}" is not a method name`);
  // The full URI grammar is checked by validate.ts (an unknown scheme deserves 416, not a drop).
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20\x7f]+$/.test(uri)) return fail('SIP_PARSE_START_LINE', `"${clip(uri)}" is not a URI`);
  return { kind: 'request', version: 'SIP/2.0', method, uri, headers: [], body: Buffer.alloc(0) };
}
