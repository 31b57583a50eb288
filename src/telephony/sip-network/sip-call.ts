// One real call: the port's Call over a SIP dialog (through CallSignalling) and a media leg (in
// this thread or in a media worker). The network adapter creates it and tells it what the far end
// did (hung up, pressed a key over SIP INFO); the leg tells it of keys heard and of lost media.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CallEndedError,
  HANGUP_CAUSES,
  type BackgroundRecording,
  type BridgeOutcome,
  type Call,
  type CallActivity,
  type CallDirection,
  type CallEventMap,
  type CallEventName,
  type CallStatus,
  type Cdr,
  type HangupCause,
  type HangupSource,
  type Media,
  type PlayOptions,
  type PlayOutcome,
  type RecordOptions,
  type RecordOutcome,
  type RecordingInfo,
} from '../port.ts';
import { CallEvents } from '../call/call-events.ts';
import { CallHooks } from '../call/call-wait.ts';
import { buildCdr } from '../call/cdr.ts';
import type { MediaLeg } from '../media/leg/media-leg.ts';
import type { RtpEndpoint, RtpSessionStats } from '../media/rtp/rtp-session-types.ts';
import type { Clock } from '../../time/clock.ts';
import type { CallSignalling } from './call-signalling.ts';
import type { MediaResolver } from './media-resolver.ts';

/** Q.850 16: normal call clearing, what the far end's BYE means. */
const NORMAL_CLEARING = 16;
/** Q.850 102: recovery on timer expiry (no RTP for too long, no ACK). */
const TIMER_EXPIRY = 102;

export interface SipCallDeps {
  clock: Clock;
  media: MediaResolver;
  recordingsDir: string;
  newSid: () => string;
  /** Told of failures nobody awaits (a BYE that could not be sent). */
  onError?: (err: unknown, callSid: string) => void;
  /** The leg closed after the call ended: its RTP figures. */
  onMediaClosed?: (stats: RtpSessionStats, callSid: string) => void;
}

export interface SipCallInit {
  sid: string;
  direction: CallDirection;
  from: string;
  to: string;
  fromType?: string | undefined;
  headers: Record<string, string>;
  /** Clock time the call began (for an outbound call: when the INVITE was sent). */
  startedAt: number;
  /** Set for outbound calls, which exist once answered. */
  answeredAt?: number | undefined;
  /** Opened (bound) by the network; it sends nothing until the call is answered. */
  leg: MediaLeg;
  /** Where the far end wants our RTP (from its SDP). */
  remote: RtpEndpoint;
  /** No RTP for this long once answered hangs up (0: never). */
  rtpTimeoutMs: number;
  signalling: CallSignalling;
}

export class SipCall implements Call {
  readonly sid: string;
  readonly direction: CallDirection;
  readonly fromNumber: string;
  readonly toNumber: string;
  readonly fromType: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly leg: MediaLeg;

  readonly #deps: SipCallDeps;
  readonly #signalling: CallSignalling;
  readonly #events = new CallEvents();
  /** Bridges wait here for the end of either call. */
  readonly #hooks = new CallHooks();
  /** Aborted with a CallEndedError when the call ends: every operation listens to it. */
  readonly #ended = new AbortController();
  #status: CallStatus;
  readonly #startedAt: number;
  #answeredAt: number | undefined;
  #endedAt: number | undefined;
  #hangupCause: number | null = null;
  #hangupSource: HangupSource | null = null;
  #rang = false;
  #answering: Promise<void> | undefined;
  #bridged = false;
  #recordingAll = false;
  readonly #remote: RtpEndpoint;
  readonly #rtpTimeoutMs: number;

  constructor(deps: SipCallDeps, init: SipCallInit) {
    this.#deps = deps;
    this.sid = init.sid;
    this.direction = init.direction;
    this.fromNumber = init.from;
    this.toNumber = init.to;
    this.fromType = init.fromType;
    this.headers = init.headers;
    this.leg = init.leg;
    this.#signalling = init.signalling;
    this.#startedAt = init.startedAt;
    this.#answeredAt = init.answeredAt;
    this.#status = init.answeredAt === undefined ? 'ringing' : 'answered';
    this.#remote = init.remote;
    this.#rtpTimeoutMs = init.rtpTimeoutMs;
    this.leg.listen({ digit: (digit) => this.#heard(digit), lost: (why) => this.#lost(why) });
    if (this.#status === 'answered') this.#startMedia();
  }

  /** Media flows from the answer on: our RTP to the far end, and its silence timed. */
  #startMedia(): void {
    this.leg.setRemote(this.#remote);
    this.leg.setRtpTimeout(this.#rtpTimeoutMs);
  }

  get status(): CallStatus {
    return this.#status;
  }

  on<E extends CallEventName>(event: E, listener: (...args: CallEventMap[E]) => void): void {
    if (this.#status === 'ended') {
      if (event === 'ended') {
        const cdr = this.cdr();
        queueMicrotask(() => (listener as (cdr: Cdr) => void)(cdr));
      }
      return;
    }
    this.#events.on(event, listener);
  }

  off<E extends CallEventName>(event: E, listener: (...args: CallEventMap[E]) => void): void {
    this.#events.off(event, listener);
  }

  async ring(): Promise<void> {
    if (this.#status === 'ended') throw new CallEndedError(this.sid);
    if (this.#status !== 'ringing' || this.#rang || this.direction !== 'inbound') return;
    this.#rang = true;
    await this.#signalling.ring();
  }

  answer(): Promise<void> {
    if (this.#status === 'ended') return Promise.reject(new CallEndedError(this.sid));
    if (this.#status === 'answered') return Promise.resolve();
    this.#answering ??= (async () => {
      await this.#signalling.accept();
      if (this.#status === 'ended') throw new CallEndedError(this.sid);
      this.#status = 'answered';
      this.#answeredAt = this.#deps.clock.now();
      this.#startMedia();
    })();
    return this.#answering;
  }

  async hangup(cause: HangupCause = 'normal', by: 'scenario' | 'system' = 'scenario'): Promise<void> {
    const spec = HANGUP_CAUSES[cause];
    if (!spec) throw new RangeError(`unknown hang-up cause "${cause}"`);
    if (this.#status === 'ended') return;
    const wasAnswered = this.#status === 'answered';
    this.#end(spec.q850, by === 'system' ? 'system' : this.#ringflowSide());
    await (wasAnswered ? this.#signalling.bye() : this.#signalling.reject(spec.sip));
  }

  async play(media: Media, options: PlayOptions, signal: AbortSignal): Promise<PlayOutcome> {
    const both = this.#operationSignal(signal);
    const pcm = await this.#deps.media.pcm(media, both);
    both.throwIfAborted();
    return this.leg.play(pcm, { loop: options.loop ?? 1, stopOnDigit: options.stopOnDigit ?? false }, both);
  }

  /** record@v1: the leg records until a limit; the call's end finishes it as 'hangup'. */
  async record(options: RecordOptions, signal: AbortSignal): Promise<RecordOutcome> {
    signal.throwIfAborted();
    if (this.#status === 'ended') throw new CallEndedError(this.sid);
    const sid = this.#deps.newSid();
    const path = this.#recordingPath(sid);
    const recorded = await this.leg.record(path, options, signal);
    return { recording: recordingInfo(sid, path, recorded.durationMs), reason: recorded.reason };
  }

  async startRecording(): Promise<BackgroundRecording> {
    if (this.#status === 'ended') throw new CallEndedError(this.sid);
    if (this.#recordingAll) throw new Error(`call ${this.sid} is already being recorded`);
    this.#recordingAll = true;
    const sid = this.#deps.newSid();
    const path = this.#recordingPath(sid);
    try {
      const recording = await this.leg.startRecording(path);
      const done = recording.done.then((written) => recordingInfo(sid, path, written.durationMs));
      // Nobody may await `done` (a run that ends first): its failure is reported by whoever does.
      done.catch(() => {});
      return { sid, done };
    } catch (e) {
      this.#recordingAll = false;
      throw e;
    }
  }

  async bridge(other: Call, signal: AbortSignal): Promise<BridgeOutcome> {
    if (!(other instanceof SipCall) || other === this) throw new TypeError('a SIP call can only be bridged with another SIP call');
    if (this.#bridged || other.#bridged) throw new Error(`call ${this.#bridged ? this.sid : other.sid} is already bridged`);
    if (signal.aborted) throw signal.reason;
    if (this.#status === 'ended') return { endedBy: 'this', durationMs: 0 };
    if (other.#status === 'ended') return { endedBy: 'other', durationMs: 0 };
    this.#bridged = other.#bridged = true;
    const media = this.leg.bridge(other.leg);
    const start = this.#deps.clock.now();
    try {
      return await new Promise<BridgeOutcome>((resolve) => {
        let settled = false;
        const finish = (endedBy: BridgeOutcome['endedBy']): void => {
          if (settled) return;
          settled = true;
          this.#hooks.delete(mine);
          other.#hooks.delete(theirs);
          signal.removeEventListener('abort', onAbort);
          resolve({ endedBy, durationMs: Math.round(this.#deps.clock.now() - start) });
        };
        const mine = { ended: () => finish('this') };
        const theirs = { ended: () => finish('other') };
        const onAbort = (): void => finish('aborted');
        this.#hooks.add(mine);
        other.#hooks.add(theirs);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    } finally {
      media.stop();
      this.#bridged = other.#bridged = false;
    }
  }

  announce(activity: CallActivity): void {
    if (this.#status !== 'ended') this.#events.emit('activity', activity);
  }

  cdr(): Cdr {
    return buildCdr({
      callid: this.sid,
      direction: this.direction,
      callerNumber: this.fromNumber,
      callee: this.toNumber,
      startedAt: this.#startedAt,
      answeredAt: this.#answeredAt,
      endedAt: this.#endedAt,
      hangupCause: this.#hangupCause,
      hangupSource: this.#hangupSource,
      status: this.#answeredAt !== undefined ? 'answered' : this.#status === 'ended' ? 'missed' : 'ringing',
    }, this.#deps.clock.now());
  }

  // ---- what the far end did (called by the network adapter) ----

  /** A key sent over SIP INFO: the leg applies it (barge-in, finish keys) as one it heard. */
  digitReceived(digit: string): void {
    if (this.#status !== 'answered') return;
    this.leg.digit(digit);
    this.#events.emit('digit', digit);
  }

  /** A key the leg heard (RFC 4733, in-band), already applied there. Keys before the answer go nowhere. */
  #heard(digit: string): void {
    if (this.#status === 'answered') this.#events.emit('digit', digit);
  }

  /** The far end hung up (BYE, or CANCEL before the answer). */
  remoteHangup(q850 = NORMAL_CLEARING): void {
    this.#end(q850, this.direction === 'inbound' ? 'caller' : 'callee');
  }

  /** The far end is gone without a word (no RTP, no ACK): hang up on our side. */
  #lost(why: string): void {
    if (this.#status === 'ended') return;
    const wasAnswered = this.#status === 'answered';
    this.#end(TIMER_EXPIRY, 'system');
    const sent = wasAnswered ? this.#signalling.bye() : this.#signalling.reject(408);
    sent.catch((e: unknown) => this.#deps.onError?.(new Error(`could not hang up a call lost (${why})`, { cause: e }), this.sid));
  }

  /** The ACK never came for our 200 OK. */
  ackTimedOut(): void {
    this.#lost('no ACK');
  }

  #ringflowSide(): HangupSource {
    return this.direction === 'inbound' ? 'callee' : 'caller';
  }

  #recordingPath(sid: string): string {
    return join(this.#deps.recordingsDir, `${sid}.wav`);
  }

  #operationSignal(signal: AbortSignal): AbortSignal {
    if (this.#status === 'ended') throw new CallEndedError(this.sid);
    signal.throwIfAborted();
    return AbortSignal.any([signal, this.#ended.signal]);
  }

  #end(q850: number, source: HangupSource): void {
    if (this.#status === 'ended') return;
    this.#status = 'ended';
    this.#endedAt = this.#deps.clock.now();
    this.#hangupCause = q850;
    this.#hangupSource = source;
    this.#ended.abort(new CallEndedError(this.sid));
    // Operations first (a prompt stops, a recording is saved), then the engine.
    this.#hooks.ended();
    const cdr = this.cdr();
    this.leg.close().then(
      (stats) => this.#deps.onMediaClosed?.(stats, this.sid),
      (e: unknown) => this.#deps.onError?.(e, this.sid),
    );
    const events = this.#events;
    events.emit('ended', cdr);
    events.clear();
  }
}

function recordingInfo(sid: string, path: string, durationMs: number): RecordingInfo {
  return { sid, url: pathToFileURL(path).href, durationMs, format: 'wav' };
}
