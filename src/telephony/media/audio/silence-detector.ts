// How long the caller has been quiet, for record@v1's silence timeout: a frame is silent when its
// RMS level is under a threshold, and the count restarts at the first frame above it. Counted in
// frames (20 ms each), so it follows the audio received, not wall time.

import { FRAME_MS } from '../audio-frame.ts';
import { fromDbfs, rms } from './pcm-level.ts';

/**
 * −40 dBFS: telephone speech is around −20 to −30 dBFS RMS and a quiet line's noise below −50, so
 * this threshold sits between them with room on both sides (soft speakers, noisy mobile lines).
 */
export const DEFAULT_SILENCE_THRESHOLD_DBFS = -40;

export class SilenceDetector {
  readonly #threshold: number;
  #silentFrames = 0;
  #heardSound = false;

  constructor(thresholdDbfs: number = DEFAULT_SILENCE_THRESHOLD_DBFS) {
    this.#threshold = fromDbfs(thresholdDbfs);
  }

  /** Takes the next received frame; returns how long the silence has lasted, in ms (0 after sound). */
  push(frame: Int16Array): number {
    if (rms(frame) >= this.#threshold) {
      this.#silentFrames = 0;
      this.#heardSound = true;
    } else {
      this.#silentFrames += 1;
    }
    return this.silentMs;
  }

  /** Milliseconds of silence since the last sound (or since the start). */
  get silentMs(): number {
    return this.#silentFrames * FRAME_MS;
  }

  /** Whether any frame so far was above the threshold. */
  get heardSound(): boolean {
    return this.#heardSound;
  }
}
