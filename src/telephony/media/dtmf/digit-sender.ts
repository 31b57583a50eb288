// Queues key presses for a session and hands out, tick by tick, what replaces the audio while a key
// is sent: RFC 4733 event packets when the peer takes telephone-events, else the tone itself.

import { FRAME_SAMPLES } from '../audio-frame.ts';
import { normalizeDigit } from './keypad.ts';
import { planDigitPackets, type PlannedEventPacket } from './rfc4733.ts';
import { dtmfTone } from './tone.ts';

export type DigitFrame =
  /** An RFC 4733 packet; every packet of one press carries the same `timestamp`. */
  | { kind: 'event'; payload: Uint8Array; marker: boolean; timestamp: number }
  | { kind: 'tone'; pcm: Int16Array };

interface Press {
  frames: (PlannedEventPacket | Int16Array)[];
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Silence after an in-band tone so the far end's detector sees the pause between two presses. */
const INBAND_GAP_FRAMES = 3;

export class DigitSender {
  readonly #queue: Press[] = [];
  #index = 0;
  #eventTimestamp = 0;

  /** Whether a press is being sent or waits. */
  get busy(): boolean {
    return this.#queue.length > 0;
  }

  /** Resolves once the last packet (or tone frame) of the press was handed out. */
  enqueue(digit: string, durationMs: number, mode: 'rfc4733' | 'inband'): Promise<void> {
    const key = normalizeDigit(digit);
    if (key === null) return Promise.reject(new RangeError(`not a DTMF key: ${JSON.stringify(digit)}`));
    if (!(durationMs >= 20 && durationMs <= 5000)) return Promise.reject(new RangeError('a key press lasts 20–5000 ms'));
    const frames: Press['frames'] = [];
    if (mode === 'rfc4733') frames.push(...planDigitPackets(key, durationMs));
    else {
      const tone = dtmfTone(key, durationMs, { levelDbfs: -8 });
      for (let i = 0; i < tone.length; i += FRAME_SAMPLES) {
        const frame = new Int16Array(FRAME_SAMPLES);
        frame.set(tone.subarray(i, i + FRAME_SAMPLES));
        frames.push(frame);
      }
      for (let i = 0; i < INBAND_GAP_FRAMES; i++) frames.push(new Int16Array(FRAME_SAMPLES));
    }
    return new Promise((resolve, reject) => this.#queue.push({ frames, resolve, reject }));
  }

  /** What to send at this tick instead of audio, or null when no key is being pressed. */
  next(timestamp: number): DigitFrame | null {
    const press = this.#queue[0];
    if (!press) return null;
    if (this.#index === 0) this.#eventTimestamp = timestamp;
    const frame = press.frames[this.#index++]!;
    if (this.#index === press.frames.length) {
      this.#queue.shift();
      this.#index = 0;
      press.resolve();
    }
    if (frame instanceof Int16Array) return { kind: 'tone', pcm: frame };
    return { kind: 'event', payload: frame.payload, marker: frame.marker, timestamp: this.#eventTimestamp };
  }

  /** Drops every queued press (the session closed); their promises reject with `reason`. */
  cancel(reason: Error): void {
    for (const press of this.#queue.splice(0)) press.reject(reason);
    this.#index = 0;
  }
}
