// A whole-call recording hears both directions: what the caller said and what Ringflow played.
// Frames of the two sides are paired by their order (the k-th frame received with the k-th frame
// sent, both on the 20 ms clock), summed, clipped, and written to one sink (a WavRecorder).

import { FRAME_SAMPLES, type AudioSink } from '../audio-frame.ts';

/**
 * A side that stops delivering (RTP from the caller pauses during hold, say) must not hold the
 * other side's audio back forever: past this many frames of lag (1 s) the frames are mixed with
 * silence.
 */
const DEFAULT_MAX_LAG_FRAMES = 50;

export class MixSink {
  /** Where the caller's frames go. */
  readonly caller: AudioSink;
  /** Where the frames Ringflow sends go (silence frames included, to keep the pairing). */
  readonly played: AudioSink;
  readonly #out: AudioSink;
  readonly #maxLag: number;
  readonly #callerQueue: Int16Array[] = [];
  readonly #playedQueue: Int16Array[] = [];

  constructor(out: AudioSink, options: { maxLagFrames?: number } = {}) {
    this.#out = out;
    this.#maxLag = options.maxLagFrames ?? DEFAULT_MAX_LAG_FRAMES;
    this.caller = { write: (frame) => this.#push(this.#callerQueue, frame) };
    this.played = { write: (frame) => this.#push(this.#playedQueue, frame) };
  }

  /** Writes every frame still waiting for its pair, mixed with silence (call the end of the call). */
  flush(): void {
    while (this.#callerQueue.length || this.#playedQueue.length) this.#emit();
  }

  #push(queue: Int16Array[], frame: Int16Array): void {
    queue.push(frame.slice()); // the sender may reuse its buffer
    while ((this.#callerQueue.length && this.#playedQueue.length) || queue.length > this.#maxLag) this.#emit();
  }

  #emit(): void {
    const a = this.#callerQueue.shift();
    const b = this.#playedQueue.shift();
    this.#out.write(mixFrames(a, b));
  }
}

/** The sum of two frames, clipped to 16 bits; a missing frame counts as silence. */
export function mixFrames(a: Int16Array | undefined, b: Int16Array | undefined): Int16Array {
  const length = Math.max(a?.length ?? 0, b?.length ?? 0, a || b ? 0 : FRAME_SAMPLES);
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) {
    const v = (a?.[i] ?? 0) + (b?.[i] ?? 0);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}
