// What a simulated party does: how it answers when Ringflow calls it, which keys it presses and
// when, when it hangs up, how long it talks into a recording. Also the fixed timings that make a
// simulated dial attempt end the way a real network would, so transcripts are deterministic.

import type { DialOutcome } from '../port.ts';

export type CalleeBehaviour =
  /** Rings `afterMs`, then answers (No Answer when the ring timeout is shorter). */
  | { kind: 'answer'; afterMs: number }
  | { kind: 'busy' }
  | { kind: 'no-answer' }
  | { kind: 'reject' }
  | { kind: 'invalid' }
  | { kind: 'unavailable' }
  | { kind: 'error' };

export interface Press {
  digits: string;
  /**
   * When the first key goes down, in ms since the network's origin. Without it the press waits
   * for the engine to announce `{type: 'listening'}` on the call (see LISTEN_PRESS_DELAY_MS).
   */
  atMs?: number;
}

export interface PartyScript {
  /** For parties Ringflow calls; default: answer after DEFAULT_ANSWER_AFTER_MS. */
  behaviour?: CalleeBehaviour;
  presses?: Press[];
  /** The party hangs up at this time (ms since the network's origin). */
  hangupAtMs?: number;
  /** How long the party talks when recorded, before falling silent (default DEFAULT_SPEECH_MS). */
  speechMs?: number;
}

/** A callee without a behaviour picks up after two seconds, like a person near the phone. */
export const DEFAULT_ANSWER_AFTER_MS = 2000;
export const DEFAULT_SPEECH_MS = 3000;
/** A person reacts to a prompt about a second after it starts listening… */
export const LISTEN_PRESS_DELAY_MS = 1000;
/** …and types keys this far apart (also between the keys of a timed press). */
export const PRESS_GAP_MS = 300;

/**
 * How long each behaviour takes to give its final answer: a busy line or an unreachable network
 * answers fast, a person who declines lets it ring a while. `no-answer` rings forever (the ring
 * timeout ends it).
 */
export const DIAL_DELAYS_MS = {
  busy: 500,
  reject: 2000,
  invalid: 200,
  unavailable: 500,
  error: 200,
} as const;

/** The Q.850 cause and CDR status of each failed dial outcome (SPEC §4.1). */
export const DIAL_FAILURES = {
  Busy: { q850: 17, status: 'busy' },
  'No Answer': { q850: 19, status: 'no-answer' },
  Rejected: { q850: 21, status: 'rejected' },
  'Invalid Number': { q850: 1, status: 'invalid-number' },
  'Temporarily Unavailable': { q850: 20, status: 'unavailable' },
  Error: { q850: 41, status: 'failed' },
} as const satisfies Record<Exclude<DialOutcome, 'Answered'>, { q850: number; status: string }>;

export interface DialPlan {
  outcome: DialOutcome;
  /** When the outcome is known, from the start of the attempt. */
  afterMs: number;
}

/** What a dial attempt to a party with `behaviour` gives, with the caller's ring timeout. */
export function planDial(behaviour: CalleeBehaviour | undefined, timeoutMs: number): DialPlan {
  const plan = naturalOutcome(behaviour ?? { kind: 'answer', afterMs: DEFAULT_ANSWER_AFTER_MS });
  // Past the ring timeout Ringflow sends CANCEL, whatever the callee would have done later.
  if (plan.afterMs > timeoutMs) return { outcome: 'No Answer', afterMs: Math.max(0, timeoutMs) };
  return plan;
}

function naturalOutcome(behaviour: CalleeBehaviour): DialPlan {
  switch (behaviour.kind) {
    case 'answer': return { outcome: 'Answered', afterMs: Math.max(0, behaviour.afterMs) };
    case 'busy': return { outcome: 'Busy', afterMs: DIAL_DELAYS_MS.busy };
    case 'no-answer': return { outcome: 'No Answer', afterMs: Infinity };
    case 'reject': return { outcome: 'Rejected', afterMs: DIAL_DELAYS_MS.reject };
    case 'invalid': return { outcome: 'Invalid Number', afterMs: DIAL_DELAYS_MS.invalid };
    case 'unavailable': return { outcome: 'Temporarily Unavailable', afterMs: DIAL_DELAYS_MS.unavailable };
    case 'error': return { outcome: 'Error', afterMs: DIAL_DELAYS_MS.error };
  }
}

export { isDialable } from '../dialable.ts';

const DTMF = /^[0-9*#A-D]*$/;

/** Upper-cases a–d and checks that every key exists on a DTMF keypad. */
export function normalizeDigits(digits: string): string {
  const keys = digits.toUpperCase();
  if (!DTMF.test(keys)) throw new RangeError(`not DTMF keys: "${digits}" (use 0-9, *, #, A-D)`);
  return keys;
}
