// When record@v1 stops, apart from a hang-up: a finish key, a long enough silence, or the maximum
// length. The recording owner feeds it every received frame and every key pressed and stops at the
// first reason it returns. Everything is counted in frames, so a virtual clock gives the same result.

import { FRAME_MS } from '../audio-frame.ts';
import { SilenceDetector } from './silence-detector.ts';

export type RecordStopReason = 'finish-key' | 'silence' | 'max-duration';

export interface RecordLimitsOptions {
  readonly maxDurationMs: number;
  /** Stop after this much continuous silence; 0 never stops for silence. */
  readonly silenceTimeoutMs: number;
  /** Keys that end the recording ('' for none). */
  readonly finishOnKey: string;
  readonly silenceThresholdDbfs?: number;
}

export class RecordLimits {
  readonly #o: RecordLimitsOptions;
  readonly #silence: SilenceDetector;
  #frames = 0;

  constructor(o: RecordLimitsOptions) {
    this.#o = o;
    this.#silence = new SilenceDetector(o.silenceThresholdDbfs);
  }

  /** Milliseconds of audio seen. */
  get durationMs(): number {
    return this.#frames * FRAME_MS;
  }

  /** Takes the next received frame (after it was recorded); returns why to stop now, or null. */
  frame(frame: Int16Array): RecordStopReason | null {
    this.#frames += 1;
    const silentMs = this.#silence.push(frame);
    if (this.#o.silenceTimeoutMs > 0 && silentMs >= this.#o.silenceTimeoutMs) return 'silence';
    if (this.durationMs >= this.#o.maxDurationMs) return 'max-duration';
    return null;
  }

  /** Takes a key the caller pressed; 'finish-key' when it is one of the finish keys. */
  digit(digit: string): RecordStopReason | null {
    return digit.length === 1 && this.#o.finishOnKey.includes(digit) ? 'finish-key' : null;
  }
}
