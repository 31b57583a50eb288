// The media leg contract, for both implementations: in this thread (LocalLegs) and in media
// worker threads (WorkerLegs). A real RtpSession on 127.0.0.1 plays the far end of each leg.

import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LocalLegs } from '../../../../src/telephony/media/leg/local-leg.ts';
import type { LegEvents, MediaLeg, MediaLegs } from '../../../../src/telephony/media/leg/media-leg.ts';
import type { WorkerLeg } from '../../../../src/telephony/media/leg/worker-leg.ts';
import { WorkerLegs } from '../../../../src/telephony/media/leg/worker-legs.ts';
import { NoRtpPortError, PortAllocator } from '../../../../src/telephony/media/rtp/port-allocator.ts';
import type { RtpSession } from '../../../../src/telephony/media/rtp/rtp-session.ts';
import { SystemClock } from '../../../../src/time/clock.ts';
import { BufferSource, CollectingSink, openSession, sine, testPorts, until } from '../rtp/session-fixture.ts';

const clock = new SystemClock();
const dir = await mkdtemp(join(tmpdir(), 'ringflow-legs-'));
after(() => rm(dir, { recursive: true, force: true }));

interface Kind {
  name: string;
  open(ports: PortAllocator): Promise<MediaLegs>;
}

const errors: unknown[] = [];
const KINDS: Kind[] = [
  { name: 'in this thread (LocalLegs)', open: async (ports) => new LocalLegs({ clock, localAddress: '127.0.0.1', ports, onError: (e) => errors.push(e) }) },
  { name: 'in two media workers (WorkerLegs)', open: (ports) => WorkerLegs.start({ threads: 2, localAddress: '127.0.0.1', ports, onError: (e) => errors.push(e) }) },
];

/** The events a leg told, kept. */
interface Heard extends LegEvents {
  digits: string[];
  losses: string[];
}

function listen(leg: MediaLeg): Heard {
  const heard: Heard = { digits: [], losses: [], digit: (d) => heard.digits.push(d), lost: (why) => heard.losses.push(why) };
  leg.listen(heard);
  return heard;
}

/** A leg and its far end (an RtpSession) sending to each other. */
async function connected(legs: MediaLegs, ports: PortAllocator, codec: 'PCMU' | 'PCMA' = 'PCMU'): Promise<{ leg: MediaLeg; peer: RtpSession; heard: Heard }> {
  const leg = await legs.open({ codec, telephoneEventPayloadType: 101, symmetric: true });
  const heard = listen(leg);
  const peer = await openSession({ ports, codec, remote: { address: '127.0.0.1', port: leg.localPort } });
  leg.setRemote({ address: '127.0.0.1', port: peer.localPort });
  return { leg, peer, heard };
}

const loud = (frames: Int16Array[]) => frames.filter((f) => f.some((v) => Math.abs(v) > 500)).length;

for (const kind of KINDS) {
  describe(`media legs ${kind.name}`, async () => {
    const ports = testPorts();
    const legs = await kind.open(ports);
    after(() => legs.close());

    it('plays a prompt the far end hears, resolving with its length once played', async () => {
      const { leg, peer } = await connected(legs, ports);
      const sink = new CollectingSink();
      peer.setSink(sink);
      const result = await leg.play(sine(440, 8000, 8000 * 0.4), { loop: 1, stopOnDigit: false }, new AbortController().signal);
      assert.deepEqual(result, { durationMs: 400, interrupted: false });
      await until(() => loud(sink.frames) >= 18, 2000, 'the prompt at the far end');
      assert.ok(loud(sink.frames) <= 22, `${loud(sink.frames)} loud frames for 20`);
      const stats = await leg.close();
      assert.ok(stats.sent >= 20, `${stats.sent} packets sent`);
    });

    it('a key from the far end stops a prompt with stopOnDigit (interrupted), even when the listener aborts the prompt on that key', async () => {
      const { leg, peer, heard } = await connected(legs, ports);
      const abort = new AbortController();
      leg.listen({ ...heard, digit: (d) => { heard.digits.push(d); abort.abort(new Error('the engine moved on')); } });
      const playing = leg.play(sine(440, 8000, 8000 * 10), { loop: 1, stopOnDigit: true }, abort.signal);
      await clock.sleep(200);
      await peer.sendDigit('5');
      const result = await playing;
      assert.equal(result.interrupted, true);
      assert.ok(result.durationMs >= 100 && result.durationMs < 2000, `${result.durationMs} ms played`);
      assert.deepEqual(heard.digits, ['5']);
      await leg.close();
    });

    it('an aborted prompt rejects with the abort reason; a key does not stop a prompt without stopOnDigit', async () => {
      const { leg, peer, heard } = await connected(legs, ports);
      const abort = new AbortController();
      const playing = leg.play(sine(440, 8000, 8000 * 10), { loop: 0, stopOnDigit: false }, abort.signal);
      await peer.sendDigit('7');
      await until(() => heard.digits.length === 1, 2000, 'the key');
      const why = new Error('caller hung up');
      abort.abort(why);
      await assert.rejects(playing, (e) => e === why);
      await leg.close();
    });

    it('record@v1: what the far end says goes to a WAV file until a finish key told by SIP INFO (digit())', async () => {
      const { leg, peer } = await connected(legs, ports);
      peer.setSource(new BufferSource(sine(600, 6000, 8000 * 5)));
      const path = join(dir, `finish-${kind.name.length}.wav`);
      const recording = leg.record(path, { maxDurationMs: 10_000, silenceTimeoutMs: 0, finishOnKey: '#' }, new AbortController().signal);
      await clock.sleep(600);
      leg.digit('#');
      const result = await recording;
      assert.equal(result.reason, 'finish-key');
      assert.ok(result.durationMs >= 300 && result.durationMs <= 1500, `${result.durationMs} ms recorded`);
      const wav = await readFile(path);
      assert.equal(wav.toString('latin1', 0, 4), 'RIFF');
      assert.equal(wav.readUInt32LE(40), (result.durationMs * 8000 * 2) / 1000, 'the data size in the header matches');
      await leg.close();
    });

    it('a recording ends as hangup when the leg closes; a whole-call recording is saved then, and a second one is refused', async () => {
      const { leg, peer } = await connected(legs, ports);
      peer.setSource(new BufferSource(sine(600, 6000, 8000 * 5)));
      const all = await leg.startRecording(join(dir, `all-${kind.name.length}.wav`));
      await assert.rejects(leg.startRecording(join(dir, 'second.wav')), /already being recorded/);
      const recording = leg.record(join(dir, `hangup-${kind.name.length}.wav`), { maxDurationMs: 10_000, silenceTimeoutMs: 0, finishOnKey: '' }, new AbortController().signal);
      await leg.play(sine(440, 8000, 8000 * 0.3), { loop: 1, stopOnDigit: false }, new AbortController().signal);
      await leg.close();
      const ended = await recording;
      assert.equal(ended.reason, 'hangup');
      assert.ok(ended.durationMs > 100);
      const whole = await all.done;
      assert.ok(whole.durationMs >= 300, `${whole.durationMs} ms in the whole-call recording`);
    });

    it('no RTP from the far end for the timeout: the leg reports the media lost', async () => {
      const leg = await legs.open({ codec: 'PCMA', telephoneEventPayloadType: null, symmetric: true });
      const heard = listen(leg);
      leg.setRtpTimeout(150);
      await until(() => heard.losses.length > 0, 2000, 'the RTP timeout');
      assert.deepEqual(heard.losses, ['no RTP']);
      await leg.close();
    });

    it('a bridge relays audio and keys between two legs, PCMU to PCMA, and stops', async () => {
      const a = await connected(legs, ports, 'PCMU');
      const b = await connected(legs, ports, 'PCMA');
      const atY = new CollectingSink();
      b.peer.setSink(atY);
      const yKeys: string[] = [];
      b.peer.on('dtmf', (e) => yKeys.push(e.digit));
      const bridge = a.leg.bridge(b.leg);
      a.peer.setSource(new BufferSource(sine(700, 9000, 8000 * 2)));
      await until(() => loud(atY.frames) >= 10, 3000, 'X’s audio at Y');
      await a.peer.sendDigit('3');
      await until(() => yKeys.includes('3'), 2000, 'X’s key at Y');
      bridge.stop();
      await Promise.all([a.leg.close(), b.leg.close()]);
    });

    it('closing frees the port; with every port taken, open rejects with NoRtpPortError', async () => {
      const port = 44000 + 2 * Math.floor(Math.random() * 2000);
      const one = new PortAllocator({ min: port, max: port });
      const own = await kind.open(one);
      try {
        const leg = await own.open({ codec: 'PCMU', telephoneEventPayloadType: 101, symmetric: true });
        assert.equal(leg.localPort, port);
        await assert.rejects(own.open({ codec: 'PCMU', telephoneEventPayloadType: 101, symmetric: true }), NoRtpPortError);
        await leg.close();
        assert.equal(one.inUse, 0);
        // Taken by another program: refused the same way, not a crash.
        const squatter = createSocket('udp4');
        await new Promise<void>((resolve) => squatter.bind(port, '127.0.0.1', resolve));
        await assert.rejects(own.open({ codec: 'PCMU', telephoneEventPayloadType: 101, symmetric: true }), NoRtpPortError);
        squatter.close();
      } finally {
        await own.close();
      }
    });
  });
}

describe('media workers', () => {
  it('a worker that dies ends its calls as lost, and a new worker takes the next calls', async () => {
    const ports = testPorts();
    const legs = await WorkerLegs.start({ threads: 1, localAddress: '127.0.0.1', ports, onError: (e) => errors.push(e) });
    after(() => legs.close());
    const leg = (await legs.open({ codec: 'PCMU', telephoneEventPayloadType: 101, symmetric: true })) as WorkerLeg;
    const heard = listen(leg);
    const playing = leg.play(sine(440, 8000, 8000 * 10), { loop: 1, stopOnDigit: false }, new AbortController().signal);
    await leg.thread.terminate();
    await assert.rejects(playing, /media worker stopped/);
    assert.deepEqual(heard.losses, ['the media worker stopped']);
    assert.equal((await leg.close()).sent, 0);
    assert.equal(ports.inUse, 0, 'the port went back');
    await until(() => legs.load.length === 1, 3000, 'the replacement worker');
    const next = await connected(legs, ports);
    const sink = new CollectingSink();
    next.peer.setSink(sink);
    await next.leg.play(sine(440, 8000, 8000 * 0.2), { loop: 1, stopOnDigit: false }, new AbortController().signal);
    await until(() => loud(sink.frames) >= 8, 2000, 'audio from the new worker');
    await next.leg.close();
    assert.ok(errors.some((e) => /media worker stopped/.test(String(e))), 'the operator is told');
  });

  it('two legs of one worker are bridged inside it (the contract tests above bridge across two workers); nothing is relayed once stopped', async () => {
    const ports = testPorts();
    const one = await WorkerLegs.start({ threads: 1, localAddress: '127.0.0.1', ports, onError: (e) => errors.push(e) });
    after(() => one.close());
    const a = await connected(one, ports, 'PCMA');
    const b = await connected(one, ports, 'PCMA');
    assert.equal((a.leg as WorkerLeg).thread, (b.leg as WorkerLeg).thread);
    const atX = new CollectingSink();
    a.peer.setSink(atX);
    const bridge = a.leg.bridge(b.leg);
    b.peer.setSource(new BufferSource(sine(500, 9000, 8000 * 2)));
    await until(() => loud(atX.frames) >= 10, 3000, 'Y’s audio at X');
    bridge.stop();
    await clock.sleep(100);
    const after_ = loud(atX.frames);
    await clock.sleep(200);
    assert.ok(loud(atX.frames) - after_ <= 1, 'nothing relayed once stopped');
    await Promise.all([a.leg.close(), b.leg.close()]);
  });

  it('spreads legs over the workers: each opens on the one holding the fewest', async () => {
    const ports = testPorts();
    const legs = await WorkerLegs.start({ threads: 2, localAddress: '127.0.0.1', ports, onError: (e) => errors.push(e) });
    after(() => legs.close());
    const opened = await Promise.all(Array.from({ length: 4 }, () => legs.open({ codec: 'PCMU', telephoneEventPayloadType: 101, symmetric: true })));
    assert.deepEqual(legs.load, [2, 2]);
    await Promise.all(opened.map((l) => l.close()));
    assert.deepEqual(legs.load, [0, 0]);
  });
});
