// Sids for records: a two-letter prefix (RN run, CA call, UQ request, EV event…) and 20 hex digits.

import { randomUUID } from 'node:crypto';

export function newSid(prefix: string): string {
  return `${prefix}${randomUUID().replaceAll('-', '').slice(0, 20)}`;
}
