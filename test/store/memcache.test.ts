import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, useStore } from './store-harness.ts';

for (const engine of ENGINES) {
  describe(`memcache (${engine})`, () => {
    const h = useStore(engine);

    it('keeps JSON values per tenant', async () => {
      const cache = h.store.memcache.forTenant('TNmc1');
      const other = h.store.memcache.forTenant('TNmc2');
      assert.equal(await cache.get('missing'), undefined);
      const values: unknown[] = ['text', '', 0, -1.5, 1e21, true, false, null, [1, 'a', { b: null }], { nested: { deep: [true] } }];
      for (const [n, value] of values.entries()) await cache.set(`k${n}`, value);
      for (const [n, value] of values.entries()) assert.deepEqual(await cache.get(`k${n}`), value, `value ${n}`);
      assert.equal(await other.get('k0'), undefined, 'another tenant has its own keys');
      await cache.set('k0', { replaced: 1 });
      assert.deepEqual(await cache.get('k0'), { replaced: 1 });
      await cache.set('nan', Number.NaN);
      assert.equal(await cache.get('nan'), null, 'what JSON cannot hold is stored as null');
    });

    it('adds with incr: a missing key counts as 0, a non-number gives undefined and stays', async () => {
      const cache = h.store.memcache.forTenant('TNmc3');
      assert.equal(await cache.incr('n', 5), 5);
      assert.equal(await cache.incr('n', -2), 3);
      assert.equal(await cache.incr('n', 0.5), 3.5);
      assert.equal(await cache.get('n'), 3.5);
      await cache.set('s', 'abc');
      assert.equal(await cache.incr('s', 1), undefined);
      assert.equal(await cache.get('s'), 'abc');
      await cache.set('set-number', 10);
      assert.equal(await cache.incr('set-number', 1), 11);
      await cache.set('set-number', { a: 1 });
      assert.equal(await cache.incr('set-number', 1), undefined);
      assert.equal(await h.store.memcache.forTenant('TNmc4').incr('n', 1), 1, 'per tenant');
    });

    it('counts 50 concurrent increments as 50', async () => {
      const stores = engine === 'postgres' ? [h.store, await h.open()] : [h.store];
      const results = await Promise.all(Array.from({ length: 50 }, (_, n) => stores[n % stores.length]!.memcache.forTenant('TNmc5').incr('hits', 1)));
      assert.equal(await h.store.memcache.forTenant('TNmc5').get('hits'), 50);
      assert.deepEqual([...results].sort((a, b) => a! - b!), Array.from({ length: 50 }, (_, n) => n + 1), 'each caller saw its own new value');
    });

    it('expires keys on the clock: set, incr and delete all see an expired key as missing', async () => {
      const { clock } = h;
      const cache = h.store.memcache.forTenant('TNmc6');
      await cache.set('session', { user: 'ada' }, 10);
      await cache.set('forever', 'yes');
      await clock.advance(9_999);
      assert.deepEqual(await cache.get('session'), { user: 'ada' });
      await clock.advance(1);
      assert.equal(await cache.get('session'), undefined, 'gone at its ttl');
      assert.equal(await cache.delete('session'), false, 'an expired key did not exist');
      assert.equal(await cache.get('forever'), 'yes');

      await cache.set('word', 'abc', 5);
      await clock.advance(5_000);
      assert.equal(await cache.incr('word', 2), 2, 'an expired non-number counts as missing');
      assert.equal(await cache.incr('word', 1, 60), 3);
      await clock.advance(30_000);
      assert.equal(await cache.incr('word', 1), 4, 'incr without ttl keeps the expiry');
      await clock.advance(30_000);
      assert.equal(await cache.get('word'), undefined, 'expired 60 s after the incr with a ttl');

      await cache.incr('counter', 1, 10);
      await clock.advance(8_000);
      await cache.incr('counter', 1, 10);
      await clock.advance(8_000);
      assert.equal(await cache.get('counter'), 2, 'a new ttl restarts the expiry');
      await cache.set('counter', 7);
      await clock.advance(60_000);
      assert.equal(await cache.get('counter'), 7, 'set without ttl keeps it for good');
    });

    it('deletes: true when the key existed', async () => {
      const cache = h.store.memcache.forTenant('TNmc7');
      await cache.set('k', 1);
      assert.equal(await h.store.memcache.forTenant('TNmc8').delete('k'), false, 'not another tenant\'s');
      assert.equal(await cache.delete('k'), true);
      assert.equal(await cache.get('k'), undefined);
      assert.equal(await cache.delete('k'), false);
    });
  });
}
