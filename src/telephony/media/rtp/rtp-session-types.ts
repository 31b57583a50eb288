// The shapes an RtpSession is configured with and reports: options, events, statistics, relay.

import type { Clock } from '../../../time/clock.ts';
import type { FrameTicker } from './frame-ticker.ts';
import type { G711Codec } from './g711.ts';
import type { RtpPacket } from './packet.ts';
import type { PortAllocator } from './port-allocator.ts';

/** Where a session gets its port: the engine's allocator, or (in a media worker) the one port the main thread chose. */
export type RtpPorts = Pick<PortAllocator, 'acquire' | 'release'>;

export interface RtpEndpoint {
  address: string;
  port: number;
}

export interface RtpSessionOptions {
  /** Address to bind ('127.0.0.1', '0.0.0.0', '::'…). */
  localAddress: string;
  ports: RtpPorts;
  clock: Clock;
  /**
   * The engine's shared 20 ms timer (one `new FrameTicker(clock)` for all sessions, on the same
   * clock): one clock timer for every session's sends instead of one each. Without it the session
   * arms its own timers.
   */
  ticker?: FrameTicker;
  codec: G711Codec;
  /** Payload type of the codec (default its static one: 0 for PCMU, 8 for PCMA). */
  payloadType?: number;
  /** Negotiated telephone-event payload type, or null when the peer takes none (keys go in-band). */
  telephoneEventPayloadType: number | null;
  remote?: RtpEndpoint | null;
  /** No RTP received for this long emits `timeout` (0 = never, the default). */
  rtpTimeoutMs?: number;
  /** Latch onto the source of the first packet (NAT traversal) and send there. */
  symmetric?: boolean;
  /** Listen for in-band tones (default: only when no telephone-event was negotiated). */
  inbandDtmf?: boolean;
  /** Reorder buffer depth in packets (default 4). */
  reorderDepth?: number;
  /** Told of exceptions thrown by a source, a sink or a listener; they never escape a socket handler. */
  onError?: (err: unknown) => void;
}

export interface DtmfEvent {
  digit: string;
  via: 'rfc4733' | 'inband';
}

export interface RtpSessionEvents {
  dtmf: [event: DtmfEvent];
  /** No RTP for `rtpTimeoutMs`; emitted once, again only after packets came back and stopped again. */
  timeout: [];
  /** Every packet accepted from the remote, before buffering (the bridge's relay hook). */
  packet: [packet: RtpPacket];
}

export interface RtpSessionStats {
  sent: number;
  received: number;
  lost: number;
  late: number;
  duplicates: number;
  /** Packets from another address than the remote (or latched) one, dropped. */
  foreignSource: number;
  /** Datagrams that are not RTP. */
  invalid: number;
  /** Packets of a payload type that is neither the codec nor telephone-event. */
  unknownPayloadType: number;
  /** Exceptions reported to `onError`. */
  errors: number;
  /** |send interval − 20 ms| in ms over the session. */
  jitter: { p50: number; p99: number; max: number; count: number };
  /** Frames skipped because the process stalled. */
  skippedFrames: number;
}

/** What a bridge hands over to re-send: another leg's packet, payload already in this leg's format. */
export interface RelayedPacket {
  ssrc: number;
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
  payloadType: number;
  payload: Uint8Array;
}

export interface Relay {
  send(packet: RelayedPacket): void;
  end(): void;
}
