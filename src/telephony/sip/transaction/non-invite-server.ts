// RFC 3261 §17.2.2 non-INVITE server transaction.
//
//   Trying --1xx--> Proceeding --200-699--> Completed --J--> Terminated
//     \--------------200-699-------------/

import type { SipRequest, SipResponse } from '../message/types.ts';
import { responseTarget } from '../transport/response-target.ts';
import { isReliable, type MessageSource, type SendTarget } from '../transport/transport.ts';
import { TimerSet, type TransactionContext, type TransactionFailure } from './context.ts';

export type NonInviteServerState = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';

export class NonInviteServerTransaction {
  readonly kind = 'non-invite' as const;
  readonly key: string;
  readonly request: SipRequest;
  readonly source: MessageSource;
  readonly target: SendTarget;
  readonly reliable: boolean;
  onFailure: ((reason: TransactionFailure, error?: unknown) => void) | undefined;
  readonly #ctx: TransactionContext;
  readonly #timers: TimerSet;
  #state: NonInviteServerState = 'Trying';
  #last: SipResponse | null = null;

  constructor(ctx: TransactionContext, key: string, request: SipRequest, source: MessageSource) {
    this.#ctx = ctx;
    this.key = key;
    this.request = request;
    this.source = source;
    this.target = responseTarget(request, source);
    this.reliable = isReliable(this.target.transport);
    this.#timers = new TimerSet(ctx.clock);
  }

  get state(): NonInviteServerState {
    return this.#state;
  }

  get lastResponse(): SipResponse | null {
    return this.#last;
  }

  /** §17.2.2: a retransmitted request is absorbed in Trying and answered with the last response after. */
  receiveRequest(_req: SipRequest): boolean {
    if ((this.#state === 'Proceeding' || this.#state === 'Completed') && this.#last !== null) this.#transmit(this.#last);
    return false;
  }

  /** §17.2.2: the TU's response. */
  respond(res: SipResponse): void {
    if (this.#state !== 'Trying' && this.#state !== 'Proceeding') return;
    this.#last = res;
    this.#transmit(res);
    if (res.status < 200) {
      this.#state = 'Proceeding';
      return;
    }
    this.#state = 'Completed';
    // Timer J: answer retransmitted requests for 64·T1; 0 over a reliable transport.
    this.#timers.set('J', this.reliable ? 0 : this.#ctx.timers.timeout, () => this.#terminate());
  }

  terminate(): void {
    this.#terminate();
  }

  #transmit(res: SipResponse): void {
    this.#ctx.channel.send(res, this.target).catch((e: unknown) => {
      if (this.#state === 'Terminated') return;
      this.#terminate();
      this.onFailure?.('transport', e);
    });
  }

  #terminate(): void {
    if (this.#state === 'Terminated') return;
    this.#state = 'Terminated';
    this.#timers.cancelAll();
    this.#ctx.terminated(this.key);
  }
}
