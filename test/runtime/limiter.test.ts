// At most N outbound requests of one run in flight (SPEC §2.5); the others wait their turn.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Limiter } from '../../src/runtime/limiter.ts';

it('runs at most N tasks at once, in arrival order', async () => {
  const limiter = new Limiter(2);
  let active = 0;
  let peak = 0;
  const order: number[] = [];
  const gates: (() => void)[] = [];
  const signal = new AbortController().signal;
  const tasks = [0, 1, 2, 3, 4].map((i) =>
    limiter.run(async () => {
      active++;
      peak = Math.max(peak, active);
      order.push(i);
      await new Promise<void>((resolve) => gates.push(resolve));
      active--;
      return i;
    }, signal),
  );
  // Finish the running tasks one at a time; each finish lets the next waiting one start.
  for (let finished = 0; finished < 5; finished++) {
    await new Promise((r) => setImmediate(r));
    assert.ok(active <= 2, `${active} tasks at once`);
    gates.shift()!();
  }
  assert.deepEqual(await Promise.all(tasks), [0, 1, 2, 3, 4]);
  assert.equal(peak, 2);
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
});

it('lets a waiting task go when its signal aborts, without losing a slot', async () => {
  const limiter = new Limiter(1);
  let release!: () => void;
  const first = limiter.run(() => new Promise<string>((resolve) => (release = () => resolve('first'))), new AbortController().signal);
  const hungUp = new AbortController();
  const waiting = limiter.run(async () => 'never', hungUp.signal);
  hungUp.abort(new Error('caller hung up'));
  await assert.rejects(waiting, /caller hung up/);
  release();
  assert.equal(await first, 'first');
  assert.equal(await limiter.run(async () => 'next', new AbortController().signal), 'next');
});
