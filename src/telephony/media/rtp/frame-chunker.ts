// Cuts decoded audio into the 160-sample frames the AudioSink contract promises, whatever packet
// time the peer chose (10, 20, 30 ms…).

import { FRAME_SAMPLES } from '../audio-frame.ts';

export class FrameChunker {
  readonly #pending = new Int16Array(FRAME_SAMPLES);
  #filled = 0;

  push(samples: Int16Array, emit: (frame: Int16Array) => void): void {
    if (this.#filled === 0 && samples.length === FRAME_SAMPLES) {
      emit(samples);
      return;
    }
    let i = 0;
    while (i < samples.length) {
      const n = Math.min(FRAME_SAMPLES - this.#filled, samples.length - i);
      this.#pending.set(samples.subarray(i, i + n), this.#filled);
      this.#filled += n;
      i += n;
      if (this.#filled === FRAME_SAMPLES) {
        emit(this.#pending.slice());
        this.#filled = 0;
      }
    }
  }
}
