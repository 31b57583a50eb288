// RFC 3261 §13.3.1.4: the UAS core, not the transaction, retransmits a 2xx to an INVITE until the
// ACK arrives: T1, then doubling up to T2, for 64·T1 in all. Then the session is given up (BYE).

import type { Clock, Timer } from '../../../time/clock.ts';
import type { SipTimers } from '../transaction/timers.ts';

export interface AnswerRetransmitterOptions {
  clock: Clock;
  timers: SipTimers;
  /** Sends the 2xx again. */
  resend: () => void;
  /** 64·T1 passed without an ACK. */
  onGiveUp: () => void;
}

export class AnswerRetransmitter {
  readonly #opts: AnswerRetransmitterOptions;
  readonly #deadline: number;
  #interval: number;
  #timer: Timer | undefined;
  #stopped = false;

  constructor(opts: AnswerRetransmitterOptions) {
    this.#opts = opts;
    this.#interval = opts.timers.t1;
    this.#deadline = opts.clock.now() + opts.timers.timeout;
    this.#arm();
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
  }

  /** Decided when armed, not when fired: a timer that fires a little early must not add a send. */
  #arm(): void {
    const left = this.#deadline - this.#opts.clock.now();
    const givingUp = this.#interval >= left;
    this.#timer = this.#opts.clock.setTimer(givingUp ? left : this.#interval, () => {
      if (this.#stopped) return;
      if (givingUp) {
        this.#stopped = true;
        this.#opts.onGiveUp();
        return;
      }
      this.#opts.resend();
      this.#interval = Math.min(2 * this.#interval, this.#opts.timers.t2);
      this.#arm();
    });
  }
}
