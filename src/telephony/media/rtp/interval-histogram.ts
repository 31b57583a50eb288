// Distribution of |send interval − nominal| in 0.1 ms buckets: constant memory for calls of any
// length, and percentiles exact to the bucket width (enough for a pacing benchmark).

const BUCKET_MS = 0.1;
const BUCKETS = 2000; // 0–200 ms; the last bucket takes everything above

export interface IntervalJitter {
  /** Intervals measured. */
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export class IntervalHistogram {
  readonly #buckets = new Uint32Array(BUCKETS + 1);
  #count = 0;
  #max = 0;

  /** Records one deviation in ms (its absolute value is taken). */
  record(deviationMs: number): void {
    const abs = Math.abs(deviationMs);
    this.#buckets[Math.min(BUCKETS, Math.floor(abs / BUCKET_MS))]!++;
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
    for (let i = 0; i <= BUCKETS; i++) {
      seen += this.#buckets[i]!;
      if (seen >= rank) return i === BUCKETS ? round(this.#max) : round((i + 1) * BUCKET_MS);
    }
    return round(this.#max);
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
