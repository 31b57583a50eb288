// Record ids: a two-letter prefix naming the kind (`TN` tenant, `AK` key, `SC` scenario, `RC`
// recording, …) and 20 random hex digits, the same shape as the engine's run and call sids.

import { randomBytes, randomUUID } from 'node:crypto';

/** `prefix` + 20 hex digits (78 random bits: a v4 UUID fixes 2 bits of digit 16). */
export function newId(prefix: string): string {
  // randomUUID draws from a cached pool of random bytes: a tenth of randomBytes' cost per call.
  // Digit 12 of a v4 UUID is always `4`, so it is skipped.
  const hex = randomUUID().replaceAll('-', '');
  return `${prefix}${hex.slice(0, 12)}${hex.slice(13, 21)}`;
}

/** `count` random bytes as hex: secrets (webhook keys) rather than ids. */
export function randomHex(count: number): string {
  return randomBytes(count).toString('hex');
}

/** `count` random bytes as base64url (no padding). */
export function randomBase64url(count: number): string {
  return randomBytes(count).toString('base64url');
}
