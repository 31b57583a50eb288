// Parses the caller/callee script of `ringflow simulate` from its flags, with errors that name the flag.

import { RingflowError } from '../errors.ts';
import type { CalleeBehaviour, Press } from '../telephony/sim/index.ts';

const KEYS = /^[0-9*#A-Da-d]+$/;

/** `--press 12#` (after the next prompt) or `--press 1@4.5` (at 4.5 s). */
export function parsePress(text: string): Press {
  const match = /^([^@]+)(?:@(\d+(?:\.\d+)?)s?)?$/.exec(text.trim());
  if (!match || !KEYS.test(match[1]!)) {
    throw usage(`--press ${text}: expected keys (0-9 * # A-D), optionally @SECONDS, e.g. --press 1 or --press 42#@3.5`);
  }
  return match[2] === undefined ? { digits: match[1]! } : { digits: match[1]!, atMs: Math.round(Number(match[2]) * 1000) };
}

/** `answer`, `answer@3s`, `busy`, `no-answer`, `reject`, `invalid`, `unavailable`, `error`. */
export function parseCallee(text: string): CalleeBehaviour {
  const spec = text.trim().toLowerCase();
  const answer = /^answer(?:@(\d+(?:\.\d+)?)s?)?$/.exec(spec);
  if (answer) return { kind: 'answer', afterMs: answer[1] === undefined ? 2000 : Math.round(Number(answer[1]) * 1000) };
  const kinds = ['busy', 'no-answer', 'reject', 'invalid', 'unavailable', 'error'] as const;
  const kind = kinds.find((k) => k === spec);
  if (kind) return { kind };
  throw usage(`--callee ${text}: expected answer, answer@SECONDS, ${kinds.join(', ')}`);
}

/** `--var '$x=V'`: V is read as JSON when it is valid JSON (numbers, true, objects), else as text. */
export function parseVar(text: string): [string, unknown] {
  const eq = text.indexOf('=');
  const name = eq < 0 ? '' : text.slice(0, eq).trim();
  const normalized = name.startsWith('$') ? name : `$${name}`;
  if (!/^\$[A-Za-z_][A-Za-z0-9_]*$/.test(normalized)) throw usage(`--var ${text}: expected $name=value, e.g. --var '$userId=42'`);
  const raw = text.slice(eq + 1);
  try {
    return [normalized, JSON.parse(raw)];
  } catch {
    return [normalized, raw];
  }
}

export function parseSeconds(flag: string, text: string): number {
  const value = Number(text.replace(/s$/, ''));
  if (!Number.isFinite(value) || value < 0) throw usage(`${flag} ${text}: expected a number of seconds`);
  return Math.round(value * 1000);
}

function usage(detail: string): RingflowError {
  return new RingflowError('RF_CLI_USAGE', { detail });
}
