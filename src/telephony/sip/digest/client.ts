// Answering a Digest challenge (a 401 or 407 to our INVITE or REGISTER). The nonce count is the
// caller's to keep, per nonce: 1 for the first request with a nonce, then 2, 3… (RFC 7616 §3.4).

import { randomBytes } from 'node:crypto';
import { type DigestChallenge, type DigestCredentials, type DigestQop, formatCredentials } from './challenge.ts';
import { digestResponse, formatNonceCount } from './compute.ts';

export interface AuthorizeOptions {
  challenge: DigestChallenge;
  method: string;
  /** The Request-URI of the request being authorised. */
  uri: string;
  username: string;
  password: string;
  /** The body of the request, needed when only qop=auth-int is offered. */
  body?: Buffer;
  /** How many requests (this one included) used this nonce. */
  nc: number;
  /** Client nonce; random when omitted (tests pass a fixed one). */
  cnonce?: string;
}

/** The value of the Authorization (for a 401) or Proxy-Authorization (for a 407) header. */
export function buildAuthorization(opts: AuthorizeOptions): string {
  return formatCredentials(computeCredentials(opts));
}

export function computeCredentials(opts: AuthorizeOptions): DigestCredentials {
  const { challenge } = opts;
  // auth protects nothing of the body but works whatever the body; prefer it when both are offered.
  const qop: DigestQop | null = challenge.qop.includes('auth') ? 'auth' : (challenge.qop[0] ?? null);
  const needsCnonce = qop !== null || challenge.algorithm.endsWith('-sess');
  const cnonce = needsCnonce ? (opts.cnonce ?? randomBytes(12).toString('base64url')) : null;
  const nc = qop === null ? null : formatNonceCount(opts.nc);
  const response = digestResponse({
    algorithm: challenge.algorithm,
    username: opts.username,
    realm: challenge.realm,
    password: opts.password,
    nonce: challenge.nonce,
    method: opts.method,
    uri: opts.uri,
    qop,
    nc: nc ?? '',
    cnonce: cnonce ?? '',
    body: opts.body,
  });
  return {
    username: opts.username,
    realm: challenge.realm,
    nonce: challenge.nonce,
    uri: opts.uri,
    response,
    algorithm: challenge.algorithm,
    cnonce,
    nc,
    qop,
    opaque: challenge.opaque,
  };
}
