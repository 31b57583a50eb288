// SDP for G.711 audio calls (RFC 4566, offer/answer RFC 3264, telephone-event RFC 4733): the one
// place that turns an SDP body into "send RTP there, with this codec" and back. Parsing and writing
// the syntax is sdp-transform's job; the decisions are ours.

import { isIP } from 'node:net';
import { parse, write, type MediaDescription, type SessionDescription } from 'sdp-transform';

export type G711 = 'PCMU' | 'PCMA';
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export type SdpErrorCode = 'SDP_SYNTAX' | 'SDP_NO_AUDIO' | 'SDP_NO_CONNECTION';

export class SdpError extends Error {
  override name = 'SdpError';
  readonly code: SdpErrorCode;
  constructor(code: SdpErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Static payload types (RFC 3551 §6) a peer may list without an rtpmap line. */
const STATIC: Readonly<Record<number, { name: string; rate: number }>> = {
  0: { name: 'PCMU', rate: 8000 },
  3: { name: 'GSM', rate: 8000 },
  4: { name: 'G723', rate: 8000 },
  8: { name: 'PCMA', rate: 8000 },
  9: { name: 'G722', rate: 8000 },
  13: { name: 'CN', rate: 8000 },
  18: { name: 'G729', rate: 8000 },
};

const G711_PT: Readonly<Record<G711, number>> = { PCMU: 0, PCMA: 8 };

export interface SdpFormat {
  pt: number;
  /** Encoding name as the peer wrote it (`PCMU`, `opus`, `telephone-event`); '' when unknown. */
  name: string;
  rate: number;
}

/** Another m= line of an offer, to be declined with port 0 in the answer (RFC 3264 §6). */
export interface SdpMediaLine {
  type: string;
  protocol: string;
  payloads: string;
}

export interface ParsedSdp {
  /** Where to send RTP: the audio stream's connection address (media level, else session level). */
  address: string;
  /** RTP port of the audio stream; 0 when the offerer disabled it. */
  port: number;
  direction: MediaDirection;
  /** The peer puts us on hold: a=sendonly, a=inactive, or the RFC 2543 c=0.0.0.0. */
  hold: boolean;
  /** The audio formats in the peer's order of preference. */
  formats: SdpFormat[];
  telephoneEventPt: number | null;
  ptime: number | null;
  /** Every m= line, in order, and which one is the audio stream we use. */
  media: SdpMediaLine[];
  audioIndex: number;
}

export interface SdpCodec {
  name: G711;
  /** Payload type number; G.711 is 0 (PCMU) or 8 (PCMA) unless the offerer mapped it elsewhere. */
  pt: number;
}

export interface BuildSdpOptions {
  address: string;
  port: number;
  /** In order of preference. A name uses the static payload type. */
  codecs: (G711 | SdpCodec)[];
  /** Payload type for telephone-event/8000 (101 by custom), or null for none. */
  telephoneEvent: number | null;
  sessionId: string | number;
  /** o= version: increment it for each new offer or answer in the session (RFC 3264 §8). */
  version: number;
  direction?: MediaDirection;
  /** When answering an offer with other m= lines: they are repeated with port 0 around our audio. */
  offerMedia?: { media: SdpMediaLine[]; audioIndex: number };
}

export function buildSdp(o: BuildSdpOptions): string {
  const ipVer = isIP(o.address) === 6 ? 6 : 4;
  const codecs = o.codecs.map((c) => (typeof c === 'string' ? { name: c, pt: G711_PT[c] } : c));
  const rtp: MediaDescription['rtp'] = codecs.map((c) => ({ payload: c.pt, codec: c.name, rate: 8000 }));
  const fmtp: MediaDescription['fmtp'] = [];
  if (o.telephoneEvent !== null) {
    rtp.push({ payload: o.telephoneEvent, codec: 'telephone-event', rate: 8000 });
    fmtp.push({ payload: o.telephoneEvent, config: '0-16' });
  }
  const audio: MediaDescription = {
    type: 'audio',
    port: o.port,
    protocol: 'RTP/AVP',
    payloads: rtp.map((r) => r.payload).join(' '),
    rtp,
    fmtp,
    ptime: 20,
    direction: o.direction ?? 'sendrecv',
  };
  const declined = (m: SdpMediaLine): MediaDescription => ({ type: m.type, port: 0, protocol: m.protocol, payloads: m.payloads, rtp: [], fmtp: [] });
  const media = o.offerMedia === undefined ? [audio] : o.offerMedia.media.map((m, i) => (i === o.offerMedia?.audioIndex ? audio : declined(m)));
  const session: SessionDescription = {
    version: 0,
    origin: { username: 'ringflow', sessionId: o.sessionId, sessionVersion: o.version, netType: 'IN', ipVer, address: o.address },
    name: 'ringflow',
    connection: { version: ipVer, ip: o.address },
    timing: { start: 0, stop: 0 },
    media,
  };
  return write(session);
}

export function parseSdp(text: string): ParsedSdp {
  if (!/^v=0\r?\n/.test(text)) throw new SdpError('SDP_SYNTAX', 'an SDP body starts with "v=0"');
  let session: SessionDescription;
  try {
    session = parse(text);
  } catch (e) {
    throw new SdpError('SDP_SYNTAX', `unreadable SDP: ${e instanceof Error ? e.message : String(e)}`);
  }
  const all = Array.isArray(session.media) ? session.media : [];
  const media = all.map((m) => ({ type: String(m.type ?? ''), protocol: String(m.protocol ?? ''), payloads: String(m.payloads ?? '') }));
  const audioIndex = all.findIndex((m) => m.type === 'audio' && /^RTP\/S?AVPF?$/i.test(String(m.protocol ?? '')));
  if (audioIndex === -1) throw new SdpError('SDP_NO_AUDIO', 'the SDP has no RTP audio stream (m=audio … RTP/AVP …)');
  const m = all[audioIndex];
  if (!Number.isInteger(m.port) || m.port < 0 || m.port > 65535) throw new SdpError('SDP_SYNTAX', `audio port "${String(m.port)}" is not 0-65535`);

  // String(): sdp-transform turns a numeric-looking field into a number.
  const address = String(m.connection?.ip ?? session.connection?.ip ?? '');
  if (address === '') throw new SdpError('SDP_NO_CONNECTION', 'the SDP has no c= line for its audio stream');
  const bare = address.split('/')[0]; // multicast TTL suffix
  if (isIP(bare) === 0 && !/^[A-Za-z0-9.-]+$/.test(bare)) throw new SdpError('SDP_SYNTAX', `connection address "${address}" is not an address`);

  const pts = String(m.payloads ?? '')
    .trim()
    .split(/\s+/)
    .filter((p) => p !== '');
  if (pts.length === 0 || pts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 127)) {
    throw new SdpError('SDP_SYNTAX', `audio formats "${String(m.payloads ?? '')}" are not payload types 0-127`);
  }
  const rtpmap = new Map((m.rtp ?? []).map((r) => [r.payload, r]));
  const formats = pts.map((p): SdpFormat => {
    const pt = Number(p);
    const mapped = rtpmap.get(pt);
    // sdp-transform leaves fields out of lines it half understands: never trust them to be there.
    if (mapped !== undefined) return { pt, name: String(mapped.codec ?? ''), rate: Number(mapped.rate ?? 0) };
    return { pt, ...(STATIC[pt] ?? { name: '', rate: 0 }) };
  });
  const telephoneEventPt = formats.find((f) => f.name.toLowerCase() === 'telephone-event' && f.rate === 8000)?.pt ?? null;
  const direction = directionOf(m.direction) ?? directionOf(session.direction) ?? 'sendrecv';
  const hold = direction === 'sendonly' || direction === 'inactive' || bare === '0.0.0.0';
  const ptime = typeof m.ptime === 'number' && m.ptime > 0 ? m.ptime : null;
  return { address: bare, port: m.port, direction, hold, formats, telephoneEventPt, ptime, media, audioIndex };
}

function directionOf(value: unknown): MediaDirection | null {
  return value === 'sendrecv' || value === 'sendonly' || value === 'recvonly' || value === 'inactive' ? value : null;
}

export interface SdpAnswerChoice {
  codec: G711;
  /** The offerer's payload type for the codec: the answer must use the same number (RFC 3264 §6.1). */
  pt: number;
  /** The offerer's telephone-event payload type (SIPp uses 101), or null when it offered none. */
  telephoneEventPt: number | null;
  /** Our direction in the answer: the mirror of the offer's (sendonly → recvonly…). */
  direction: MediaDirection;
}

/**
 * What to answer: the first format in the offer's order that we support. Null when nothing fits or
 * the audio stream is disabled (port 0): answer 488 Not Acceptable Here.
 */
export function answerOffer(offer: ParsedSdp, supported: readonly G711[]): SdpAnswerChoice | null {
  if (offer.port === 0) return null;
  for (const f of offer.formats) {
    const name = f.name.toUpperCase();
    const codec = supported.find((s) => s === name);
    if (codec !== undefined && f.rate === 8000) {
      return { codec, pt: f.pt, telephoneEventPt: offer.telephoneEventPt, direction: answerDirection(offer.direction) };
    }
  }
  return null;
}

export function answerDirection(offered: MediaDirection): MediaDirection {
  if (offered === 'sendonly') return 'recvonly';
  if (offered === 'recvonly') return 'sendonly';
  return offered;
}
