// RFC 3261 §17.2.1 INVITE server transaction, with the Accepted state of RFC 6026 §7.1: after a 2xx
// it stays to absorb INVITE retransmissions and to hand the ACK to the TU, while the UAS core
// retransmits the 2xx itself (§13.3.1.4).
//
//   Proceeding --300-699--> Completed --ACK--> Confirmed --I--> Terminated
//        \--2xx--> Accepted --L--> Terminated          (H: no ACK; G: retransmit the response)

import { buildResponse } from '../message/build.ts';
import type { SipRequest, SipResponse } from '../message/types.ts';
import { responseTarget } from '../transport/response-target.ts';
import { isReliable, type MessageSource, type SendTarget } from '../transport/transport.ts';
import { TimerSet, type TransactionContext, type TransactionFailure } from './context.ts';

export type InviteServerState = 'Proceeding' | 'Completed' | 'Confirmed' | 'Accepted' | 'Terminated';

export class InviteServerTransaction {
  readonly kind = 'invite' as const;
  readonly key: string;
  readonly request: SipRequest;
  readonly source: MessageSource;
  readonly target: SendTarget;
  readonly reliable: boolean;
  /** Timer H fired (no ACK for a failure response) or the transport failed. */
  onFailure: ((reason: TransactionFailure, error?: unknown) => void) | undefined;
  readonly #ctx: TransactionContext;
  readonly #timers: TimerSet;
  #state: InviteServerState = 'Proceeding';
  #last: SipResponse | null = null;
  #intervalG: number;

  constructor(ctx: TransactionContext, key: string, request: SipRequest, source: MessageSource) {
    this.#ctx = ctx;
    this.key = key;
    this.request = request;
    this.source = source;
    this.target = responseTarget(request, source);
    this.reliable = isReliable(this.target.transport);
    this.#timers = new TimerSet(ctx.clock);
    this.#intervalG = ctx.timers.t1;
  }

  get state(): InviteServerState {
    return this.#state;
  }

  /** The last response sent (the one a retransmitted INVITE gets again). */
  get lastResponse(): SipResponse | null {
    return this.#last;
  }

  /** §17.2.1: a 100 Trying at once, so the client stops retransmitting while the TU decides. */
  start(): void {
    this.respond(buildResponse(this.request, 100));
  }

  /** §17.2.1: a request matched to this transaction. Returns true when it is an ACK for the TU. */
  receiveRequest(req: SipRequest): boolean {
    if (req.method === 'INVITE') {
      // A retransmitted INVITE gets the last provisional or final response again; in Accepted the
      // UAS core's own 2xx retransmissions answer it (RFC 6026 §7.1).
      if ((this.#state === 'Proceeding' || this.#state === 'Completed') && this.#last !== null) this.#transmit(this.#last);
      return false;
    }
    if (req.method !== 'ACK') return false;
    if (this.#state === 'Completed') {
      this.#state = 'Confirmed';
      this.#timers.cancel('G');
      this.#timers.cancel('H');
      // Timer I absorbs retransmitted ACKs; 0 over a reliable transport.
      this.#timers.set('I', this.reliable ? 0 : this.#ctx.timers.t4, () => this.#terminate());
      return false;
    }
    return this.#state === 'Accepted';
  }

  /** §17.2.1: the TU's response. A 2xx in Accepted is a UAS core retransmission, passed through. */
  respond(res: SipResponse): void {
    const s = res.status;
    if (this.#state === 'Accepted') {
      if (s >= 200 && s < 300) this.#transmit(res);
      return;
    }
    if (this.#state !== 'Proceeding') return;
    this.#last = res;
    this.#transmit(res);
    if (s < 200) return;
    if (s < 300) {
      this.#state = 'Accepted';
      // RFC 6026 timer L: keep absorbing INVITE retransmissions and passing ACKs up.
      this.#timers.set('L', this.#ctx.timers.timeout, () => this.#terminate());
      return;
    }
    this.#state = 'Completed';
    if (!this.reliable) this.#timers.set('G', this.#intervalG, () => this.#timerG());
    this.#timers.set('H', this.#ctx.timers.timeout, () => this.#timerH());
  }

  /** §17.2.1: timer G retransmits the final response, doubling up to T2. */
  #timerG(): void {
    if (this.#state !== 'Completed' || this.#last === null) return;
    this.#transmit(this.#last);
    this.#intervalG = Math.min(2 * this.#intervalG, this.#ctx.timers.t2);
    this.#timers.set('G', this.#intervalG, () => this.#timerG());
  }

  /** §17.2.1: timer H — the ACK never came. */
  #timerH(): void {
    if (this.#state !== 'Completed') return;
    this.#terminate();
    this.onFailure?.('timeout');
  }

  terminate(): void {
    this.#terminate();
  }

  #transmit(res: SipResponse): void {
    this.#ctx.channel.send(res, this.target).catch((e: unknown) => {
      // §17.2.4: the transport failed; the TU is told and the transaction ends.
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
