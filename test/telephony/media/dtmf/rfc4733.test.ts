import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { decodeTelephoneEvent, encodeTelephoneEvent, planDigitPackets, Rfc4733Detector, type TelephoneEventPacket } from '../../../../src/telephony/media/dtmf/rfc4733.ts';
import { parseRtp } from '../../../../src/telephony/media/rtp/packet.ts';
import { collectDigits, openPair, until } from '../rtp/session-fixture.ts';

test('telephone-event payload round-trips', () => {
  const e = { event: 11, end: true, volume: 10, duration: 2240 };
  const bytes = encodeTelephoneEvent(e);
  assert.deepEqual([...bytes], [11, 0x8a, 0x08, 0xc0]);
  assert.deepEqual(decodeTelephoneEvent(bytes), e);
  assert.equal(decodeTelephoneEvent(new Uint8Array(3)), null);
});

test('a 100 ms press is 4 growing packets then the end packet three times, marker on the first', () => {
  const packets = planDigitPackets('#', 100).map((p) => ({ marker: p.marker, ...decodeTelephoneEvent(p.payload)! }));
  assert.deepEqual(packets.map((p) => [p.marker, p.end, p.duration]), [
    [true, false, 160], [false, false, 320], [false, false, 480], [false, false, 640],
    [false, true, 800], [false, true, 800], [false, true, 800],
  ]);
  assert.ok(packets.every((p) => p.event === 11 && p.volume === 10));
  assert.throws(() => planDigitPackets('x'), RangeError);
});

/** One press as SIPp's dtmf_2833_*.pcap holds it: 10 packets, M on the first, E on the last three. */
function press(event: number, seq: number, timestamp: number, ssrc = 0x1234): TelephoneEventPacket[] {
  return Array.from({ length: 10 }, (_, i) => ({
    ssrc,
    sequenceNumber: (seq + i) & 0xffff,
    timestamp,
    marker: i === 0,
    payload: encodeTelephoneEvent({ event, end: i >= 7, volume: 10, duration: Math.min(i + 1, 8) * 280 }),
  }));
}

function detect(detector: Rfc4733Detector, packets: TelephoneEventPacket[], at = 0): string[] {
  return packets.flatMap((p, i) => detector.push(p, at + 20 * i));
}

test('the pitfall: the same press replayed with identical seq, timestamp and SSRC counts twice', () => {
  const detector = new Rfc4733Detector();
  const one = press(1, 500, 80000);
  assert.deepEqual(detect(detector, one), ['1']);
  assert.deepEqual(detect(detector, one, 1000), ['1']);
  assert.deepEqual(detect(detector, press(1, 510, 82240), 2000), ['1']);
});

test('the digit is emitted once, on the first end packet; retransmissions and late packets are ignored', () => {
  const detector = new Rfc4733Detector();
  const packets = press(5, 65530, 0xfffff000); // sequence wraps inside the press
  const out = packets.map((p, i) => detector.push(p, i * 20));
  assert.deepEqual(out.map((d) => d.join('')), ['', '', '', '', '', '', '', '5', '', '']);
  assert.deepEqual(detector.push(packets[3]!, 300), []); // a late, reordered packet
  assert.deepEqual(detector.push({ ...packets[9]!, sequenceNumber: 99 }, 320), []);
});

test('a repeated key with a new timestamp is a new press even without the marker (marker packet lost)', () => {
  const detector = new Rfc4733Detector();
  assert.deepEqual(detect(detector, press(2, 1, 8000)), ['2']);
  assert.deepEqual(detect(detector, press(2, 11, 12000).slice(1), 500), ['2']);
});

test('when every end packet is lost, the press is emitted on the next event or after 250 ms', () => {
  const detector = new Rfc4733Detector();
  assert.deepEqual(detect(detector, press(3, 1, 8000).slice(0, 7)), []);
  assert.deepEqual(detect(detector, press(4, 11, 16000), 300), ['3', '4']);
  assert.deepEqual(detect(detector, press(6, 21, 24000).slice(0, 7), 1000), []);
  assert.deepEqual(detector.poll(1200), []);
  assert.deepEqual(detector.poll(1120 + 250), ['6']);
  assert.deepEqual(detector.poll(2000), []);
});

test('a lone duplicated marker packet after the end is not a second press', () => {
  const detector = new Rfc4733Detector();
  const packets = press(7, 1, 8000);
  assert.deepEqual(detect(detector, packets), ['7']);
  assert.deepEqual(detector.push(packets[0]!, 210), []);
  assert.deepEqual(detector.poll(1000), []);
});

const sippPcap = '/usr/share/sip-tester/dtmf_2833_1.pcap';

/** RTP packets of a pcap (libpcap format, Ethernet/IPv4/UDP). */
function pcapRtp(path: string): TelephoneEventPacket[] {
  const file = readFileSync(path);
  const out: TelephoneEventPacket[] = [];
  for (let offset = 24; offset + 16 <= file.length; ) {
    const length = file.readUInt32LE(offset + 8);
    const frame = file.subarray(offset + 16, offset + 16 + length);
    offset += 16 + length;
    const ihl = (frame[14]! & 0x0f) * 4;
    const parsed = parseRtp(frame.subarray(14 + ihl + 8));
    if (parsed.ok) out.push(parsed.packet);
  }
  return out;
}

test("SIPp's packaged dtmf_2833_1.pcap played twice gives two presses", { skip: !existsSync(sippPcap) && 'sip-tester not installed' }, () => {
  const packets = pcapRtp(sippPcap);
  assert.equal(packets.length, 10);
  assert.ok(packets.every((p) => p.timestamp === packets[0]!.timestamp && p.ssrc === packets[0]!.ssrc));
  const detector = new Rfc4733Detector();
  assert.deepEqual([...detect(detector, packets), ...detect(detector, packets, 1000)], ['1', '1']);
});

test('sendDigit on one session is detected on the other: 121# (a repeated digit included)', async () => {
  const [a, b] = await openPair({ telephoneEventPayloadType: 101 }, { telephoneEventPayloadType: 101 });
  const digits = collectDigits(b);
  const events: boolean[] = [];
  b.on('packet', (p) => {
    if (p.payloadType === 101) events.push(p.marker);
  });
  await Promise.all(['1', '2', '1', '#'].map((d) => a.sendDigit(d)));
  await until(() => digits.length === 4 && events.length === 4 * 7);
  assert.deepEqual(digits, ['1', '2', '1', '#'].map((digit) => ({ digit, via: 'rfc4733' })));
  assert.equal(events.length, 4 * 7);
  assert.equal(events.filter(Boolean).length, 4);
  await assert.rejects(a.sendDigit('E'), RangeError);
});
