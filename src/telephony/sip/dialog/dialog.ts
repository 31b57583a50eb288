// One dialog (RFC 3261 §12–15), from either side: requests we send in it (BYE, INFO, re-INVITE and
// the ACK of a 2xx), requests the peer sends in it, and the 2xx retransmissions that last until
// an ACK comes.

import { EventEmitter } from 'node:events';
import type { Clock, Timer } from '../../../time/clock.ts';
import { buildResponse } from '../message/build.ts';
import { parsedCSeq } from '../message/parsed.ts';
import { header } from '../message/headers.ts';
import type { SipHeader, SipRequest, SipResponse } from '../message/types.ts';
import type { InviteServerTransaction } from '../transaction/invite-server.ts';
import type { ServerTransaction, TransactionLayer } from '../transaction/transaction-layer.ts';
import type { SipLog, TransportName } from '../transport/transport.ts';
import { AnswerRetransmitter } from './answer-retransmit.ts';
import { contactUri, dialogKey, inDialogRouting, type DialogState } from './dialog-state.ts';
import { isDtmfContentType, parseDtmfInfo, type DtmfInfo } from './dtmf-info.ts';
import { PendingReinvite, type IncomingReinvite } from './incoming-reinvite.ts';
import { buildRequest } from './request.ts';

export type { IncomingReinvite } from './incoming-reinvite.ts';

/** The methods this stack handles, for Allow headers and 405s. */
export const ALLOWED_METHODS = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO'] as const;
export const ALLOW = ALLOWED_METHODS.join(', ');

/** What a dialog needs of the user agent that owns it. */
export interface DialogHost {
  clock: Clock;
  transactions: TransactionLayer;
  sentBy(transport: TransportName): { host: string; port: number };
  /** Our Contact header value for requests and 2xx over `transport`. */
  contact(transport: TransportName): string;
  userAgent?: string | undefined;
  log?: SipLog | undefined;
  /** How long a 2xx to an INVITE waits for its ACK before the call is given up (BYE). Default 64·T1. */
  ackTimeoutMs?: number | undefined;
  /** The dialog has ended: drop it from the table of dialogs. */
  forget(dialog: Dialog): void;
}

export type DialogEndReason = 'local-bye' | 'remote-bye' | 'no-ack' | 'closed' | 'peer-gone';

export interface ReinviteResult {
  status: number;
  reason: string;
  sdpAnswer?: string;
  response: SipResponse;
}

export type DialogEvents = {
  /** The peer hung up (its BYE was answered 200). */
  bye: [request: SipRequest];
  dtmf: [dtmf: DtmfInfo];
  /** An INFO that is not DTMF (answered 200). */
  info: [request: SipRequest];
  /** Listeners must call accept or reject; without a listener the last local SDP is the answer. */
  reinvite: [reinvite: IncomingReinvite];
  terminated: [reason: DialogEndReason];
};

interface PendingAck {
  retransmitter: AnswerRetransmitter;
  resolve: () => void;
  reject: (e: Error) => void;
}

export class Dialog extends EventEmitter<DialogEvents> {
  readonly role: 'uac' | 'uas';
  readonly #host: DialogHost;
  readonly #state: DialogState;
  /** Our SDP as last sent (offer or answer): the default answer to a re-INVITE. */
  localSdp: string | null;
  remoteSdp: string | null;
  #ended: DialogEndReason | null = null;
  /** UAS: 2xx responses waiting for their ACK, by CSeq number. */
  readonly #pendingAcks = new Map<number, PendingAck>();
  /** UAC: the ACK sent for each 2xx, by CSeq number, to answer its retransmissions (§13.2.2.4). */
  readonly #acks = new Map<number, { ack: SipRequest; target: ReturnType<typeof inDialogRouting>['target'] }>();
  #outgoingInvite = false;
  #incomingInvite: PendingReinvite | null = null;
  #forgetTimer: Timer | undefined;

  constructor(host: DialogHost, state: DialogState, role: 'uac' | 'uas', sdp: { local: string | null; remote: string | null }) {
    super();
    this.#host = host;
    this.#state = state;
    this.role = role;
    this.localSdp = sdp.local;
    this.remoteSdp = sdp.remote;
  }

  get id(): string {
    return dialogKey(this.#state.callId, this.#state.localTag, this.#state.remoteTag);
  }

  get callId(): string {
    return this.#state.callId;
  }

  get localTag(): string {
    return this.#state.localTag;
  }

  get remoteTag(): string {
    return this.#state.remoteTag;
  }

  get remoteTarget(): string {
    return this.#state.remoteTarget;
  }

  get routeSet(): readonly string[] {
    return this.#state.routeSet;
  }

  get terminated(): boolean {
    return this.#ended !== null;
  }

  get endReason(): DialogEndReason | null {
    return this.#ended;
  }

  // ---- requests we send --------------------------------------------------------------------

  /** §15.1.1: hang up. Resolves with the peer's answer (or a local 408/503); null when already ended. */
  async bye(): Promise<SipResponse | null> {
    if (this.#ended !== null) return null;
    this.#end('local-bye');
    return this.#send('BYE', {});
  }

  info(body: string | Buffer, contentType: string): Promise<SipResponse> {
    return this.#send('INFO', { body, contentType });
  }

  /** Any other request in the dialog (OPTIONS, …). Resolves with the final response. */
  request(method: string, opts: { body?: string | Buffer; contentType?: string; headers?: SipHeader[] } = {}): Promise<SipResponse> {
    return this.#send(method, opts);
  }

  /** §14.1: a new offer in the dialog (hold: `a=sendonly`). On a 2xx the ACK goes out at once. */
  async reinvite(sdpOffer: string): Promise<ReinviteResult> {
    if (this.#outgoingInvite) throw new Error('a re-INVITE is already in progress on this dialog');
    this.#outgoingInvite = true;
    try {
      const res = await this.#send('INVITE', { body: sdpOffer, contentType: 'application/sdp' });
      const out: ReinviteResult = { status: res.status, reason: res.reason, response: res };
      if (res.status >= 200 && res.status < 300) {
        this.localSdp = sdpOffer;
        if (res.body.length > 0) out.sdpAnswer = this.remoteSdp = res.body.toString('utf8');
      } else if (res.status === 481 || res.status === 408) {
        // §14.1: the dialog is gone on the other side (or unreachable): end it here too.
        this.#end('peer-gone');
      }
      return out;
    } finally {
      this.#outgoingInvite = false;
    }
  }

  /** §13.2.2.4: the ACK for a 2xx to our INVITE; a retransmitted 2xx gets the same ACK again. */
  acknowledge(res: SipResponse): void {
    const seq = parsedCSeq(res, header(res, 'cseq') ?? '').seq;
    let sent = this.#acks.get(seq);
    if (sent === undefined) {
      const target = contactUri(res);
      if (target !== undefined) this.#state.remoteTarget = target; // §12.2.1.2 target refresh
      const routing = inDialogRouting(this.#state);
      const ack = buildRequest({
        ...this.#base('ACK', routing),
        cseq: seq,
      });
      sent = { ack, target: routing.target };
      this.#acks.set(seq, sent);
    }
    this.#host.transactions.sendStateless(sent.ack, sent.target).catch((e: unknown) => {
      this.#host.log?.('warn', 'sip: could not send an ACK', { callId: this.callId, error: String(e) });
    });
  }

  // ---- the UAS side of a 2xx ---------------------------------------------------------------

  /**
   * §13.3.1.4: sends the 2xx through its transaction and retransmits it until the ACK; resolves on
   * the ACK, rejects after 64·T1 (or the host's ackTimeoutMs) without one, and then the session is
   * ended with a BYE.
   */
  sendAnswer(tx: InviteServerTransaction, res: SipResponse): Promise<void> {
    const seq = parsedCSeq(res, header(res, 'cseq') ?? '').seq;
    tx.respond(res);
    const timers = this.#host.transactions.timers;
    const waitMs = this.#host.ackTimeoutMs ?? timers.timeout;
    return new Promise<void>((resolve, reject) => {
      const retransmitter = new AnswerRetransmitter({
        clock: this.#host.clock,
        timers: { ...timers, timeout: waitMs },
        resend: () => void this.#host.transactions.sendStateless(res, tx.target).catch(() => {}),
        onGiveUp: () => {
          this.#pendingAcks.delete(seq);
          reject(new Error(`no ACK for the ${res.status} to the INVITE within ${waitMs} ms`));
          this.#host.log?.('warn', 'sip: the peer never ACKed our 2xx; ending the call', { callId: this.callId });
          if (this.#ended === null) {
            void this.#send('BYE', {});
            this.#end('no-ack');
          }
        },
      });
      this.#pendingAcks.set(seq, { retransmitter, resolve, reject });
    });
  }

  // ---- requests the peer sends -------------------------------------------------------------

  /** §12.2.2: a request matched to this dialog. `tx` is null for an ACK. */
  receiveRequest(req: SipRequest, tx: ServerTransaction | null): void {
    if (req.method === 'ACK') {
      this.#receiveAck(req);
      return;
    }
    if (tx === null) return;
    const respond = (status: number, opts: Parameters<typeof buildResponse>[3] = {}, reason?: string) =>
      tx.respond(buildResponse(req, status, reason, { toTag: this.#state.localTag, ...opts }));
    if (this.#ended !== null) {
      respond(481);
      return;
    }
    const seq = parsedCSeq(req, header(req, 'cseq') ?? '').seq;
    // §12.2.2: a CSeq below the last one is out of order: 500.
    if (this.#state.remoteSeq !== null && seq <= this.#state.remoteSeq) {
      respond(500, {}, 'CSeq Out of Order');
      return;
    }
    this.#state.remoteSeq = seq;
    switch (req.method) {
      case 'BYE':
        // §15.1.2
        respond(200);
        this.#end('remote-bye');
        this.#emitSafe('bye', req);
        return;
      case 'INFO': {
        respond(200);
        const dtmf = isDtmfContentType(header(req, 'content-type')) ? parseDtmfInfo(header(req, 'content-type'), req.body) : null;
        if (dtmf !== null) this.#emitSafe('dtmf', dtmf);
        else this.#emitSafe('info', req);
        return;
      }
      case 'OPTIONS':
        respond(200, { headers: [{ name: 'allow', value: ALLOW }] });
        return;
      case 'INVITE':
        this.#receiveReinvite(req, tx as InviteServerTransaction, respond);
        return;
      default:
        respond(ALLOWED_METHODS.includes(req.method as never) ? 405 : 501, { headers: [{ name: 'allow', value: ALLOW }] });
    }
  }

  /** §14.2: a re-INVITE from the peer. */
  #receiveReinvite(req: SipRequest, tx: InviteServerTransaction, respond: (status: number, opts?: object, reason?: string) => void): void {
    if (this.#outgoingInvite) {
      respond(491);
      return;
    }
    if (this.#incomingInvite !== null) {
      respond(500, { headers: [{ name: 'retry-after', value: '1' }] });
      return;
    }
    const target = contactUri(req);
    if (target !== undefined) this.#state.remoteTarget = target; // §12.2.2 target refresh
    const reinvite: PendingReinvite = new PendingReinvite(req, {
      clock: this.#host.clock,
      deadlineMs: this.#host.transactions.timers.timeout,
      answer: (sdp) => {
        this.#incomingInvite = null;
        if (reinvite.offer !== null) this.remoteSdp = reinvite.offer;
        this.localSdp = sdp;
        const res = buildResponse(req, 200, undefined, {
          toTag: this.#state.localTag,
          headers: [{ name: 'contact', value: this.#host.contact(tx.target.transport) }, { name: 'allow', value: ALLOW }],
          body: sdp,
          contentType: 'application/sdp',
        });
        return this.sendAnswer(tx, res);
      },
      refuse: (status, reason) => {
        this.#incomingInvite = null;
        respond(status, {}, reason);
      },
    });
    this.#incomingInvite = reinvite;
    if (this.listenerCount('reinvite') === 0) {
      reinvite.accept(this.localSdp ?? '').catch(() => {});
      return;
    }
    this.#emitSafe('reinvite', reinvite);
  }

  #receiveAck(ack: SipRequest): void {
    const seq = parsedCSeq(ack, header(ack, 'cseq') ?? '').seq;
    const pending = this.#pendingAcks.get(seq);
    if (pending === undefined) return; // a retransmitted ACK
    this.#pendingAcks.delete(seq);
    pending.retransmitter.stop();
    if (ack.body.length > 0) this.remoteSdp = ack.body.toString('utf8');
    pending.resolve();
  }

  /** Ends the dialog here without a BYE (the user agent is closing, or the call was torn down otherwise). */
  terminate(reason: DialogEndReason = 'closed'): void {
    this.#end(reason);
  }

  /** Ends the dialog without a BYE and cancels every timer it holds (user agent shutdown). */
  dispose(): void {
    this.#end('closed');
    this.#forgetTimer?.cancel();
    this.#incomingInvite?.cancel();
  }

  // ---- internals ---------------------------------------------------------------------------

  #base(method: string, routing: ReturnType<typeof inDialogRouting>) {
    const transport = routing.target.transport;
    return {
      method,
      uri: routing.uri,
      via: { transport, ...this.#host.sentBy(transport) },
      from: this.#state.localParty,
      to: this.#state.remoteParty,
      callId: this.#state.callId,
      routes: routing.routes,
      userAgent: this.#host.userAgent,
    };
  }

  /** §12.2.1.1: a request in the dialog, through a client transaction; a timeout or transport error resolves as 408 / 503 (§8.1.3.1). */
  #send(method: string, opts: { body?: string | Buffer; contentType?: string; headers?: SipHeader[] }): Promise<SipResponse> {
    const routing = inDialogRouting(this.#state);
    const req = buildRequest({
      ...this.#base(method, routing),
      cseq: ++this.#state.localSeq,
      contact: method === 'INVITE' ? this.#host.contact(routing.target.transport) : undefined,
      headers: opts.headers,
      body: opts.body,
      contentType: opts.contentType,
    });
    return new Promise((resolve) => {
      let done = false;
      this.#host.transactions.sendRequest(req, routing.target, {
        onResponse: (res) => {
          if (res.status < 200) return;
          if (method === 'INVITE' && res.status < 300) this.acknowledge(res);
          if (done) return;
          done = true;
          resolve(res);
        },
        onFailure: (reason) => {
          if (done) return;
          done = true;
          resolve(buildResponse(req, reason === 'timeout' ? 408 : 503, reason === 'timeout' ? 'Request Timeout' : 'Transport Error'));
        },
      });
    });
  }

  #end(reason: DialogEndReason): void {
    if (this.#ended !== null) return;
    this.#ended = reason;
    for (const pending of this.#pendingAcks.values()) {
      pending.retransmitter.stop();
      pending.reject(new Error(`the dialog ended (${reason}) before the ACK`));
    }
    this.#pendingAcks.clear();
    // Keep the dialog findable a little longer so retransmitted BYEs and 2xx still match it.
    this.#forgetTimer = this.#host.clock.setTimer(this.#host.transactions.timers.timeout, () => this.#host.forget(this));
    this.#emitSafe('terminated', reason);
  }

  #emitSafe<K extends keyof DialogEvents>(event: K, ...args: DialogEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: DialogEvents[K]) => boolean)(event, ...args);
    } catch (e) {
      this.#host.log?.('error', `sip: a '${event}' listener threw`, { callId: this.callId, error: String(e) });
    }
  }
}
