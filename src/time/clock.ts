// Every timer in Ringflow goes through a Clock, so the simulator and the tests can run a minute of
// call time in milliseconds, and the real server runs on wall time.

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the Unix epoch; monotonic (never goes back). */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds (0 or less: on the next turn). */
  setTimer(ms: number, fn: () => void): Timer;
  /** Resolves after `ms`; rejects with `signal.reason` when the signal aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Declares real I/O in flight (an HTTP request, a file read). A virtual clock lets time flow at
   * the real rate while anything is held, instead of jumping to the next timer, so a timeout or a
   * caller's hang-up that falls during the request still happens at the right moment.
   * Returns the release function (idempotent).
   */
  hold(): () => void;
}

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Wall time. `now()` is derived from the monotonic performance clock, anchored at start. */
export class SystemClock implements Clock {
  readonly #origin = Date.now() - performance.now();

  now(): number {
    return this.#origin + performance.now();
  }

  setTimer(ms: number, fn: () => void): Timer {
    // setTimeout fires at once past 2^31-1 ms (24.8 days): a longer wait is taken in steps.
    const due = performance.now() + (Number.isFinite(ms) ? Math.max(0, ms) : 0);
    let handle: ReturnType<typeof setTimeout>;
    const arm = () => {
      const left = due - performance.now();
      handle = setTimeout(left > MAX_TIMEOUT_MS ? arm : fn, Math.min(Math.max(0, left), MAX_TIMEOUT_MS));
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  hold(): () => void {
    return () => {};
  }
}

/** `sleep` in terms of `setTimer`, shared by every Clock. */
export function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      timer.cancel();
      reject(signal!.reason);
    };
    const timer = clock.setTimer(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
