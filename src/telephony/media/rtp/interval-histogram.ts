// Distribution of |send interval − nominal|: constant memory for calls of any length (~2 KB), and
// percentiles exact to the bucket width — 0.1 ms up to 50 ms, where pacing is judged, then 5 ms up
// to 200 ms (a stall: how long matters, not to the tenth); the last bucket takes everything above.

const FINE_MS = 0.1;
const FINE = 500; // 0–50 ms
const COARSE_MS = 5;
const COARSE = 30; // 50–200 ms
const FINE_END = FINE * FINE_MS;
const LAST = FINE + COARSE; // index of the overflow bucket

export interface IntervalJitter {
  /** Intervals measured. */
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export class IntervalHistogram {
  readonly #buckets = new Uint32Array(LAST + 1);
  #count = 0;
  #max = 0;

  /** Records one deviation in ms (its absolute value is taken). */
  record(deviationMs: number): void {
    const abs = Math.abs(deviationMs);
    const i = abs < FINE_END ? Math.floor(abs / FINE_MS) : Math.min(LAST, FINE + Math.floor((abs - FINE_END) / COARSE_MS));
    this.#buckets[i]!++;
    this.#count++;
    if (abs > this.#max) this.#max = abs;
  }

  summary(): IntervalJitter {
    return { count: this.#count, p50: this.#percentile(0.5), p99: this.#percentile(0.99), max: round(this.#max) };
  }

  /** Upper edge of the bucket holding the q-quantile (0 when nothing was recorded). */
  #percentile(q: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.ceil(q * this.#count);
    let seen = 0;
    for (let i = 0; i <= LAST; i++) {
      seen += this.#buckets[i]!;
      if (seen < rank) continue;
      if (i < FINE) return round((i + 1) * FINE_MS);
      // A coarse bucket's edge can be far above anything seen: the maximum bounds it.
      return i === LAST ? round(this.#max) : round(Math.min(FINE_END + (i - FINE + 1) * COARSE_MS, this.#max));
    }
    return round(this.#max);
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
