// RFC 4733 telephone-events: the payload codec, the packets that send one digit, and the detector.
//
// Detector rule (measured against SIPp's packaged pcaps, see notes/dependencies.md §2): a new event
// begins on the marker bit or on a new (SSRC, timestamp); the digit is emitted once, on the first
// end packet. Replaying the same pcap twice repeats identical seq, timestamp and SSRC, so an event
// that already ended is restarted by a marker packet even with the same timestamp — de-duplicating by
// timestamp alone would drop the second press.

import { FRAME_SAMPLES } from '../audio-frame.ts';
import { tsDelta } from '../rtp/seq.ts';
import { eventCodeOf, keyOfEventCode, normalizeDigit } from './keypad.ts';

export interface TelephoneEvent {
  /** 0–255; 0–15 are the DTMF keys. */
  event: number;
  end: boolean;
  /** Power level as −dBm0, 0–63. */
  volume: number;
  /** In timestamp units (8 kHz samples) since the event began. */
  duration: number;
}

export function encodeTelephoneEvent(e: TelephoneEvent): Uint8Array {
  return new Uint8Array([e.event & 0xff, (e.end ? 0x80 : 0) | (e.volume & 0x3f), (e.duration >> 8) & 0xff, e.duration & 0xff]);
}

/** null when the payload is too short to be an event. */
export function decodeTelephoneEvent(payload: Uint8Array): TelephoneEvent | null {
  if (payload.length < 4) return null;
  return { event: payload[0]!, end: (payload[1]! & 0x80) !== 0, volume: payload[1]! & 0x3f, duration: (payload[2]! << 8) | payload[3]! };
}

export interface PlannedEventPacket {
  payload: Uint8Array;
  marker: boolean;
}

/** Sent end packets: RFC 4733 §2.5.1.4 retransmits the final packet, three times in all. */
const END_REPEATS = 3;
/** −10 dBm0, what most phones send. */
const DEFAULT_VOLUME = 10;

/**
 * The packets for one key press, one per 20 ms frame, all to carry the same RTP timestamp (the
 * event's start): a growing duration, the marker on the first, then the end packet three times.
 */
export function planDigitPackets(digit: string, durationMs = 100, volume = DEFAULT_VOLUME): PlannedEventPacket[] {
  const key = normalizeDigit(digit);
  if (key === null) throw new RangeError(`not a DTMF key: ${JSON.stringify(digit)}`);
  const event = eventCodeOf(key);
  const frames = Math.max(1, Math.round(durationMs / 20));
  const packets: PlannedEventPacket[] = [];
  for (let k = 1; k < frames; k++) {
    packets.push({ payload: encodeTelephoneEvent({ event, end: false, volume, duration: k * FRAME_SAMPLES }), marker: k === 1 });
  }
  const end = encodeTelephoneEvent({ event, end: true, volume, duration: frames * FRAME_SAMPLES });
  for (let i = 0; i < END_REPEATS; i++) packets.push({ payload: end, marker: packets.length === 0 });
  return packets;
}

export interface TelephoneEventPacket {
  ssrc: number;
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
  payload: Uint8Array;
}

interface CurrentEvent {
  ssrc: number;
  timestamp: number;
  code: number;
  ended: boolean;
  emitted: boolean;
  /** Distinct sequence numbers seen: a lone packet (a network duplicate) is not a press. */
  seqs: Set<number>;
  lastAt: number;
}

export interface Rfc4733DetectorOptions {
  /** An event whose end packets were all lost is emitted after this much silence (default 250 ms). */
  endTimeoutMs?: number;
}

export class Rfc4733Detector {
  readonly #endTimeoutMs: number;
  #current: CurrentEvent | null = null;

  constructor(options: Rfc4733DetectorOptions = {}) {
    this.#endTimeoutMs = options.endTimeoutMs ?? 250;
  }

  /** Feeds one telephone-event packet received at `now`; returns the keys pressed (0 or more). */
  push(packet: TelephoneEventPacket, now: number): string[] {
    const e = decodeTelephoneEvent(packet.payload);
    if (!e) return [];
    const out: string[] = [];
    const cur = this.#current;
    if (cur && cur.ssrc === packet.ssrc && !packet.marker && tsDelta(cur.timestamp, packet.timestamp) < 0) {
      return out; // a late packet of an earlier event
    }
    const isNew =
      !cur ||
      cur.ssrc !== packet.ssrc ||
      cur.timestamp !== packet.timestamp ||
      cur.code !== e.event ||
      (packet.marker && cur.ended); // the replay pitfall: same seq/ts/SSRC, pressed again
    if (isNew) {
      this.#finishUnended(out);
      this.#current = {
        ssrc: packet.ssrc,
        timestamp: packet.timestamp,
        code: e.event,
        ended: false,
        emitted: false,
        seqs: new Set(),
        lastAt: now,
      };
    }
    const event = this.#current!;
    event.seqs.add(packet.sequenceNumber);
    event.lastAt = now;
    if (e.end && !event.ended) {
      event.ended = true;
      this.#emit(event, out);
    }
    return out;
  }

  /** Call now and then (each 20 ms tick): emits an event that stopped without any end packet. */
  poll(now: number): string[] {
    const out: string[] = [];
    const cur = this.#current;
    if (cur && !cur.ended && now - cur.lastAt >= this.#endTimeoutMs) this.#finishUnended(out);
    return out;
  }

  #finishUnended(out: string[]): void {
    const cur = this.#current;
    if (cur && !cur.ended && cur.seqs.size >= 2) {
      cur.ended = true;
      this.#emit(cur, out);
    }
  }

  #emit(event: CurrentEvent, out: string[]): void {
    if (event.emitted) return;
    event.emitted = true;
    const key = keyOfEventCode(event.code);
    if (key !== null) out.push(key);
  }
}
