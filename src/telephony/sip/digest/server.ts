// Challenging requests and checking their Digest credentials (RFC 3261 §22.4, RFC 7616 §3.3).
// Stateless: a nonce is its issue time plus an HMAC of that time under a secret, so any instance
// holding the secret can check it, and an old nonce is recognised as stale without a table.
// Replays within the nonce lifetime are not detected (no per-nonce nc is kept).

import { createHmac, timingSafeEqual } from 'node:crypto';
import { SipParseError } from '../message/errors.ts';
import { headers } from '../message/headers.ts';
import type { SipHeader, SipRequest } from '../message/types.ts';
import type { Clock } from '../../../time/clock.ts';
import { authHeaderNames, type DigestAlgorithm, type DigestCredentials, formatChallenge, parseCredentials } from './challenge.ts';
import { digestResponse } from './compute.ts';

export interface DigestServerOptions {
  realm: string;
  /** Key of the nonce HMAC; at least 16 random bytes, shared by every instance that checks nonces. */
  secret: string | Buffer;
  clock: Pick<Clock, 'now'>;
  /** How long a nonce stays good; past it the answer is a challenge with stale=true. Default 5 minutes. */
  nonceTtlMs?: number;
  /** Default MD5: what nearly every SIP phone and trunk supports. */
  algorithm?: DigestAlgorithm;
  /** Offer qop=auth (default) or the RFC 2069 form without qop. */
  qop?: boolean;
}

export type DigestFailure =
  /** No credentials for our realm, or unreadable ones: challenge. */
  | 'missing'
  | 'malformed'
  /** A nonce we did not issue (or another secret did). */
  | 'nonce'
  /** Right password, nonce too old: challenge again with stale=true. */
  | 'stale'
  | 'unknown-user'
  /** Credentials computed for another Request-URI, algorithm or qop than this request's. */
  | 'mismatch'
  /** Wrong password (or a tampered field). */
  | 'response';

export type DigestVerdict = { ok: true; username: string } | { ok: false; reason: DigestFailure };

/** Password of a user, or undefined when there is no such user. */
export type PasswordLookup = (username: string) => string | undefined;

const DEFAULT_TTL_MS = 5 * 60_000;
/** A nonce from a little in the future is accepted: instances' clocks drift. */
const CLOCK_SKEW_MS = 30_000;

export class DigestServer {
  readonly realm: string;
  readonly #secret: Buffer;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #ttl: number;
  readonly #algorithm: DigestAlgorithm;
  readonly #qop: boolean;

  constructor(opts: DigestServerOptions) {
    this.realm = opts.realm;
    this.#secret = typeof opts.secret === 'string' ? Buffer.from(opts.secret) : opts.secret;
    if (this.#secret.length === 0) throw new RangeError('the Digest nonce secret must not be empty');
    this.#clock = opts.clock;
    this.#ttl = opts.nonceTtlMs ?? DEFAULT_TTL_MS;
    this.#algorithm = opts.algorithm ?? 'MD5';
    this.#qop = opts.qop ?? true;
  }

  /** A WWW-Authenticate / Proxy-Authenticate value with a fresh nonce. */
  challenge(opts: { stale?: boolean } = {}): string {
    return formatChallenge({
      realm: this.realm,
      nonce: this.#nonce(this.#clock.now()),
      opaque: null,
      algorithm: this.#algorithm,
      qop: this.#qop ? ['auth'] : [],
      stale: opts.stale ?? false,
      domain: null,
    });
  }

  /** The header to add to a 401 or 407 response; stale after a `stale` verdict. */
  challengeHeader(status: 401 | 407, stale = false): SipHeader {
    return { name: authHeaderNames(status).challenge, value: this.challenge({ stale }) };
  }

  /** Checks the Authorization (401) or Proxy-Authorization (407) header of a request meant for our realm. */
  verifyRequest(request: SipRequest, status: 401 | 407, lookup: PasswordLookup): DigestVerdict {
    let sawMalformed = false;
    for (const value of headers(request, authHeaderNames(status).credentials)) {
      let creds: DigestCredentials;
      try {
        creds = parseCredentials(value);
      } catch (e) {
        if (!(e instanceof SipParseError)) throw e;
        sawMalformed = true;
        continue;
      }
      // Credentials for other realms (a proxy's, upstream) are not ours to judge (§22.3).
      if (creds.realm !== this.realm) continue;
      return this.verifyCredentials(creds, { method: request.method, uri: request.uri, body: request.body }, lookup);
    }
    return { ok: false, reason: sawMalformed ? 'malformed' : 'missing' };
  }

  /** Checks one credentials header value against the request it came with. */
  verify(value: string, request: { method: string; uri: string; body?: Buffer }, lookup: PasswordLookup): DigestVerdict {
    let creds: DigestCredentials;
    try {
      creds = parseCredentials(value);
    } catch (e) {
      if (e instanceof SipParseError) return { ok: false, reason: 'malformed' };
      throw e;
    }
    if (creds.realm !== this.realm) return { ok: false, reason: 'missing' };
    return this.verifyCredentials(creds, request, lookup);
  }

  verifyCredentials(creds: DigestCredentials, request: { method: string; uri: string; body?: Buffer }, lookup: PasswordLookup): DigestVerdict {
    const issued = this.#issuedAt(creds.nonce);
    if (issued === null) return { ok: false, reason: 'nonce' };
    if (creds.algorithm !== this.#algorithm) return { ok: false, reason: 'mismatch' };
    if (this.#qop !== (creds.qop !== null)) return { ok: false, reason: 'mismatch' };
    if (creds.uri !== request.uri) return { ok: false, reason: 'mismatch' };
    const password = lookup(creds.username);
    if (password === undefined) return { ok: false, reason: 'unknown-user' };
    const expected = digestResponse({
      algorithm: creds.algorithm,
      username: creds.username,
      realm: this.realm,
      password,
      nonce: creds.nonce,
      method: request.method,
      uri: creds.uri,
      qop: creds.qop,
      nc: creds.nc ?? '',
      cnonce: creds.cnonce ?? '',
      body: request.body,
    });
    if (!sameText(expected, creds.response.toLowerCase())) return { ok: false, reason: 'response' };
    // Only a correct answer learns its nonce is stale, so a client never retries a wrong password (RFC 2617 §3.2.1).
    if (this.#clock.now() - issued > this.#ttl) return { ok: false, reason: 'stale' };
    return { ok: true, username: creds.username };
  }

  #nonce(at: number): string {
    const time = Math.floor(at).toString(36);
    return `${time}.${this.#mac(time)}`;
  }

  /** Issue time of a nonce we made, or null when it is not ours. */
  #issuedAt(nonce: string): number | null {
    const m = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(nonce);
    if (m === null || !sameText(this.#mac(m[1]), m[2])) return null;
    const at = parseInt(m[1], 36);
    return at > this.#clock.now() + CLOCK_SKEW_MS ? null : at;
  }

  #mac(time: string): string {
    return createHmac('sha256', this.#secret).update(`${time}:${this.realm}`).digest('base64url');
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
