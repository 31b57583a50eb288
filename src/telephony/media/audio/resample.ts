// Sample-rate conversion to the 8 kHz mono PCM the RTP side sends. A polyphase windowed-sinc
// filter: the low-pass sits just under the lower Nyquist frequency, so espeak-ng's 22,050 Hz or a
// 44.1 kHz prompt loses its top octaves cleanly instead of folding them back as hiss (which plain
// linear interpolation does, and which G.711 then makes worse).

import { setImmediate } from 'node:timers/promises';
import { SAMPLE_RATE } from '../audio-frame.ts';
import type { DecodedAudio } from './wav-decode.ts';

/**
 * Zero crossings of the sinc on each side, and where the pass band ends as a fraction of the
 * output Nyquist frequency. Measured from 22,050 Hz: −0.2 dB at 3.4 kHz (the top of the telephone
 * band), −37 dB at 4.3 kHz, below −78 dB from 4.6 kHz on.
 */
const ZERO_CROSSINGS = 16;
const ROLLOFF = 0.96;
/** Above this many filter phases, positions are rounded to the nearest of this many (inaudible). */
const MAX_PHASES = 512;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Output samples computed between two yields to the event loop (2 s of 8 kHz audio, a few ms). */
const SLICE = 16_000;

/** Resamples mono float samples from `fromRate` to `toRate` (both integers, Hz), in one go. */
export function resample(input: Float32Array, fromRate: number, toRate: number = SAMPLE_RATE): Float32Array {
  if (fromRate === toRate) return input.slice();
  const r = new Resampler(input, fromRate, toRate);
  r.run(0, r.out.length);
  return r.out;
}

/**
 * The same, yielding to the event loop between slices: a five-minute prompt takes ~0.4 s to
 * resample, and the RTP senders of the other calls must not stall meanwhile.
 */
export async function resampleInSlices(input: Float32Array, fromRate: number, toRate: number = SAMPLE_RATE, signal?: AbortSignal): Promise<Float32Array> {
  if (fromRate === toRate) return input.slice();
  const r = new Resampler(input, fromRate, toRate);
  for (let n = 0; n < r.out.length; n += SLICE) {
    if (n > 0) await setImmediate(undefined, { signal });
    r.run(n, Math.min(n + SLICE, r.out.length));
  }
  return r.out;
}

class Resampler {
  readonly out: Float32Array;
  readonly #input: Float32Array;
  readonly #up: number;
  readonly #down: number;
  readonly #phases: number;
  readonly #half: number;
  readonly #table: Float32Array;

  constructor(input: Float32Array, fromRate: number, toRate: number) {
    if (!Number.isInteger(fromRate) || !Number.isInteger(toRate) || fromRate <= 0 || toRate <= 0) {
      throw new RangeError(`sample rates must be positive integers, got ${fromRate} → ${toRate}`);
    }
    const g = gcd(fromRate, toRate);
    this.#input = input;
    this.#up = toRate / g; // output n sits at input position n * down / up
    this.#down = fromRate / g;
    this.#phases = Math.min(this.#up, MAX_PHASES);
    const cutoff = 0.5 * Math.min(1, toRate / fromRate) * ROLLOFF; // cycles per input sample
    this.#half = Math.ceil(ZERO_CROSSINGS / (2 * cutoff)); // kernel half-width in input samples
    this.#table = kernelTable(this.#phases, this.#half, cutoff);
    this.out = new Float32Array(Math.floor((input.length * this.#up) / this.#down));
  }

  /** Computes output samples [from, to). */
  run(from: number, to: number): void {
    const input = this.#input;
    const out = this.out;
    const table = this.#table;
    const up = this.#up;
    const down = this.#down;
    const phases = this.#phases;
    const half = this.#half;
    const taps = 2 * half;
    const last = input.length - 1;
    for (let n = from; n < to; n++) {
      const pos = n * down;
      let i = Math.floor(pos / up);
      let phase = phases === up ? pos - i * up : Math.round(((pos - i * up) * phases) / up);
      if (phase === phases) {
        i += 1;
        phase = 0;
      }
      const base = phase * taps;
      const first = i - half + 1; // taps cover input i-half+1 … i+half
      let acc = 0;
      if (first >= 0 && first + taps - 1 <= last) {
        for (let k = 0; k < taps; k++) acc += input[first + k] * table[base + k];
      } else {
        for (let k = 0; k < taps; k++) {
          const j = first + k;
          if (j >= 0 && j <= last) acc += input[j] * table[base + k];
        }
      }
      out[n] = acc;
    }
  }
}

/** One row of `2 * half` taps per phase; each row sums to 1 so DC passes at unity gain. */
function kernelTable(phases: number, half: number, cutoff: number): Float32Array {
  const taps = 2 * half;
  const table = new Float32Array(phases * taps);
  for (let p = 0; p < phases; p++) {
    const frac = p / phases;
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const x = frac + half - 1 - k; // distance from the output position to input i-half+1+k
      const v = windowedSinc(x, half, cutoff);
      table[p * taps + k] = v;
      sum += v;
    }
    for (let k = 0; k < taps; k++) table[p * taps + k] /= sum;
  }
  return table;
}

function windowedSinc(x: number, half: number, cutoff: number): number {
  if (Math.abs(x) >= half) return 0;
  const arg = 2 * Math.PI * cutoff * x;
  const sinc = x === 0 ? 1 : Math.sin(arg) / arg;
  const w = Math.PI * (x / half); // Blackman window centred on 0
  return sinc * (0.42 + 0.5 * Math.cos(w) + 0.08 * Math.cos(2 * w));
}

/** Averages the channels into one (halving each of a stereo pair keeps the sum from clipping). */
export function downmix(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 0) return new Float32Array(0);
  if (channels.length === 1) return channels[0];
  const out = new Float32Array(channels[0].length);
  for (const ch of channels) for (let i = 0; i < out.length; i++) out[i] += ch[i];
  for (let i = 0; i < out.length; i++) out[i] /= channels.length;
  return out;
}

/** Float samples in [-1, 1] to 16-bit PCM, rounding and clipping. */
export function toInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.round(samples[i] * 32768);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

/** Any decoded audio as 8 kHz mono 16-bit PCM: downmix, resample, convert. */
export function toTelephonyPcm(audio: DecodedAudio): Int16Array {
  return toInt16(resample(downmix(audio.channels), audio.sampleRate, SAMPLE_RATE));
}

/** `toTelephonyPcm` for long audio (prompts), yielding to the event loop as it goes. */
export async function toTelephonyPcmInSlices(audio: DecodedAudio, signal?: AbortSignal): Promise<Int16Array> {
  return toInt16(await resampleInSlices(downmix(audio.channels), audio.sampleRate, SAMPLE_RATE, signal));
}
