// What a transaction gets from the layer that owns it, and the named RFC timers it runs on the
// injected clock.

import type { Clock, Timer } from '../../../time/clock.ts';
import type { SipResponse } from '../message/types.ts';
import type { MessageChannel, SipLog } from '../transport/transport.ts';
import type { SipTimers } from './timers.ts';

export interface TransactionContext {
  clock: Clock;
  timers: SipTimers;
  channel: MessageChannel;
  log?: SipLog | undefined;
  /** Called once when the transaction reaches Terminated: the layer forgets it. */
  terminated: (key: string) => void;
}

/** How a client transaction reports to its transaction user. */
export interface ClientTransactionUser {
  /** Every response passed up (provisionals, the final one, 2xx retransmissions for an INVITE). */
  onResponse(res: SipResponse): void;
  /** Timer B or F fired (§17.1.1.2, §17.1.2.2), or the transport failed (§17.1.4). */
  onFailure(reason: 'timeout' | 'transport', error?: unknown): void;
}

export type TransactionFailure = 'timeout' | 'transport';

/** Timers named as in RFC 3261 (`A`, `B`…); all cancelled together when the transaction ends. */
export class TimerSet {
  readonly #clock: Clock;
  readonly #timers = new Map<string, Timer>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  set(name: string, ms: number, fn: () => void): void {
    this.cancel(name);
    const timer = this.#clock.setTimer(ms, () => {
      this.#timers.delete(name);
      fn();
    });
    this.#timers.set(name, timer);
  }

  cancel(name: string): void {
    this.#timers.get(name)?.cancel();
    this.#timers.delete(name);
  }

  cancelAll(): void {
    for (const t of this.#timers.values()) t.cancel();
    this.#timers.clear();
  }

  has(name: string): boolean {
    return this.#timers.has(name);
  }
}
