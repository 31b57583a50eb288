// RFC 3261 §17: owns every client and server transaction of one user agent, matches incoming
// messages to them (§17.1.3, §17.2.3) and passes the rest to the transaction user.

import type { Clock } from '../../../time/clock.ts';
import type { SipMessage, SipRequest, SipResponse } from '../message/types.ts';
import type { MessageChannel, MessageSource, SendTarget, SipLog } from '../transport/transport.ts';
import type { ClientTransactionUser, TransactionContext } from './context.ts';
import { InviteClientTransaction } from './invite-client.ts';
import { InviteServerTransaction } from './invite-server.ts';
import { canceledInviteKey, clientKey, serverKey } from './key.ts';
import { NonInviteClientTransaction } from './non-invite-client.ts';
import { NonInviteServerTransaction } from './non-invite-server.ts';
import { resolveTimers, type SipTimerOptions, type SipTimers } from './timers.ts';

export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;
export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;

export interface TransactionUser {
  /**
   * A request no transaction had seen: its new server transaction (already sent 100 Trying for an
   * INVITE), or null for an ACK, which has none of its own (the ACK of a 2xx, §17.2.1 / RFC 6026).
   */
  onRequest(req: SipRequest, tx: ServerTransaction | null, source: MessageSource): void;
  /** A response no client transaction matched (a 2xx retransmission after timer M, say). */
  onStrayResponse?(res: SipResponse, source: MessageSource): void;
}

export interface TransactionLayerOptions {
  channel: MessageChannel;
  clock: Clock;
  timers?: SipTimerOptions;
  log?: SipLog;
}

export class TransactionLayer {
  readonly timers: SipTimers;
  readonly #channel: MessageChannel;
  readonly #ctx: TransactionContext;
  readonly #clients = new Map<string, ClientTransaction>();
  readonly #servers = new Map<string, ServerTransaction>();
  readonly #log: SipLog | undefined;
  #user: TransactionUser | undefined;

  constructor(opts: TransactionLayerOptions) {
    this.timers = resolveTimers(opts.timers);
    this.#channel = opts.channel;
    this.#log = opts.log;
    this.#ctx = {
      clock: opts.clock,
      timers: this.timers,
      channel: opts.channel,
      log: opts.log,
      terminated: (key) => {
        this.#clients.delete(key);
        this.#servers.delete(key);
      },
    };
    opts.channel.onMessage((msg, source) => this.#receive(msg, source));
  }

  setUser(user: TransactionUser): void {
    this.#user = user;
  }

  /** Live transactions (tests check that nothing lingers). */
  get size(): { client: number; server: number } {
    return { client: this.#clients.size, server: this.#servers.size };
  }

  /** Starts a client transaction for `req` (its top Via carries a fresh branch). ACK is not allowed: use sendStateless. */
  sendRequest(req: SipRequest, target: SendTarget, user: ClientTransactionUser): ClientTransaction {
    if (req.method === 'ACK') throw new Error('an ACK is not sent in a client transaction of its own');
    const key = clientKey(req);
    if (key === null) throw new Error('the request needs a top Via with a branch');
    const tx =
      req.method === 'INVITE'
        ? new InviteClientTransaction(this.#ctx, key, req, target, user)
        : new NonInviteClientTransaction(this.#ctx, key, req, target, user);
    this.#clients.set(key, tx);
    tx.start();
    return tx;
  }

  /** Sends outside any transaction: the ACK for a 2xx (§13.2.2.4), 2xx retransmissions after the server transaction ended. */
  sendStateless(msg: SipMessage, target: SendTarget): Promise<void> {
    return this.#channel.send(msg, target);
  }

  /** §9.2: the INVITE server transaction a CANCEL refers to, when it is still there. */
  findInviteFor(cancel: SipRequest): InviteServerTransaction | undefined {
    const tx = this.#servers.get(canceledInviteKey(cancel));
    return tx instanceof InviteServerTransaction ? tx : undefined;
  }

  /** Terminates everything and cancels every timer (user agent shutdown). */
  close(): void {
    for (const tx of [...this.#clients.values(), ...this.#servers.values()]) tx.terminate();
    this.#clients.clear();
    this.#servers.clear();
  }

  #receive(msg: SipMessage, source: MessageSource): void {
    try {
      if (msg.kind === 'response') this.#receiveResponse(msg, source);
      else this.#receiveRequest(msg, source);
    } catch (e) {
      // A bug above must not break the transport's socket handler, nor other calls.
      this.#log?.('error', 'sip: transaction layer failed on a message', { error: String(e), stack: (e as Error).stack });
    }
  }

  /** §17.1.3 */
  #receiveResponse(res: SipResponse, source: MessageSource): void {
    const key = clientKey(res);
    const tx = key === null ? undefined : this.#clients.get(key);
    if (tx !== undefined) tx.receive(res);
    else this.#user?.onStrayResponse?.(res, source);
  }

  /** §17.2.3 */
  #receiveRequest(req: SipRequest, source: MessageSource): void {
    const key = serverKey(req);
    const existing = this.#servers.get(key);
    if (existing !== undefined) {
      if (existing.receiveRequest(req)) this.#user?.onRequest(req, null, source);
      return;
    }
    if (req.method === 'ACK') {
      this.#user?.onRequest(req, null, source);
      return;
    }
    const tx =
      req.method === 'INVITE'
        ? new InviteServerTransaction(this.#ctx, key, req, source)
        : new NonInviteServerTransaction(this.#ctx, key, req, source);
    this.#servers.set(key, tx);
    if (tx instanceof InviteServerTransaction) tx.start();
    this.#user?.onRequest(req, tx, source);
  }
}
