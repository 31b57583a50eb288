import assert from 'node:assert/strict';
import { it } from 'node:test';
import { LruMap } from '../src/lru-map.ts';

it('LruMap keeps at most its bound and forgets the least recently used first (a read counts as use)', () => {
  const lru = new LruMap<number>(2);
  lru.set('a', 1);
  lru.set('b', 2);
  assert.equal(lru.get('a'), 1); // b is now the least recently used
  lru.set('c', 3);
  assert.equal(lru.size, 2);
  assert.equal(lru.get('b'), undefined);
  assert.deepEqual([lru.get('a'), lru.get('c')], [1, 3]);
  lru.set('a', 10); // replacing counts as use, and does not grow the map
  lru.set('d', 4);
  assert.deepEqual([lru.get('a'), lru.get('c'), lru.get('d'), lru.size], [10, undefined, 4, 2]);
});
