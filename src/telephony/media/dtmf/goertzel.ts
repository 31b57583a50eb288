// In-band DTMF detection on 8 kHz PCM. Goertzel filters at the 8 DTMF frequencies on 102-sample
// blocks (12.75 ms, long enough to keep adjacent rows apart: 102 samples puts a 697 Hz tone near a
// spectral null of the 770 Hz filter), taken every 51 samples (half overlap) so a tone's duration is
// measured to ~6 ms whatever its alignment. A block is a key only if it passes every check speech
// tends to fail: both tones loud enough, twist within limits, each tone well above the other filters
// of its group, the two tones holding most of the block's energy, and no strong second harmonic.
// A key must hold for 4 overlapping blocks (255 samples: every tone of 40 ms or more, none under
// 32 ms) and is reported once, until 4 blocks without it (a pause of ~32–38 ms).

import { SAMPLE_RATE } from '../audio-frame.ts';
import { DTMF_COL_HZ, DTMF_ROW_HZ, keyAt } from './keypad.ts';

const BLOCK = 102;
const HOP = 51;
const HITS_TO_BEGIN = 4;
const MISSES_TO_END = 4;
/** Each sine must peak above −52 dBFS (a key down to about −46 dBFS overall). */
const MIN_TONE_POWER = (32767 * 10 ** (-52 / 20)) ** 2 / 2;
/** Column (high group) louder than row by at most 8 dB; row louder than column by at most 6 dB. */
const NORMAL_TWIST = 10 ** (8 / 10);
const REVERSE_TWIST = 10 ** (6 / 10);
/** Every other filter of the group at least 8 dB below the peak. */
const RELATIVE_PEAK = 10 ** (8 / 10);
/** The two tones carry at least this share of the block's energy (speech spreads it over formants). */
const MIN_TONE_SHARE = 0.75;
/** The column tone's second harmonic at least 12 dB below it (voiced speech is rich in harmonics). */
const HARMONIC_LIMIT = 10 ** (-12 / 10);

interface Filter {
  coeff: number;
}

function filter(hz: number): Filter {
  return { coeff: 2 * Math.cos((2 * Math.PI * hz) / SAMPLE_RATE) };
}

const ROWS = DTMF_ROW_HZ.map(filter);
const COLS = DTMF_COL_HZ.map(filter);
const COL_HARMONICS = DTMF_COL_HZ.map((hz) => filter(2 * hz));

/** Mean power of the sinusoid at the filter's frequency (A²/2 for a sine of amplitude A). */
function tonePower(block: Float64Array, f: Filter): number {
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < block.length; i++) {
    const s = block[i]! + f.coeff * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  const magnitude2 = s1 * s1 + s2 * s2 - f.coeff * s1 * s2;
  return (2 * magnitude2) / (block.length * block.length);
}

function strongest(powers: number[]): number {
  let best = 0;
  for (let i = 1; i < powers.length; i++) if (powers[i]! > powers[best]!) best = i;
  return best;
}

function clearPeak(powers: number[], best: number): boolean {
  return powers.every((p, i) => i === best || p * RELATIVE_PEAK < powers[best]!);
}

/** The key one block holds, or null. Exported for tests. */
export function classifyBlock(block: Float64Array): string | null {
  let energy = 0;
  for (let i = 0; i < block.length; i++) energy += block[i]! * block[i]!;
  const meanPower = energy / block.length;
  if (meanPower < 2 * MIN_TONE_POWER) return null;
  const rows = ROWS.map((f) => tonePower(block, f));
  const cols = COLS.map((f) => tonePower(block, f));
  const r = strongest(rows);
  const c = strongest(cols);
  const row = rows[r]!;
  const col = cols[c]!;
  if (row < MIN_TONE_POWER || col < MIN_TONE_POWER) return null;
  if (col > row * NORMAL_TWIST || row > col * REVERSE_TWIST) return null;
  if (!clearPeak(rows, r) || !clearPeak(cols, c)) return null;
  if (row + col < MIN_TONE_SHARE * meanPower) return null;
  if (tonePower(block, COL_HARMONICS[c]!) > col * HARMONIC_LIMIT) return null;
  return keyAt(r, c);
}

export class GoertzelDtmfDetector {
  readonly #block = new Float64Array(BLOCK);
  #filled = 0;
  #candidate: string | null = null;
  #run = 0;
  #active: string | null = null;
  #misses = 0;

  /** Feeds PCM of any length; returns the keys that began in it, in order. */
  push(samples: Int16Array): string[] {
    const out: string[] = [];
    for (let i = 0; i < samples.length; i++) {
      this.#block[this.#filled++] = samples[i]!;
      if (this.#filled === BLOCK) {
        this.#decide(classifyBlock(this.#block), out);
        this.#block.copyWithin(0, HOP);
        this.#filled = BLOCK - HOP;
      }
    }
    return out;
  }

  #decide(key: string | null, out: string[]): void {
    if (key === this.#candidate) this.#run++;
    else {
      this.#candidate = key;
      this.#run = 1;
    }
    if (this.#active !== null) {
      this.#misses = key === this.#active ? 0 : this.#misses + 1;
      if (this.#misses >= MISSES_TO_END) this.#active = null;
    }
    if (this.#active === null && this.#candidate !== null && this.#run >= HITS_TO_BEGIN) {
      this.#active = this.#candidate;
      this.#misses = 0;
      out.push(this.#active);
    }
  }
}
