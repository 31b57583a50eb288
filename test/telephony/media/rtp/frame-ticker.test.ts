import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../../src/time/virtual-clock.ts';
import type { Clock, Timer } from '../../../../src/time/clock.ts';
import { FrameTicker } from '../../../../src/telephony/media/rtp/frame-ticker.ts';
import { PacedSender } from '../../../../src/telephony/media/rtp/paced-sender.ts';

/** A clock that counts the timers armed on it and how many are pending at most at once. */
function countingClock(inner: VirtualClock, late: () => number = () => 0): Clock & { armed: number; maxPending: number } {
  let pending = 0;
  const clock = {
    armed: 0,
    maxPending: 0,
    now: () => inner.now(),
    setTimer: (ms: number, fn: () => void): Timer => {
      clock.armed++;
      pending++;
      clock.maxPending = Math.max(clock.maxPending, pending);
      let live = true;
      const done = () => {
        if (live) pending--;
        live = false;
      };
      const timer = inner.setTimer(ms + late(), () => {
        done();
        fn();
      });
      return { cancel: () => { done(); timer.cancel(); } };
    },
    sleep: (ms: number, signal?: AbortSignal) => inner.sleep(ms, signal),
    hold: () => inner.hold(),
  };
  return clock;
}

test('many senders, one clock timer: each keeps its own phase, ticks at start + n·20 ms (or up to 0.5 ms before)', async () => {
  const inner = new VirtualClock({ auto: false, start: 0 });
  const clock = countingClock(inner);
  const ticker = new FrameTicker(clock);
  const origin = inner.now();
  const ticks: { sender: number; frame: number; at: number }[][] = [];
  const senders: PacedSender[] = [];
  // 40 senders started 1.3 ms apart (phases 0, 1.3, 2.6 … 19.5, 0.8 …: all different)
  for (let i = 0; i < 40; i++) {
    const log: { sender: number; frame: number; at: number }[] = [];
    ticks.push(log);
    const sender = new PacedSender({ clock, ticker, onTick: (frame) => log.push({ sender: i, frame, at: inner.now() - origin }) });
    senders.push(sender);
    sender.start();
    await inner.advance(1.3);
  }
  await inner.advance(1000);
  for (const s of senders) s.stop();
  assert.equal(clock.maxPending, 1, 'never more than one clock timer armed');
  for (let i = 0; i < 40; i++) {
    const start = i * 1.3;
    const log = ticks[i]!;
    assert.ok(log.length >= 50, `sender ${i}: ${log.length} ticks`);
    log.forEach(({ frame, at }, n) => {
      assert.equal(frame, n);
      const due = start + n * 20;
      // on time, or taken along by a neighbour's timer up to 0.5 ms before
      assert.ok(at <= due + 1e-9 && at >= due - 0.5 - 1e-9, `sender ${i} frame ${n} at ${at}, due ${due}`);
    });
    // no drift: intervals are 20 ms give or take the window
    assert.ok(senders[i]!.stats().jitter.max <= 0.5 + 1e-9, `sender ${i}: ${senders[i]!.stats().jitter.max}`);
  }
  // 40 senders × 50 ticks in one second took fewer timers than ticks (neighbours within 0.5 ms share)
  assert.ok(clock.armed < 40 * 51, `${clock.armed} timers`);
  assert.equal(ticker.size, 0);
  assert.equal(inner.pending, 0);
});

test('what falls due within 0.5 ms of the timer runs in the same turn (at most 0.5 ms early)', async () => {
  const clock = new VirtualClock({ auto: false, start: 0 });
  const ticker = new FrameTicker(clock);
  const t0 = clock.now();
  const ran: [string, number][] = [];
  for (const [name, offset] of [['a', 10], ['b', 10.4], ['c', 10.6], ['d', 10.4]] as const) {
    ticker.at(t0 + offset, () => ran.push([name, clock.now() - t0]));
  }
  await clock.advance(20);
  // a at 10 takes b and d (due 10.4, in the order they were scheduled) along; c (10.6) waits
  assert.deepEqual(ran, [['a', 10], ['b', 10], ['d', 10], ['c', 10.6]]);
  assert.equal(ticker.size, 0);
});

test('late timers do not drift the schedule: each tick aims at start + n·20 ms again', async () => {
  const inner = new VirtualClock({ auto: false, start: 0 });
  const clock = countingClock(inner, () => 3);
  const ticker = new FrameTicker(clock);
  const start = inner.now();
  const times: number[] = [];
  const sender = new PacedSender({ clock, ticker, onTick: () => times.push(inner.now() - start) });
  sender.start();
  await inner.advance(1000);
  sender.stop();
  assert.equal(times.length, 50);
  times.forEach((t, n) => assert.equal(t, n * 20 + 3));
});

test('after a stall it skips ahead; a short lag is caught up frame by frame', async () => {
  const inner = new VirtualClock({ auto: false, start: 0 });
  let stall = 0;
  const clock = countingClock(inner, () => stall);
  const ticker = new FrameTicker(clock);
  const frames: number[] = [];
  const sender = new PacedSender({ clock, ticker, onTick: (n) => frames.push(n) });
  sender.start();
  await inner.advance(40); // frames 0, 1, 2
  stall = 150; // the timer for frame 4 fires 150 ms late
  await inner.advance(150);
  stall = 0;
  await inner.advance(60);
  assert.deepEqual(frames, [0, 1, 2, 3, 11, 12]);
  assert.equal(sender.stats().skipped, 7);
  stall = 45; // the timer for frame 13 (due 260) fires at 305: 13, 14 and 15 go back to back
  await inner.advance(45);
  stall = 0;
  await inner.advance(40);
  sender.stop();
  assert.deepEqual(frames, [0, 1, 2, 3, 11, 12, 13, 14, 15, 16]);
  assert.equal(sender.stats().skipped, 7);
});

test('stop removes the entry: no clock timer is left once every sender stopped', async () => {
  const clock = new VirtualClock({ auto: false, start: 0 });
  const ticker = new FrameTicker(clock);
  const a = new PacedSender({ clock, ticker, onTick: () => {} });
  const b = new PacedSender({ clock, ticker, onTick: () => {} });
  a.start();
  await clock.advance(7);
  b.start();
  assert.equal(ticker.size, 2);
  assert.equal(clock.pending, 1);
  a.stop();
  assert.equal(ticker.size, 1);
  await clock.advance(50);
  assert.equal(a.stats().ticks, 1, 'a stopped after its first tick');
  assert.equal(b.stats().ticks, 3);
  b.stop();
  assert.equal(ticker.size, 0);
  assert.equal(clock.pending, 0, 'the clock timer is gone with the last entry');
  b.start();
  await clock.advance(20);
  assert.equal(b.stats().ticks, 5, 'restarts on the same ticker');
  b.stop();
  assert.equal(clock.pending, 0);
});

test('entries cancelled anywhere in the heap never run; the rest run in due order', async () => {
  const clock = new VirtualClock({ auto: false, start: 0 });
  const ticker = new FrameTicker(clock, { windowMs: 0 });
  const t0 = clock.now();
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const ran: number[] = [];
  const timers: { due: number; timer: Timer }[] = [];
  for (let i = 0; i < 300; i++) {
    const due = Math.floor(random() * 1000);
    timers.push({ due, timer: ticker.at(t0 + due, () => ran.push(due)) });
  }
  const kept: number[] = [];
  timers.forEach(({ due, timer }, i) => (i % 3 === 0 ? timer.cancel() : kept.push(due)));
  timers[1]!.timer.cancel(); // cancelling twice, or after running, is harmless
  timers[1]!.timer.cancel();
  kept.splice(0, 1);
  await clock.advance(1000);
  assert.deepEqual(ran, kept.sort((x, y) => x - y));
  assert.equal(ticker.size, 0);
});

test('a throwing entry does not stop the others; the error is thrown after the batch', async () => {
  const clock = new VirtualClock({ auto: false, start: 0 });
  const ticker = new FrameTicker(clock);
  const t0 = clock.now();
  const ran: string[] = [];
  ticker.at(t0 + 5, () => {
    ran.push('a');
    throw new Error('boom');
  });
  ticker.at(t0 + 5, () => ran.push('b'));
  ticker.at(t0 + 9, () => ran.push('c'));
  await assert.rejects(clock.advance(5), /boom/);
  assert.deepEqual(ran, ['a', 'b']);
  await clock.advance(10);
  assert.deepEqual(ran, ['a', 'b', 'c'], 'the timer was armed again');
});

test('a sender refuses a ticker on another clock', () => {
  const ticker = new FrameTicker(new VirtualClock({ auto: false, start: 0 }));
  assert.throws(() => new PacedSender({ clock: new VirtualClock({ auto: false, start: 0 }), ticker, onTick: () => {} }), /another clock/);
});

test('a call minute of 500 senders on an auto-advancing virtual clock: every tick on time, one timer per phase and frame', async () => {
  const inner = new VirtualClock();
  const clock = countingClock(inner);
  const ticker = new FrameTicker(clock);
  const senders = Array.from({ length: 500 }, () => new PacedSender({ clock, ticker, onTick: () => {} }));
  for (const [i, s] of senders.entries()) {
    s.start();
    if (i % 50 === 49) await clock.sleep(2); // 10 phases, 2 ms apart
  }
  const armedBefore = clock.armed;
  await clock.sleep(60_000);
  for (const s of senders) s.stop();
  for (const s of senders) {
    const { ticks, skipped, jitter } = s.stats();
    assert.ok(ticks >= 2990 && ticks <= 3001, `${ticks} ticks`);
    assert.equal(skipped, 0);
    assert.equal(jitter.max, 0);
  }
  // 1.5 million ticks, 10 phases × 3000 frames of timers (+ the sleeps')
  assert.ok(clock.armed - armedBefore <= 10 * 3001 + 2, `${clock.armed - armedBefore} timers`);
  assert.equal(inner.pending, 0);
});

test('a slot is one reusable entry: re-arming moves it (it runs once, at the new time), cancel removes it, and it can be armed again', async () => {
  const inner = new VirtualClock({ auto: false, start: 0 });
  const ticker = new FrameTicker(inner);
  const runs: number[] = [];
  const slot = ticker.slot(() => runs.push(inner.now()));
  slot.at(20);
  slot.at(40); // moved, not added
  assert.equal(ticker.size, 1);
  await inner.advance(50);
  assert.deepEqual(runs, [40]);
  slot.at(60);
  slot.cancel();
  assert.equal(ticker.size, 0);
  await inner.advance(30);
  assert.deepEqual(runs, [40]);
  slot.at(100);
  await inner.advance(30);
  assert.deepEqual(runs, [40, 100]);
});
