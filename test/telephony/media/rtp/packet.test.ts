import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRtp, RTP_HEADER_BYTES, serializeRtp, writeRtpHeader, type RtpPacket } from '../../../../src/telephony/media/rtp/packet.ts';

const base: RtpPacket = {
  marker: false,
  payloadType: 0,
  sequenceNumber: 65535,
  timestamp: 0xfffffff0,
  ssrc: 0xdeadbeef,
  csrcs: [],
  extension: null,
  payload: new Uint8Array(160).fill(0xff),
  padding: 0,
};

test('a plain packet round-trips, 12-byte header', () => {
  const bytes = serializeRtp(base);
  assert.equal(bytes.length, 172);
  assert.equal(bytes[0], 0x80);
  assert.deepEqual(parseRtp(bytes), { ok: true, packet: base });
});

test('marker, CSRCs, header extension and padding round-trip', () => {
  const packet: RtpPacket = {
    ...base,
    marker: true,
    payloadType: 101,
    csrcs: [1, 0xffffffff],
    extension: { profile: 0xbede, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) },
    payload: new Uint8Array([1, 0x8a, 0x03, 0x20]),
    padding: 4,
  };
  const bytes = serializeRtp(packet);
  assert.equal(bytes.length, 12 + 8 + 4 + 8 + 4 + 4);
  assert.equal(bytes[0], 0x80 | 0x20 | 0x10 | 2);
  assert.equal(bytes[1], 0x80 | 101);
  assert.equal(bytes.at(-1), 4);
  assert.deepEqual(parseRtp(bytes), { ok: true, packet });
});

test('a packet inside a larger buffer (a Node Buffer slice) parses', () => {
  const inner = serializeRtp({ ...base, sequenceNumber: 7 });
  const outer = Buffer.alloc(inner.length + 10);
  outer.set(inner, 5);
  const result = parseRtp(outer.subarray(5, 5 + inner.length));
  assert.ok(result.ok);
  assert.equal(result.packet.sequenceNumber, 7);
  assert.equal(result.packet.payload.length, 160);
});

test('garbage is a result, never an exception', () => {
  const good = serializeRtp({ ...base, csrcs: [1], extension: { profile: 1, data: new Uint8Array(4) } });
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['too short', good.subarray(0, 11)],
    ['version 1', Uint8Array.from(good, (b, i) => (i === 0 ? (b & 0x3f) | 0x40 : b))],
    ['truncated CSRC', serializeRtp({ ...base, csrcs: [1, 2, 3], payload: new Uint8Array(0) }).subarray(0, 16)],
    ['truncated extension', good.subarray(0, 18)],
    ['padding count 0', Uint8Array.from([...serializeRtp({ ...base, payload: new Uint8Array([1, 2]) }), 0].map((b, i) => (i === 0 ? b | 0x20 : b)))],
    ['padding longer than the packet', Uint8Array.from([...serializeRtp({ ...base, payload: new Uint8Array([1, 2]) }), 200].map((b, i) => (i === 0 ? b | 0x20 : b)))],
    ['RTCP sender report', Uint8Array.from([0x80, 200, 0, 6, ...new Uint8Array(24)])],
  ];
  for (const [name, bytes] of cases) {
    const result = parseRtp(bytes);
    assert.equal(result.ok, false, name);
    assert.ok(!result.ok && result.reason.length > 0, name);
  }
  for (let i = 0; i < 2000; i++) {
    const random = Uint8Array.from({ length: Math.floor(Math.random() * 64) }, () => Math.floor(Math.random() * 256));
    const result = parseRtp(random); // must not throw
    if (result.ok) assert.ok(result.packet.payload.length <= random.length);
  }
});

test('writeRtpHeader writes the same 12 bytes as serializeRtp', () => {
  for (const [payloadType, sequenceNumber, timestamp, ssrc, marker] of [
    [0, 65535, 0xfffffff0, 0xdeadbeef, false],
    [101, 0, 0, 0, true],
    [8, 0x1234, 0x80000001, 0xffffffff, true],
  ] as const) {
    const out = new Uint8Array(RTP_HEADER_BYTES + 2).fill(0x42);
    writeRtpHeader(out, payloadType, sequenceNumber, timestamp, ssrc, marker);
    const want = serializeRtp({ payloadType, sequenceNumber, timestamp, ssrc, marker, payload: new Uint8Array([0x42, 0x42]) });
    assert.deepEqual(out, want);
  }
});
