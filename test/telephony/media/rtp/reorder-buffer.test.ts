import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReorderBuffer } from '../../../../src/telephony/media/rtp/reorder-buffer.ts';

function feed(buffer: ReorderBuffer<string>, seqs: number[]): string[] {
  const out: string[] = [];
  for (const seq of seqs) for (const r of buffer.push(seq, `p${seq}`)) out.push(r.lostBefore ? `${r.item}(-${r.lostBefore})` : r.item);
  return out;
}

test('in-order packets leave at once, across the 16-bit wrap-around', () => {
  const buffer = new ReorderBuffer<string>(3);
  assert.deepEqual(feed(buffer, [65533, 65534, 65535, 0, 1]), ['p65533', 'p65534', 'p65535', 'p0', 'p1']);
  assert.equal(buffer.held, 0);
});

test('a swapped pair is put back in order, across the wrap-around', () => {
  const buffer = new ReorderBuffer<string>(3);
  assert.deepEqual(feed(buffer, [65534, 0, 65535, 1]), ['p65534', 'p65535', 'p0', 'p1']);
  assert.deepEqual(buffer.stats(), { released: 4, lost: 0, late: 0, duplicates: 0, resyncs: 0 });
});

test('duplicates are dropped, whether held or already played', () => {
  const buffer = new ReorderBuffer<string>(3);
  assert.deepEqual(feed(buffer, [10, 10, 12, 12, 11, 11, 13]), ['p10', 'p11', 'p12', 'p13']);
  const stats = buffer.stats();
  assert.equal(stats.duplicates + stats.late, 3);
  assert.equal(stats.duplicates, 1); // 12 while held; 10 and 11 came after they left
});

test('a gap is given up as lost when more than depth later packets wait; the straggler is then late', () => {
  const buffer = new ReorderBuffer<string>(3);
  assert.deepEqual(feed(buffer, [100, 102, 103, 104]), ['p100']);
  assert.equal(buffer.held, 3);
  assert.deepEqual(feed(buffer, [105]), ['p102(-1)', 'p103', 'p104', 'p105']);
  assert.deepEqual(feed(buffer, [101]), []);
  assert.deepEqual(buffer.stats(), { released: 5, lost: 1, late: 1, duplicates: 0, resyncs: 0 });
});

test('loss across the wrap-around is counted right; flush releases what is held', () => {
  const buffer = new ReorderBuffer<string>(4);
  assert.deepEqual(feed(buffer, [65534, 1, 2]), ['p65534']);
  assert.deepEqual(buffer.flush().map((r) => [r.seq, r.lostBefore]), [[1, 2], [2, 0]]);
  assert.equal(buffer.stats().lost, 2);
});

test('a jump beyond 3000 is a restarted stream, not 3000 lost packets', () => {
  const buffer = new ReorderBuffer<string>(3);
  assert.deepEqual(feed(buffer, [5, 6, 40000, 40001]), ['p5', 'p6', 'p40000', 'p40001']);
  assert.equal(buffer.stats().lost, 0);
  assert.equal(buffer.stats().resyncs, 1);
});
