import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FRAME_SAMPLES } from '../../../../src/telephony/media/audio-frame.ts';
import { Player, type PlayResult } from '../../../../src/telephony/media/audio/player.ts';

/** A ramp 1, 2, 3 … so every sample's place in the output can be checked. */
const ramp = (length: number) => Int16Array.from({ length }, (_, i) => i + 1);

/** Pulls frames as the RTP sender would, until the player is idle; returns copies of them (a frame is only good until the next read). */
function drain(player: Player, max = 10_000): Int16Array[] {
  const frames: Int16Array[] = [];
  for (let frame = player.read(); frame && frames.length < max; frame = player.read()) frames.push(frame.slice());
  return frames;
}

const settled = <T>(p: Promise<T>) => {
  const state: { value?: T; error?: unknown; done: boolean } = { done: false };
  p.then((value) => Object.assign(state, { value, done: true }), (error: unknown) => Object.assign(state, { error, done: true }));
  return state;
};
const tick = () => new Promise((r) => setImmediate(r));

describe('Player', () => {
  it('is idle (null) with nothing to play', () => {
    assert.equal(new Player().read(), null);
  });

  it('hands out exactly 160-sample frames, padding the last one with silence', async () => {
    const player = new Player();
    const done = player.play(ramp(400), { loop: 1 });
    const frames = drain(player);
    assert.deepEqual(frames.map((f) => f.length), [FRAME_SAMPLES, FRAME_SAMPLES, FRAME_SAMPLES]);
    assert.equal(frames[2][79], 400);
    assert.deepEqual([...frames[2].subarray(80)], new Array(80).fill(0));
    assert.deepEqual(await done, { durationMs: 50, interrupted: false });
  });

  it('loop 2 plays twice, back to back (duration = 2 × length)', async () => {
    const player = new Player();
    const pcm = ramp(1000);
    const done = player.play(pcm, { loop: 2 });
    const out = Int16Array.from(drain(player).flatMap((f) => [...f]));
    assert.deepEqual([...out.subarray(0, 2000)], [...pcm, ...pcm]);
    assert.deepEqual(await done, { durationMs: 250, interrupted: false });
  });

  it('loop 0 plays until interrupted, and interrupt stops a stopOnDigit play at once', async () => {
    const player = new Player();
    const done = player.play(ramp(160), { loop: 0, stopOnDigit: true });
    for (let i = 0; i < 100; i++) assert.equal(player.read()?.[0], 1);
    assert.equal(player.interrupt(), true);
    assert.deepEqual(await done, { durationMs: 2000, interrupted: true });
    assert.equal(player.read(), null);
  });

  it('does not let a key stop a play without stopOnDigit', async () => {
    const player = new Player();
    const done = player.play(ramp(320), { loop: 1 });
    player.read();
    assert.equal(player.interrupt(), false);
    assert.equal(drain(player).length, 1);
    assert.deepEqual(await done, { durationMs: 40, interrupted: false });
  });

  it('plays a queue in order; interrupting one starts the next on the next frame', async () => {
    const player = new Player();
    const first = player.play(new Int16Array(1600).fill(7), { loop: 1, stopOnDigit: true });
    const second = player.play(new Int16Array(320).fill(9), { loop: 1 });
    player.read();
    player.read();
    player.interrupt();
    assert.deepEqual(await first, { durationMs: 40, interrupted: true });
    const rest = drain(player);
    assert.deepEqual(rest.map((f) => f[0]), [9, 9]);
    assert.deepEqual(await second, { durationMs: 40, interrupted: false });
  });

  it('rejects with the abort reason and stops sending that audio', async () => {
    const player = new Player();
    const controller = new AbortController();
    const reason = new Error('caller hung up');
    const state = settled(player.play(ramp(8000), { loop: 1, signal: controller.signal }));
    player.read();
    controller.abort(reason);
    await tick();
    assert.equal(state.error, reason);
    assert.equal(player.read(), null);
    assert.equal(player.busy, false);
  });

  it('removes an aborted play that was still queued, leaving the current one', async () => {
    const player = new Player();
    const controller = new AbortController();
    const current = player.play(new Int16Array(320).fill(3), { loop: 1 });
    const queued = player.play(new Int16Array(320).fill(4), { loop: 1, signal: controller.signal });
    controller.abort(new Error('skip'));
    await assert.rejects(queued, /skip/);
    assert.deepEqual(drain(player).map((f) => f[0]), [3, 3]);
    await current;
  });

  it('rejects at once when the signal has already aborted, and resolves empty audio at once', async () => {
    const player = new Player();
    const reason = new Error('gone');
    await assert.rejects(player.play(ramp(10), { loop: 1, signal: AbortSignal.abort(reason) }), (e) => e === reason);
    assert.deepEqual(await player.play(new Int16Array(0), { loop: 0 }), { durationMs: 0, interrupted: false } satisfies PlayResult);
    assert.equal(player.read(), null);
  });

  it('counts play time in frames pulled, not wall time', async () => {
    const player = new Player();
    const state = settled(player.play(ramp(8000), { loop: 1 }));
    for (let i = 0; i < 49; i++) player.read();
    await tick();
    assert.equal(state.done, false); // 49 frames = 980 ms of the 1000 ms
    player.read();
    await tick();
    assert.deepEqual(state.value, { durationMs: 1000, interrupted: false });
  });

  it('hands out frames without copying the sound, and never changes it: the same prompt plays again identical', async () => {
    // One prompt is shared by every call that plays it (the TTS cache): reading must not touch it.
    const pcm = ramp(1000);
    const first = new Player();
    void first.play(pcm, { loop: 2 });
    const a = drain(first);
    const second = new Player();
    void second.play(pcm, { loop: 2 });
    assert.deepEqual(drain(second), a);
    assert.deepEqual(pcm, ramp(1000));
    // Loop 2 of 1000 samples: 2000 samples in 13 frames, the seam mid-frame, the end padded.
    assert.equal(a.length, 13);
    assert.deepEqual([...a[6]!.subarray(38, 42)], [999, 1000, 1, 2]);
    assert.deepEqual([...a[12]!.subarray(78, 82)], [999, 1000, 0, 0]);
  });
});
