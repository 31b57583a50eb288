// Bridging two call legs by relaying RTP (no mixing, no decoding when both legs use the same law):
// what one leg receives is re-sent on the other with that leg's SSRC, sequence and timestamps,
// transcoded PCMU↔PCMA only when the codecs differ, telephone-events re-labelled with the other leg's
// payload type. While bridged, each leg's own source is paused; stop() gives it back.

import { codecOfStaticPayloadType, transcodeG711 } from './rtp/g711.ts';
import type { RtpPacket } from './rtp/packet.ts';
import type { Relay, RtpSession } from './rtp/rtp-session.ts';

export interface MediaBridge {
  stop(): void;
}

export function bridgeSessions(a: RtpSession, b: RtpSession): MediaBridge {
  if (a === b) throw new Error('cannot bridge an RTP session to itself');
  const toB = b.beginRelay();
  let toA: Relay;
  try {
    toA = a.beginRelay();
  } catch (err) {
    toB.end();
    throw err;
  }
  const fromA = (packet: RtpPacket) => forward(packet, a, b, toB);
  const fromB = (packet: RtpPacket) => forward(packet, b, a, toA);
  a.on('packet', fromA);
  b.on('packet', fromB);
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      a.off('packet', fromA);
      b.off('packet', fromB);
      toA.end();
      toB.end();
    },
  };
}

function forward(packet: RtpPacket, from: RtpSession, to: RtpSession, relay: Relay): void {
  let payloadType: number;
  let payload = packet.payload;
  if (packet.payloadType === from.telephoneEventPayloadType) {
    // A leg without telephone-event cannot take the key; its peer would hear nothing either way.
    if (to.telephoneEventPayloadType === null) return;
    payloadType = to.telephoneEventPayloadType;
  } else {
    const codec = packet.payloadType === from.payloadType ? from.codec : codecOfStaticPayloadType(packet.payloadType);
    if (!codec) return; // comfort noise, video, a codec we never offered
    payloadType = to.payloadType;
    payload = transcodeG711(codec, to.codec, payload);
  }
  relay.send({
    ssrc: packet.ssrc,
    sequenceNumber: packet.sequenceNumber,
    timestamp: packet.timestamp,
    marker: packet.marker,
    payloadType,
    payload,
  });
}
