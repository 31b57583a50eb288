// RFC 3261 §17.1.2 non-INVITE client transaction (BYE, CANCEL, INFO, OPTIONS, REGISTER…).
//
//   Trying --1xx--> Proceeding --200-699--> Completed --K--> Terminated
//     \--------------200-699-------------/          (F: timeout from Trying or Proceeding)

import type { SipRequest, SipResponse } from '../message/types.ts';
import { isReliable, type SendTarget } from '../transport/transport.ts';
import { TimerSet, type ClientTransactionUser, type TransactionContext } from './context.ts';

export type NonInviteClientState = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';

export class NonInviteClientTransaction {
  readonly key: string;
  readonly request: SipRequest;
  readonly target: SendTarget;
  readonly reliable: boolean;
  readonly #ctx: TransactionContext;
  readonly #user: ClientTransactionUser;
  readonly #timers: TimerSet;
  #state: NonInviteClientState = 'Trying';
  #intervalE: number;

  constructor(ctx: TransactionContext, key: string, request: SipRequest, target: SendTarget, user: ClientTransactionUser) {
    this.#ctx = ctx;
    this.key = key;
    this.request = request;
    this.target = target;
    this.reliable = isReliable(target.transport);
    this.#user = user;
    this.#timers = new TimerSet(ctx.clock);
    this.#intervalE = ctx.timers.t1;
  }

  get state(): NonInviteClientState {
    return this.#state;
  }

  /** §17.1.2.2: send; timer E (unreliable only) and timer F start. */
  start(): void {
    this.#transmit();
    if (!this.reliable) this.#timers.set('E', this.#intervalE, () => this.#timerE());
    this.#timers.set('F', this.#ctx.timers.timeout, () => this.#timerF());
  }

  /** §17.1.2.2: timer E doubles up to T2 in Trying; in Proceeding it stays at T2. */
  #timerE(): void {
    if (this.#state !== 'Trying' && this.#state !== 'Proceeding') return;
    this.#transmit();
    this.#intervalE = this.#state === 'Trying' ? Math.min(2 * this.#intervalE, this.#ctx.timers.t2) : this.#ctx.timers.t2;
    this.#timers.set('E', this.#intervalE, () => this.#timerE());
  }

  /** §17.1.2.2: timer F — no final response within 64·T1. */
  #timerF(): void {
    if (this.#state !== 'Trying' && this.#state !== 'Proceeding') return;
    this.#terminate();
    this.#user.onFailure('timeout');
  }

  /** §17.1.2.2: a response matched to this transaction. */
  receive(res: SipResponse): void {
    if (this.#state !== 'Trying' && this.#state !== 'Proceeding') return; // Completed absorbs retransmissions
    if (res.status < 200) {
      this.#state = 'Proceeding';
      this.#user.onResponse(res);
      return;
    }
    this.#state = 'Completed';
    this.#timers.cancel('E');
    this.#timers.cancel('F');
    // Timer K: time to absorb retransmitted responses; 0 over a reliable transport.
    this.#timers.set('K', this.reliable ? 0 : this.#ctx.timers.t4, () => this.#terminate());
    this.#user.onResponse(res);
  }

  terminate(): void {
    this.#terminate();
  }

  #transmit(): void {
    this.#ctx.channel.send(this.request, this.target).catch((e: unknown) => {
      // §17.1.4: report the transport error to the TU and end.
      if (this.#state !== 'Trying' && this.#state !== 'Proceeding') return;
      this.#terminate();
      this.#user.onFailure('transport', e);
    });
  }

  #terminate(): void {
    if (this.#state === 'Terminated') return;
    this.#state = 'Terminated';
    this.#timers.cancelAll();
    this.#ctx.terminated(this.key);
  }
}
