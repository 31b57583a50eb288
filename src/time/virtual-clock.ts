import { sleepOn, type Clock, type Timer } from './clock.ts';

interface Entry {
  at: number;
  seq: number;
  fn: (() => void) | undefined; // undefined once cancelled or fired
}

export interface VirtualClockOptions {
  /** Start time in ms since the epoch (default 2025-01-01T09:00:00Z, a stable value for transcripts). */
  start?: number;
  /**
   * true (default): time advances by itself — whenever nothing is held and the process is idle,
   * the clock jumps to the next timer. false: only `advance()` moves it (unit tests).
   */
  auto?: boolean;
}

export const DEFAULT_VIRTUAL_START = Date.UTC(2025, 0, 1, 9, 0, 0);
/** Longest single wait: a year. Params are bounded far below; this keeps every time a valid Date. */
const MAX_DELAY_MS = 365 * 24 * 3600 * 1000;

/**
 * Simulated time. Timers fire in (time, creation) order, one per event-loop turn, so promise
 * continuations settle between them. While real I/O holds the clock, time follows the real clock
 * instead of jumping, so a timer that falls inside an HTTP request fires when it should.
 */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #heap: Entry[] = [];
  readonly #auto: boolean;
  #holds = 0;
  #anchorVirtual = 0;
  #anchorReal = 0;
  #tickScheduled = false;
  #realTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #idleListeners = new Set<() => void>();
  #idleCheck = false;

  constructor(options: VirtualClockOptions = {}) {
    this.#now = options.start ?? DEFAULT_VIRTUAL_START;
    this.#auto = options.auto ?? true;
  }

  now(): number {
    if (this.#holds > 0) {
      const flowing = this.#anchorVirtual + (performance.now() - this.#anchorReal);
      if (flowing > this.#now) this.#now = flowing;
    }
    return this.#now;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const delay = Number.isFinite(ms) ? Math.min(Math.max(0, ms), MAX_DELAY_MS) : 0;
    const entry: Entry = { at: this.now() + delay, seq: this.#seq++, fn };
    this.#push(entry);
    this.#schedule();
    return { cancel: () => { entry.fn = undefined; } };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  hold(): () => void {
    if (this.#holds === 0) {
      this.#anchorVirtual = this.#now;
      this.#anchorReal = performance.now();
    }
    this.#holds++;
    this.#schedule();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.now(); // fold the real time that passed into virtual time
      this.#holds--;
      this.#schedule();
    };
  }

  /**
   * Calls `listener` whenever time has nowhere to go: no timer left and no real I/O in flight, after
   * a turn of the event loop to let promises settle. Whatever is still waiting then would wait forever
   * (a simulated call in a bridge nobody leaves). Returns the unsubscribe function.
   */
  onIdle(listener: () => void): () => void {
    this.#idleListeners.add(listener);
    return () => this.#idleListeners.delete(listener);
  }

  /** Number of timers still pending. */
  get pending(): number {
    return this.#heap.filter((e) => e.fn).length;
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way, one per event-loop turn.
   * For clocks created with `auto: false`.
   */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      // Let pending continuations run first: they may set the very timers this advance must fire.
      await turn();
      const next = this.#peek();
      if (!next || next.at > target) break;
      this.#now = Math.max(this.#now, next.at);
      this.#fire(next);
    }
    this.#now = Math.max(this.#now, target);
  }

  #schedule(): void {
    if (!this.#auto || this.#tickScheduled) return;
    if (this.#realTimer) {
      clearTimeout(this.#realTimer);
      this.#realTimer = undefined;
    }
    if (!this.#peek()) {
      this.#checkIdle();
      return;
    }
    this.#tickScheduled = true;
    setImmediate(() => {
      this.#tickScheduled = false;
      this.#tick();
    });
  }

  #tick(): void {
    const next = this.#peek();
    if (!next) return;
    if (this.#holds > 0) {
      // Real I/O in flight: fire what is due by now, then wait for the real time to pass.
      const now = this.now();
      if (next.at <= now) {
        this.#fire(next);
      } else {
        this.#realTimer = setTimeout(() => {
          this.#realTimer = undefined;
          this.#schedule();
        }, Math.ceil(next.at - now));
        return;
      }
    } else {
      this.#now = Math.max(this.#now, next.at);
      this.#fire(next);
    }
    this.#schedule();
  }

  #checkIdle(): void {
    if (this.#holds > 0 || this.#idleListeners.size === 0 || this.#idleCheck) return;
    this.#idleCheck = true;
    setImmediate(() => {
      this.#idleCheck = false;
      if (this.#holds > 0 || this.#peek()) return;
      for (const listener of [...this.#idleListeners]) listener();
    });
  }

  #fire(entry: Entry): void {
    this.#pop();
    const fn = entry.fn;
    entry.fn = undefined;
    fn?.();
  }

  /** The earliest live timer, dropping cancelled ones from the top. */
  #peek(): Entry | undefined {
    while (this.#heap.length > 0 && !this.#heap[0]!.fn) this.#pop();
    return this.#heap[0];
  }

  #push(entry: Entry): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #pop(): Entry | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
