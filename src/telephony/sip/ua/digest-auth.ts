// Answering 401/407 challenges for one request flow (an INVITE with its retries, a registration):
// one retry per challenge, another only when the server says the nonce was stale (RFC 3261 §22.2,
// RFC 7616 §3.3), and nonce counts kept per nonce (RFC 7616 §3.4).

import { authHeaderNames, pickChallenge } from '../digest/challenge.ts';
import { buildAuthorization } from '../digest/client.ts';
import { headers, setHeader } from '../message/headers.ts';
import type { SipRequest, SipResponse } from '../message/types.ts';

export interface SipCredentials {
  username: string;
  password: string;
}

export class DigestSession {
  readonly #credentials: SipCredentials;
  readonly #nc = new Map<string, number>();
  /** Realms we already answered with a fresh nonce: the same challenge again means a wrong password. */
  readonly #answered = new Set<string>();

  constructor(credentials: SipCredentials) {
    this.#credentials = credentials;
  }

  /**
   * Adds Authorization or Proxy-Authorization to `next` (the retry of the challenged request).
   * False when we should not retry: no usable challenge, or the same realm refused us already.
   */
  authorize(next: SipRequest, challenge: SipResponse): boolean {
    if (challenge.status !== 401 && challenge.status !== 407) return false;
    const names = authHeaderNames(challenge.status);
    const picked = pickChallenge(headers(challenge, names.challenge));
    if (picked === null) return false;
    const key = `${challenge.status}|${picked.realm}`;
    if (this.#answered.has(key) && !picked.stale) return false;
    this.#answered.add(key);
    const nc = (this.#nc.get(picked.nonce) ?? 0) + 1;
    this.#nc.set(picked.nonce, nc);
    const value = buildAuthorization({
      challenge: picked,
      method: next.method,
      uri: next.uri,
      username: this.#credentials.username,
      password: this.#credentials.password,
      body: next.body,
      nc,
    });
    setHeader(next, names.credentials, value);
    return true;
  }

  /** A new refresh cycle (a registration refresh): a fresh challenge may be answered again. */
  reset(): void {
    this.#answered.clear();
  }
}
