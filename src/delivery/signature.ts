// X-Ringflow-Signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with the tenant's
// secret. Signing the time with the body lets a receiver refuse replays of an old delivery.

import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-ringflow-signature';
export const EVENT_ID_HEADER = 'x-ringflow-event-id';
/** 1 on the first attempt, 2 on the first retry… (the event id stays the same). */
export const ATTEMPT_HEADER = 'x-ringflow-delivery-attempt';

export function sign(secret: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/**
 * What a receiver does (and what docs/api.md shows): recompute and compare in constant time, and
 * refuse a timestamp older than `toleranceSeconds`.
 */
export function verify(secret: string, header: string, body: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(sign(secret, t, body).split('v1=')[1]!, 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
