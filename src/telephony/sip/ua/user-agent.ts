// A SIP user agent (RFC 3261 §8, §12–15): receives calls (onInvite → IncomingCall), places them
// (invite), registers with trunks, and routes every request to its dialog, its call or an answer
// of its own (OPTIONS, 481, 405/501, 483).

import type { Clock, Timer } from '../../../time/clock.ts';
import { buildResponse } from '../message/build.ts';
import { header, headers } from '../message/headers.ts';
import type { SipHeader, SipRequest, SipResponse } from '../message/types.ts';
import { ALLOW, Dialog } from '../dialog/dialog.ts';
import { incomingRequestKey, incomingResponseKey, type DialogState } from '../dialog/dialog-state.ts';
import { InviteServerTransaction } from '../transaction/invite-server.ts';
import type { SipTimerOptions } from '../transaction/timers.ts';
import { TransactionLayer, type ServerTransaction } from '../transaction/transaction-layer.ts';
import type { TransportLayer, TransportLayerOptions } from '../transport/transport-layer.ts';
import { TransportLayer as Transports } from '../transport/transport-layer.ts';
import type { MessageSource, SipLog, TransportName } from '../transport/transport.ts';
import { IncomingCall } from './incoming-call.ts';
import { sendInvite, type InviteOptions, type InviteResult } from './outgoing-invite.ts';
import { Registration, type RegisterOptions } from './registration.ts';
import type { UaCore } from './ua-core.ts';

/** The verdict on an incoming INVITE's credentials: go on, or challenge with this header (from DigestServer.challengeHeader). */
export type AuthDecision = 'ok' | { challenge: 401 | 407; header: SipHeader } | { reject: 403 | 404 };

export interface SipUserAgentOptions {
  clock: Clock;
  transport: TransportLayer;
  timers?: SipTimerOptions;
  /** How long a 2xx we send to an INVITE waits for its ACK before the call is ended with a BYE. Default 64·T1. */
  ackTimeoutMs?: number;
  /** User-Agent / Server header value. Default `Ringflow`. */
  userAgent?: string;
  /** User part of our Contact. Default `ringflow`. */
  contactUser?: string;
  log?: SipLog;
  onInvite?: (call: IncomingCall) => void;
  authenticate?: (request: SipRequest) => AuthDecision;
  /** Out-of-dialog requests of other methods (REGISTER for a registrar…); return true when handled. */
  onRequest?: (request: SipRequest, tx: ServerTransaction) => boolean;
}

/** Methods we know but do not serve outside a dialog: 405 rather than 501 (§8.2.1). */
const KNOWN_METHODS = ['REGISTER', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'MESSAGE', 'REFER', 'UPDATE', 'PRACK'];

export { IncomingCall } from './incoming-call.ts';
export type { InviteOptions, InviteResult } from './outgoing-invite.ts';
export type { RegisterOptions, RegisterOutcome, Registration } from './registration.ts';

export class SipUserAgent {
  readonly transport: TransportLayer;
  /** Called for each new incoming call; may be set after construction. Without it, INVITEs get 480. */
  onInvite: ((call: IncomingCall) => void) | undefined;
  readonly transactions: TransactionLayer;
  readonly #opts: SipUserAgentOptions;
  readonly #dialogs = new Map<string, Dialog>();
  readonly #calls = new Map<InviteServerTransaction, IncomingCall>();
  readonly #registrations = new Set<Registration>();
  readonly #core: UaCore;
  /** Housekeeping timers of the agent itself, cancelled on close. */
  readonly #timers = new Set<Timer>();
  #closed = false;

  constructor(opts: SipUserAgentOptions) {
    this.#opts = opts;
    this.onInvite = opts.onInvite;
    this.transport = opts.transport;
    this.transactions = new TransactionLayer({
      channel: opts.transport,
      clock: opts.clock,
      ...(opts.timers ? { timers: opts.timers } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    });
    this.transactions.setUser({
      onRequest: (req, tx, source) => this.#onRequest(req, tx, source),
      onStrayResponse: (res) => this.#onStrayResponse(res),
    });
    const transport = opts.transport;
    const contactUser = opts.contactUser ?? 'ringflow';
    this.#core = {
      clock: opts.clock,
      transactions: this.transactions,
      host: transport.sentBy(transport.names[0] ?? 'UDP').host,
      defaultTransport: transport.names.includes('UDP') ? 'UDP' : (transport.names[0] ?? 'UDP'),
      userAgent: opts.userAgent ?? 'Ringflow',
      log: opts.log,
      ackTimeoutMs: opts.ackTimeoutMs,
      sentBy: (t) => transport.sentBy(t),
      contact: (t) => contactHeader(contactUser, transport.sentBy(t), t),
      forget: (d) => {
        if (this.#dialogs.get(d.id) === d) this.#dialogs.delete(d.id);
      },
      addDialog: (state, role, sdp) => this.#addDialog(state, role, sdp),
    };
  }

  /** Binds the transports and starts a user agent on them. */
  static async listen(opts: Omit<SipUserAgentOptions, 'transport'> & Omit<TransportLayerOptions, 'clock' | 'log'>): Promise<SipUserAgent> {
    const transport = await Transports.listen({ ...opts, clock: opts.clock, ...(opts.log ? { log: opts.log } : {}) });
    return new SipUserAgent({ ...opts, transport });
  }

  /** Dialogs currently known (confirmed calls, and ended ones for 64·T1). */
  get dialogs(): Dialog[] {
    return [...this.#dialogs.values()];
  }

  invite(opts: InviteOptions): Promise<InviteResult> {
    if (this.#closed) return Promise.resolve({ status: 503, reason: 'User Agent Closed', transportError: true });
    return sendInvite(this.#core, opts);
  }

  /** Registers and resolves once the first REGISTER is answered; refreshes follow until unregister() or close(). */
  async register(opts: RegisterOptions): Promise<Registration> {
    const registration = new Registration(this.#core, opts);
    this.#registrations.add(registration);
    await registration.start();
    return registration;
  }

  /** Unregisters, ends every dialog (BYE for established calls when `bye`), stops all timers, closes the sockets. */
  async close(opts: { bye?: boolean } = {}): Promise<void> {
    if (this.#closed) return;
    await Promise.all([...this.#registrations].filter((r) => r.active).map((r) => r.unregister()));
    if (opts.bye) await Promise.all(this.dialogs.filter((d) => !d.terminated).map((d) => d.bye()));
    this.#closed = true;
    for (const t of this.#timers) t.cancel();
    for (const d of this.#dialogs.values()) d.dispose();
    this.#dialogs.clear();
    this.transactions.close();
    await this.transport.close();
  }

  #addDialog(state: DialogState, role: 'uac' | 'uas', sdp: { local: string | null; remote: string | null }): Dialog {
    const dialog = new Dialog(this.#core, state, role, sdp);
    this.#dialogs.set(dialog.id, dialog);
    return dialog;
  }

  /** §8.2 and §12.2.2: where each new request goes. */
  #onRequest(req: SipRequest, tx: ServerTransaction | null, source: MessageSource): void {
    if (this.#closed) return;
    const respond = (status: number, reason?: string, hs: SipHeader[] = []) => tx?.respond(buildResponse(req, status, reason, { headers: hs }));
    const key = incomingRequestKey(req);
    if (key !== null && req.method !== 'CANCEL') {
      const dialog = this.#dialogs.get(key);
      if (dialog !== undefined) dialog.receiveRequest(req, tx);
      else if (req.method !== 'ACK') respond(481); // §12.2.2
      return;
    }
    if (req.method === 'ACK' || tx === null) return; // an ACK for nothing we know: dropped (§17.2.3)
    const mf = header(req, 'max-forwards');
    if (mf !== undefined && Number(mf) === 0) {
      respond(483);
      return;
    }
    const required = headers(req, 'require');
    if (required.length > 0 && req.method !== 'CANCEL') {
      // §8.2.2.3: we support no extension that a request may require.
      respond(420, undefined, [{ name: 'unsupported', value: required.join(', ') }]);
      return;
    }
    switch (req.method) {
      case 'INVITE':
        this.#onInvite(req, tx as InviteServerTransaction, source);
        return;
      case 'CANCEL':
        this.#onCancel(req, tx);
        return;
      case 'OPTIONS':
        respond(200, undefined, [
          { name: 'allow', value: ALLOW },
          { name: 'accept', value: 'application/sdp' },
        ]);
        return;
      case 'BYE':
      case 'INFO':
        respond(481);
        return;
    }
    if (this.#opts.onRequest?.(req, tx)) return;
    respond(KNOWN_METHODS.includes(req.method) ? 405 : 501, undefined, [{ name: 'allow', value: ALLOW }]);
  }

  /** §13.3.1: a new call. */
  #onInvite(req: SipRequest, tx: InviteServerTransaction, _source: MessageSource): void {
    const decision = this.#opts.authenticate?.(req) ?? 'ok';
    if (decision !== 'ok') {
      if ('challenge' in decision) tx.respond(buildResponse(req, decision.challenge, undefined, { headers: [decision.header] }));
      else tx.respond(buildResponse(req, decision.reject));
      return;
    }
    const onInvite = this.onInvite;
    if (onInvite === undefined) {
      tx.respond(buildResponse(req, 480));
      return;
    }
    const call = new IncomingCall(this.#core, tx);
    this.#calls.set(tx, call);
    // The table entry only serves CANCEL matching: drop it once the transaction is over.
    const timer = this.#opts.clock.setTimer(this.transactions.timers.timeout * 4, () => {
      this.#timers.delete(timer);
      this.#calls.delete(tx);
    });
    this.#timers.add(timer);
    try {
      onInvite(call);
    } catch (e) {
      this.#opts.log?.('error', 'sip: onInvite threw', { error: String(e) });
      call.reject(500);
    }
  }

  /** §9.2: 200 to the CANCEL, 487 to the INVITE it matches if still unanswered; 481 when none. */
  #onCancel(cancel: SipRequest, tx: ServerTransaction): void {
    const invite = this.transactions.findInviteFor(cancel);
    const call = invite === undefined ? undefined : this.#calls.get(invite);
    if (invite === undefined) {
      tx.respond(buildResponse(cancel, 481));
      return;
    }
    tx.respond(buildResponse(cancel, 200, undefined, { ...(call ? { toTag: call.localTag } : {}) }));
    if (call !== undefined) call.cancel(cancel);
    else if (invite.state === 'Proceeding') invite.respond(buildResponse(invite.request, 487));
  }

  /** A 2xx after the INVITE client transaction ended: ACK it again through its dialog (§13.2.2.4). */
  #onStrayResponse(res: SipResponse): void {
    if (res.status < 200 || res.status >= 300 || !/INVITE$/.test(header(res, 'cseq') ?? '')) return;
    const key = incomingResponseKey(res);
    const dialog = key === null ? undefined : this.#dialogs.get(key);
    dialog?.acknowledge(res);
  }
}

/** `<sip:user@host:port;transport=tcp>` (the transport parameter only when not UDP). */
function contactHeader(user: string, sentBy: { host: string; port: number }, transport: TransportName): string {
  const host = sentBy.host.includes(':') ? `[${sentBy.host}]` : sentBy.host;
  return `<sip:${user}@${host}:${sentBy.port}${transport === 'UDP' ? '' : `;transport=${transport.toLowerCase()}`}>`;
}
