// SIP, SIPS and tel URIs (RFC 3261 §19.1, §25.1; RFC 3966). Escapes (`%41`) are decoded on the way
// in and added back on the way out, so `sip:%61lice@h` and `sip:alice@h` parse the same.

import { isIPv6 } from 'node:net';
import { allInSet, charSet, HOST_CHARS, inSet, type CharSet } from './charset.ts';
import { SipParseError } from './errors.ts';
import { paramName } from './params.ts';
import { clip } from './scanner.ts';
import type { SipParams, SipUri } from './types.ts';

// Characters allowed unescaped in each part (unreserved plus the part's own extras, §25.1).
const UNRESERVED = "A-Za-z0-9\\-_.!~*'()";
const USER_CHARS = charSet(new RegExp(`^[${UNRESERVED}&=+$,;?/]$`));
const PASSWORD_CHARS = charSet(new RegExp(`^[${UNRESERVED}&=+$,]$`));
const PARAM_CHARS = charSet(new RegExp(`^[${UNRESERVED}\\[\\]/:&+$]$`));
const HEADER_CHARS = charSet(new RegExp(`^[${UNRESERVED}\\[\\]/?:+$]$`));
const TEL_CHARS = charSet(new RegExp(`^[${UNRESERVED}#+]$`));

function fail(text: string, detail: string): never {
  throw new SipParseError('SIP_PARSE_URI', `URI "${clip(text)}": ${detail}`);
}

export function parseUri(text: string): SipUri {
  return commonSipUri(text) ?? parseAnyUri(text);
}

/**
 * The URIs a call is made of (`sip:user@host:port;params`, plain ASCII, no escapes, no IPv6, no
 * headers) read in one pass without regexes; null for anything else, which `parseAnyUri` then reads
 * (and explains when it fails). Both give the same result where this one answers.
 */
function commonSipUri(text: string): SipUri | null {
  const n = text.length;
  // Every character is either a delimiter at its place or checked against its part's set below,
  // and no set holds a space, a control character, "<", ">", '"', "%" or a non-ASCII character.
  // "sip:" or "sips:", any case.
  if (n < 4 || (text.charCodeAt(0) | 0x20) !== 0x73 || (text.charCodeAt(1) | 0x20) !== 0x69 || (text.charCodeAt(2) | 0x20) !== 0x70) return null;
  let scheme: 'sip' | 'sips';
  let i: number;
  if (text.charCodeAt(3) === 0x3a) {
    scheme = 'sip';
    i = 4;
  } else if ((text.charCodeAt(3) | 0x20) === 0x73 && text.charCodeAt(4) === 0x3a) {
    scheme = 'sips';
    i = 5;
  } else {
    return null;
  }

  let user: string | null = null;
  let password: string | null = null;
  // As in parseAnyUri: the first "@" anywhere ends the userinfo.
  const at = text.indexOf('@', i);
  if (at !== -1) {
    const colon = text.indexOf(':', i);
    const userEnd = colon === -1 || colon > at ? at : colon;
    if (userEnd === i || !allInSet(USER_CHARS, text, i, userEnd)) return null;
    user = text.slice(i, userEnd);
    if (userEnd < at) {
      if (!allInSet(PASSWORD_CHARS, text, userEnd + 1, at)) return null;
      password = text.slice(userEnd + 1, at);
    }
    i = at + 1;
  }

  const hostStart = i;
  while (i < n && inSet(HOST_CHARS, text.charCodeAt(i))) i++;
  if (i === hostStart) return null;
  const host = text.slice(hostStart, i);

  let port: number | null = null;
  if (i < n && text.charCodeAt(i) === 0x3a) {
    const digitsStart = ++i;
    let value = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      value = value * 10 + (c - 0x30);
    }
    if (i === digitsStart || i - digitsStart > 5 || value > 65535) return null;
    port = value;
  }

  const params: SipParams = {};
  if (i < n && text.charCodeAt(i) !== 0x3b) return null;
  while (i < n) {
    // At a ";": one parameter up to the next one.
    const start = i + 1;
    let end = text.indexOf(';', start);
    if (end === -1) end = n;
    const eq = text.indexOf('=', start);
    const nameEnd = eq === -1 || eq > end ? end : eq;
    if (nameEnd === start || !allInSet(PARAM_CHARS, text, start, nameEnd)) return null;
    let value: string | null = null;
    if (nameEnd < end) {
      if (!allInSet(PARAM_CHARS, text, nameEnd + 1, end)) return null;
      value = text.slice(nameEnd + 1, end);
    }
    const name = paramName(text.slice(start, nameEnd).toLowerCase());
    if (!(name in params)) params[name] = value;
    i = end;
  }
  return { scheme, user, password, host, port, params, headers: {} };
}

/** Any SIP, SIPS or tel URI, or a SipParseError saying what is wrong with it. */
function parseAnyUri(text: string): SipUri {
  if (/[\s<>"\x00-\x1f\x7f]/.test(text)) fail(text, 'contains a space, a control character or one of < > "');
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s.exec(text);
  if (m === null) fail(text, 'no scheme');
  const scheme = m[1].toLowerCase();
  if (scheme === 'tel') return parseTel(text, m[2]);
  if (scheme !== 'sip' && scheme !== 'sips') fail(text, `unsupported scheme "${m[1]}"`);
  let rest = m[2];

  let user: string | null = null;
  let password: string | null = null;
  // The user part cannot hold a raw "@" (§25.1: it would be escaped), so the first one ends it.
  const at = rest.indexOf('@');
  if (at !== -1) {
    const userinfo = rest.slice(0, at);
    const colon = userinfo.indexOf(':');
    const rawUser = colon === -1 ? userinfo : userinfo.slice(0, colon);
    if (rawUser === '') fail(text, 'empty user part before "@"');
    user = decode(text, rawUser, USER_CHARS, 'user');
    if (colon !== -1) password = decode(text, userinfo.slice(colon + 1), PASSWORD_CHARS, 'password');
    rest = rest.slice(at + 1);
  }

  let host: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close === -1) fail(text, 'unclosed "[" in the host');
    host = rest.slice(1, close);
    if (!isIPv6(host)) fail(text, `"${host}" is not an IPv6 address`);
    rest = rest.slice(close + 1);
  } else {
    let end = 0;
    while (end < rest.length && inSet(HOST_CHARS, rest.charCodeAt(end))) end++;
    if (end === 0) fail(text, 'no host');
    host = rest.slice(0, end);
    rest = rest.slice(end);
  }

  let port: number | null = null;
  if (rest.startsWith(':')) {
    const pm = /^:(\d{1,5})/.exec(rest);
    if (pm === null || Number(pm[1]) > 65535) fail(text, 'bad port');
    port = Number(pm[1]);
    rest = rest.slice(pm[0].length);
  }

  const q = rest.indexOf('?');
  const paramText = q === -1 ? rest : rest.slice(0, q);
  if (paramText !== '' && !paramText.startsWith(';')) fail(text, `unexpected "${paramText[0]}" after the host`);
  const params = parseUriParams(text, paramText);
  const headers = q === -1 ? {} : parseUriHeaders(text, rest.slice(q + 1));
  return { scheme, user, password, host, port, params, headers };
}

/** RFC 3966: `tel:+1-201-555-0123;phone-context=…`; the number goes in `user`, `host` is empty. */
function parseTel(text: string, rest: string): SipUri {
  const semi = rest.indexOf(';');
  const rawNumber = semi === -1 ? rest : rest.slice(0, semi);
  if (rawNumber === '') fail(text, 'empty telephone number');
  if (rest.includes('?')) fail(text, 'a tel URI has no headers');
  const user = decode(text, rawNumber, TEL_CHARS, 'telephone number');
  const params = parseUriParams(text, semi === -1 ? '' : rest.slice(semi));
  return { scheme: 'tel', user, password: null, host: '', port: null, params, headers: {} };
}

function parseUriParams(text: string, part: string): SipParams {
  const params: SipParams = {};
  if (part === '') return params;
  for (const item of part.slice(1).split(';')) {
    const eq = item.indexOf('=');
    const rawName = eq === -1 ? item : item.slice(0, eq);
    if (rawName === '') fail(text, 'empty parameter name');
    const name = decode(text, rawName, PARAM_CHARS, 'parameter').toLowerCase();
    const value = eq === -1 ? null : decode(text, item.slice(eq + 1), PARAM_CHARS, 'parameter');
    if (!(name in params)) params[name] = value;
  }
  return params;
}

function parseUriHeaders(text: string, part: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const item of part.split('&')) {
    const eq = item.indexOf('=');
    if (eq <= 0) fail(text, `URI header "${item}" is not name=value`);
    headers[decode(text, item.slice(0, eq), HEADER_CHARS, 'header')] = decode(text, item.slice(eq + 1), HEADER_CHARS, 'header');
  }
  return headers;
}

/** Resolves %XX escapes (as UTF-8 octets) after checking every other character is allowed here. */
function decode(text: string, part: string, allowed: CharSet, what: string): string {
  if (!part.includes('%')) {
    if (!allInSet(allowed, part)) notAllowed(text, part, allowed, what);
    return part;
  }
  const bytes: number[] = [];
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    if (c === 0x25) {
      const hex = part.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) fail(text, `bad escape "%${hex}" in the ${what}`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (inSet(allowed, c)) {
      bytes.push(c);
    } else {
      fail(text, `"${part[i]}" is not allowed in the ${what}`);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Fails naming the first character of `part` not in `allowed` (a whole code point, as written). */
function notAllowed(text: string, part: string, allowed: CharSet, what: string): never {
  for (const c of part) if (!inSet(allowed, c.charCodeAt(0))) fail(text, `"${c}" is not allowed in the ${what}`);
  throw new Error('unreachable: every character is allowed');
}

function encode(value: string, allowed: CharSet): string {
  // Most values need no escape at all: return them as they are.
  if (allInSet(allowed, value)) return value;
  let out = '';
  for (const c of value) {
    if (c.length === 1 && inSet(allowed, c.charCodeAt(0))) out += c;
    else for (const b of Buffer.from(c, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function formatUri(uri: SipUri): string {
  let out = `${uri.scheme}:`;
  if (uri.scheme === 'tel') {
    out += encode(uri.user ?? '', TEL_CHARS);
  } else {
    if (uri.user !== null) {
      out += encode(uri.user, USER_CHARS);
      if (uri.password !== null) out += `:${encode(uri.password, PASSWORD_CHARS)}`;
      out += '@';
    }
    out += uri.host.includes(':') ? `[${uri.host}]` : uri.host;
    if (uri.port !== null) out += `:${uri.port}`;
  }
  for (const [name, value] of Object.entries(uri.params)) {
    out += `;${encode(name, PARAM_CHARS)}`;
    if (value !== null) out += `=${encode(value, PARAM_CHARS)}`;
  }
  const hs = Object.entries(uri.headers);
  if (hs.length > 0) out += `?${hs.map(([n, v]) => `${encode(n, HEADER_CHARS)}=${encode(v, HEADER_CHARS)}`).join('&')}`;
  return out;
}
