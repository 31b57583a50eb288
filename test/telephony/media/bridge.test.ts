import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bridgeSessions } from '../../../src/telephony/media/bridge.ts';
import type { RtpPacket } from '../../../src/telephony/media/rtp/packet.ts';
import type { RtpSessionOptions } from '../../../src/telephony/media/rtp/rtp-session.ts';
import { SystemClock } from '../../../src/time/clock.ts';
import { BufferSource, CollectingSink, collectDigits, openPair, sine, until } from './rtp/session-fixture.ts';

/** X ↔ A and B ↔ Y: two call legs, A and B being Ringflow's ends. */
async function twoLegs(left: Partial<RtpSessionOptions>, right: Partial<RtpSessionOptions>) {
  const [x, a] = await openPair(left, left);
  const [b, y] = await openPair(right, right);
  return { x, a, b, y };
}

function record(session: { on(e: 'packet', l: (p: RtpPacket) => void): unknown }): RtpPacket[] {
  const packets: RtpPacket[] = [];
  session.on('packet', (p) => packets.push(p));
  return packets;
}

/** Sequence numbers +1 each, timestamps never going back, one SSRC. */
function assertContinuous(packets: RtpPacket[], ssrc: number): void {
  for (let i = 1; i < packets.length; i++) {
    const [p, q] = [packets[i - 1]!, packets[i]!];
    assert.equal(q.ssrc, ssrc);
    assert.equal((q.sequenceNumber - p.sequenceNumber) & 0xffff, 1, `seq ${p.sequenceNumber} → ${q.sequenceNumber} at ${i}`);
    assert.ok(((q.timestamp - p.timestamp) | 0) >= 0, `timestamp ${p.timestamp} → ${q.timestamp} at ${i}`);
  }
}

test('bridge X↔A / B↔Y: audio both ways, B’s SSRC and a continuous stream on Y, PCMU↔PCMA transcoding, a digit from X at Y', async () => {
  const { x, a, b, y } = await twoLegs({ codec: 'PCMU', telephoneEventPayloadType: 101 }, { codec: 'PCMA', telephoneEventPayloadType: 96 });
  const atY = record(y);
  const atX = record(x);
  const ySink = new CollectingSink();
  const xSink = new CollectingSink();
  y.setSink(ySink);
  x.setSink(xSink);
  const yDigits = collectDigits(y);
  // B plays its own prompt first: the bridge must take over its stream without a break.
  let ownFrames = 0;
  b.setSource({ read: () => (ownFrames++, sine(300, 3000, 160)) });
  a.setSource({ read: () => sine(350, 3000, 160) });
  await until(() => atY.length >= 5 && atX.length >= 5);

  const bridge = bridgeSessions(a, b);
  const pulledBefore = ownFrames;
  x.setSource(new BufferSource(sine(1000, 12000, 8000)));
  y.setSource(new BufferSource(sine(2000, 12000, 8000)));
  await until(() => ySink.frames.some((f) => f.some((v) => Math.abs(v) > 11000)), 3000, 'X heard at Y');
  await until(() => xSink.frames.some((f) => f.some((v) => Math.abs(v) > 11000)), 3000, 'Y heard at X');
  await x.sendDigit('5');
  await until(() => yDigits.length === 1, 2000, 'the digit at Y');
  assert.deepEqual(yDigits, [{ digit: '5', via: 'rfc4733' }]);
  assert.ok(ownFrames <= pulledBefore + 1, 'B’s own source is paused while bridged');

  // Y hears B’s stream only: B’s SSRC, PCMA (transcoded from X’s PCMU), events with PT 96.
  assertContinuous(atY, b.ssrc);
  assert.ok(atY.every((p) => p.payloadType === 8 || p.payloadType === 96));
  assert.ok(atY.some((p) => p.payloadType === 96));
  assertContinuous(atX, a.ssrc);
  assert.ok(atX.every((p) => p.payloadType === 0));
  // the loud 1 kHz tone came through the transcoding intact (peak within G.711 error)
  const peak = Math.max(...ySink.frames.flatMap((f) => [...f].map(Math.abs)));
  assert.ok(peak > 11000 && peak < 13000, `peak ${peak}`);

  bridge.stop();
  const afterStop = ownFrames;
  await new SystemClock().sleep(200);
  assert.ok(ownFrames > afterStop + 5, 'B plays its own source again');
  assertContinuous(atY, b.ssrc);
  const tail = atY.slice(-3);
  assert.ok(tail.every((p) => p.payloadType === 8));
});

test('bridge between two legs on the same codec relays the payload unchanged; a leg without telephone-event gets no event packets', async () => {
  const { x, a, b, y } = await twoLegs({ codec: 'PCMA', telephoneEventPayloadType: 101 }, { codec: 'PCMA', telephoneEventPayloadType: null });
  const atY = record(y);
  const fromX = record(a);
  const bridge = bridgeSessions(a, b);
  x.setSource(new BufferSource(sine(700, 9000, 4000)));
  await until(() => atY.some((p) => p.payload.some((v) => v !== 0xd5)) && fromX.length > 20);
  const sentPayloads = new Set(fromX.map((p) => Buffer.from(p.payload).toString('hex')));
  const loud = atY.filter((p) => p.payload.some((v) => v !== 0xd5));
  assert.ok(loud.every((p) => sentPayloads.has(Buffer.from(p.payload).toString('hex'))));
  await x.sendDigit('9');
  await new SystemClock().sleep(150);
  assert.ok(atY.every((p) => p.payloadType === 8));
  assert.throws(() => bridgeSessions(a, b), /already relays/);
  bridge.stop();
  void y;
});

test('a bridged leg whose peer falls silent keeps sending silence, still continuous', async () => {
  const { x, a, b, y } = await twoLegs({ codec: 'PCMU', telephoneEventPayloadType: 101 }, { codec: 'PCMU', telephoneEventPayloadType: 101 });
  const atY = record(y);
  const bridge = bridgeSessions(a, b);
  await until(() => atY.length >= 10);
  await x.close(); // X stops sending: A has nothing to relay
  const count = atY.length;
  await new SystemClock().sleep(400);
  assert.ok(atY.length >= count + 10, `${atY.length - count} packets in 400 ms`);
  assertContinuous(atY, b.ssrc);
  bridge.stop();
  void a;
});
