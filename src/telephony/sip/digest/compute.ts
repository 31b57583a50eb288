// The Digest computation itself (RFC 2617 §3.2.2, RFC 7616 §3.4.1–3.4.3), shared by the client
// that answers a challenge and the server that checks the answer.

import { createHash } from 'node:crypto';
import type { DigestAlgorithm, DigestQop } from './challenge.ts';

const HASHES: Record<DigestAlgorithm, string> = {
  MD5: 'md5',
  'MD5-sess': 'md5',
  'SHA-256': 'sha256',
  'SHA-256-sess': 'sha256',
  'SHA-512-256': 'sha512-256',
  'SHA-512-256-sess': 'sha512-256',
};

export interface DigestInput {
  algorithm: DigestAlgorithm;
  username: string;
  realm: string;
  password: string;
  nonce: string;
  method: string;
  /** The digest-uri as sent in the credentials (the Request-URI for SIP). */
  uri: string;
  qop: DigestQop | null;
  /** 8 hex digits; used with qop. */
  nc: string;
  /** Used with qop and with the -sess algorithms. */
  cnonce: string;
  /** The message body, for qop=auth-int. */
  body?: Buffer;
}

/** The `response` value: lower-case hex. */
export function digestResponse(d: DigestInput): string {
  const h = (data: string | Buffer) => createHash(HASHES[d.algorithm]).update(data).digest('hex');
  let ha1 = h(`${d.username}:${d.realm}:${d.password}`);
  if (d.algorithm.endsWith('-sess')) ha1 = h(`${ha1}:${d.nonce}:${d.cnonce}`);
  const ha2 = d.qop === 'auth-int' ? h(`${d.method}:${d.uri}:${h(d.body ?? Buffer.alloc(0))}`) : h(`${d.method}:${d.uri}`);
  return d.qop === null ? h(`${ha1}:${d.nonce}:${ha2}`) : h(`${ha1}:${d.nonce}:${d.nc}:${d.cnonce}:${d.qop}:${ha2}`);
}

export function formatNonceCount(nc: number): string {
  if (!Number.isInteger(nc) || nc < 1 || nc > 0xffffffff) throw new RangeError(`nonce count ${nc} must be an integer from 1 to 2^32-1`);
  return nc.toString(16).padStart(8, '0');
}
