// From bytes to a SipMessage (RFC 3261 §7): start line, headers (folded, compact, comma lists),
// body framed by Content-Length. Checks only what every layer above relies on; finer checks that
// decide a 400 are in validate.ts.

import { SipParseError } from './errors.ts';
import { contentLengthOf, findHeadEnd, skipLeadingLineEnds } from './head.ts';
import { canonicalName, isListHeader } from './header-names.ts';
import { parseCSeq } from './cseq.ts';
import { clip, isToken } from './scanner.ts';
import type { SipHeader, SipMessage } from './types.ts';

export interface ParseOptions {
  /** Stream transport (TCP, TLS): Content-Length is mandatory (§18.3). */
  stream?: boolean;
}

/** Headers a message cannot be matched to a transaction or dialog without (§8.1.1). */
const REQUIRED = ['via', 'from', 'to', 'call-id', 'cseq'] as const;

/**
 * Parses one message. On a datagram, bytes after Content-Length are ignored (§18.3) and a missing
 * Content-Length means the body is the rest of the datagram. Throws SipParseError, nothing else.
 */
export function parseMessage(data: Buffer, opts: ParseOptions = {}): SipMessage {
  const start = skipLeadingLineEnds(data);
  if (start >= data.length) throw new SipParseError('SIP_PARSE_EMPTY', 'the message is empty');
  // A datagram whose headers are not followed by an empty line is read as headers only.
  const bounds = findHeadEnd(data, start) ?? { headEnd: data.length, bodyStart: data.length };
  const lines = data.subarray(start, bounds.headEnd).toString('utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (let i = 0; i < lines.length; i++) if (lines[i].endsWith('\r')) lines[i] = lines[i].slice(0, -1);

  const msg = parseStartLine(lines[0] ?? '');
  msg.headers = readHeaders(lines);

  let length: number | null;
  try {
    length = contentLengthOf(values(msg.headers, 'content-length'));
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
  msg.body = Buffer.from(data.subarray(bounds.bodyStart, bounds.bodyStart + length));

  for (const name of REQUIRED) {
    if (values(msg.headers, name).length === 0) {
      throw new SipParseError('SIP_PARSE_MISSING_HEADER', `the ${name === 'call-id' ? 'Call-ID' : name} header is missing`, { partial: msg });
    }
  }
  let cseq;
  try {
    cseq = parseCSeq(values(msg.headers, 'cseq')[0]);
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

function values(hs: readonly SipHeader[], name: string): string[] {
  return hs.filter((h) => h.name === name).map((h) => h.value);
}

/** Request-Line (§7.1): Method SP Request-URI SP SIP-Version, single spaces; Status-Line (§7.2). */
function parseStartLine(line: string): SipMessage {
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
  const raw: { name: string; value: string; line: number }[] = [];
  for (let i = 1; i < lines.length; i++) {
    const text = lines[i];
    if (text.startsWith(' ') || text.startsWith('\t')) {
      const last = raw.at(-1);
      if (last === undefined) throw new SipParseError('SIP_PARSE_HEADER', 'a folded line continues no header', { line: i + 1 });
      last.value = trimLws(`${last.value} ${trimLws(text)}`);
      continue;
    }
    const colon = text.indexOf(':');
    if (colon === -1) throw new SipParseError('SIP_PARSE_HEADER', `header line "${clip(text)}" has no colon`, { line: i + 1 });
    const name = text.slice(0, colon).replace(/[ \t]+$/, '');
    if (!isToken(name)) throw new SipParseError('SIP_PARSE_HEADER', `"${clip(name)}" is not a header name`, { line: i + 1 });
    raw.push({ name: canonicalName(name), value: trimLws(text.slice(colon + 1)), line: i + 1 });
  }
  const out: SipHeader[] = [];
  for (const h of raw) {
    if (!isListHeader(h.name)) {
      out.push({ name: h.name, value: h.value });
      continue;
    }
    const items = splitList(h.value);
    if (items.length === 0) out.push({ name: h.name, value: '' });
    for (const value of items) out.push({ name: h.name, value });
  }
  return out;
}

function trimLws(s: string): string {
  return s.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** Splits at commas outside quoted strings and <…>; drops empty items (`a,,b`, §7.3.1 allows none). */
export function splitList(value: string): string[] {
  const items: string[] = [];
  let quoted = false;
  let angle = false;
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') {
      quoted = true;
    } else if (c === '<') {
      angle = true;
    } else if (c === '>') {
      angle = false;
    } else if (c === ',' && !angle) {
      items.push(value.slice(from, i));
      from = i + 1;
    }
  }
  items.push(value.slice(from));
  return items.map(trimLws).filter((s) => s !== '');
}
