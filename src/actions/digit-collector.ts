// Collects the keys a caller presses, in order, from the moment it starts; gather@v2 reads them one
// at a time with a timeout.

import type { Call } from '../telephony/port.ts';
import type { Clock, Timer } from '../time/clock.ts';

export class DigitCollector {
  readonly #call: Call;
  readonly #clock: Clock;
  readonly #queue: string[] = [];
  #waiter: ((digit: string | undefined) => void) | undefined;
  readonly #onDigit = (digit: string): void => {
    if (this.#waiter) {
      const resolve = this.#waiter;
      this.#waiter = undefined;
      resolve(digit);
    } else {
      this.#queue.push(digit);
    }
  };

  constructor(call: Call, clock: Clock) {
    this.#call = call;
    this.#clock = clock;
    call.on('digit', this.#onDigit);
  }

  /** The next key, or undefined when none comes within `timeoutMs`. Rejects when the signal aborts. */
  next(timeoutMs: number, signal: AbortSignal): Promise<string | undefined> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      let timer: Timer | undefined;
      const onAbort = (): void => {
        timer?.cancel();
        this.#waiter = undefined;
        reject(signal.reason);
      };
      this.#waiter = (digit) => {
        timer?.cancel();
        signal.removeEventListener('abort', onAbort);
        resolve(digit);
      };
      timer = this.#clock.setTimer(timeoutMs, () => {
        this.#waiter = undefined;
        signal.removeEventListener('abort', onAbort);
        resolve(undefined);
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Keys pressed so far and not yet read. */
  take(): string[] {
    return this.#queue.splice(0);
  }

  stop(): void {
    this.#call.off('digit', this.#onDigit);
    this.#waiter = undefined;
  }
}
