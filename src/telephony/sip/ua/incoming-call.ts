// An INVITE that reached us outside a dialog (RFC 3261 §13.3): ring, early media, answer (the
// dialog exists once the ACK comes) or refuse; the caller may CANCEL meanwhile (§9.2).

import { EventEmitter } from 'node:events';
import { buildResponse, newTag } from '../message/build.ts';
import { header } from '../message/headers.ts';
import { parsedNameAddr, type Shared } from '../message/parsed.ts';
import type { NameAddr, SipHeader, SipRequest } from '../message/types.ts';
import { ALLOW, type Dialog } from '../dialog/dialog.ts';
import { uasDialogState } from '../dialog/dialog-state.ts';
import type { InviteServerTransaction } from '../transaction/invite-server.ts';
import type { MessageSource } from '../transport/transport.ts';
import type { UaCore } from './ua-core.ts';

export type IncomingCallState = 'ringing' | 'answering' | 'answered' | 'rejected' | 'canceled' | 'failed';

export type IncomingCallEvents = {
  /** The caller canceled before we answered; the INVITE got its 487. */
  canceled: [cancel: SipRequest];
};

export class IncomingCall extends EventEmitter<IncomingCallEvents> {
  readonly request: SipRequest;
  /** As the message layer parsed them (shared with it, so read-only). */
  readonly from: Shared<NameAddr>;
  readonly to: Shared<NameAddr>;
  readonly callId: string;
  /** The SDP offer of the INVITE, or null (the offer then comes in our 200 and the answer in the ACK). */
  readonly offer: string | null;
  readonly source: MessageSource;
  /** Our To tag, the same on every response so provisional and final responses share one dialog. */
  readonly localTag = newTag();
  readonly #core: UaCore;
  readonly #tx: InviteServerTransaction;
  #state: IncomingCallState = 'ringing';
  #dialog: Dialog | undefined;

  constructor(core: UaCore, tx: InviteServerTransaction) {
    super();
    this.#core = core;
    this.#tx = tx;
    this.request = tx.request;
    this.source = tx.source;
    this.from = parsedNameAddr(tx.request, header(tx.request, 'from') ?? '');
    this.to = parsedNameAddr(tx.request, header(tx.request, 'to') ?? '');
    this.callId = header(tx.request, 'call-id') ?? '';
    this.offer = tx.request.body.length > 0 ? tx.request.body.toString('utf8') : null;
  }

  get state(): IncomingCallState {
    return this.#state;
  }

  /**
   * The dialog of our 200, from accept() on: its events (a BYE, the ACK never coming) can be
   * followed before the ACK settles accept().
   */
  get dialog(): Dialog | undefined {
    return this.#dialog;
  }

  /** 180 Ringing (async so callers can treat every signalling step alike; it is sent at once). */
  async ring(): Promise<void> {
    this.#provisional(180);
  }

  /** 183 Session Progress with our SDP: early media without 100rel. */
  async progress(sdp: string): Promise<void> {
    this.#provisional(183, sdp);
  }

  /**
   * 200 OK with the SDP answer, retransmitted until the ACK (§13.3.1.4). Resolves with the dialog
   * when the ACK comes; rejects when it never does (the call is then ended with a BYE).
   */
  async accept(sdpAnswer: string, headers: SipHeader[] = []): Promise<Dialog> {
    if (this.#state !== 'ringing') throw new Error(`cannot answer a call that is ${this.#state}`);
    this.#state = 'answering';
    const transport = this.#tx.target.transport;
    const dialog = this.#core.addDialog(uasDialogState(this.request, this.localTag, transport), 'uas', {
      local: sdpAnswer,
      remote: this.offer,
    });
    this.#dialog = dialog;
    const res = buildResponse(this.request, 200, undefined, {
      toTag: this.localTag,
      headers: [
        { name: 'contact', value: this.#core.contact(transport) },
        { name: 'allow', value: ALLOW },
        ...(this.#core.userAgent ? [{ name: 'server', value: this.#core.userAgent }] : []),
        ...headers,
      ],
      body: sdpAnswer,
      contentType: 'application/sdp',
    });
    try {
      await dialog.sendAnswer(this.#tx, res);
    } catch (e) {
      this.#state = 'failed';
      throw e;
    }
    this.#state = 'answered';
    return dialog;
  }

  /** A final error response (486 Busy Here, 603 Decline, 480…). */
  reject(status: number, reason?: string, headers: SipHeader[] = []): void {
    if (this.#state !== 'ringing') return;
    if (status < 300 || status > 699) throw new RangeError(`reject needs a 3xx-6xx status, not ${status}`);
    this.#state = 'rejected';
    this.#tx.respond(buildResponse(this.request, status, reason, { toTag: this.localTag, headers }));
  }

  /** §9.2: the caller's CANCEL matched this INVITE. Returns false when it came too late (already answered). */
  cancel(cancel: SipRequest): boolean {
    if (this.#state !== 'ringing') return false;
    this.#state = 'canceled';
    this.#tx.respond(buildResponse(this.request, 487, undefined, { toTag: this.localTag }));
    try {
      this.emit('canceled', cancel);
    } catch (e) {
      this.#core.log?.('error', "sip: a 'canceled' listener threw", { error: String(e) });
    }
    return true;
  }

  #provisional(status: number, sdp?: string): void {
    if (this.#state !== 'ringing') return;
    const headers = [{ name: 'contact', value: this.#core.contact(this.#tx.target.transport) }];
    this.#tx.respond(
      buildResponse(this.request, status, undefined, {
        toTag: this.localTag,
        headers,
        ...(sdp !== undefined ? { body: sdp, contentType: 'application/sdp' } : {}),
      }),
    );
  }
}
