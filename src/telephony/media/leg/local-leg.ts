// A media leg in this thread: an RtpSession, the Player it pulls from, the taps whole-call
// recordings listen on, and the recordings themselves. The same class serves calls in-process and,
// inside a media worker, each leg the main thread opened there.

import { CallHooks } from '../../call/call-wait.ts';
import type { Clock } from '../../../time/clock.ts';
import { Player, type PlayResult } from '../audio/player.ts';
import type { RecordLimitsOptions } from '../audio/record-limits.ts';
import { halfBridge, joinHalves, type HalfBridge, type MediaBridge } from '../bridge.ts';
import { FrameTicker } from '../rtp/frame-ticker.ts';
import { FrameChunker } from '../rtp/frame-chunker.ts';
import { decodeG711 } from '../rtp/g711.ts';
import { RtpSession, type RelayedPacket, type RtpEndpoint, type RtpPorts, type RtpSessionStats } from '../rtp/rtp-session.ts';
import { SinkFanout, TappedSource } from './frame-tap.ts';
import { recordLeg, startLegRecording, type RecordedLeg } from './leg-recording.ts';
import type { LegBackgroundRecording, LegEvents, LegFormat, LegRecording, LegSpec, MediaLeg, MediaLegs } from './media-leg.ts';

export interface LocalLegDeps {
  clock: Clock;
  /** One per thread: every leg's 20 ms sends share its timer. */
  ticker: FrameTicker;
  localAddress: string;
  ports: RtpPorts;
  /** Told of exceptions in the media path (a send that failed, a sink that threw). */
  onError: (err: unknown) => void;
}

export class LocalLeg implements MediaLeg {
  readonly #rtp: RtpSession;
  readonly #player = new Player();
  readonly #source: TappedSource;
  readonly #received: SinkFanout;
  /** Recordings wait here for keys and for the close. */
  readonly #hooks = new CallHooks();
  readonly #recorded: RecordedLeg;
  readonly #closed = new AbortController();
  readonly #halves = new Set<HalfBridge>();
  /** Relayed audio decoded for a whole-call recording's played side, cut into 20 ms frames. */
  readonly #relayedFrames = new FrameChunker();
  #events: LegEvents | null = null;
  #closing: Promise<RtpSessionStats> | undefined;

  /** Binds a port; rejects with NoRtpPortError when none is free. */
  static async open(deps: LocalLegDeps, spec: LegSpec): Promise<LocalLeg> {
    const rtp = new RtpSession({
      localAddress: deps.localAddress,
      ports: deps.ports,
      clock: deps.clock,
      ticker: deps.ticker,
      codec: spec.codec,
      ...(spec.payloadType !== undefined && { payloadType: spec.payloadType }),
      telephoneEventPayloadType: spec.telephoneEventPayloadType,
      remote: null,
      symmetric: spec.symmetric,
      onError: deps.onError,
    });
    await rtp.start();
    return new LocalLeg(deps.clock, rtp);
  }

  private constructor(clock: Clock, rtp: RtpSession) {
    this.#rtp = rtp;
    this.#source = new TappedSource(this.#player);
    this.#received = new SinkFanout((listening) => rtp.setSink(listening ? this.#received : null));
    this.#recorded = { clock, hooks: this.#hooks, received: this.#received, sent: this.#source };
    rtp.setSource(this.#source);
    rtp.on('dtmf', (e) => this.#key(e.digit, true));
    rtp.on('timeout', () => this.#events?.lost('no RTP'));
  }

  get localPort(): number {
    return this.#rtp.localPort;
  }

  get format(): LegFormat {
    return { codec: this.#rtp.codec, payloadType: this.#rtp.payloadType, telephoneEventPayloadType: this.#rtp.telephoneEventPayloadType };
  }

  listen(events: LegEvents): void {
    this.#events = events;
  }

  negotiate(format: LegFormat): void {
    this.#rtp.negotiate(format);
  }

  setRemote(remote: RtpEndpoint | null): void {
    this.#rtp.setRemote(remote);
  }

  setRtpTimeout(ms: number): void {
    this.#rtp.setRtpTimeout(ms);
  }

  play(pcm: Int16Array, request: { loop: number; stopOnDigit: boolean }, signal: AbortSignal): Promise<PlayResult> {
    return this.#player.play(pcm, { loop: request.loop, stopOnDigit: request.stopOnDigit, signal: AbortSignal.any([signal, this.#closed.signal]) });
  }

  digit(digit: string): void {
    this.#key(digit, false);
  }

  record(path: string, limits: RecordLimitsOptions, signal: AbortSignal): Promise<LegRecording> {
    if (this.#closing) return Promise.reject(new Error('media leg closed'));
    return recordLeg(this.#recorded, path, limits, signal);
  }

  startRecording(path: string): Promise<LegBackgroundRecording> {
    if (this.#closing) return Promise.reject(new Error('media leg closed'));
    try {
      return Promise.resolve(startLegRecording(this.#recorded, path));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  bridge(other: MediaLeg): MediaBridge {
    if (!(other instanceof LocalLeg) || other === this) throw new TypeError('a local media leg can only be bridged with another local leg');
    return joinHalves((toOther) => this.halfBridge(other.format, toOther), (toThis) => other.halfBridge(this.format, toThis));
  }

  /**
   * This leg's half of a bridge: what it receives goes to `toPeer` in the peer's format. While
   * bridged, what it sends is the peer's audio, so that is what a whole-call recording hears as the
   * played side.
   */
  halfBridge(peer: LegFormat, toPeer: (packet: RelayedPacket) => void): HalfBridge {
    const half = halfBridge(this.#rtp, peer, toPeer, (packet) => this.#relayed(packet));
    this.#halves.add(half);
    return {
      receive: (packet) => half.receive(packet),
      stop: () => {
        this.#halves.delete(half);
        half.stop();
      },
    };
  }

  close(): Promise<RtpSessionStats> {
    if (!this.#closing) {
      this.#closed.abort(new Error('media leg closed'));
      for (const half of this.#halves) half.stop();
      this.#halves.clear();
      // Recordings end ('hangup') and are saved before the port goes.
      this.#hooks.ended();
      const rtp = this.#rtp;
      this.#closing = rtp.close().then(() => rtp.stats());
    }
    return this.#closing;
  }

  /** A key: barge-in first, then the recordings' finish keys, then the call (when heard on this leg). */
  #key(digit: string, heard: boolean): void {
    this.#player.interrupt();
    this.#hooks.digit(digit);
    if (heard) this.#events?.digit(digit);
  }

  #relayed(packet: RelayedPacket): void {
    const tap = this.#source.tap;
    if (!tap || packet.payloadType !== this.#rtp.payloadType) return;
    this.#relayedFrames.push(decodeG711(this.#rtp.codec, packet.payload), (frame) => tap.write(frame));
  }
}

/** Legs in this thread, on `clock` (any Clock: a virtual one in tests). */
export class LocalLegs implements MediaLegs {
  readonly #deps: LocalLegDeps;

  constructor(deps: Omit<LocalLegDeps, 'ticker'> & { ticker?: FrameTicker }) {
    this.#deps = { ...deps, ticker: deps.ticker ?? new FrameTicker(deps.clock) };
  }

  open(spec: LegSpec): Promise<MediaLeg> {
    return LocalLeg.open(this.#deps, spec);
  }

  async close(): Promise<void> {}
}
