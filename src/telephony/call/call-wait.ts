// How a call operation (a prompt, a recording, a bridge) waits for the first of: its own end, a key,
// the call's end, or its signal. The call tells these waits about keys and its end before it
// tells the engine's listeners, so a prompt stopped by a key resolves as interrupted even when the
// engine reacts to that same key by aborting the prompt.

import type { Clock, Timer } from '../../time/clock.ts';

export interface CallHook {
  digit?(digit: string): void;
  ended(): void;
}

/** The operations waiting on one call. The Set exists only while something waits. */
export class CallHooks {
  #set: Set<CallHook> | undefined;

  add(hook: CallHook): void {
    (this.#set ??= new Set()).add(hook);
  }

  delete(hook: CallHook): void {
    this.#set?.delete(hook);
    if (this.#set?.size === 0) this.#set = undefined;
  }

  digit(digit: string): void {
    if (this.#set) for (const hook of [...this.#set]) hook.digit?.(digit);
  }

  ended(): void {
    const set = this.#set;
    this.#set = undefined;
    if (set) for (const hook of set) hook.ended();
  }
}

export type Settle<T> = { value: T } | { error: unknown };

export interface WaitSpec<T> {
  /** How long until `onDone`; Infinity waits for another event. */
  ms: number;
  onDone(elapsedMs: number): T;
  /** A key; return undefined to keep waiting. */
  onDigit?(digit: string, elapsedMs: number): Settle<T> | undefined;
  onEnded(elapsedMs: number): Settle<T>;
  /** Default: reject with the signal's reason. */
  onAbort?(elapsedMs: number): Settle<T>;
}

/**
 * Waits on a call per `spec`, leaving no timer, hook or abort listener behind once settled. The
 * caller checks beforehand that the call is up and the signal not aborted.
 */
export function waitFor<T>(clock: Clock, hooks: CallHooks, signal: AbortSignal, spec: WaitSpec<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const start = clock.now();
    const elapsed = () => Math.round(clock.now() - start);
    let timer: Timer | undefined;
    let settled = false;
    const settle = (outcome: Settle<T>): void => {
      if (settled) return;
      settled = true;
      timer?.cancel();
      hooks.delete(hook);
      signal.removeEventListener('abort', onAbort);
      if ('error' in outcome) reject(outcome.error);
      else resolve(outcome.value);
    };
    // A handler that throws (a recording that cannot be written) settles the wait with its error
    // instead of escaping into a timer or into the call's hang-up.
    const run = (handler: () => Settle<T> | undefined): void => {
      if (settled) return;
      let outcome: Settle<T> | undefined;
      try {
        outcome = handler();
      } catch (error) {
        outcome = { error };
      }
      if (outcome) settle(outcome);
    };
    const onAbort = (): void => {
      run(() => (spec.onAbort ? spec.onAbort(elapsed()) : { error: signal.reason }));
    };
    const onDigit = spec.onDigit;
    const hook: CallHook = {
      ended: () => run(() => spec.onEnded(elapsed())),
      ...(onDigit && { digit: (digit: string) => run(() => onDigit(digit, elapsed())) }),
    };
    hooks.add(hook);
    signal.addEventListener('abort', onAbort, { once: true });
    if (Number.isFinite(spec.ms)) {
      timer = clock.setTimer(spec.ms, () => run(() => ({ value: spec.onDone(Math.round(spec.ms)) })));
    }
  });
}
