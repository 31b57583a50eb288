// One RTP media stream (one call leg): a UDP socket on a port from the allocator, G.711 audio sent on
// a steady 20 ms clock and received through a reorder buffer, DTMF both ways, and the hooks a bridge
// needs to relay another leg's packets through it.

import type { RemoteInfo, Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import type { Clock } from '../../../time/clock.ts';
import { FRAME_SAMPLES, type AudioSink, type AudioSource } from '../audio-frame.ts';
import { DigitSender } from '../dtmf/digit-sender.ts';
import { GoertzelDtmfDetector } from '../dtmf/goertzel.ts';
import { Rfc4733Detector } from '../dtmf/rfc4733.ts';
import { FrameChunker } from './frame-chunker.ts';
import { codecOfStaticPayloadType, decodeG711, encodeG711Into, G711_PAYLOAD_TYPE, G711_SILENCE, type G711Codec } from './g711.ts';
import { parseRtp, RTP_HEADER_BYTES, writeRtpHeader } from './packet.ts';
import { PacedSender } from './paced-sender.ts';
import { NoRtpPortError } from './port-allocator.ts';
import { RelayTimeline } from './relay-timeline.ts';
import { ReorderBuffer } from './reorder-buffer.ts';
import type { RelayedPacket, Relay, RtpEndpoint, RtpSessionEvents, RtpSessionOptions, RtpSessionStats } from './rtp-session-types.ts';
import { addSeq, addTs, seqDelta, tsDelta } from './seq.ts';
import { bindSocket } from './udp-bind.ts';

export type * from './rtp-session-types.ts';

interface AudioPacket {
  codec: G711Codec;
  payload: Uint8Array;
  timestamp: number;
}

/**
 * What the reorder buffer holds for each sequence number: audio, or null for an RFC 4733 event
 * numbered in the same stream. An event must not be taken for lost audio: a phone that keeps its
 * audio going while it sends a key (baresip does) would otherwise get a frame of silence inserted
 * per event packet, stretching what Ringflow hears (recordings) by ~0.3 s per key.
 */
type Sequenced = AudioPacket | null;

/**
 * What a packet carries: bytes ready to go (an event, a relayed packet), an audio frame to encode
 * in the session's codec, or null for a frame of silence in it.
 */
type Payload = Uint8Array | Int16Array | null;

/** A bridged leg sends its own silence when the relayed stream pauses this long (keeps NAT open). */
const RELAY_KEEPALIVE_MS = 100;
/** Held packets are played after this long without audio (the gap before them is lost for good). */
const REORDER_FLUSH_MS = 80;
/** At most this many frames of silence stand for lost packets (10 s). */
const MAX_LOSS_FILL = 500;
/**
 * A send error only reaches us through a send callback, and a callback per packet costs a turn of
 * the event loop each: one packet in this many carries one (once a second), and so does the first
 * one after the destination changed. Failures that last (no route, a firewall) are still reported,
 * once a second instead of fifty times.
 */
const SEND_CHECK_EVERY = 50;

const random32 = () => (Math.random() * 2 ** 32) >>> 0;

export class RtpSession extends EventEmitter<RtpSessionEvents> {
  // Fixed by the SDP answer; an outgoing call binds its port (for the offer) before it knows them.
  #codec: G711Codec;
  #payloadType: number;
  #telephoneEventPayloadType: number | null;
  readonly ssrc = random32();
  readonly #options: RtpSessionOptions;
  readonly #clock: Clock;
  readonly #pacer: PacedSender;
  readonly #reorder: ReorderBuffer<Sequenced>;
  readonly #chunker = new FrameChunker();
  readonly #digits = new DigitSender();
  readonly #rfc4733 = new Rfc4733Detector();
  #inband: GoertzelDtmfDetector | null;
  readonly #timeline = new RelayTimeline();
  #socket: Socket | null = null;
  #port = 0;
  #state: 'new' | 'starting' | 'started' | 'closed' = 'new';
  #remote: RtpEndpoint | null;
  #latched: RtpEndpoint | null = null;
  #source: AudioSource | null = null;
  #sink: AudioSink | null = null;
  #rtpTimeoutMs: number;
  // Outgoing stream position. #tsBase + 160·frame is the tick's timestamp; #tsBase moves forward
  // when relayed packets ran ahead, so the stream's timestamps never go back.
  #seq = random32() & 0xffff;
  #tsBase = random32();
  #tickTs = 0;
  #lastSentTs: number | null = null;
  #markNext = true;
  #relaying = false;
  #lastRelayAt = 0;
  #lastReceivedAt = 0;
  #lastAudioAt = 0;
  #lastPacketSamples = FRAME_SAMPLES;
  /** Timestamp just past the last audio packet played, and the sequence numbers used since then. */
  #audioEndTs: number | null = null;
  #seqsSinceAudio = 0;
  #audioSsrc: number | null = null;
  #timedOut = false;
  /** Packets sent since the last one that carried a send callback. */
  #sinceSendCheck = SEND_CHECK_EVERY;
  readonly #onSent = (err: Error | null) => {
    if (err) this.#report(err);
  };
  #counts = { sent: 0, received: 0, foreignSource: 0, invalid: 0, unknownPayloadType: 0, errors: 0 };

  constructor(options: RtpSessionOptions) {
    super();
    this.#options = options;
    this.#clock = options.clock;
    this.#codec = options.codec;
    this.#payloadType = options.payloadType ?? G711_PAYLOAD_TYPE[options.codec];
    this.#telephoneEventPayloadType = options.telephoneEventPayloadType;
    this.#remote = options.remote ?? null;
    this.#rtpTimeoutMs = options.rtpTimeoutMs ?? 0;
    this.#reorder = new ReorderBuffer(options.reorderDepth ?? 4);
    this.#inband = (options.inbandDtmf ?? options.telephoneEventPayloadType === null) ? new GoertzelDtmfDetector() : null;
    this.#pacer = new PacedSender({
      clock: options.clock,
      // try/catch here rather than #guard: these two run 50 times a second per call, and a closure
      // each time is garbage the media thread's collector must sweep (its pauses show as jitter).
      onTick: (frame) => {
        try {
          this.#tick(frame);
        } catch (err) {
          this.#report(err);
        }
      },
      ...(options.ticker && { ticker: options.ticker }),
    });
  }

  get codec(): G711Codec {
    return this.#codec;
  }

  get payloadType(): number {
    return this.#payloadType;
  }

  get telephoneEventPayloadType(): number | null {
    return this.#telephoneEventPayloadType;
  }

  /** The codec and payload types the SDP answer settled on (an outgoing call learns them late). */
  negotiate(n: { codec: G711Codec; payloadType?: number; telephoneEventPayloadType: number | null; inbandDtmf?: boolean }): void {
    this.#codec = n.codec;
    this.#payloadType = n.payloadType ?? G711_PAYLOAD_TYPE[n.codec];
    this.#telephoneEventPayloadType = n.telephoneEventPayloadType;
    const inband = n.inbandDtmf ?? n.telephoneEventPayloadType === null;
    if (inband && !this.#inband) this.#inband = new GoertzelDtmfDetector();
    if (!inband) this.#inband = null;
  }

  /** The bound port (0 before `start()`). */
  get localPort(): number {
    return this.#port;
  }

  /** Where packets go: the latched source under `symmetric`, else the remote. */
  get destination(): RtpEndpoint | null {
    return this.#latched ?? this.#remote;
  }

  /** Binds a port from the allocator and starts the 20 ms clock. Rejects when no port is free. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error(`RtpSession.start() called twice`);
    this.#state = 'starting';
    const type = this.#options.localAddress.includes(':') ? 'udp6' : 'udp4';
    const got = await this.#options.ports.acquire((port) => bindSocket(type, this.#options.localAddress, port));
    if (!got) {
      this.#state = 'closed';
      throw new NoRtpPortError(`no free RTP port to bind on ${this.#options.localAddress}`);
    }
    if (this.#state !== 'starting') {
      // closed while binding
      got.value.close();
      this.#options.ports.release(got.port);
      return;
    }
    this.#socket = got.value;
    this.#port = got.port;
    this.#socket.on('message', (msg, rinfo) => {
      try {
        this.#receive(msg, rinfo);
      } catch (err) {
        this.#report(err);
      }
    });
    this.#socket.on('error', (err) => this.#report(err));
    this.#state = 'started';
    this.#lastReceivedAt = this.#clock.now();
    this.#pacer.start();
  }

  /** New remote (SDP answer, re-INVITE); forgets a latched source. */
  setRemote(remote: RtpEndpoint | null): void {
    this.#remote = remote;
    this.#latched = null;
    this.#sinceSendCheck = SEND_CHECK_EVERY;
  }

  setSource(source: AudioSource | null): void {
    this.#source = source;
  }

  setSink(sink: AudioSink | null): void {
    this.#sink = sink;
  }

  setRtpTimeout(ms: number): void {
    this.#rtpTimeoutMs = ms;
    this.#lastReceivedAt = this.#clock.now();
    this.#timedOut = false;
  }

  /**
   * Sends one key: RFC 4733 events when a telephone-event payload type was negotiated, else the tone
   * in the audio. Presses queue; resolves when this one was sent.
   */
  sendDigit(digit: string, durationMs = 100): Promise<void> {
    if (this.#state === 'closed') return Promise.reject(new Error('RTP session closed'));
    return this.#digits.enqueue(digit, durationMs, this.telephoneEventPayloadType === null ? 'inband' : 'rfc4733');
  }

  /**
   * Hands the outgoing stream to a bridge: the source is no longer pulled, packets given to `send`
   * go out with this session's SSRC and continue its sequence and timestamps. One relay at a time.
   */
  beginRelay(): Relay {
    if (this.#relaying) throw new Error('RTP session already relays another leg');
    this.#relaying = true;
    this.#timeline.reset();
    this.#lastRelayAt = this.#clock.now();
    let ended = false;
    return {
      send: (packet) => {
        if (!ended) this.#guard(() => this.#sendRelayed(packet));
      },
      end: () => {
        if (ended) return;
        ended = true;
        this.#relaying = false;
        this.#markNext = true;
      },
    };
  }

  stats(): RtpSessionStats {
    const reorder = this.#reorder.stats();
    const pacer = this.#pacer.stats();
    return {
      ...this.#counts,
      lost: reorder.lost,
      late: reorder.late,
      duplicates: reorder.duplicates,
      jitter: pacer.jitter,
      skippedFrames: pacer.skipped,
    };
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#pacer.stop();
    this.#digits.cancel(new Error('RTP session closed'));
    const socket = this.#socket;
    this.#socket = null;
    if (socket) {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      this.#options.ports.release(this.#port);
    }
  }

  // --- sending ---

  #tick(frame: number): void {
    const now = this.#clock.now();
    this.#tickTs = addTs(this.#tsBase, frame * FRAME_SAMPLES);
    this.#housekeeping(now);
    // The source is pulled even when nothing can be sent yet, so a prompt plays in real time.
    let pcm: Int16Array | null = null;
    if (!this.#relaying && this.#source) {
      try {
        pcm = this.#source.read();
      } catch (err) {
        this.#report(err);
      }
    }
    const digit = this.#digits.next(this.#ownTimestamp());
    if (digit?.kind === 'event') {
      this.#sendOwn(this.telephoneEventPayloadType!, digit.payload, digit.timestamp, digit.marker);
    } else if (digit?.kind === 'tone') {
      this.#sendOwn(this.payloadType, digit.pcm, this.#ownTimestamp(), false);
    } else if (this.#relaying) {
      if (now - this.#lastRelayAt >= RELAY_KEEPALIVE_MS) this.#sendOwn(this.payloadType, null, this.#ownTimestamp(), false);
    } else {
      this.#sendOwn(this.payloadType, pcm, this.#ownTimestamp(), false);
    }
  }

  /** This tick's timestamp, moved past anything a relay sent so the stream never goes back. */
  #ownTimestamp(): number {
    if (this.#lastSentTs !== null) {
      const behind = tsDelta(this.#tickTs, addTs(this.#lastSentTs, FRAME_SAMPLES));
      if (behind > 0) {
        this.#tsBase = addTs(this.#tsBase, behind);
        this.#tickTs = addTs(this.#tickTs, behind);
      }
    }
    return this.#tickTs;
  }

  #sendOwn(payloadType: number, payload: Payload, timestamp: number, marker: boolean): void {
    // An own packet between relayed ones shifts the numbering: the relay realigns after it.
    if (this.#relaying) this.#timeline.reset();
    const seq = this.#seq;
    this.#seq = addSeq(seq, 1);
    this.#send(payloadType, payload, seq, timestamp, marker || this.#markNext);
    this.#markNext = false;
  }

  #sendRelayed(packet: RelayedPacket): void {
    this.#lastRelayAt = this.#clock.now();
    if (this.#digits.busy) return; // our own key press replaces the audio
    const position = { seq: this.#seq, timestamp: this.#ownTimestamp() };
    const mapped = this.#timeline.map(packet.ssrc, packet.sequenceNumber, packet.timestamp, position);
    if (seqDelta(this.#seq, mapped.seq) >= 0) this.#seq = addSeq(mapped.seq, 1);
    this.#send(packet.payloadType, packet.payload, mapped.seq, mapped.timestamp, mapped.marker || packet.marker);
  }

  /**
   * One packet, its payload written straight after the header (see `Payload`). The socket is not
   * connected to the destination, on purpose: a connected UDP socket has the kernel drop packets
   * from any other source unseen (`foreignSource` would count nothing, NAT trouble would be
   * invisible) and turns ICMP "port unreachable" into socket errors; it would save ~0.75 µs of the
   * ~5 µs a send costs (measured on loopback).
   */
  #send(payloadType: number, payload: Payload, seq: number, timestamp: number, marker: boolean): void {
    const to = this.destination;
    if (!this.#socket || !to) return;
    const bytes = Buffer.allocUnsafe(RTP_HEADER_BYTES + (payload instanceof Uint8Array ? payload.length : FRAME_SAMPLES));
    writeRtpHeader(bytes, payloadType, seq, timestamp, this.ssrc, marker);
    if (payload instanceof Uint8Array) {
      bytes.set(payload, RTP_HEADER_BYTES);
    } else {
      // An audio frame is exactly 160 samples: a source's short frame is padded with silence, a long one cut.
      const pcm = payload === null ? null : payload.length > FRAME_SAMPLES ? payload.subarray(0, FRAME_SAMPLES) : payload;
      if (pcm) encodeG711Into(this.codec, pcm, bytes, RTP_HEADER_BYTES);
      bytes.fill(G711_SILENCE[this.codec], RTP_HEADER_BYTES + (pcm?.length ?? 0));
    }
    if (this.#lastSentTs === null || tsDelta(this.#lastSentTs, timestamp) > 0) this.#lastSentTs = timestamp;
    this.#counts.sent++;
    if (++this.#sinceSendCheck >= SEND_CHECK_EVERY) {
      this.#sinceSendCheck = 0;
      this.#socket.send(bytes, to.port, to.address, this.#onSent);
    } else {
      this.#socket.send(bytes, to.port, to.address);
    }
  }

  #housekeeping(now: number): void {
    if (this.#rtpTimeoutMs > 0 && !this.#timedOut && now - this.#lastReceivedAt >= this.#rtpTimeoutMs) {
      this.#timedOut = true;
      this.emit('timeout');
    }
    if (this.#reorder.held > 0 && now - this.#lastAudioAt >= REORDER_FLUSH_MS) this.#play(this.#reorder.flush());
    for (const digit of this.#rfc4733.poll(now)) this.emit('dtmf', { digit, via: 'rfc4733' });
  }

  // --- receiving ---

  #receive(msg: Buffer, rinfo: RemoteInfo): void {
    const parsed = parseRtp(msg);
    if (!parsed.ok) {
      this.#counts.invalid++;
      return;
    }
    if (!this.#acceptSource(rinfo)) {
      this.#counts.foreignSource++;
      return;
    }
    const packet = parsed.packet;
    const now = this.#clock.now();
    this.#counts.received++;
    this.#lastReceivedAt = now;
    this.#timedOut = false;
    this.emit('packet', packet);
    if (packet.payloadType === this.telephoneEventPayloadType) {
      for (const digit of this.#rfc4733.push(packet, now)) this.emit('dtmf', { digit, via: 'rfc4733' });
      // Events numbered in the audio's sequence take their place in it; a separate event stream
      // (another SSRC, as SIPp's replayed captures) is left out of the audio's numbering.
      if (packet.ssrc === this.#audioSsrc) this.#play(this.#reorder.push(packet.sequenceNumber, null));
      return;
    }
    const codec = packet.payloadType === this.payloadType ? this.codec : codecOfStaticPayloadType(packet.payloadType);
    if (!codec) {
      this.#counts.unknownPayloadType++;
      return;
    }
    this.#lastAudioAt = now;
    this.#audioSsrc = packet.ssrc;
    this.#play(this.#reorder.push(packet.sequenceNumber, { codec, payload: packet.payload, timestamp: packet.timestamp }));
  }

  /**
   * Whose packets are the call's. Without `symmetric`, only the remote's. With it (NAT traversal),
   * the remote's address and port from the SDP always count, and another source is latched onto
   * only when the SDP could not name the real one: no remote yet, or a private or unspecified
   * address (a phone behind NAT) while the packet comes from elsewhere. So a stranger who sprays
   * RTP at our port before the caller's first packet cannot take the call's audio or keys.
   */
  #acceptSource(rinfo: RemoteInfo): boolean {
    const remote = this.#remote;
    const fromRemote = remote !== null && remote.port === rinfo.port && sameAddress(remote.address, rinfo.address);
    if (!this.#options.symmetric) return remote === null || fromRemote;
    if (fromRemote) {
      this.#latched = null;
      return true;
    }
    const latched = this.#latched;
    if (latched) return latched.port === rinfo.port && sameAddress(latched.address, rinfo.address);
    const learnable = remote === null || (natAddress(remote.address) && !sameAddress(remote.address, rinfo.address));
    if (learnable) this.#latched = { address: rinfo.address, port: rinfo.port };
    return learnable;
  }

  /**
   * Plays released audio in order. Silence stands for the audio that is missing: as many packets as
   * the timestamps say are missing, but no more than the sequence numbers used since the last audio
   * packet (lost ones, and events sent instead of audio). So lost packets and audio muted during a
   * key are filled, audio sent beside key events is not stretched, and a timestamp jump with no
   * missing sequence numbers (silence suppression, a restarted stream) adds nothing.
   */
  #play(released: { item: Sequenced; lostBefore: number }[]): void {
    for (const { item, lostBefore } of released) {
      this.#seqsSinceAudio += lostBefore;
      if (item === null) {
        this.#seqsSinceAudio++;
        continue;
      }
      // Nobody listens (no sink, no in-band detector): the bookkeeping goes on, the decoding is
      // skipped. G.711 is one byte a sample.
      const listening = this.#sink !== null || this.#inband !== null;
      const samples = item.payload.length;
      const gap = this.#audioEndTs === null ? 0 : tsDelta(this.#audioEndTs, item.timestamp);
      const byTime = gap > 0 ? Math.round(gap / this.#lastPacketSamples) : 0;
      const missing = listening ? Math.min(this.#seqsSinceAudio, byTime, MAX_LOSS_FILL) : 0;
      for (let i = 0; i < missing; i++) this.#hear(new Int16Array(this.#lastPacketSamples));
      if (samples > 0) this.#lastPacketSamples = samples;
      this.#audioEndTs = addTs(item.timestamp, samples);
      this.#seqsSinceAudio = 0;
      if (listening) this.#hear(decodeG711(item.codec, item.payload));
    }
  }

  #hear(pcm: Int16Array): void {
    if (this.#inband) for (const digit of this.#inband.push(pcm)) this.emit('dtmf', { digit, via: 'inband' });
    if (this.#sink) this.#chunker.push(pcm, (frame) => this.#guard(() => this.#sink?.write(frame)));
  }

  #guard<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      this.#report(err);
      return undefined;
    }
  }

  #report(err: unknown): void {
    this.#counts.errors++;
    try {
      this.#options.onError?.(err);
    } catch {
      // the error handler itself failed: nothing left to tell
    }
  }
}

function sameAddress(a: string, b: string): boolean {
  return a === b || a.replace(/^::ffff:/, '') === b.replace(/^::ffff:/, '');
}

/** An address a peer behind NAT puts in its SDP: private (RFC 1918, CGNAT, ULA, link-local) or unspecified. */
function natAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^::ffff:/, '');
  if (a === '0.0.0.0' || a === '::') return true;
  const v4 = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(a);
  if (v4) {
    const [x, y] = [Number(v4[1]), Number(v4[2])];
    return x === 10 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168) || (x === 100 && y >= 64 && y <= 127) || (x === 169 && y === 254);
  }
  return /^f[cd]/.test(a) || a.startsWith('fe80');
}
