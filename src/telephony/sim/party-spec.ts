// Simulated parties written as text, the same way on the command line (`ringflow simulate --press
// 1@4 --callee answer@3s`) and in the server's config: keys, behaviours, variables, seconds.

import { RingflowError } from '../../errors.ts';
import type { CalleeBehaviour, Press } from './party-script.ts';

const KEYS = /^[0-9*#A-Da-d]+$/;

/** `--press 12#` (after the next prompt) or `--press 1@4.5` (at 4.5 s). */
export function parsePress(text: string, where = '--press'): Press {
  const match = /^([^@]+)(?:@(\d+(?:\.\d+)?)s?)?$/.exec(text.trim());
  if (!match || !KEYS.test(match[1]!)) {
    throw usage(`${where} ${text}: expected keys (0-9 * # A-D), optionally @SECONDS, e.g. 1 or 42#@3.5`);
  }
  return match[2] === undefined ? { digits: match[1]! } : { digits: match[1]!, atMs: Math.round(Number(match[2]) * 1000) };
}

/** `answer`, `answer@3s`, `busy`, `no-answer`, `reject`, `invalid`, `unavailable`, `error`. */
export function parseCallee(text: string, where = '--callee'): CalleeBehaviour {
  const spec = text.trim().toLowerCase();
  const answer = /^answer(?:@(\d+(?:\.\d+)?)s?)?$/.exec(spec);
  if (answer) return { kind: 'answer', afterMs: answer[1] === undefined ? 2000 : Math.round(Number(answer[1]) * 1000) };
  const kinds = ['busy', 'no-answer', 'reject', 'invalid', 'unavailable', 'error'] as const;
  const kind = kinds.find((k) => k === spec);
  if (kind) return { kind };
  throw usage(`${where} ${text}: expected answer, answer@SECONDS, ${kinds.join(', ')}`);
}

export function parseSeconds(flag: string, text: string): number {
  const value = Number(text.replace(/s$/, ''));
  if (!Number.isFinite(value) || value < 0) throw usage(`${flag} ${text}: expected a number of seconds`);
  return Math.round(value * 1000);
}

function usage(detail: string): RingflowError {
  return new RingflowError('RF_CLI_USAGE', { detail });
}
