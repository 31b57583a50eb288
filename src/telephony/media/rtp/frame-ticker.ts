// One clock timer for many 20 ms senders. Each call's PacedSender keeps its own phase
// (start + n·20 ms), but instead of every sender arming its own timer, the ticker keeps their due
// times in a min-heap and arms one Clock timer for the earliest. When it fires, everything due
// within `windowMs` (0.5 ms by default, below a timer's own granularity) runs in that same turn.
// With hundreds of calls this replaces hundreds of timer wake-ups per 20 ms by a few, and keeps one
// sender's work from making the next one's timer late.
//
// One ticker per engine (created from the engine's Clock, passed to every RtpSession), never a
// module-level one: two engines in one process have two clocks.

import type { Clock, Timer } from '../../../time/clock.ts';

export interface FrameTickerOptions {
  /** Entries due up to this long after the timer fired run in the same turn (default 0.5 ms). */
  windowMs?: number;
}

interface Entry {
  due: number;
  /** Insertion order: entries due at the same time run in the order they were scheduled. */
  seq: number;
  fn: () => void;
  /** Position in the heap, -1 once it ran or was cancelled. */
  index: number;
}

/** One sender's place in the ticker, moved frame after frame without a new object each time. */
export interface TickerSlot {
  /** Runs the slot's function once at `due` (replacing an earlier time not yet run). */
  at(due: number): void;
  cancel(): void;
}

export class FrameTicker {
  readonly clock: Clock;
  readonly #windowMs: number;
  readonly #heap: Entry[] = [];
  #seq = 0;
  #timer: Timer | null = null;
  /** Due time the clock timer is armed for (Infinity when none is). */
  #armedFor = Infinity;
  #running = false;

  constructor(clock: Clock, options: FrameTickerOptions = {}) {
    this.clock = clock;
    this.#windowMs = options.windowMs ?? 0.5;
  }

  /** Entries waiting to run. */
  get size(): number {
    return this.#heap.length;
  }

  /**
   * Runs `fn` once at `due` (a `clock.now()` time; in the past: as soon as possible). Cancelling
   * removes the entry, and the clock timer with the last one.
   */
  at(due: number, fn: () => void): Timer {
    const entry: Entry = { due, seq: 0, fn, index: -1 };
    this.#schedule(entry, due);
    return { cancel: () => this.#remove(entry) };
  }

  /**
   * A reusable entry for `fn`, for a sender that always has one frame scheduled: 50 a second per
   * call would otherwise each leave an entry and a handle behind for the collector.
   */
  slot(fn: () => void): TickerSlot {
    const entry: Entry = { due: 0, seq: 0, fn, index: -1 };
    return {
      at: (due) => {
        if (entry.index >= 0) this.#removeAt(entry.index);
        this.#schedule(entry, due);
      },
      cancel: () => this.#remove(entry),
    };
  }

  #schedule(entry: Entry, due: number): void {
    entry.due = due;
    entry.seq = this.#seq++;
    this.#push(entry);
    if (!this.#running && due < this.#armedFor) this.#arm();
  }

  #arm(): void {
    const top = this.#heap[0];
    if (top && top.due === this.#armedFor) return;
    this.#timer?.cancel();
    this.#timer = null;
    this.#armedFor = Infinity;
    if (!top) return;
    this.#armedFor = top.due;
    this.#timer = this.clock.setTimer(top.due - this.clock.now(), () => this.#run());
  }

  #run(): void {
    this.#timer = null;
    this.#armedFor = Infinity;
    this.#running = true;
    const limit = this.clock.now() + this.#windowMs;
    // What is scheduled while running (a sender's next frame, or a late one catching up) waits for
    // the next timer, even when already due: a batch never feeds itself.
    const firstNew = this.#seq;
    let failed = false;
    let error: unknown;
    try {
      for (let top = this.#heap[0]; top && top.due <= limit && top.seq < firstNew; top = this.#heap[0]) {
        this.#removeAt(0);
        try {
          top.fn();
        } catch (err) {
          // The others still run; the first error is rethrown below, as a timer callback's would be.
          if (!failed) error = err;
          failed = true;
        }
      }
    } finally {
      this.#running = false;
      this.#arm();
    }
    if (failed) throw error;
  }

  #remove(entry: Entry): void {
    if (entry.index < 0) return;
    this.#removeAt(entry.index);
    // The timer stays armed for an earlier entry that is gone (it finds nothing due and re-arms),
    // except when nothing is left: then no timer at all.
    if (this.#heap.length === 0 && !this.#running) this.#arm();
  }

  // --- the heap (by due time, then insertion order) ---

  #push(entry: Entry): void {
    entry.index = this.#heap.length;
    this.#heap.push(entry);
    this.#up(entry.index);
  }

  #removeAt(i: number): void {
    const heap = this.#heap;
    const entry = heap[i]!;
    const last = heap.pop()!;
    entry.index = -1;
    if (last === entry) return;
    heap[i] = last;
    last.index = i;
    this.#up(i);
    this.#down(last.index);
  }

  #up(i: number): void {
    const heap = this.#heap;
    const entry = heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p]!;
      if (!before(entry, parent)) break;
      heap[i] = parent;
      parent.index = i;
      i = p;
    }
    heap[i] = entry;
    entry.index = i;
  }

  #down(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const entry = heap[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && before(heap[c + 1]!, heap[c]!)) c++;
      const child = heap[c]!;
      if (!before(child, entry)) break;
      heap[i] = child;
      child.index = i;
      i = c;
    }
    heap[i] = entry;
    entry.index = i;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
