import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { SystemClock } from '../../../../src/time/clock.ts';
import { VirtualClock } from '../../../../src/time/virtual-clock.ts';
import { FrameTicker } from '../../../../src/telephony/media/rtp/frame-ticker.ts';
import { encodeG711 } from '../../../../src/telephony/media/rtp/g711.ts';
import { parseRtp, serializeRtp, type RtpPacket } from '../../../../src/telephony/media/rtp/packet.ts';
import { BufferSource, CollectingSink, openPair, openSession, sine, until } from './session-fixture.ts';

/** 50 frames (1 s), each a 600 Hz sine whose level tells the frame apart. */
function numberedFrames(): Int16Array {
  const pcm = new Int16Array(50 * 160);
  for (let f = 0; f < 50; f++) pcm.set(sine(600, 1000 + 500 * f, 160), f * 160);
  return pcm;
}

async function rawSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

function rtp(seq: number, payload = encodeG711('PCMU', new Int16Array(160))): Uint8Array {
  return serializeRtp({ payloadType: 0, sequenceNumber: seq, timestamp: seq * 160, ssrc: 1234, payload });
}

test('two sessions: 1 s of audio arrives in order, close to what was sent, about 50 packets, steady pacing', async (t) => {
  const [a, b] = await openPair({ codec: 'PCMU' }, { codec: 'PCMU' });
  const sink = new CollectingSink();
  b.setSink(sink);
  const received: RtpPacket[] = [];
  b.on('packet', (p) => received.push(p));
  const sent = numberedFrames();
  const source = new BufferSource(sent);
  a.setSource(source);
  const clock = new SystemClock();
  const t0 = clock.now();
  await until(() => source.done, 3000, 'the source to be played');
  await clock.sleep(100);
  const elapsed = clock.now() - t0;
  // ~50 packets per second, silence before and after included
  const perSecond = (received.length * 1000) / (elapsed + 20);
  assert.ok(perSecond > 40 && perSecond < 60, `${perSecond} packets/s`);
  // in order: consecutive sequence numbers and timestamps 160 apart, one SSRC (A's)
  for (let i = 1; i < received.length; i++) {
    assert.equal((received[i]!.sequenceNumber - received[i - 1]!.sequenceNumber) & 0xffff, 1);
    assert.equal((received[i]!.timestamp - received[i - 1]!.timestamp) >>> 0, 160);
    assert.equal(received[i]!.ssrc, a.ssrc);
  }
  // the 50 frames come out in order, each within G.711 error of what went in
  const first = sink.frames.findIndex((f) => f.some((v) => v !== 0));
  assert.ok(first >= 0, 'audio reached the sink');
  for (let f = 0; f < 50; f++) {
    const frame = sink.frames[first + f]!;
    for (let i = 0; i < 160; i++) {
      const want = sent[f * 160 + i]!;
      assert.ok(Math.abs(frame[i]! - want) <= Math.abs(want) / 16 + 32, `frame ${f} sample ${i}: ${frame[i]} vs ${want}`);
    }
  }
  const stats = a.stats();
  t.diagnostic(`sender: ${stats.sent} packets, send-interval jitter p50 ${stats.jitter.p50} ms, p99 ${stats.jitter.p99} ms, max ${stats.jitter.max} ms`);
  assert.ok(stats.jitter.count >= 50);
  // How steady the pacing is depends on the machine's load: bench/rtp-load.ts measures it.
  assert.ok(Number.isFinite(stats.jitter.p99) && stats.jitter.p99 >= 0);
  assert.deepEqual({ lost: b.stats().lost, late: b.stats().late, foreign: b.stats().foreignSource, errors: b.stats().errors }, { lost: 0, late: 0, foreign: 0, errors: 0 });
});

test('without a source, silence keeps flowing; SSRC random per session, sequence starts random', async () => {
  const [a, b] = await openPair();
  const received: RtpPacket[] = [];
  b.on('packet', (p) => received.push(p));
  await until(() => received.length >= 5);
  assert.ok(received.every((p) => p.payload.every((byte) => byte === 0xff)));
  assert.notEqual(a.ssrc, b.ssrc);
  const c = await openSession();
  assert.notEqual(c.ssrc, a.ssrc);
});

test('a PCMA session decodes what it is sent', async () => {
  const [a, b] = await openPair({ codec: 'PCMA' }, { codec: 'PCMA' });
  const sink = new CollectingSink();
  b.setSink(sink);
  const received: RtpPacket[] = [];
  b.on('packet', (p) => received.push(p));
  a.setSource(new BufferSource(sine(1000, 10000, 1600)));
  await until(() => sink.frames.some((f) => f.some((v) => Math.abs(v) > 9000)));
  assert.ok(received.every((p) => p.payloadType === 8));
});

test('timeout: emitted once when RTP stops for rtpTimeoutMs, not while it flows', async () => {
  const [a, b] = await openPair({}, { rtpTimeoutMs: 200 });
  let timeouts = 0;
  b.on('timeout', () => timeouts++);
  const clock = new SystemClock();
  await clock.sleep(400);
  assert.equal(timeouts, 0);
  const stoppedAt = clock.now();
  await a.close();
  await until(() => timeouts === 1, 2000, 'timeout');
  assert.ok(clock.now() - stoppedAt >= 150, `${clock.now() - stoppedAt} ms`);
  await clock.sleep(300);
  assert.equal(timeouts, 1);
});

test('timeout on a virtual clock: nobody ever sends', async () => {
  const clock = new VirtualClock();
  const session = await openSession({ clock, rtpTimeoutMs: 30_000 });
  const start = clock.now();
  await new Promise<void>((resolve) => session.once('timeout', resolve));
  assert.ok(clock.now() - start >= 30_000 && clock.now() - start <= 30_040);
  await session.close();
});

test('packets from an unexpected source are dropped and counted', async () => {
  const [a, b] = await openPair();
  const stranger = await rawSocket();
  const sink = new CollectingSink();
  b.setSink(sink);
  try {
    const loud = encodeG711('PCMU', sine(500, 20000, 160));
    for (let i = 0; i < 5; i++) stranger.send(rtp(i, loud), b.localPort, '127.0.0.1');
    stranger.send(new Uint8Array([1, 2, 3]), b.localPort, '127.0.0.1');
    await until(() => b.stats().foreignSource === 5 && b.stats().invalid === 1, 2000, 'foreign drops');
    assert.ok(b.stats().received > 0); // A's packets still come in
    assert.ok(sink.frames.every((f) => f.every((v) => Math.abs(v) < 100)), 'the stranger was not heard');
    void a;
  } finally {
    stranger.close();
  }
});

test('symmetric RTP: a caller behind NAT (private address in its SDP) is latched onto at its first packet; others are dropped', async () => {
  const session = await openSession({ symmetric: true, remote: { address: '10.0.0.5', port: 4000 } });
  const first = await rawSocket();
  const second = await rawSocket();
  const heard: RtpPacket[] = [];
  first.on('message', (msg) => {
    const parsed = parseRtp(msg);
    if (parsed.ok) heard.push(parsed.packet);
  });
  try {
    first.send(rtp(1), session.localPort, '127.0.0.1');
    await until(() => session.stats().received === 1);
    second.send(rtp(2), session.localPort, '127.0.0.1');
    await until(() => session.stats().foreignSource === 1);
    await until(() => heard.length >= 3, 2000, 'packets sent to the latched source');
    assert.equal(session.destination!.port, first.address().port);
    assert.equal(heard[0]!.ssrc, session.ssrc);
  } finally {
    first.close();
    second.close();
  }
});

test('symmetric RTP: a stranger sending first cannot take the call from the address the SDP named', async () => {
  const caller = await rawSocket();
  const stranger = await rawSocket();
  const session = await openSession({ symmetric: true, remote: { address: '127.0.0.1', port: caller.address().port } });
  const strangerHeard: RtpPacket[] = [];
  const callerHeard: RtpPacket[] = [];
  stranger.on('message', (msg) => strangerHeard.push(msg as unknown as RtpPacket));
  caller.on('message', (msg) => {
    const parsed = parseRtp(msg);
    if (parsed.ok) callerHeard.push(parsed.packet);
  });
  try {
    stranger.send(rtp(1), session.localPort, '127.0.0.1');
    stranger.send(rtp(2), session.localPort, '127.0.0.1');
    await until(() => session.stats().foreignSource === 2);
    caller.send(rtp(3), session.localPort, '127.0.0.1');
    await until(() => session.stats().received === 1);
    await until(() => callerHeard.length >= 3, 2000, 'our packets go to the caller');
    assert.equal(strangerHeard.length, 0, 'nothing was sent to the stranger');
    assert.equal(session.destination!.port, caller.address().port);
  } finally {
    caller.close();
    stranger.close();
  }
});

test('a throwing sink or source is reported, and the stream goes on', async () => {
  const errors: unknown[] = [];
  const [a, b] = await openPair({ onError: (e) => errors.push(e) }, { onError: (e) => errors.push(e) });
  a.setSource({ read: () => { throw new Error('source broke'); } });
  b.setSink({ write: () => { throw new Error('sink broke'); } });
  await until(() => errors.length >= 4 && b.stats().received >= 3);
  assert.ok(b.stats().errors >= 1 && a.stats().errors >= 1);
  assert.ok(b.stats().received >= 3, 'packets keep flowing');
});

/** What a session hears (in 160-sample frames) from raw packets, sent 2 ms apart, and its loss count. */
async function framesHeard(packets: Uint8Array[]): Promise<{ frames: number; lost: number; digits: string[] }> {
  const session = await openSession();
  const sink = new CollectingSink();
  session.setSink(sink);
  const digits: string[] = [];
  session.on('dtmf', (e) => digits.push(e.digit));
  const peer = await rawSocket();
  try {
    for (const p of packets) {
      peer.send(p, session.localPort, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 2));
    }
    await until(() => session.stats().received === packets.length, 2000, 'all packets');
    return { frames: sink.frames.length, lost: session.stats().lost, digits };
  } finally {
    peer.close();
  }
}

/** An RFC 4733 packet of digit 4 in the same stream (SSRC 1234) as rtp()'s audio. */
function event(seq: number, timestamp: number, end: boolean): Uint8Array {
  const payload = new Uint8Array([4, end ? 0x80 | 10 : 10, 0x01, 0x40]);
  return serializeRtp({ payloadType: 101, sequenceNumber: seq, timestamp, ssrc: 1234, payload, marker: false });
}

test('RFC 4733 events numbered with the audio: audio sent beside them is not stretched, audio muted for them is filled, lost audio is filled', async () => {
  const audio = (seq: number, ts: number) => serializeRtp({ payloadType: 0, sequenceNumber: seq, timestamp: ts, ssrc: 1234, payload: encodeG711('PCMU', new Int16Array(160)) });
  // baresip: audio goes on while the key is sent, events interleaved in the same numbering.
  const beside: Uint8Array[] = [];
  let seq = 100;
  for (let f = 0; f < 10; f++) beside.push(audio(seq++, f * 160));
  for (let f = 10; f < 20; f++) {
    beside.push(audio(seq++, f * 160));
    beside.push(event(seq++, 10 * 160, f === 19));
  }
  for (let f = 20; f < 25; f++) beside.push(audio(seq++, f * 160));
  assert.deepEqual(await framesHeard(beside), { frames: 25, lost: 0, digits: ['4'] });

  // A phone that mutes its audio while it sends the key (Ringflow does): the gap is heard as silence.
  const muted: Uint8Array[] = [];
  seq = 100;
  for (let f = 0; f < 10; f++) muted.push(audio(seq++, f * 160));
  for (let f = 10; f < 15; f++) muted.push(event(seq++, 10 * 160, f === 14));
  for (let f = 15; f < 20; f++) muted.push(audio(seq++, f * 160));
  assert.deepEqual(await framesHeard(muted), { frames: 20, lost: 0, digits: ['4'] });

  // Three packets lost: three frames of silence stand for them.
  const lossy: Uint8Array[] = [];
  for (let f = 0; f < 20; f++) if (f < 8 || f > 10) lossy.push(audio(100 + f, f * 160));
  const heard = await framesHeard(lossy);
  assert.equal(heard.frames, 20);
  assert.equal(heard.lost, 3);
});

test('sessions sharing one frame ticker: audio flows both ways; closing them leaves nothing on the ticker', async () => {
  const clock = new SystemClock();
  const ticker = new FrameTicker(clock);
  const [a, b] = await openPair({ clock, ticker }, { clock, ticker });
  assert.equal(ticker.size, 2);
  const sink = new CollectingSink();
  b.setSink(sink);
  a.setSource(new BufferSource(sine(1000, 10000, 1600)));
  await until(() => sink.frames.some((f) => f.some((v) => Math.abs(v) > 9000)), 3000, 'the tone through the shared ticker');
  await until(() => a.stats().received >= 5 && a.stats().jitter.count >= 5, 2000, 'packets back from b');
  assert.deepEqual({ lost: b.stats().lost, errors: a.stats().errors + b.stats().errors }, { lost: 0, errors: 0 });
  await a.close();
  await b.close();
  assert.equal(ticker.size, 0);
});

test('timeout on a virtual clock with a shared ticker', async () => {
  const clock = new VirtualClock();
  const ticker = new FrameTicker(clock);
  const session = await openSession({ clock, ticker, rtpTimeoutMs: 30_000 });
  const start = clock.now();
  await new Promise<void>((resolve) => session.once('timeout', resolve));
  assert.ok(clock.now() - start >= 30_000 && clock.now() - start <= 30_040);
  assert.ok(session.stats().jitter.count >= 1499);
  await session.close();
  assert.equal(clock.pending, 0);
});

test('audio is encoded straight into the packet: a short frame is padded with silence, a long one cut', async () => {
  const peer = await rawSocket();
  const payloads: Uint8Array[] = [];
  peer.on('message', (msg) => {
    const parsed = parseRtp(msg);
    if (parsed.ok && parsed.packet.payload.some((b) => b !== 0xd5)) payloads.push(new Uint8Array(parsed.packet.payload));
  });
  try {
    const session = await openSession({ codec: 'PCMA', remote: { address: '127.0.0.1', port: peer.address().port } });
    const short = sine(700, 8000, 100);
    const long = sine(900, 8000, 200);
    const frames = [short, long];
    session.setSource({ read: () => frames.shift() ?? null });
    await until(() => payloads.length >= 2, 2000, 'the two frames');
    const padded = new Uint8Array(160).fill(0xd5);
    padded.set(encodeG711('PCMA', short));
    assert.deepEqual(payloads[0], padded);
    assert.deepEqual(payloads[1], encodeG711('PCMA', long.subarray(0, 160)));
    assert.equal(payloads.length, 2, 'silence after, in A-law');
  } finally {
    peer.close();
  }
});

test('send errors are reported about once a second, not for every packet', async () => {
  const errors: unknown[] = [];
  const session = await openSession({ onError: (e) => errors.push(e) });
  // No SO_BROADCAST on the socket: every send to the broadcast address fails (EACCES).
  session.setRemote({ address: '255.255.255.255', port: 9 });
  await until(() => errors.length >= 1, 2000, 'the first send error');
  assert.match(String((errors[0] as NodeJS.ErrnoException).code), /^E/);
  const sentBefore = session.stats().sent;
  await new SystemClock().sleep(500);
  assert.ok(session.stats().sent - sentBefore >= 15, 'the sends went on');
  assert.ok(errors.length <= 2, `${errors.length} errors reported`);
});

test('without a sink or a detector nothing is decoded, but a sink set later hears in step (no silence made up)', async () => {
  const session = await openSession({ telephoneEventPayloadType: 101 });
  const peer = await rawSocket();
  const send = async (from: number, to: number, skip: number[] = []) => {
    for (let f = from; f < to; f++) {
      if (!skip.includes(f)) peer.send(rtp(100 + f, encodeG711('PCMU', sine(500, 5000, 160))), session.localPort, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  try {
    await send(0, 10, [4]); // one lost while nobody listens
    await until(() => session.stats().received === 9, 2000, 'the first packets');
    assert.equal(session.stats().lost, 1, 'loss is still counted');
    const sink = new CollectingSink();
    session.setSink(sink);
    await send(10, 20);
    await until(() => session.stats().received === 19, 2000, 'the later packets');
    assert.equal(sink.frames.length, 10, 'the ten frames after the sink was set, nothing made up for the earlier gap');
    assert.ok(sink.frames.every((f) => f.some((v) => Math.abs(v) > 3000)));
  } finally {
    peer.close();
  }
});
