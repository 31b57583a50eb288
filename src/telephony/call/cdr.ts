// Call detail records (simulated and SIP calls), in the Callr 2025-09-01 shape of the port's Cdr.

import type { Cdr, CallDirection, HangupSource } from '../port.ts';

export interface CdrFacts {
  callid: string;
  direction: CallDirection;
  callerNumber: string;
  callee: string;
  /** Clock times (ms since the epoch). */
  startedAt: number;
  answeredAt: number | undefined;
  endedAt: number | undefined;
  hangupCause: number | null;
  hangupSource: HangupSource | null;
  status: string;
}

/** `now` stands in for the end while the call is up, so durationTotal grows as it lasts. */
export function buildCdr(facts: CdrFacts, now: number): Cdr {
  const end = facts.endedAt ?? now;
  return {
    callid: facts.callid,
    direction: facts.direction,
    callerNumber: facts.callerNumber,
    callee: facts.callee,
    started: isoTime(facts.startedAt),
    answered: facts.answeredAt === undefined ? null : isoTime(facts.answeredAt),
    ended: facts.endedAt === undefined ? null : isoTime(facts.endedAt),
    durationAnswered: facts.answeredAt === undefined ? 0 : seconds(end - facts.answeredAt),
    durationTotal: seconds(end - facts.startedAt),
    hangupCause: facts.hangupCause,
    hangupSource: facts.hangupSource,
    status: facts.status,
  };
}

export function isoTime(ms: number): string {
  return new Date(Math.round(ms)).toISOString();
}

/**
 * Seconds with millisecond precision (3 decimals): Callr gives whole seconds, but a simulated
 * 1.8 s prompt should not read as 2 s or 1 s, and a scenario can still round it.
 */
export function seconds(ms: number): number {
  return Math.round(Math.max(0, ms)) / 1000;
}
