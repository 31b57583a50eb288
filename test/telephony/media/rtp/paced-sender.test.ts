import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../../src/time/virtual-clock.ts';
import type { Clock, Timer } from '../../../../src/time/clock.ts';
import { FrameTicker } from '../../../../src/telephony/media/rtp/frame-ticker.ts';
import { PacedSender } from '../../../../src/telephony/media/rtp/paced-sender.ts';

test('ticks fall on start + n·20 ms', async () => {
  const clock = new VirtualClock({ auto: false });
  const start = clock.now();
  const ticks: [number, number][] = [];
  const sender = new PacedSender({ clock, onTick: (n) => ticks.push([n, clock.now() - start]) });
  sender.start();
  await clock.advance(100);
  sender.stop();
  assert.deepEqual(ticks, [[0, 0], [1, 20], [2, 40], [3, 60], [4, 80], [5, 100]]);
  assert.deepEqual(sender.stats().jitter, { count: 5, p50: 0.1, p99: 0.1, max: 0 });
});

/** A clock whose timers fire `late` ms after they are due: the lateness must not accumulate. */
function lateClock(inner: VirtualClock, late: () => number): Clock {
  return {
    now: () => inner.now(),
    setTimer: (ms: number, fn: () => void): Timer => inner.setTimer(ms + late(), fn),
    sleep: (ms, signal) => inner.sleep(ms, signal),
    hold: () => inner.hold(),
  };
}

test('late timers do not drift the schedule: each tick aims at start + n·20 ms again', async () => {
  const inner = new VirtualClock({ auto: false });
  const start = inner.now();
  const times: number[] = [];
  const sender = new PacedSender({ clock: lateClock(inner, () => 3), onTick: () => times.push(inner.now() - start) });
  sender.start();
  await inner.advance(1000);
  sender.stop();
  // Every tick is 3 ms late, none later: 50 ticks in 1 s, not 43 as "20 ms after the last one" gives.
  assert.equal(times.length, 50);
  times.forEach((t, n) => assert.equal(t, n * 20 + 3));
});

test('after a stall of more than 3 frames it skips ahead instead of bursting', async () => {
  const inner = new VirtualClock({ auto: false });
  let stall = 0;
  const frames: number[] = [];
  const sender = new PacedSender({ clock: lateClock(inner, () => stall), onTick: (n) => frames.push(n) });
  sender.start();
  await inner.advance(40); // frames 0, 1, 2
  stall = 150; // frame 3 is already armed; the timer of frame 4 will fire 150 ms late
  await inner.advance(150);
  stall = 0;
  await inner.advance(60);
  sender.stop();
  // frame 4 was due at 80 and fired at 230: frames 4…10 are skipped, 11 (due 220) goes at once,
  // then 12 on time at 240
  assert.deepEqual(frames, [0, 1, 2, 3, 11, 12]);
  assert.equal(sender.stats().skipped, 7);
});

test('a lag of up to 3 frames is caught up back to back', async () => {
  const inner = new VirtualClock({ auto: false });
  let stall = 0;
  const frames: number[] = [];
  const sender = new PacedSender({ clock: lateClock(inner, () => stall), onTick: (n) => frames.push(n) });
  sender.start();
  await inner.advance(20);
  stall = 45;
  await inner.advance(45);
  stall = 0;
  await inner.advance(40);
  sender.stop();
  assert.deepEqual(frames, [0, 1, 2, 3, 4, 5]);
  assert.equal(sender.stats().skipped, 0);
});

test('with a shared ticker, ticks fall on start + n·20 ms as with own timers', async () => {
  const clock = new VirtualClock({ auto: false });
  const ticker = new FrameTicker(clock);
  const start = clock.now();
  const ticks: [number, number][] = [];
  const sender = new PacedSender({ clock, ticker, onTick: (n) => ticks.push([n, clock.now() - start]) });
  sender.start();
  assert.ok(sender.running);
  await clock.advance(100);
  sender.stop();
  assert.ok(!sender.running);
  assert.deepEqual(ticks, [[0, 0], [1, 20], [2, 40], [3, 60], [4, 80], [5, 100]]);
  assert.deepEqual(sender.stats().jitter, { count: 5, p50: 0.1, p99: 0.1, max: 0 });
  assert.equal(ticker.size, 0);
});
