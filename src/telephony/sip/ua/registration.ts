// Registering a contact with a registrar (RFC 3261 §10.2): digest on 401/407, refresh before the
// granted expiry (at 90 % of it), retry after a failure, and Expires: 0 to unregister.

import { EventEmitter } from 'node:events';
import type { Timer } from '../../../time/clock.ts';
import { buildResponse, newCallId, newTag } from '../message/build.ts';
import { header, headers, setHeader } from '../message/headers.ts';
import { parseNameAddr } from '../message/nameaddr.ts';
import type { SipRequest, SipResponse, SipUri } from '../message/types.ts';
import { formatUri, parseUri } from '../message/uri.ts';
import { buildRequest } from '../dialog/request.ts';
import { uriTarget } from '../transport/locate.ts';
import type { SendTarget, TransportName } from '../transport/transport.ts';
import { DigestSession, type SipCredentials } from './digest-auth.ts';
import { asNameAddr, nextAttempt, withTag } from './uac-requests.ts';
import type { UaCore } from './ua-core.ts';

export interface RegisterOptions {
  /** The registrar's URI, e.g. `sip:trunk.example.com;transport=tcp`. */
  registrar: SipUri | string;
  /** The address of record, e.g. `sip:alice@example.com`. */
  aor: string;
  /** Default: our own Contact for the registrar's transport. */
  contact?: string;
  credentials?: SipCredentials;
  /** Requested lifetime in seconds. Default 3600. */
  expires?: number;
  outboundProxy?: { host: string; port: number; transport: TransportName };
  /** Aborting unregisters. */
  signal?: AbortSignal;
  /** Wait before trying again after a failure. Default 60 s. */
  retryAfterMs?: number;
}

export interface RegisterOutcome {
  ok: boolean;
  status: number;
  reason: string;
  /** Granted lifetime in seconds (0 after unregistering). */
  expires: number;
  response?: SipResponse;
}

export type RegistrationEvents = {
  registered: [outcome: RegisterOutcome];
  failed: [outcome: RegisterOutcome];
  unregistered: [outcome: RegisterOutcome];
};

export class Registration extends EventEmitter<RegistrationEvents> {
  readonly #core: UaCore;
  readonly #opts: RegisterOptions;
  readonly #target: SendTarget;
  readonly #uri: string;
  readonly #from: string;
  readonly #to: string;
  readonly #callId: string;
  readonly #contact: string;
  readonly #digest: DigestSession | null;
  #cseq = 0;
  #timer: Timer | undefined;
  #stopped = false;
  #last: RegisterOutcome | null = null;

  constructor(core: UaCore, opts: RegisterOptions) {
    super();
    this.#core = core;
    this.#opts = opts;
    const registrar = typeof opts.registrar === 'string' ? parseUri(opts.registrar) : opts.registrar;
    this.#target = opts.outboundProxy ?? uriTarget(registrar, core.defaultTransport);
    // §10.2: the Request-URI is the registrar's domain, without user part.
    this.#uri = formatUri({ ...registrar, user: null, password: null, headers: {} });
    this.#to = asNameAddr(opts.aor);
    this.#from = withTag(opts.aor, newTag());
    this.#callId = newCallId(core.host); // §10.2: the same Call-ID for every refresh
    this.#contact = opts.contact !== undefined ? asNameAddr(opts.contact) : core.contact(this.#target.transport);
    this.#digest = opts.credentials ? new DigestSession(opts.credentials) : null;
    opts.signal?.addEventListener('abort', () => void this.unregister(), { once: true });
  }

  /** The latest outcome (null before the first answer). */
  get last(): RegisterOutcome | null {
    return this.#last;
  }

  get active(): boolean {
    return !this.#stopped;
  }

  /** Sends the first REGISTER; resolves with its outcome (refreshes then follow on the clock). */
  async start(): Promise<RegisterOutcome> {
    return this.#register(this.#opts.expires ?? 3600);
  }

  /** §10.2.2: Expires: 0 for our contact, and no more refreshes. */
  async unregister(): Promise<RegisterOutcome> {
    if (this.#stopped) return this.#last ?? { ok: true, status: 0, reason: 'not registered', expires: 0 };
    this.#stopped = true;
    this.#timer?.cancel();
    const outcome = await this.#exchange(0);
    const out = { ...outcome, expires: 0 };
    this.#last = out;
    this.#emit('unregistered', out);
    return out;
  }

  async #register(expires: number): Promise<RegisterOutcome> {
    const outcome = await this.#exchange(expires);
    this.#last = outcome;
    if (this.#stopped) return outcome;
    if (outcome.ok) {
      // Refresh at 90 % of what the registrar granted, on the injected clock.
      this.#schedule(Math.max(1000, outcome.expires * 900));
      this.#emit('registered', outcome);
    } else {
      this.#schedule(this.#opts.retryAfterMs ?? 60_000);
      this.#emit('failed', outcome);
    }
    return outcome;
  }

  #schedule(ms: number): void {
    this.#timer?.cancel();
    this.#timer = this.#core.clock.setTimer(ms, () => void this.#register(this.#opts.expires ?? 3600));
  }

  /** One REGISTER and its challenge retries. */
  async #exchange(expires: number): Promise<RegisterOutcome> {
    this.#digest?.reset();
    let req = this.#build(expires);
    for (;;) {
      const res = await this.#send(req);
      this.#cseq = Number(/^\d+/.exec(header(req, 'cseq') ?? '')?.[0] ?? this.#cseq);
      if ((res.status === 401 || res.status === 407) && this.#digest !== null) {
        const next = nextAttempt(req);
        if (this.#digest.authorize(next, res)) {
          req = next;
          continue;
        }
      }
      const ok = res.status >= 200 && res.status < 300;
      return { ok, status: res.status, reason: res.reason, expires: ok ? this.#granted(res, expires) : 0, response: res };
    }
  }

  #build(expires: number): SipRequest {
    const transport = this.#target.transport;
    const req = buildRequest({
      method: 'REGISTER',
      uri: this.#uri,
      via: { transport, ...this.#core.sentBy(transport) },
      from: this.#from,
      to: this.#to,
      callId: this.#callId,
      cseq: ++this.#cseq,
      contact: this.#contact,
      userAgent: this.#core.userAgent,
    });
    setHeader(req, 'expires', String(expires));
    return req;
  }

  #send(req: SipRequest): Promise<SipResponse> {
    return new Promise((resolve) => {
      this.#core.transactions.sendRequest(req, this.#target, {
        onResponse: (res) => {
          if (res.status >= 200) resolve(res);
        },
        onFailure: (reason) => resolve(buildResponse(req, reason === 'timeout' ? 408 : 503)),
      });
    });
  }

  /** §10.2.4: the expires of our Contact in the 200, else its Expires header, else what we asked. */
  #granted(res: SipResponse, asked: number): number {
    const ours = parseNameAddr(this.#contact).uri;
    for (const value of headers(res, 'contact')) {
      try {
        const c = parseNameAddr(value);
        if (c.uri.host === ours.host && c.uri.port === ours.port && c.uri.user === ours.user && c.params.expires) {
          return Number(c.params.expires);
        }
      } catch {
        // A Contact we cannot read is someone else's binding.
      }
    }
    const e = header(res, 'expires');
    return e !== undefined && /^\d+$/.test(e) ? Number(e) : asked;
  }

  #emit<K extends keyof RegistrationEvents>(event: K, ...args: RegistrationEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: RegistrationEvents[K]) => boolean)(event, ...args);
    } catch (e) {
      this.#core.log?.('error', `sip: a registration '${event}' listener threw`, { error: String(e) });
    }
  }
}
