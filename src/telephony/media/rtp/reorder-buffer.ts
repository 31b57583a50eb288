// A small reorder buffer keyed by RTP sequence number. Trunks rarely reorder, so holding a few
// packets is enough: in-order packets leave at once, a gap waits until `depth` later packets are
// held (or `flush()`), then is given up as lost. Duplicates and packets older than what already
// left are dropped and counted.

import { seqDelta } from './seq.ts';

export interface Released<T> {
  seq: number;
  item: T;
  /** Packets missing just before this one (to be played as silence). */
  lostBefore: number;
}

export interface ReorderStats {
  released: number;
  lost: number;
  late: number;
  duplicates: number;
  /** Sequence jumps taken as a restarted stream rather than as loss. */
  resyncs: number;
}

/** RFC 3550 appendix A.1: a jump beyond these is a new stream, not loss or reordering. */
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;

export class ReorderBuffer<T> {
  readonly #depth: number;
  /** Extended (unwrapped) sequence number of the next packet to release; null before the first. */
  #next: number | null = null;
  readonly #held = new Map<number, T>();
  readonly #stats: ReorderStats = { released: 0, lost: 0, late: 0, duplicates: 0, resyncs: 0 };

  constructor(depth = 4) {
    if (!(depth >= 1)) throw new RangeError('depth must be at least 1');
    this.#depth = depth;
  }

  get held(): number {
    return this.#held.size;
  }

  stats(): ReorderStats {
    return { ...this.#stats };
  }

  /** Adds a packet; returns the packets that can now leave, in order. */
  push(seq: number, item: T): Released<T>[] {
    const out: Released<T>[] = [];
    if (this.#next === null) this.#next = seq;
    const next: number = this.#next;
    const delta = seqDelta(next & 0xffff, seq);
    if (delta > MAX_DROPOUT || delta < -MAX_MISORDER) {
      // The sender restarted its sequence: play what is held, then follow the new numbering.
      this.#drain(out);
      this.#stats.resyncs++;
      this.#next = seq;
      return this.#insert(seq, item, out);
    }
    if (delta < 0) {
      this.#stats.late++;
      return out;
    }
    return this.#insert(next + delta, item, out);
  }

  /** Releases everything held, counting the gaps as lost. */
  flush(): Released<T>[] {
    const out: Released<T>[] = [];
    this.#drain(out);
    return out;
  }

  #insert(ext: number, item: T, out: Released<T>[]): Released<T>[] {
    if (this.#held.has(ext)) {
      this.#stats.duplicates++;
      return out;
    }
    this.#held.set(ext, item);
    this.#releaseInOrder(out);
    while (this.#held.size > this.#depth) {
      this.#releaseOldest(out);
      this.#releaseInOrder(out);
    }
    return out;
  }

  #releaseInOrder(out: Released<T>[]): void {
    for (let item = this.#held.get(this.#next!); item !== undefined; item = this.#held.get(this.#next!)) {
      this.#emit(this.#next!, item, 0, out);
    }
  }

  #releaseOldest(out: Released<T>[]): void {
    let oldest = Infinity;
    for (const ext of this.#held.keys()) if (ext < oldest) oldest = ext;
    const lost = oldest - this.#next!;
    this.#stats.lost += lost;
    this.#emit(oldest, this.#held.get(oldest)!, lost, out);
  }

  #drain(out: Released<T>[]): void {
    while (this.#held.size > 0) {
      this.#releaseOldest(out);
      this.#releaseInOrder(out);
    }
  }

  #emit(ext: number, item: T, lostBefore: number, out: Released<T>[]): void {
    this.#held.delete(ext);
    this.#next = ext + 1;
    this.#stats.released++;
    out.push({ seq: ext & 0xffff, item, lostBefore });
  }
}
