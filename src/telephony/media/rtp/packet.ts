// RTP fixed header, CSRC list, header extension and padding (RFC 3550 §5.1, §5.3.1).
// Parsing returns a result: a datagram from the network is untrusted and must never throw out of a
// socket handler.

export interface RtpHeaderExtension {
  /** The 16-bit "defined by profile" field. */
  profile: number;
  /** Extension body; its length is a multiple of 4 bytes. */
  data: Uint8Array;
}

export interface RtpPacket {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrcs: number[];
  extension: RtpHeaderExtension | null;
  payload: Uint8Array;
  /** Padding bytes after the payload (0 = P bit clear); the last one holds the count. */
  padding: number;
}

export type RtpParseResult = { ok: true; packet: RtpPacket } | { ok: false; reason: string };

const FIXED_HEADER = 12;

export function parseRtp(data: Uint8Array): RtpParseResult {
  if (data.length < FIXED_HEADER) return { ok: false, reason: `too short (${data.length} bytes)` };
  const b0 = data[0]!;
  const b1 = data[1]!;
  if (b0 >> 6 !== 2) return { ok: false, reason: `version ${b0 >> 6}, not 2` };
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const csrcCount = b0 & 0x0f;
  let offset = FIXED_HEADER + 4 * csrcCount;
  if (data.length < offset) return { ok: false, reason: 'truncated CSRC list' };
  const csrcs: number[] = [];
  for (let i = 0; i < csrcCount; i++) csrcs.push(view.getUint32(FIXED_HEADER + 4 * i));
  let extension: RtpHeaderExtension | null = null;
  if (b0 & 0x10) {
    if (data.length < offset + 4) return { ok: false, reason: 'truncated header extension' };
    const profile = view.getUint16(offset);
    const length = 4 * view.getUint16(offset + 2);
    offset += 4;
    if (data.length < offset + length) return { ok: false, reason: 'truncated header extension' };
    extension = { profile, data: data.slice(offset, offset + length) };
    offset += length;
  }
  let end = data.length;
  let padding = 0;
  if (b0 & 0x20) {
    padding = data[data.length - 1]!;
    if (padding === 0 || end - padding < offset) return { ok: false, reason: `bad padding count ${padding}` };
    end -= padding;
  }
  // Marker + payload type share byte 1; PT 72–76 would be RTCP SR/RR/SDES/BYE/APP on a muxed port.
  const payloadType = b1 & 0x7f;
  if (payloadType >= 72 && payloadType <= 76) return { ok: false, reason: `payload type ${payloadType} is RTCP` };
  return {
    ok: true,
    packet: {
      marker: (b1 & 0x80) !== 0,
      payloadType,
      sequenceNumber: view.getUint16(2),
      timestamp: view.getUint32(4),
      ssrc: view.getUint32(8),
      csrcs,
      extension,
      payload: data.slice(offset, end),
      padding,
    },
  };
}

/** What a sender fills in; the optional parts default to none. */
export type RtpPacketInit = Pick<RtpPacket, 'payloadType' | 'sequenceNumber' | 'timestamp' | 'ssrc' | 'payload'> &
  Partial<Pick<RtpPacket, 'marker' | 'csrcs' | 'extension' | 'padding'>>;

/** Size of the fixed header `writeRtpHeader` writes (no CSRC, no extension). */
export const RTP_HEADER_BYTES = FIXED_HEADER;

/**
 * Writes a fixed header (version 2, no padding, extension or CSRC) into the first 12 bytes of
 * `out`, for a sender that writes the payload after it itself: one buffer per packet, no copies.
 */
export function writeRtpHeader(out: Uint8Array, payloadType: number, sequenceNumber: number, timestamp: number, ssrc: number, marker: boolean): void {
  out[0] = 0x80;
  out[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  out[2] = (sequenceNumber >>> 8) & 0xff;
  out[3] = sequenceNumber & 0xff;
  out[4] = timestamp >>> 24;
  out[5] = (timestamp >>> 16) & 0xff;
  out[6] = (timestamp >>> 8) & 0xff;
  out[7] = timestamp & 0xff;
  out[8] = ssrc >>> 24;
  out[9] = (ssrc >>> 16) & 0xff;
  out[10] = (ssrc >>> 8) & 0xff;
  out[11] = ssrc & 0xff;
}

export function serializeRtp(packet: RtpPacketInit): Uint8Array {
  const csrcs = packet.csrcs ?? [];
  const extension = packet.extension ?? null;
  const padding = packet.padding ?? 0;
  if (csrcs.length > 15) throw new RangeError('at most 15 CSRCs');
  if (padding < 0 || padding > 255) throw new RangeError('padding is 0–255 bytes');
  if (extension && extension.data.length % 4 !== 0) throw new RangeError('extension length must be a multiple of 4');
  const extLength = extension ? 4 + extension.data.length : 0;
  const headerLength = FIXED_HEADER + 4 * csrcs.length + extLength;
  const out = new Uint8Array(headerLength + packet.payload.length + padding);
  const view = new DataView(out.buffer);
  out[0] = 0x80 | (padding ? 0x20 : 0) | (extension ? 0x10 : 0) | csrcs.length;
  out[1] = (packet.marker ? 0x80 : 0) | (packet.payloadType & 0x7f);
  view.setUint16(2, packet.sequenceNumber & 0xffff);
  view.setUint32(4, packet.timestamp >>> 0);
  view.setUint32(8, packet.ssrc >>> 0);
  csrcs.forEach((csrc, i) => view.setUint32(FIXED_HEADER + 4 * i, csrc >>> 0));
  let offset = FIXED_HEADER + 4 * csrcs.length;
  if (extension) {
    view.setUint16(offset, extension.profile);
    view.setUint16(offset + 2, extension.data.length / 4);
    out.set(extension.data, offset + 4);
    offset += extLength;
  }
  out.set(packet.payload, offset);
  if (padding) out[out.length - 1] = padding;
  return out;
}
