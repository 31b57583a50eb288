// The media of one call leg, as the call sees it: an RTP stream on a port, what is played on it,
// the keys heard on it, recordings of it, and a bridge to another leg. Two implementations: LocalLeg
// runs it in this thread (tests, a virtual clock, `rtp.workers: 0`), WorkerLegs runs each leg in one
// of a few media worker threads, so the 50 packets a second each way of every call never wait for
// signalling, database or scenario work on the main thread (and use both cores).

import type { RecordLimitsOptions, RecordStopReason } from '../audio/record-limits.ts';
import type { MediaBridge } from '../bridge.ts';
import type { PlayResult } from '../audio/player.ts';
import type { G711Codec } from '../rtp/g711.ts';
import type { RtpEndpoint, RtpSessionStats } from '../rtp/rtp-session-types.ts';

/** What the SDP settled on for a leg: what its packets carry. */
export interface LegFormat {
  codec: G711Codec;
  payloadType: number;
  /** null: the peer takes no telephone-event, keys go in-band. */
  telephoneEventPayloadType: number | null;
}

export interface LegSpec {
  codec: G711Codec;
  /** Default: the codec's static payload type. */
  payloadType?: number;
  telephoneEventPayloadType: number | null;
  /** Latch onto the source of the first packet (NAT traversal). */
  symmetric: boolean;
}

/** What a leg tells its call. Keys are told after the leg applied them (barge-in, finish keys). */
export interface LegEvents {
  digit(digit: string): void;
  /** The media is gone: no RTP for the configured time, or the media worker stopped. */
  lost(why: string): void;
}

export type LegRecordReason = RecordStopReason | 'hangup';

export interface LegRecording {
  reason: LegRecordReason;
  durationMs: number;
}

export interface LegBackgroundRecording {
  /** Settles when the leg closes, with the length written (rejects when the file failed). */
  done: Promise<{ durationMs: number }>;
}

export interface MediaLeg {
  readonly localPort: number;
  readonly format: LegFormat;
  /** Events go to `events` from now on (an outgoing call's leg exists before its call). */
  listen(events: LegEvents): void;
  /** The format the SDP answer chose (an outgoing call learns it after binding). */
  negotiate(format: LegFormat): void;
  /** Where our RTP goes (null: nowhere, on hold). Forgets a latched source. */
  setRemote(remote: RtpEndpoint | null): void;
  /** No RTP for this long reports `lost` (0: never). Restarts the count. */
  setRtpTimeout(ms: number): void;
  /**
   * Queues 8 kHz PCM after what is playing; resolves when played or interrupted by a key (when
   * `stopOnDigit`), rejects with `signal.reason` when aborted first. A key that interrupted it
   * wins over an abort that came after that key, so a prompt stopped by a key reads as interrupted.
   */
  play(pcm: Int16Array, request: { loop: number; stopOnDigit: boolean }, signal: AbortSignal): Promise<PlayResult>;
  /** A key that came another way (SIP INFO): barge-in and finish keys apply as for one heard in the audio. */
  digit(digit: string): void;
  /** Records what the far end says into a WAV file at `path`, until a limit or the leg's close. */
  record(path: string, limits: RecordLimitsOptions, signal: AbortSignal): Promise<LegRecording>;
  /** Both directions mixed into a WAV file at `path`, until the leg closes. One at a time. */
  startRecording(path: string): Promise<LegBackgroundRecording>;
  /** Relays RTP between this leg and `other` (of the same kind) until stopped. */
  bridge(other: MediaLeg): MediaBridge;
  /** Ends everything (a recording ends as 'hangup'), frees the port; resolves with the figures. */
  close(): Promise<RtpSessionStats>;
}

/** Opens legs: binds a port for each. */
export interface MediaLegs {
  /** Rejects with a NoRtpPortError when no RTP port is free. */
  open(spec: LegSpec): Promise<MediaLeg>;
  /** Stops the media threads, if any (legs still open are closed). */
  close(): Promise<void>;
}
