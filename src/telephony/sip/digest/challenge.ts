// Digest challenges and credentials as header values (RFC 2617 §3.2, RFC 7616 §3.3–3.4, RFC 3261
// §20.27, §20.44): WWW-Authenticate / Proxy-Authenticate, Authorization / Proxy-Authorization.

import { SipParseError } from '../message/errors.ts';
import { quote } from '../message/params.ts';
import { Scanner } from '../message/scanner.ts';

export const DIGEST_ALGORITHMS = ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess', 'SHA-512-256', 'SHA-512-256-sess'] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];
export type DigestQop = 'auth' | 'auth-int';

export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque: string | null;
  algorithm: DigestAlgorithm;
  /** The qop options offered, in the server's order; empty for an RFC 2069 challenge. */
  qop: DigestQop[];
  /** The previous nonce was too old but the credentials were right: retry without asking the user. */
  stale: boolean;
  domain: string | null;
}

export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  algorithm: DigestAlgorithm;
  cnonce: string | null;
  /** Nonce count as sent: 8 hex digits. */
  nc: string | null;
  qop: DigestQop | null;
  opaque: string | null;
}

/** The header that carries a challenge for a 401 or a 407, and the one that answers it. */
export function authHeaderNames(status: 401 | 407): { challenge: string; credentials: string } {
  return status === 401
    ? { challenge: 'www-authenticate', credentials: 'authorization' }
    : { challenge: 'proxy-authenticate', credentials: 'proxy-authorization' };
}

/** `Digest name=value, name="quoted"…` → lower-case names and unquoted values. */
export function parseAuthParams(value: string): Record<string, string> {
  const s = new Scanner(value, 'SIP_PARSE_AUTH', 'Digest header');
  s.skipLws();
  const scheme = s.token('an authentication scheme');
  if (scheme.toLowerCase() !== 'digest') s.fail(`scheme "${scheme}" is not Digest`);
  const params: Record<string, string> = {};
  for (;;) {
    s.skipLws();
    while (s.eat(',')) s.skipLws();
    if (s.done) return params;
    const name = s.token('a parameter name').toLowerCase();
    s.skipLws();
    s.expect('=');
    s.skipLws();
    const v = s.peek() === '"' ? s.quoted() : s.token(`a value for ${name}`);
    if (!(name in params)) params[name] = v;
    s.skipLws();
    if (!s.done && !s.eat(',')) s.fail(`expected "," after ${name}`);
  }
}

function algorithmOf(params: Record<string, string>): DigestAlgorithm {
  const raw = params.algorithm;
  if (raw === undefined) return 'MD5';
  const found = DIGEST_ALGORITHMS.find((a) => a.toLowerCase() === raw.toLowerCase());
  if (found === undefined) throw new SipParseError('SIP_PARSE_AUTH', `Digest algorithm "${raw}" is not supported`);
  return found;
}

function required(params: Record<string, string>, name: string): string {
  const v = params[name];
  if (v === undefined) throw new SipParseError('SIP_PARSE_AUTH', `Digest header has no ${name}`);
  return v;
}

export function parseChallenge(value: string): DigestChallenge {
  const p = parseAuthParams(value);
  let qop: DigestQop[] = [];
  if (p.qop !== undefined) {
    qop = p.qop
      .split(',')
      .map((q) => q.trim().toLowerCase())
      .filter((q): q is DigestQop => q === 'auth' || q === 'auth-int');
    if (qop.length === 0) throw new SipParseError('SIP_PARSE_AUTH', `Digest qop "${p.qop}" offers neither auth nor auth-int`);
  }
  return {
    realm: required(p, 'realm'),
    nonce: required(p, 'nonce'),
    opaque: p.opaque ?? null,
    algorithm: algorithmOf(p),
    qop,
    stale: p.stale?.toLowerCase() === 'true',
    domain: p.domain ?? null,
  };
}

/**
 * The first challenge among several WWW-Authenticate values that we can answer: the server lists
 * its preferred one first (RFC 7616 §3.7), and skipping the others (Basic, unknown algorithms) is
 * how a client stays interoperable. Null when none is usable.
 */
export function pickChallenge(values: readonly string[]): DigestChallenge | null {
  for (const v of values) {
    try {
      return parseChallenge(v);
    } catch (e) {
      if (!(e instanceof SipParseError)) throw e;
    }
  }
  return null;
}

export function formatChallenge(c: DigestChallenge): string {
  const parts = [`realm=${quote(c.realm)}`];
  if (c.domain !== null) parts.push(`domain=${quote(c.domain)}`);
  parts.push(`nonce=${quote(c.nonce)}`);
  if (c.opaque !== null) parts.push(`opaque=${quote(c.opaque)}`);
  if (c.stale) parts.push('stale=TRUE');
  parts.push(`algorithm=${c.algorithm}`);
  if (c.qop.length > 0) parts.push(`qop=${quote(c.qop.join(','))}`);
  return `Digest ${parts.join(', ')}`;
}

export function parseCredentials(value: string): DigestCredentials {
  const p = parseAuthParams(value);
  const qop = p.qop?.toLowerCase() ?? null;
  if (qop !== null && qop !== 'auth' && qop !== 'auth-int') throw new SipParseError('SIP_PARSE_AUTH', `Digest qop "${p.qop}" is not auth or auth-int`);
  const creds: DigestCredentials = {
    username: required(p, 'username'),
    realm: required(p, 'realm'),
    nonce: required(p, 'nonce'),
    uri: required(p, 'uri'),
    response: required(p, 'response'),
    algorithm: algorithmOf(p),
    cnonce: p.cnonce ?? null,
    nc: p.nc ?? null,
    qop,
    opaque: p.opaque ?? null,
  };
  if (qop !== null && (creds.cnonce === null || creds.nc === null)) throw new SipParseError('SIP_PARSE_AUTH', 'Digest credentials with qop need cnonce and nc');
  if (creds.nc !== null && !/^[0-9a-fA-F]{8}$/.test(creds.nc)) throw new SipParseError('SIP_PARSE_AUTH', `Digest nc "${creds.nc}" is not 8 hex digits`);
  return creds;
}

/** Quoted where RFC 7616 §3.4 quotes (algorithm, qop, nc are tokens). */
export function formatCredentials(c: DigestCredentials): string {
  const parts = [`username=${quote(c.username)}`, `realm=${quote(c.realm)}`, `nonce=${quote(c.nonce)}`, `uri=${quote(c.uri)}`, `response=${quote(c.response)}`, `algorithm=${c.algorithm}`];
  if (c.cnonce !== null) parts.push(`cnonce=${quote(c.cnonce)}`);
  if (c.opaque !== null) parts.push(`opaque=${quote(c.opaque)}`);
  if (c.qop !== null) parts.push(`qop=${c.qop}`);
  if (c.nc !== null) parts.push(`nc=${c.nc}`);
  return `Digest ${parts.join(', ')}`;
}
