// From bytes to a SipMessage (RFC 3261 §7): start line, headers (folded, compact, comma lists),
// body framed by Content-Length. Checks only what every layer above relies on; finer checks that
// decide a 400 are in validate.ts.

import { SipParseError } from './errors.ts';
import { contentLengthOf, findHeadEnd, skipLeadingLineEnds } from './head.ts';
import { canonicalName, isListHeader, knownNameAt } from './header-names.ts';
import { parseCSeq } from './cseq.ts';
import { allInSet, charSet, inSet, TOKEN_CHARS } from './charset.ts';
import { clip, isToken } from './scanner.ts';
import type { SipHeader, SipMessage, SipRequest } from './types.ts';

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
  const lines = headLines(data.toString('utf8', start, bounds.headEnd));

  const msg = parseStartLine(lines[0] ?? '');
  msg.headers = readHeaders(lines);

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
  msg.body = Buffer.copyBytesFrom(data, bounds.bodyStart, length);

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

/**
 * The header section's lines, line ends removed (CRLF or a bare LF), without the empty string
 * after the last line end.
 */
export function headLines(text: string): string[] {
  const lines: string[] = [];
  let from = 0;
  for (;;) {
    const lf = text.indexOf('\n', from);
    if (lf === -1 && from === text.length) break;
    const end = lf === -1 ? text.length : lf;
    lines.push(text.slice(from, end > from && text.charCodeAt(end - 1) === 0x0d ? end - 1 : end));
    if (lf === -1) break;
    from = lf + 1;
  }
  return lines;
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

/**
 * Header lines (everything after the start line) → entries: folded lines joined (§7.3.1), names
 * canonical, list headers split at top-level commas. Exported for the stream framer.
 */
export function readHeaders(lines: readonly string[]): SipHeader[] {
  const out: SipHeader[] = [];
  for (let i = 1; i < lines.length; i++) {
    const text = lines[i];
    // Continuation lines are read with the header they continue, so this one has none before it.
    if (isFolded(text)) throw new SipParseError('SIP_PARSE_HEADER', 'a folded line continues no header', { line: i + 1 });
    const colon = text.indexOf(':');
    if (colon === -1) throw new SipParseError('SIP_PARSE_HEADER', `header line "${clip(text)}" has no colon`, { line: i + 1 });
    let nameEnd = colon;
    while (nameEnd > 0 && isLws(text.charCodeAt(nameEnd - 1))) nameEnd--;
    let name = knownNameAt(text, nameEnd);
    if (name === undefined) {
      const rawName = text.slice(0, nameEnd);
      if (!isToken(rawName)) throw new SipParseError('SIP_PARSE_HEADER', `"${clip(rawName)}" is not a header name`, { line: i + 1 });
      name = canonicalName(rawName);
    }
    let value = trimLws(text, colon + 1);
    while (i + 1 < lines.length && isFolded(lines[i + 1])) {
      const more = trimLws(lines[++i], 0);
      value = value === '' ? more : more === '' ? value : `${value} ${more}`;
    }
    if (value.includes(',') && isListHeader(name)) {
      const items = splitList(value);
      if (items.length === 0) out.push({ name, value: '' });
      for (const item of items) out.push({ name, value: item });
    } else {
      // Without a comma a list is its one (possibly empty) item.
      out.push({ name, value });
    }
  }
  return out;
}

function isFolded(line: string): boolean {
  return isLws(line.charCodeAt(0));
}

function isLws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** `s` from `from` on without leading and trailing spaces and tabs. */
function trimLws(s: string, from: number): string {
  let start = from;
  let end = s.length;
  while (start < end && isLws(s.charCodeAt(start))) start++;
  while (end > start && isLws(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** Splits at commas outside quoted strings and <…>; drops empty items (`a,,b`, §7.3.1 allows none). */
export function splitList(value: string): string[] {
  const items: string[] = [];
  let quoted = false;
  let angle = false;
  let from = 0;
  const push = (to: number): void => {
    const item = trimLws(value.slice(from, to), 0);
    if (item !== '') items.push(item);
  };
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (quoted) {
      if (c === 0x5c) i++;
      else if (c === 0x22) quoted = false;
    } else if (c === 0x22) {
      quoted = true;
    } else if (c === 0x3c) {
      angle = true;
    } else if (c === 0x3e) {
      angle = false;
    } else if (c === 0x2c && !angle) {
      push(i);
      from = i + 1;
    }
  }
  push(value.length);
  return items;
}
