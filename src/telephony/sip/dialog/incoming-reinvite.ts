// RFC 3261 §14.2: a re-INVITE from the peer, handed to the dialog's owner to answer (hold, resume,
// a codec change). Answered once; if the owner never answers within the deadline it is refused
// with 500, so the peer's INVITE transaction does not hang.

import type { Clock, Timer } from '../../../time/clock.ts';
import type { SipRequest } from '../message/types.ts';

export interface IncomingReinvite {
  request: SipRequest;
  offer: string | null;
  /** 200 with this SDP; resolves when the peer ACKs it. */
  accept(sdpAnswer: string): Promise<void>;
  reject(status: number, reason?: string): void;
}

export interface ReinviteHandlers {
  clock: Clock;
  deadlineMs: number;
  answer: (sdp: string) => Promise<void>;
  refuse: (status: number, reason?: string) => void;
}

export class PendingReinvite implements IncomingReinvite {
  readonly request: SipRequest;
  readonly offer: string | null;
  readonly #handlers: ReinviteHandlers;
  readonly #guard: Timer;
  #answered = false;

  constructor(request: SipRequest, handlers: ReinviteHandlers) {
    this.request = request;
    this.offer = request.body.length > 0 ? request.body.toString('utf8') : null;
    this.#handlers = handlers;
    this.#guard = handlers.clock.setTimer(handlers.deadlineMs, () => this.reject(500, 'No Answer From Application'));
  }

  get answered(): boolean {
    return this.#answered;
  }

  async accept(sdpAnswer: string): Promise<void> {
    if (!this.#settle()) return;
    await this.#handlers.answer(sdpAnswer);
  }

  reject(status: number, reason?: string): void {
    if (this.#settle()) this.#handlers.refuse(status, reason);
  }

  /** Stops the deadline (the dialog is being disposed). */
  cancel(): void {
    this.#guard.cancel();
  }

  #settle(): boolean {
    if (this.#answered) return false;
    this.#answered = true;
    this.#guard.cancel();
    return true;
  }
}
