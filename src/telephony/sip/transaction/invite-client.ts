// RFC 3261 §17.1.1 INVITE client transaction, with the Accepted state of RFC 6026 §7.2 so that 2xx
// retransmissions reach the transaction user (the dialog ACKs each of them).
//
//   Calling --1xx--> Proceeding --300-699/ACK--> Completed --D--> Terminated
//      \---------------2xx----------------> Accepted --M--> Terminated

import type { SipRequest, SipResponse } from '../message/types.ts';
import { isReliable, type SendTarget } from '../transport/transport.ts';
import { ackForFailure } from './ack.ts';
import { TimerSet, type ClientTransactionUser, type TransactionContext } from './context.ts';

export type InviteClientState = 'Calling' | 'Proceeding' | 'Completed' | 'Accepted' | 'Terminated';

export class InviteClientTransaction {
  readonly key: string;
  readonly request: SipRequest;
  readonly target: SendTarget;
  readonly reliable: boolean;
  readonly #ctx: TransactionContext;
  readonly #user: ClientTransactionUser;
  readonly #timers: TimerSet;
  #state: InviteClientState = 'Calling';
  #intervalA: number;
  #ack: SipRequest | null = null;

  constructor(ctx: TransactionContext, key: string, request: SipRequest, target: SendTarget, user: ClientTransactionUser) {
    this.#ctx = ctx;
    this.key = key;
    this.request = request;
    this.target = target;
    this.reliable = isReliable(target.transport);
    this.#user = user;
    this.#timers = new TimerSet(ctx.clock);
    this.#intervalA = ctx.timers.t1;
  }

  get state(): InviteClientState {
    return this.#state;
  }

  /** §17.1.1.2: send the INVITE; timer A (unreliable only) and timer B start. */
  start(): void {
    this.#transmit(this.request);
    if (!this.reliable) this.#timers.set('A', this.#intervalA, () => this.#timerA());
    this.#timers.set('B', this.#ctx.timers.timeout, () => this.#timerB());
  }

  /** §17.1.1.2: timer A doubles each time, with no cap for INVITE. */
  #timerA(): void {
    if (this.#state !== 'Calling') return;
    this.#transmit(this.request);
    this.#intervalA *= 2;
    this.#timers.set('A', this.#intervalA, () => this.#timerA());
  }

  /** §17.1.1.2: timer B — no response at all within 64·T1: the TU gets a timeout (408). */
  #timerB(): void {
    if (this.#state !== 'Calling') return;
    this.#terminate();
    this.#user.onFailure('timeout');
  }

  /** §17.1.1.2, RFC 6026 §7.2: a response matched to this transaction. */
  receive(res: SipResponse): void {
    const s = res.status;
    switch (this.#state) {
      case 'Calling':
      case 'Proceeding':
        if (s < 200) {
          this.#state = 'Proceeding';
          this.#timers.cancel('A');
          this.#timers.cancel('B');
          this.#user.onResponse(res);
        } else if (s < 300) {
          this.#accept(res);
        } else {
          this.#state = 'Completed';
          this.#timers.cancel('A');
          this.#timers.cancel('B');
          this.#ack = ackForFailure(this.request, res);
          this.#transmit(this.#ack);
          // Timer D absorbs retransmitted final responses; over a reliable transport there are none.
          this.#timers.set('D', this.reliable ? 0 : this.#ctx.timers.timerD, () => this.#terminate());
          this.#user.onResponse(res);
        }
        return;
      case 'Completed':
        // §17.1.1.2: a retransmitted final response is ACKed again and not passed up.
        if (s >= 300 && this.#ack !== null) this.#transmit(this.#ack);
        return;
      case 'Accepted':
        // RFC 6026 §7.2: 2xx retransmissions (or 2xx from other forks) go to the TU, which ACKs them.
        if (s >= 200 && s < 300) this.#user.onResponse(res);
        return;
      case 'Terminated':
        return;
    }
  }

  /** Ends the transaction now (the user agent is shutting down). */
  terminate(): void {
    this.#terminate();
  }

  #accept(res: SipResponse): void {
    this.#state = 'Accepted';
    this.#timers.cancel('A');
    this.#timers.cancel('B');
    // RFC 6026 timer M: how long 2xx retransmissions are still matched here.
    this.#timers.set('M', this.#ctx.timers.timeout, () => this.#terminate());
    this.#user.onResponse(res);
  }

  #transmit(msg: SipRequest): void {
    this.#ctx.channel.send(msg, this.target).catch((e: unknown) => {
      // §17.1.4: a transport error ends the transaction and is reported as such to the TU.
      if (this.#state === 'Terminated') return;
      const inProgress = this.#state === 'Calling' || this.#state === 'Proceeding';
      this.#terminate();
      if (inProgress) this.#user.onFailure('transport', e);
    });
  }

  #terminate(): void {
    if (this.#state === 'Terminated') return;
    this.#state = 'Terminated';
    this.#timers.cancelAll();
    this.#ctx.terminated(this.key);
  }
}
