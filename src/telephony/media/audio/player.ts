// What Ringflow says on a call: an AudioSource the RTP sender pulls every 20 ms, fed by a queue of
// PCM buffers (prompts, speech, tones). Play time is counted in samples handed to the sender, so
// it follows the RTP clock, not wall time: a virtual clock and a real one give the same figures.

import { FRAME_SAMPLES, SAMPLE_RATE, type AudioSource } from '../audio-frame.ts';

export interface PlayRequest {
  /** How many times to play; 0 plays until interrupted or aborted. */
  readonly loop: number;
  /** Aborting removes the play (playing or queued) and rejects it with `signal.reason`. */
  readonly signal?: AbortSignal | undefined;
  /** Whether `interrupt()` (a key press, barge-in) may stop it. */
  readonly stopOnDigit?: boolean;
}

export interface PlayResult {
  /** Milliseconds of audio handed to the sender (the padding of the last frame not counted). */
  readonly durationMs: number;
  /** True when `interrupt()` stopped it. */
  readonly interrupted: boolean;
}

interface Playing {
  readonly pcm: Int16Array;
  readonly stopOnDigit: boolean;
  readonly signal: AbortSignal | undefined;
  /** Plays left, counting the current one; Infinity for loop 0. */
  loopsLeft: number;
  position: number;
  samplesPlayed: number;
  resolve(result: PlayResult): void;
  reject(reason: unknown): void;
  onAbort(): void;
}

export class Player implements AudioSource {
  readonly #queue: Playing[] = [];
  /** The frame handed out when one straddles the end of a sound (see AudioSource: valid until the next read). */
  readonly #scratch = new Int16Array(FRAME_SAMPLES);

  /** True while something is playing or queued. */
  get busy(): boolean {
    return this.#queue.length > 0;
  }

  /** Queues `pcm` (8 kHz mono) after whatever is playing; resolves when it has been played. */
  play(pcm: Int16Array, request: PlayRequest): Promise<PlayResult> {
    const { signal } = request;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!Number.isInteger(request.loop) || request.loop < 0) return Promise.reject(new RangeError(`loop must be a whole number ≥ 0, got ${request.loop}`));
    if (pcm.length === 0) return Promise.resolve({ durationMs: 0, interrupted: false });
    return new Promise<PlayResult>((resolve, reject) => {
      const item: Playing = {
        pcm,
        stopOnDigit: request.stopOnDigit ?? false,
        signal,
        loopsLeft: request.loop === 0 ? Infinity : request.loop,
        position: 0,
        samplesPlayed: 0,
        resolve,
        reject,
        onAbort: () => {
          this.#remove(item);
          reject(signal!.reason);
        },
      };
      signal?.addEventListener('abort', item.onAbort, { once: true });
      this.#queue.push(item);
    });
  }

  /**
   * Barge-in: stops the current play if it was started with `stopOnDigit`, resolving it with
   * `interrupted: true`; the next queued play starts on the next frame. Returns whether it stopped one.
   */
  interrupt(): boolean {
    const current = this.#queue[0];
    if (!current?.stopOnDigit) return false;
    this.#finish(current, true);
    return true;
  }

  /** The next 20 ms: 160 samples (a play's last frame padded with silence), or null when idle. */
  read(): Int16Array | null {
    const item = this.#queue[0];
    if (!item) return null;
    // Most frames lie inside the sound: a view of it, nothing copied or allocated.
    if (item.position + FRAME_SAMPLES < item.pcm.length) {
      const view = item.pcm.subarray(item.position, item.position + FRAME_SAMPLES);
      item.position += FRAME_SAMPLES;
      item.samplesPlayed += FRAME_SAMPLES;
      return view;
    }
    const frame = this.#scratch;
    frame.fill(0);
    let filled = 0;
    while (filled < FRAME_SAMPLES) {
      const n = Math.min(FRAME_SAMPLES - filled, item.pcm.length - item.position);
      frame.set(item.pcm.subarray(item.position, item.position + n), filled);
      filled += n;
      item.position += n;
      item.samplesPlayed += n;
      if (item.position < item.pcm.length) continue;
      item.loopsLeft -= 1;
      if (item.loopsLeft <= 0) {
        // The next play starts on a fresh frame, so each play's first sample goes out first.
        this.#finish(item, false);
        break;
      }
      item.position = 0; // loops run on without a gap, so a looped sound stays seamless
    }
    return frame;
  }

  #finish(item: Playing, interrupted: boolean): void {
    this.#remove(item);
    item.resolve({ durationMs: (item.samplesPlayed * 1000) / SAMPLE_RATE, interrupted });
  }

  #remove(item: Playing): void {
    const at = this.#queue.indexOf(item);
    if (at >= 0) this.#queue.splice(at, 1);
    item.signal?.removeEventListener('abort', item.onAbort);
  }
}
