import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_VIRTUAL_START, VirtualClock } from '../../src/time/virtual-clock.ts';

/** Real time passing, as during an HTTP request (tests only; src/ never does this). */
function realWait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

test('starts at a stable time by default', () => {
  assert.equal(new VirtualClock().now(), DEFAULT_VIRTUAL_START);
  assert.equal(new VirtualClock({ start: 1000 }).now(), 1000);
});

test('timers fire in time order, then creation order', async () => {
  const clock = new VirtualClock({ auto: false, start: 0 });
  const fired: string[] = [];
  clock.setTimer(30, () => fired.push('c@30'));
  clock.setTimer(10, () => fired.push('a@10'));
  clock.setTimer(20, () => fired.push('b@20'));
  clock.setTimer(10, () => fired.push('a2@10'));
  clock.setTimer(0, () => fired.push('now'));
  await clock.advance(100);
  assert.deepEqual(fired, ['now', 'a@10', 'a2@10', 'b@20', 'c@30']);
});

test('a timer sees the clock at its own time, and promise continuations settle between timers', async () => {
  const clock = new VirtualClock({ start: 0 });
  const seen: string[] = [];
  const first = clock.sleep(100).then(() => seen.push(`first continuation at ${clock.now()}`));
  clock.setTimer(100, () => seen.push(`second timer at ${clock.now()}`));
  clock.setTimer(200, () => seen.push(`third timer at ${clock.now()}`));
  await first;
  await clock.sleep(150);
  assert.deepEqual(seen, ['first continuation at 100', 'second timer at 100', 'third timer at 200']);
});

test('manual mode: only advance() moves time, firing what is due on the way', async () => {
  const clock = new VirtualClock({ auto: false, start: 0 });
  const fired: number[] = [];
  clock.setTimer(500, () => fired.push(clock.now()));
  clock.setTimer(1500, () => fired.push(clock.now()));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(clock.now(), 0);
  assert.deepEqual(fired, []);
  await clock.advance(1000);
  assert.equal(clock.now(), 1000);
  assert.deepEqual(fired, [500]);
  assert.equal(clock.pending, 1);
  await clock.advance(500);
  assert.deepEqual(fired, [500, 1500]);
  assert.equal(clock.pending, 0);
});

test('a timer set by a timer during advance() fires in the same advance when due', async () => {
  const clock = new VirtualClock({ auto: false, start: 0 });
  const fired: number[] = [];
  clock.setTimer(100, () => {
    fired.push(clock.now());
    clock.setTimer(100, () => fired.push(clock.now()));
  });
  await clock.advance(250);
  assert.deepEqual(fired, [100, 200]);
});

test('auto mode jumps over idle time: a 60 s sleep takes well under 100 ms', async () => {
  const clock = new VirtualClock();
  const before = clock.now();
  const wall = performance.now();
  await clock.sleep(60_000);
  assert.ok(performance.now() - wall < 100, `took ${performance.now() - wall} ms`);
  assert.equal(clock.now() - before, 60_000);
});

test('auto mode: time does not move while nothing is pending or held', async () => {
  const clock = new VirtualClock();
  const before = clock.now();
  await realWait(20);
  assert.equal(clock.now(), before);
});

test('a cancelled timer never fires', async () => {
  const clock = new VirtualClock({ start: 0 });
  let fired = false;
  const timer = clock.setTimer(1000, () => { fired = true; });
  assert.equal(clock.pending, 1);
  timer.cancel();
  timer.cancel(); // idempotent
  assert.equal(clock.pending, 0);
  await clock.sleep(5000);
  assert.equal(fired, false);
});

test('sleep rejects with the signal reason on abort and leaves no timer behind', async () => {
  const clock = new VirtualClock({ start: 0 });
  const controller = new AbortController();
  const sleeping = clock.sleep(10_000, controller.signal);
  clock.setTimer(3000, () => controller.abort(new Error('caller hung up')));
  await assert.rejects(sleeping, /caller hung up/);
  assert.equal(clock.now(), 3000);
  assert.equal(clock.pending, 0);
});

test('sleep on an aborted signal rejects at once', async () => {
  const clock = new VirtualClock({ start: 0 });
  const reason = new Error('already');
  await assert.rejects(clock.sleep(10, AbortSignal.abort(reason)), (e) => e === reason);
  assert.equal(clock.pending, 0);
});

test('held: time flows at the real rate; a 50 ms virtual sleep takes about 50 ms of real time', async () => {
  const clock = new VirtualClock({ start: 0 });
  const release = clock.hold();
  const wall = performance.now();
  await clock.sleep(50);
  const took = performance.now() - wall;
  release();
  assert.ok(took >= 45 && took < 1000, `took ${took} ms`);
  assert.ok(clock.now() >= 50);
});

test('held: a timer due during real I/O fires at its moment, not when the I/O ends', async () => {
  const clock = new VirtualClock({ start: 0 });
  let firedAfter: number | undefined;
  let virtualAtFire: number | undefined;
  const wall = performance.now();
  const release = clock.hold();
  clock.setTimer(50, () => {
    firedAfter = performance.now() - wall;
    virtualAtFire = clock.now();
  });
  await realWait(200); // the "HTTP request"
  assert.ok(firedAfter !== undefined, 'the timer fired during the I/O');
  assert.ok(firedAfter >= 45 && firedAfter < 190, `fired after ${firedAfter} ms`);
  assert.ok(virtualAtFire! >= 50 && virtualAtFire! < 190);
  release();
  release(); // idempotent
  // Once released, the real time that passed is kept and time jumps again.
  const afterRelease = clock.now();
  assert.ok(afterRelease >= 195, `virtual time ${afterRelease}`);
  const wall2 = performance.now();
  await clock.sleep(30_000);
  assert.ok(performance.now() - wall2 < 100);
});

test('time never goes back', async () => {
  const clock = new VirtualClock({ start: 0 });
  let last = clock.now();
  const release = clock.hold();
  for (let i = 0; i < 5; i++) {
    await realWait(2);
    assert.ok(clock.now() >= last);
    last = clock.now();
  }
  release();
  await clock.sleep(10);
  assert.ok(clock.now() >= last);
});
