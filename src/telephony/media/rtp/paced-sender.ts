// The 20 ms send clock. Tick n is scheduled at start + n·interval on the injected clock, never
// "interval after the previous tick", so timer lateness does not accumulate into drift. When the
// process stalls for more than a few frames, the ticks skip ahead instead of bursting the backlog
// (a burst would overflow the peer's jitter buffer and sound worse than the gap).
// With a FrameTicker (one per engine) the ticks of every sender share one clock timer, and a tick
// may run up to the ticker's window (0.5 ms) early; without one, the sender arms its own clock timer
// per tick.

import type { Clock, Timer } from '../../../time/clock.ts';
import { FRAME_MS } from '../audio-frame.ts';
import type { FrameTicker, TickerSlot } from './frame-ticker.ts';
import { IntervalHistogram, type IntervalJitter } from './interval-histogram.ts';

export interface PacedSenderOptions {
  clock: Clock;
  /** Called on each tick with the frame index n (0, 1, 2…; jumps forward after a skip). */
  onTick: (frame: number) => void;
  intervalMs?: number;
  /** Largest lag, in frames, that is caught up by sending late frames back to back (default 3). */
  maxLagFrames?: number;
  /** Shared timer for many senders; it must run on `clock`. */
  ticker?: FrameTicker;
}

export interface PacedSenderStats {
  ticks: number;
  /** Frames never sent because the sender skipped ahead. */
  skipped: number;
  /** |interval between consecutive ticks − nominal interval|, in ms. */
  jitter: IntervalJitter;
}

export class PacedSender {
  readonly #clock: Clock;
  readonly #onTick: (frame: number) => void;
  readonly #interval: number;
  readonly #maxLag: number;
  readonly #slot: TickerSlot | null;
  readonly #histogram = new IntervalHistogram();
  readonly #onDue = () => this.#tick();
  #start = 0;
  #frame = 0;
  #lastTickAt: number | null = null;
  #timer: Timer | null = null;
  #armed = false;
  #ticks = 0;
  #skipped = 0;

  constructor(options: PacedSenderOptions) {
    this.#clock = options.clock;
    this.#onTick = options.onTick;
    this.#interval = options.intervalMs ?? FRAME_MS;
    this.#maxLag = options.maxLagFrames ?? 3;
    const ticker = options.ticker;
    if (ticker && ticker.clock !== this.#clock) throw new Error('PacedSender: the ticker runs on another clock');
    this.#slot = ticker ? ticker.slot(this.#onDue) : null;
  }

  get running(): boolean {
    return this.#armed;
  }

  start(): void {
    if (this.#armed) return;
    this.#start = this.#clock.now();
    this.#frame = 0;
    this.#lastTickAt = null;
    this.#arm();
  }

  stop(): void {
    this.#armed = false;
    this.#slot?.cancel();
    this.#timer?.cancel();
    this.#timer = null;
  }

  stats(): PacedSenderStats {
    return { ticks: this.#ticks, skipped: this.#skipped, jitter: this.#histogram.summary() };
  }

  #arm(): void {
    const due = this.#start + this.#frame * this.#interval;
    this.#armed = true;
    if (this.#slot) this.#slot.at(due);
    else this.#timer = this.#clock.setTimer(due - this.#clock.now(), this.#onDue);
  }

  #tick(): void {
    const now = this.#clock.now();
    const behind = Math.floor((now - this.#start) / this.#interval) - this.#frame;
    if (behind > this.#maxLag) {
      this.#skipped += behind;
      this.#frame += behind;
    }
    if (this.#lastTickAt !== null) this.#histogram.record(now - this.#lastTickAt - this.#interval);
    this.#lastTickAt = now;
    this.#ticks++;
    const frame = this.#frame++;
    // Re-arm before the callback: a throwing callback must not stop the clock.
    this.#arm();
    this.#onTick(frame);
  }
}
