// The run's timeline: every step, HTTP exchange, call event, log line, warning and error, in order.
// It is what a user reads to debug a scenario, so values are kept (capped) and secrets redacted.

import type { Cdr } from '../telephony/port.ts';
import { isSecretName, REDACTED } from '../http/redact.ts';

function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.replaceAll(secret, REDACTED);
  return out;
}

interface Base {
  /** ISO-8601 time. */
  at: string;
  /** Milliseconds since the run started. */
  t: number;
}

export type TimelineEvent = Base &
  (
    | { type: 'run'; event: 'started' | 'ended'; status?: string }
    | { type: 'branch'; event: 'started' | 'ended'; branch: string; callSid?: string | undefined; reason?: string | undefined }
    | {
        type: 'step';
        branch: string;
        step: string;
        line: number;
        col: number;
        label?: string | undefined;
        params?: unknown;
        result?: unknown;
        skipped?: boolean;
        outcome?: 'hangup' | 'canceled' | 'failed' | undefined;
        durationMs: number;
      }
    | {
        type: 'http';
        branch: string;
        line: number;
        col: number;
        request: { method: string; url: string; headers: Record<string, string>; body?: string | undefined };
        response?: { status: number; statusText: string; headers: Record<string, string>; body: string } | undefined;
        error?: string | undefined;
        errorDetail?: string | undefined;
        redirects?: { status: number; location: string }[] | undefined;
        durationMs: number;
      }
    | { type: 'call'; event: 'created' | 'ringing' | 'answered' | 'ended'; callSid: string; direction: string; from: string; to: string; cdr?: Cdr | undefined }
    | { type: 'log'; branch: string; message: string; line?: number | undefined; col?: number | undefined }
    | { type: 'warning'; message: string; line?: number | undefined; col?: number | undefined }
    | { type: 'error'; code: string; message: string; file?: string | undefined; line?: number | undefined; col?: number | undefined }
  );

/** A timeline event before the timeline stamps it. */
export type TimelineEntry = TimelineEvent extends infer E ? (E extends Base ? Omit<E, 'at' | 't'> : never) : never;

export interface TimelineOptions {
  now: () => number;
  startedAt: number;
  /** Longest string kept in params, results and bodies (longer ones are cut with a note). */
  maxStringBytes: number;
  /** Values that must never appear, wherever they are (integration tokens): replaced by [redacted]. */
  secrets?: readonly string[];
}

export class Timeline {
  readonly events: TimelineEvent[] = [];
  readonly #options: TimelineOptions;
  readonly #listeners = new Set<(event: TimelineEvent) => void>();
  // Many events share one instant (virtual time stands still between timers): format it once.
  #lastAt = Number.NaN;
  #lastIso = '';

  constructor(options: TimelineOptions) {
    this.#options = options;
  }

  now(): number {
    return this.#options.now();
  }

  add(entry: TimelineEntry, at = this.#options.now()): TimelineEvent {
    if (at !== this.#lastAt) {
      this.#lastAt = at;
      this.#lastIso = new Date(at).toISOString();
    }
    const event = { ...entry, at: this.#lastIso, t: Math.round(at - this.#options.startedAt) } as TimelineEvent;
    this.events.push(event);
    for (const listener of this.#listeners) listener(event);
    return event;
  }

  /** A value made fit for the timeline: secrets redacted, long strings cut, undefined dropped. */
  keep(value: unknown): unknown {
    return sanitize(value, this.#options.maxStringBytes, 0, this.#options.secrets ?? []);
  }

  /** A string with every known secret value replaced (a token in a URL's query, say). */
  mask(text: string): string {
    return maskSecrets(text, this.#options.secrets ?? []);
  }

  subscribe(listener: (event: TimelineEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}


/**
 * Secrets redacted and long strings cut, sharing every part that needs neither: values reaching the
 * timeline are never mutated afterwards (variables are replaced, not changed in place), so sharing
 * is safe and spares a deep copy per step.
 */
function sanitize(value: unknown, max: number, depth: number, secrets: readonly string[]): unknown {
  if (typeof value === 'string') {
    const masked = maskSecrets(value, secrets);
    if (masked.length <= max) return masked;
    return `${masked.slice(0, max)}… [${masked.length - max} more characters]`;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth > 32) return '[too deep]';
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const kept = sanitize(value[i], max, depth + 1, secrets);
      if (kept !== value[i]) (out ??= value.slice())[i] = kept;
    }
    return out ?? value;
  }
  let out: Record<string, unknown> | undefined;
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    const kept = v === undefined ? undefined : isSecretName(key) && (typeof v === 'string' || typeof v === 'number') ? REDACTED : sanitize(v, max, depth + 1, secrets);
    if (kept !== v || v === undefined) {
      out ??= { ...(value as Record<string, unknown>) };
      if (kept === undefined) delete out[key];
      else out[key] = kept;
    }
  }
  return out ?? value;
}
