// SIP, SIPS and tel URIs (RFC 3261 §19.1, §25.1; RFC 3966). Escapes (`%41`) are decoded on the way
// in and added back on the way out, so `sip:%61lice@h` and `sip:alice@h` parse the same.

import { isIPv6 } from 'node:net';
import { SipParseError } from './errors.ts';
import { clip } from './scanner.ts';
import type { SipParams, SipUri } from './types.ts';

// Characters allowed unescaped in each part (unreserved plus the part's own extras, §25.1).
const UNRESERVED = "A-Za-z0-9\\-_.!~*'()";
const USER_CHARS = new RegExp(`^[${UNRESERVED}&=+$,;?/]$`);
const PASSWORD_CHARS = new RegExp(`^[${UNRESERVED}&=+$,]$`);
const PARAM_CHARS = new RegExp(`^[${UNRESERVED}\\[\\]/:&+$]$`);
const HEADER_CHARS = new RegExp(`^[${UNRESERVED}\\[\\]/?:+$]$`);
const TEL_CHARS = new RegExp(`^[${UNRESERVED}#+]$`);

function fail(text: string, detail: string): never {
  throw new SipParseError('SIP_PARSE_URI', `URI "${clip(text)}": ${detail}`);
}

export function parseUri(text: string): SipUri {
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
    const hm = /^[A-Za-z0-9._-]+/.exec(rest);
    if (hm === null) fail(text, 'no host');
    host = hm[0];
    rest = rest.slice(host.length);
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
function decode(text: string, part: string, allowed: RegExp, what: string): string {
  if (!part.includes('%')) {
    for (const c of part) if (!allowed.test(c)) fail(text, `"${c}" is not allowed in the ${what}`);
    return part;
  }
  const bytes: number[] = [];
  for (let i = 0; i < part.length; i++) {
    const c = part[i];
    if (c === '%') {
      const hex = part.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) fail(text, `bad escape "%${hex}" in the ${what}`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (allowed.test(c)) {
      bytes.push(c.charCodeAt(0));
    } else {
      fail(text, `"${c}" is not allowed in the ${what}`);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function encode(value: string, allowed: RegExp): string {
  let out = '';
  for (const c of value) {
    if (allowed.test(c)) out += c;
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
