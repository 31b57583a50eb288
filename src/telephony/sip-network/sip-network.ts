// The telephony port over SIP: the one place where a dialog meets a media session. An inbound
// INVITE becomes a SipCall handed to the server (which runs the number's scenario or refuses it);
// originate() places a call through the trunk and maps the final response to a CallState.

import { CallEndedError, type Cdr, type HangupSource, type Network, type OriginateRequest, type OriginateResult } from '../port.ts';
import { buildCdr } from '../call/cdr.ts';
import type { MediaLeg, MediaLegs } from '../media/leg/media-leg.ts';
import type { G711Codec } from '../media/rtp/g711.ts';
import type { RtpSessionStats } from '../media/rtp/rtp-session-types.ts';
import { answerDirection, answerOffer, buildSdp, parseSdp, SdpError, type ParsedSdp } from '../sip/sdp.ts';
import type { Dialog } from '../sip/dialog/dialog.ts';
import type { IncomingCall, SipUserAgent } from '../sip/ua/user-agent.ts';
import type { Clock } from '../../time/clock.ts';
import { calledNumber, callerNumber, xHeaders } from './call-parties.ts';
import type { CallSignalling } from './call-signalling.ts';
import type { MediaResolver } from './media-resolver.ts';
import { SipCall } from './sip-call.ts';
import { cdrStatusOf, dialOutcome, q850OfStatus } from './sip-outcome.ts';
import { trunkTarget, type SipTrunk } from './trunk.ts';

/** telephone-event payload type we offer (the common choice; SIPp and baresip use 101). */
const TELEPHONE_EVENT_PT = 101;
/** Q.850 19: no answer from user (our ring timeout). */
const NO_ANSWER = 19;

export interface SipNetworkLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface SipNetworkOptions {
  clock: Clock;
  ua: SipUserAgent;
  rtp: {
    /** Address written in our SDP (the public one behind NAT). */
    advertisedAddress: string;
    /** Hang up after this long without RTP (0: never). */
    timeoutMs: number;
  };
  /** Where each call's media runs (this thread, or media workers); it binds the RTP ports. */
  legs: MediaLegs;
  /** Offered in this order; answers follow the caller's order among them. */
  codecs: readonly G711Codec[];
  /** Where calls to numbers go; calls to sip: URIs go straight to their host. */
  trunk: SipTrunk | undefined;
  media: MediaResolver;
  recordingsDir: string;
  newSid: () => string;
  /** E.164 for what looks like a phone number, the text as is otherwise. */
  normalizeNumber: (text: string) => string;
  logger: SipNetworkLogger;
  /** A new inbound call: the owner runs its scenario, or hangs it up (404 for an unknown number). */
  onInbound: (call: SipCall) => void;
  /** A call that carried media ended: its RTP figures (the server's metrics count them). */
  onMediaEnded?: (stats: RtpSessionStats) => void;
}

export class SipNetwork implements Network {
  readonly #o: SipNetworkOptions;
  readonly #calls = new Set<SipCall>();

  constructor(options: SipNetworkOptions) {
    this.#o = options;
    options.ua.onInvite = (incoming) => this.#inbound(incoming);
  }

  /** Calls up now (ringing or answered). */
  get activeCalls(): number {
    return this.#calls.size;
  }

  async originate(request: OriginateRequest, signal: AbortSignal): Promise<OriginateResult> {
    signal.throwIfAborted();
    const o = this.#o;
    const startedAt = o.clock.now();
    const sid = o.newSid();
    const target = trunkTarget(o.trunk, request.to, request.from);
    const failed = (status: number, q850: number, source: HangupSource | null): OriginateResult => {
      const outcome = dialOutcome(status, q850 === NO_ANSWER);
      return { outcome: outcome === 'Answered' ? 'Error' : outcome, cdr: this.#failedCdr(sid, request, startedAt, outcome === 'Answered' ? 'error' : cdrStatusOf(outcome), q850, source) };
    };
    if (!target) {
      o.logger.warn({ to: request.to }, 'no SIP trunk is configured (telephony.sip.trunks): the call cannot be placed');
      return failed(503, 41, 'system');
    }
    let leg: MediaLeg;
    try {
      leg = await this.#openLeg(o.codecs[0]!, TELEPHONE_EVENT_PT);
    } catch (e) {
      o.logger.error({ err: e }, 'no RTP port for an outgoing call');
      return failed(503, 47, 'system');
    }
    const offer = buildSdp({ address: o.rtp.advertisedAddress, port: leg.localPort, codecs: [...o.codecs], telephoneEvent: TELEPHONE_EVENT_PT, sessionId: sessionId(), version: 1 });
    // Past the ring timeout the attempt is cancelled (CANCEL) and ends as No Answer.
    const ringing = new AbortController();
    const timer = o.clock.setTimer(request.timeoutMs, () => ringing.abort(new Error('ring timeout')));
    let result;
    try {
      result = await o.ua.invite({
        target: target.uri,
        from: target.from,
        headers: request.headers,
        sdpOffer: offer,
        credentials: target.credentials,
        outboundProxy: target.proxy,
        signal: AbortSignal.any([signal, ringing.signal]),
      });
    } catch (e) {
      timer.cancel();
      await leg.close();
      if (signal.aborted) throw signal.reason;
      o.logger.warn({ err: e, to: request.to }, 'outgoing call failed');
      return failed(500, 41, 'system');
    } finally {
      timer.cancel();
    }
    if (signal.aborted) {
      // Cancelled by the engine while the answer crossed: do not leave the callee on the line.
      if (result.dialog) await result.dialog.bye().catch(() => {});
      await leg.close();
      throw signal.reason;
    }
    const timedOut = ringing.signal.aborted;
    if (result.status < 200 || result.status >= 300 || !result.dialog) {
      await leg.close();
      // No response at all (timer B) or the trunk unreachable: Error (SPEC §4.1). A CANCEL left
      // unanswered after our ring timeout (canceled, 408) stays No Answer below.
      if (result.transportError && !result.canceled) return failed(500, 41, 'system');
      return failed(result.status, timedOut ? NO_ANSWER : q850OfStatus(result.status), timedOut ? 'system' : 'callee');
    }
    const dialog = result.dialog;
    let answer: ParsedSdp;
    try {
      answer = parseSdp(result.sdpAnswer ?? '');
    } catch (e) {
      o.logger.warn({ err: e, to: request.to }, 'the callee answered without a usable SDP: hanging up');
      await dialog.bye().catch(() => {});
      await leg.close();
      return failed(488, 127, 'system');
    }
    const chosen = answer.formats.find((f) => o.codecs.includes(f.name.toUpperCase() as G711Codec));
    if (!chosen) {
      await dialog.bye().catch(() => {});
      await leg.close();
      return failed(488, 65, 'system');
    }
    leg.negotiate({ codec: chosen.name.toUpperCase() as G711Codec, payloadType: chosen.pt, telephoneEventPayloadType: answer.telephoneEventPt });
    const call = this.#track(new SipCall(this.#callDeps(), {
      sid,
      direction: 'outbound',
      from: request.from,
      to: request.to,
      headers: {},
      startedAt,
      answeredAt: o.clock.now(),
      leg,
      remote: { address: answer.address, port: answer.port },
      rtpTimeoutMs: o.rtp.timeoutMs,
      signalling: dialogSignalling(() => dialog),
    }));
    this.#follow(call, dialog, offer);
    return { outcome: 'Answered', call };
  }

  /** An INVITE for us: negotiate media, then let the owner decide (answer, ring, refuse). */
  #inbound(incoming: IncomingCall): void {
    const o = this.#o;
    void (async () => {
      let offer: ParsedSdp;
      try {
        if (!incoming.offer) return incoming.reject(488, 'An SDP offer is required');
        offer = parseSdp(incoming.offer);
      } catch (e) {
        return incoming.reject(e instanceof SdpError ? 488 : 400, 'Unreadable SDP');
      }
      const choice = answerOffer(offer, [...o.codecs]);
      if (!choice) return incoming.reject(488, 'Not Acceptable Here (PCMU or PCMA only)');
      let leg: MediaLeg;
      try {
        leg = await this.#openLeg(choice.codec, choice.telephoneEventPt, choice.pt);
      } catch (e) {
        o.logger.error({ err: e }, 'no RTP port for an incoming call: refused');
        return incoming.reject(503, 'No media port free');
      }
      const answerSdp = buildSdp({
        address: o.rtp.advertisedAddress,
        port: leg.localPort,
        codecs: [{ name: choice.codec, pt: choice.pt }],
        telephoneEvent: choice.telephoneEventPt,
        sessionId: sessionId(),
        version: 1,
        direction: choice.direction,
        offerMedia: { media: offer.media, audioIndex: offer.audioIndex },
      });
      let dialog: Dialog | undefined;
      const signalling: CallSignalling = {
        ring: () => incoming.ring(),
        accept: async () => {
          const answering = incoming.accept(answerSdp);
          // Followed from the 200 on, not from the ACK: a caller that never ACKs (the dialog gives
          // up and sends BYE) or hangs up first has ended the call, which the run sees as a hang-up.
          if (incoming.dialog) this.#follow(call, incoming.dialog, answerSdp);
          try {
            dialog = await answering;
          } catch (e) {
            if (call.status === 'ended') throw new CallEndedError(call.sid);
            throw e;
          }
          // Hung up on our side (the run canceled) while the 200 waited for its ACK: the refusal
          // could not be sent then, so the confirmed dialog is ended now (§15: BYE after the ACK).
          if (call.status === 'ended') void dialog.bye().catch(() => {});
        },
        reject: async (status) => incoming.reject(status),
        bye: async () => {
          await dialog?.bye();
        },
      };
      const call = this.#track(new SipCall(this.#callDeps(), {
        sid: o.newSid(),
        direction: 'inbound',
        from: o.normalizeNumber(callerNumber(incoming.request)),
        to: o.normalizeNumber(calledNumber(incoming.request)),
        headers: xHeaders(incoming.request),
        startedAt: o.clock.now(),
        leg,
        remote: { address: offer.address, port: offer.port },
        rtpTimeoutMs: o.rtp.timeoutMs,
        signalling,
      }));
      // The caller gave up before we answered (CANCEL): the call is missed.
      incoming.on('canceled', () => call.remoteHangup());
      o.onInbound(call);
    })().catch((e: unknown) => {
      o.logger.error({ err: e }, 'could not take an incoming call');
      try {
        incoming.reject(500);
      } catch {
        // already answered or refused
      }
    });
  }

  /** What the far end does during the call: hang up, press keys over INFO, re-INVITE (hold). */
  #follow(call: SipCall, dialog: Dialog, localSdp: string): void {
    dialog.on('bye', () => call.remoteHangup());
    dialog.on('dtmf', (d) => call.digitReceived(d.digit));
    dialog.on('terminated', (reason) => {
      if (reason === 'no-ack') call.ackTimedOut();
      else if (reason !== 'local-bye') call.remoteHangup();
    });
    let version = 1;
    dialog.on('reinvite', (re) => {
      try {
        const offer = re.offer ? parseSdp(re.offer) : null;
        if (offer && offer.port > 0) call.leg.setRemote(offer.hold ? null : { address: offer.address, port: offer.port });
        version += 1;
        const base = parseSdp(localSdp);
        const answer = buildSdp({
          address: this.#o.rtp.advertisedAddress,
          port: call.leg.localPort,
          codecs: [{ name: call.leg.format.codec, pt: call.leg.format.payloadType }],
          telephoneEvent: call.leg.format.telephoneEventPayloadType,
          sessionId: sessionId(),
          version,
          direction: offer ? answerDirection(offer.direction) : base.direction,
        });
        void re.accept(answer).catch((e: unknown) => this.#o.logger.warn({ err: e, callSid: call.sid }, 're-INVITE answer failed'));
      } catch {
        re.reject(488);
      }
    });
  }

  #openLeg(codec: G711Codec, telephoneEventPt: number | null, payloadType?: number): Promise<MediaLeg> {
    return this.#o.legs.open({ codec, ...(payloadType !== undefined && { payloadType }), telephoneEventPayloadType: telephoneEventPt, symmetric: true });
  }

  #track(call: SipCall): SipCall {
    this.#calls.add(call);
    call.on('ended', () => this.#calls.delete(call));
    return call;
  }

  #callDeps() {
    const o = this.#o;
    return {
      clock: o.clock,
      media: o.media,
      recordingsDir: o.recordingsDir,
      newSid: o.newSid,
      onError: (err: unknown, callSid: string) => o.logger.warn({ err, callSid }, 'call error'),
      onMediaClosed: (stats: RtpSessionStats, callSid: string) => {
        // A call that never carried media (refused, cancelled while ringing) has nothing to report.
        if (stats.sent + stats.received === 0) return;
        try {
          o.onMediaEnded?.(stats);
        } catch (err) {
          o.logger.warn({ err, callSid }, 'media statistics handler failed');
        }
      },
    };
  }

  #failedCdr(sid: string, request: OriginateRequest, startedAt: number, status: string, q850: number, source: HangupSource | null): Cdr {
    const now = this.#o.clock.now();
    return buildCdr({
      callid: sid, direction: 'outbound', callerNumber: request.from, callee: request.to,
      startedAt, answeredAt: undefined, endedAt: now, hangupCause: q850, hangupSource: source, status,
    }, now);
  }
}

function dialogSignalling(dialog: () => Dialog): CallSignalling {
  return {
    ring: async () => {},
    accept: async () => {},
    reject: async () => {
      await dialog().bye();
    },
    bye: async () => {
      await dialog().bye();
    },
  };
}

function sessionId(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
