// The timers a simulated party has pending (its hang-up, its key presses), so that a call that
// ends leaves nothing behind on the clock. The Set exists only while a timer is pending.

import type { Clock, Timer } from '../../time/clock.ts';

export class TimerSet {
  #set: Set<Timer> | undefined;

  /** Runs `fn` after `ms` (now if negative); the timer is forgotten once it fires. */
  after(clock: Clock, ms: number, fn: () => void): void {
    const set = (this.#set ??= new Set());
    const timer = clock.setTimer(Math.max(0, ms), () => {
      set.delete(timer);
      if (set.size === 0 && this.#set === set) this.#set = undefined;
      fn();
    });
    set.add(timer);
  }

  cancelAll(): void {
    if (this.#set) for (const timer of this.#set) timer.cancel();
    this.#set = undefined;
  }
}
