// What the simulated calls heard and did, in time order: the output of `ringflow simulate` and what
// scenario tests compare. Entries are appended once and never changed, so a live printer and the
// final JSON document show the same thing.

import type { Clock } from '../../time/clock.ts';
import type { BridgeOutcome, DialOutcome, HangupSource, Media, RecordOutcome } from '../port.ts';

export type MediaKind = Media['type'];
/** How a recording ended: record()'s reasons, the end of a whole-call recording, or the engine stopping it (no file). */
export type RecordEndReason = RecordOutcome['reason'] | 'call-ended' | 'aborted';

/** The details each kind of entry carries, besides `at`, `callSid` and `kind`. */
export interface TranscriptDetails {
  /** An inbound call arrives. */
  call: { from: string; to: string };
  ringing: {};
  answered: {};
  ended: { status: string; hangupCause: number; hangupSource: HangupSource };
  /** `durationMs` is one play of the prompt; `loop` 0 repeats until stopped. */
  say: { text: string; language: string; voice?: string; durationMs: number; loop: number };
  play: { text: string; durationMs: number; loop: number };
  beep: { durationMs: number; loop: number };
  waiting: {};
  /** A prompt ended before it was done: a key (barge-in), the call's end, or the engine stopped it. */
  stop: { media: MediaKind; playedMs: number; reason: 'key' | 'hangup' | 'aborted'; key?: string };
  /** A key the party pressed; `lost` before the call was answered; `forwardedFrom` heard through a bridge. */
  press: { text: string; lost?: true; forwardedFrom?: string };
  record:
    | { phase: 'start'; recordingSid: string; background: boolean; maxDurationMs?: number; silenceTimeoutMs?: number; finishOnKey?: string }
    | { phase: 'end'; recordingSid: string; reason: RecordEndReason; durationMs: number; url?: string };
  bridge: { other: string };
  unbridge: { other: string; endedBy: BridgeOutcome['endedBy']; durationMs: number };
  /** Ringflow places a call; `callSid` is the sid the call (or its failure CDR) will have. */
  dial: { from: string; to: string; timeoutMs: number };
  'dial-result': { outcome: DialOutcome | 'Canceled'; hangupCause?: number; durationMs: number };
}

export type TranscriptKind = keyof TranscriptDetails;

/** One line of the transcript. `at` is in ms since the network's origin. */
export type TranscriptEntry = {
  [K in TranscriptKind]: { at: number; callSid: string; kind: K } & TranscriptDetails[K];
}[TranscriptKind];

/** Gets each entry as it is added. Must not throw: it runs inside the simulation's timers. */
export type TranscriptListener = (entry: TranscriptEntry) => void;

export class Transcript {
  readonly #clock: Clock;
  readonly #origin: number;
  /** undefined when entries are not kept (benchmarks with thousands of calls). */
  readonly #entries: TranscriptEntry[] | undefined;
  readonly #listeners = new Set<TranscriptListener>();

  constructor(clock: Clock, origin: number, keep = true) {
    this.#clock = clock;
    this.#origin = origin;
    this.#entries = keep ? [] : undefined;
  }

  get entries(): readonly TranscriptEntry[] {
    return this.#entries ?? [];
  }

  /** Milliseconds since the origin, rounded to the millisecond so the JSON stays stable. */
  elapsed(): number {
    return Math.round(this.#clock.now() - this.#origin);
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: TranscriptListener): () => void {
    this.#listeners.add(listener);
    return () => { this.#listeners.delete(listener); };
  }

  add<K extends TranscriptKind>(callSid: string, kind: K, details: TranscriptDetails[K]): void {
    if (!this.#entries && this.#listeners.size === 0) return;
    const entry = { at: this.elapsed(), callSid, kind, ...details } as TranscriptEntry;
    this.#entries?.push(entry);
    for (const listener of this.#listeners) listener(entry);
  }
}
