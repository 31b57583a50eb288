// What a SIP final response means to a scenario (SPEC §4.1) and to a CDR (Q.850 causes, after
// RFC 3398 §8.2.6.1 and common carrier practice), and which response refuses a call for a cause.

import type { DialOutcome } from '../port.ts';

/** The CallState of an outgoing call that ended with `status` (transport failures: `Error`). */
export function dialOutcome(status: number, canceledByUs: boolean): DialOutcome {
  if (status >= 200 && status < 300) return 'Answered';
  if (status === 486 || status === 600) return 'Busy';
  if (status === 603 || status === 403) return 'Rejected';
  if (status === 404 || status === 484 || status === 604 || status === 410) return 'Invalid Number';
  if (status === 408 || (status === 487 && canceledByUs)) return 'No Answer';
  if (status === 480 || status === 503 || status === 502 || status === 504) return 'Temporarily Unavailable';
  return 'Error';
}

/** Q.850 cause for a SIP final response (RFC 3398 §8.2.6.1). */
export function q850OfStatus(status: number): number {
  const table: Record<number, number> = {
    400: 41, 401: 21, 402: 21, 403: 21, 404: 1, 405: 63, 406: 79, 407: 21, 408: 102, 410: 22,
    413: 127, 414: 127, 415: 79, 416: 127, 420: 127, 421: 127, 423: 127, 480: 18, 481: 41,
    482: 25, 483: 25, 484: 28, 485: 1, 486: 17, 487: 127, 488: 127, 500: 41, 501: 79, 502: 38,
    503: 41, 504: 102, 505: 127, 513: 127, 600: 17, 603: 21, 604: 1, 606: 58,
  };
  if (status === 487) return 16;
  return table[status] ?? (status >= 600 ? 31 : status >= 500 ? 41 : 31);
}

/** The CDR `status` word of an outgoing call that did not connect. */
export function cdrStatusOf(outcome: DialOutcome): string {
  return outcome.toLowerCase().replace(/ /g, '-');
}
