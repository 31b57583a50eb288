// Bridging two call legs by relaying RTP (no mixing, no decoding when both legs use the same law):
// what one leg receives is re-sent on the other with that leg's SSRC, sequence and timestamps,
// transcoded PCMU↔PCMA only when the codecs differ, telephone-events re-labelled with the other leg's
// payload type. While bridged, each leg's own source is paused; stop() gives it back.
// A bridge is two halves, one per leg: each takes what its leg receives to the other half, and
// sends what the other half hands it. The halves meet by a function call in one thread, or through
// a MessagePort when the legs live in two media workers.

import { codecOfStaticPayloadType, transcodeG711, type G711Codec } from './rtp/g711.ts';
import type { RtpPacket } from './rtp/packet.ts';
import type { RelayedPacket, RtpSession } from './rtp/rtp-session.ts';

export interface MediaBridge {
  stop(): void;
}

/** The format of a leg's packets, which is all the other half needs to know of it. */
export interface RelayFormat {
  readonly codec: G711Codec;
  readonly payloadType: number;
  readonly telephoneEventPayloadType: number | null;
}

export interface HalfBridge {
  /** A packet from the other leg, already in this leg's format: sent on this leg. */
  receive(packet: RelayedPacket): void;
  stop(): void;
}

/**
 * One leg's half: its received packets go to `toPeer` in the peer's format; `receive` sends the
 * peer's. `onRelayed` sees each packet this leg sends for the peer (a whole-call recording's played side).
 */
export function halfBridge(session: RtpSession, peer: RelayFormat, toPeer: (packet: RelayedPacket) => void, onRelayed?: (packet: RelayedPacket) => void): HalfBridge {
  const relay = session.beginRelay();
  const fromLeg = (packet: RtpPacket): void => {
    const out = relayedPacket(packet, session, peer);
    if (out) toPeer(out);
  };
  session.on('packet', fromLeg);
  let stopped = false;
  return {
    receive(packet) {
      if (stopped) return;
      relay.send(packet);
      onRelayed?.(packet);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      session.off('packet', fromLeg);
      relay.end();
    },
  };
}

/**
 * Two halves in this thread, each handing the other what its leg receives. `openA` and `openB`
 * each open one leg's half, given where that half's packets go.
 */
export function joinHalves(openA: (toB: (packet: RelayedPacket) => void) => HalfBridge, openB: (toA: (packet: RelayedPacket) => void) => HalfBridge): MediaBridge {
  let a: HalfBridge | undefined;
  const b = openB((p) => a?.receive(p));
  try {
    a = openA((p) => b.receive(p));
  } catch (err) {
    b.stop();
    throw err;
  }
  const halfA = a;
  return {
    stop() {
      halfA.stop();
      b.stop();
    },
  };
}

/** Two RTP sessions of this thread bridged. */
export function bridgeSessions(a: RtpSession, b: RtpSession): MediaBridge {
  if (a === b) throw new Error('cannot bridge an RTP session to itself');
  return joinHalves((toB) => halfBridge(a, b, toB), (toA) => halfBridge(b, a, toA));
}

/** `packet`, received on a leg of format `from`, as the leg of format `to` sends it; null when it cannot. */
export function relayedPacket(packet: RtpPacket, from: RelayFormat, to: RelayFormat): RelayedPacket | null {
  let payloadType: number;
  let payload = packet.payload;
  if (packet.payloadType === from.telephoneEventPayloadType) {
    // A leg without telephone-event cannot take the key; its peer would hear nothing either way.
    if (to.telephoneEventPayloadType === null) return null;
    payloadType = to.telephoneEventPayloadType;
  } else {
    const codec = packet.payloadType === from.payloadType ? from.codec : codecOfStaticPayloadType(packet.payloadType);
    if (!codec) return null; // comfort noise, video, a codec we never offered
    payloadType = to.payloadType;
    payload = transcodeG711(codec, to.codec, payload);
  }
  return {
    ssrc: packet.ssrc,
    sequenceNumber: packet.sequenceNumber,
    timestamp: packet.timestamp,
    marker: packet.marker,
    payloadType,
    payload,
  };
}
