// Placing a call (RFC 3261 §13.2): the INVITE, provisional responses, a retry with credentials on
// 401/407 (§22.2), a CANCEL when the caller gives up (§9.1), and the dialog and ACK on a 2xx.

import type { Timer } from '../../../time/clock.ts';
import { newCallId, newTag } from '../message/build.ts';
import { header } from '../message/headers.ts';
import type { SipHeader, SipRequest, SipResponse, SipUri } from '../message/types.ts';
import { formatUri, parseUri } from '../message/uri.ts';
import type { Dialog } from '../dialog/dialog.ts';
import { tagOf, uacDialogState } from '../dialog/dialog-state.ts';
import { buildRequest } from '../dialog/request.ts';
import { uriTarget } from '../transport/locate.ts';
import { transportName, type SendTarget, type TransportName } from '../transport/transport.ts';
import { DigestSession, type SipCredentials } from './digest-auth.ts';
import { asNameAddr, cancelFor, nextAttempt, withTag } from './uac-requests.ts';
import type { UaCore } from './ua-core.ts';

export interface InviteOptions {
  /** The Request-URI: whom to call. */
  target: SipUri | string;
  /** Our identity: a URI or a name-addr (`"Ringflow" <sip:+3312345678@trunk>`). */
  from: string;
  /** Default: the target URI without its parameters. */
  to?: string;
  /** Extra headers, as entries or as a name → value record (X- headers). */
  headers?: SipHeader[] | Readonly<Record<string, string>> | undefined;
  sdpOffer: string;
  credentials?: SipCredentials | undefined;
  /** Send everything to this hop instead of the target's host (a trunk's proxy). Transport in either case. */
  outboundProxy?: { host: string; port: number; transport: TransportName | 'udp' | 'tcp' } | undefined;
  /** Aborting sends a CANCEL (after the first provisional response, §9.1). */
  signal?: AbortSignal;
  /** 180/183, with the SDP of early media when there is one. */
  onProvisional?: (response: SipResponse, sdp: string | null) => void;
}

export interface InviteResult {
  status: number;
  reason: string;
  dialog?: Dialog;
  sdpAnswer?: string;
  /** The final response; absent when none came (timeout, transport error, canceled before sending). */
  response?: SipResponse;
  /** No response came from the network: timer B (408) or a transport error (503). */
  transportError?: boolean;
  /** We canceled the INVITE (the signal aborted). */
  canceled?: boolean;
}

export function sendInvite(core: UaCore, opts: InviteOptions): Promise<InviteResult> {
  return new OutgoingInvite(core, opts).run();
}

class OutgoingInvite {
  readonly #core: UaCore;
  readonly #opts: InviteOptions;
  readonly #target: SendTarget;
  readonly #digest: DigestSession | null;
  readonly #dialogs = new Map<string, Dialog>();
  #request!: SipRequest;
  #provisional = false;
  #abortWanted = false;
  #cancelSent = false;
  #cancelTimer: Timer | undefined;
  #done = false;
  #resolve!: (r: InviteResult) => void;

  constructor(core: UaCore, opts: InviteOptions) {
    this.#core = core;
    this.#opts = opts;
    const uri = typeof opts.target === 'string' ? parseUri(opts.target) : opts.target;
    const proxy = opts.outboundProxy;
    this.#target = proxy
      ? { host: proxy.host, port: proxy.port, transport: transportName(proxy.transport) ?? core.defaultTransport }
      : uriTarget(uri, core.defaultTransport);
    this.#digest = opts.credentials ? new DigestSession(opts.credentials) : null;
  }

  run(): Promise<InviteResult> {
    const { signal } = this.#opts;
    if (signal?.aborted) return Promise.resolve({ status: 487, reason: 'Request Terminated', canceled: true });
    const promise = new Promise<InviteResult>((resolve) => (this.#resolve = resolve));
    signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#send(this.#firstRequest());
    return promise;
  }

  #firstRequest(): SipRequest {
    const uri = typeof this.#opts.target === 'string' ? parseUri(this.#opts.target) : this.#opts.target;
    const transport = this.#target.transport;
    const sentBy = this.#core.sentBy(transport);
    return buildRequest({
      method: 'INVITE',
      uri: formatUri(uri),
      via: { transport, ...sentBy },
      from: withTag(this.#opts.from, newTag()),
      to: this.#opts.to !== undefined ? asNameAddr(this.#opts.to) : `<${formatUri({ ...uri, params: {}, headers: {} })}>`,
      callId: newCallId(this.#core.host),
      cseq: 1,
      contact: this.#core.contact(transport),
      headers: [{ name: 'allow', value: 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO' }, ...extraHeaders(this.#opts.headers)],
      body: this.#opts.sdpOffer,
      contentType: 'application/sdp',
      userAgent: this.#core.userAgent,
    });
  }

  #send(req: SipRequest): void {
    this.#request = req;
    this.#provisional = false;
    this.#core.transactions.sendRequest(req, this.#target, {
      onResponse: (res) => this.#onResponse(res, req),
      onFailure: (reason) => {
        if (req !== this.#request) return;
        this.#finish(
          reason === 'timeout'
            ? { status: 408, reason: 'Request Timeout', transportError: true }
            : { status: 503, reason: 'Service Unavailable (transport error)', transportError: true },
        );
      },
    });
  }

  /** §13.2.2 */
  #onResponse(res: SipResponse, req: SipRequest): void {
    const s = res.status;
    if (s >= 200 && s < 300) {
      this.#on2xx(res, req);
      return;
    }
    if (req !== this.#request || this.#done) return;
    if (s < 200) {
      // §9.1: any provisional response, 100 Trying included, allows a CANCEL. (A peer that sends
      // only 100 would otherwise never be cancelled: timer B stops in Proceeding.)
      this.#provisional = true;
      if (s !== 100) {
        try {
          this.#opts.onProvisional?.(res, res.body.length > 0 ? res.body.toString('utf8') : null);
        } catch (e) {
          this.#core.log?.('error', 'sip: onProvisional threw', { error: String(e) });
        }
      }
      if (this.#abortWanted) this.#sendCancel();
      return;
    }
    // §22.2: answer the challenge once (again only for a stale nonce), same Call-ID, next CSeq.
    if ((s === 401 || s === 407) && this.#digest !== null && !this.#abortWanted) {
      const next = nextAttempt(req);
      if (this.#digest.authorize(next, res)) {
        this.#send(next);
        return;
      }
    }
    this.#finish({ status: s, reason: res.reason, response: res, ...(this.#cancelSent ? { canceled: true } : {}) });
  }

  /** §13.2.2.4: every 2xx is ACKed; a 2xx that comes after we gave up, or from a second fork, is hung up. */
  #on2xx(res: SipResponse, req: SipRequest): void {
    const tag = tagOf(header(res, 'to')) ?? '';
    const known = this.#dialogs.get(tag);
    if (known !== undefined) {
      known.acknowledge(res);
      return;
    }
    const dialog = this.#core.addDialog(uacDialogState(req, res, this.#target.transport), 'uac', {
      local: this.#opts.sdpOffer,
      remote: res.body.length > 0 ? res.body.toString('utf8') : null,
    });
    this.#dialogs.set(tag, dialog);
    dialog.acknowledge(res);
    if (this.#done || this.#abortWanted) {
      void dialog.bye();
      this.#finish({ status: 487, reason: 'Request Terminated', response: res, canceled: true });
      return;
    }
    const out: InviteResult = { status: res.status, reason: res.reason, dialog, response: res };
    if (dialog.remoteSdp !== null) out.sdpAnswer = dialog.remoteSdp;
    this.#finish(out);
  }

  readonly #onAbort = (): void => {
    if (this.#done) return;
    this.#abortWanted = true;
    if (this.#provisional) this.#sendCancel();
  };

  /** §9.1: CANCEL the pending INVITE; if no final response comes within 64·T1, give up with 408. */
  #sendCancel(): void {
    if (this.#cancelSent) return;
    this.#cancelSent = true;
    this.#core.transactions.sendRequest(cancelFor(this.#request), this.#target, { onResponse: () => {}, onFailure: () => {} });
    this.#cancelTimer = this.#core.clock.setTimer(this.#core.transactions.timers.timeout, () => {
      this.#finish({ status: 408, reason: 'Request Timeout', canceled: true, transportError: true });
    });
  }

  #finish(result: InviteResult): void {
    if (this.#done) return;
    this.#done = true;
    this.#cancelTimer?.cancel();
    this.#opts.signal?.removeEventListener('abort', this.#onAbort);
    this.#resolve(result);
  }
}


function extraHeaders(hs: InviteOptions['headers']): SipHeader[] {
  if (hs === undefined) return [];
  if (Array.isArray(hs)) return hs;
  return Object.entries(hs as Record<string, string>).map(([name, value]) => ({ name, value }));
}
