import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IntervalHistogram } from '../../../../src/telephony/media/rtp/interval-histogram.ts';

test('below 50 ms: percentiles to the 0.1 ms bucket, the maximum exact', () => {
  const h = new IntervalHistogram();
  for (let i = 0; i < 98; i++) h.record(i % 2 ? 0.25 : -0.25);
  h.record(4.33);
  h.record(-49.96);
  assert.deepEqual(h.summary(), { count: 100, p50: 0.3, p99: 4.4, max: 49.96 });
});

test('above 50 ms: 5 ms buckets, never reported above the maximum; beyond 200 ms the maximum', () => {
  const h = new IntervalHistogram();
  for (let i = 0; i < 50; i++) h.record(1);
  for (let i = 0; i < 50; i++) h.record(72.5);
  assert.deepEqual(h.summary(), { count: 100, p50: 1.1, p99: 72.5, max: 72.5 });
  for (let i = 0; i < 100; i++) h.record(61);
  // 61 falls in 60–65, 72.5 in 70–75: p99 is that bucket's upper edge, capped by the max
  assert.equal(h.summary().p99, 72.5);
  assert.equal(h.summary().p50, 65);
  const big = new IntervalHistogram();
  big.record(350);
  big.record(5000);
  assert.deepEqual(big.summary(), { count: 2, p50: 5000, p99: 5000, max: 5000 });
});

test('empty: zeros', () => {
  assert.deepEqual(new IntervalHistogram().summary(), { count: 0, p50: 0, p99: 0, max: 0 });
});
