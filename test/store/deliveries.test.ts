import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DeliveryMode, NewDelivery } from '../../src/store/deliveries.ts';
import { ENGINES, useStore } from './store-harness.ts';
import { isoAt, newTenant, sid } from './fixtures.ts';

const T0 = Date.UTC(2025, 0, 1, 9);

function delivery(tenantId: string, destination: string, mode: DeliveryMode, nextAttemptMs = T0): NewDelivery {
  return { id: sid('EV'), tenantId, kind: 'result', destination, body: JSON.stringify({ UniqueId: sid('UQ'), CallState: 'Answered' }), mode, created: isoAt(T0), nextAttemptAt: isoAt(nextAttemptMs) };
}

for (const engine of ENGINES) {
  describe(`deliveries (${engine})`, () => {
    const h = useStore(engine);

    it('enqueues a pending delivery with an increasing seq, and reads it back', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      const first = await store.deliveries.enqueue(delivery(tenant.id, 'https://a.example/r', 'queued'));
      const second = await store.deliveries.enqueue(delivery(tenant.id, 'https://a.example/r', 'immediate'));
      const { id, tenantId, kind, destination, body, mode, created, nextAttemptAt } = first;
      assert.deepEqual(first, { id, tenantId, kind, destination, body, mode, created, nextAttemptAt, status: 'pending', attempts: 0, lastError: null, deliveredAt: null, seq: first.seq });
      assert.equal(typeof first.seq, 'number');
      assert.ok(second.seq > first.seq);
      assert.deepEqual(await store.deliveries.get(first.id), first);
      assert.equal(await store.deliveries.get('EVnope'), undefined);
    });

    it('records delivered, retry and failed states, and counts the backlog', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      const before = await store.deliveries.backlog();
      const [a, b, c] = await Promise.all([1, 2, 3].map(() => store.deliveries.enqueue(delivery(tenant.id, 'https://b.example/r', 'immediate'))));
      await store.deliveries.markRetry(a!.id, 1, isoAt(T0 + 2000), 'HTTP 500');
      assert.deepEqual(await store.deliveries.get(a!.id), { ...a, attempts: 1, nextAttemptAt: isoAt(T0 + 2000), lastError: 'HTTP 500' });
      await store.deliveries.markDelivered(a!.id, isoAt(T0 + 2100), 2);
      assert.deepEqual(await store.deliveries.get(a!.id), { ...a, attempts: 2, nextAttemptAt: isoAt(T0 + 2000), lastError: 'HTTP 500', status: 'delivered', deliveredAt: isoAt(T0 + 2100) });
      await store.deliveries.markFailed(b!.id, 40, 'connection refused');
      assert.deepEqual(await store.deliveries.get(b!.id), { ...b, attempts: 40, lastError: 'connection refused', status: 'failed' });
      assert.equal((await store.deliveries.get(c!.id))?.status, 'pending');
      assert.deepEqual(await store.deliveries.backlog(), { pending: before.pending + 1, failed: before.failed + 1 });
    });
  });

  // A store of its own: due(), nextDue() and backlog() look across tenants.
  describe(`delivery order (${engine})`, () => {
    const h = useStore(engine);

    it('gives due deliveries oldest first; a queued one waits for the older pending queued ones to its destination', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      const A = 'https://a.example/results';
      const B = 'https://b.example/results';
      const a1 = await store.deliveries.enqueue(delivery(tenant.id, A, 'queued'));
      const a2 = await store.deliveries.enqueue(delivery(tenant.id, A, 'queued'));
      const b1 = await store.deliveries.enqueue(delivery(tenant.id, B, 'queued'));
      const aNow = await store.deliveries.enqueue(delivery(tenant.id, A, 'immediate'));
      const later = await store.deliveries.enqueue(delivery(tenant.id, B, 'immediate', T0 + 60_000));
      const ids = async (now: number, limit = 10) => (await store.deliveries.due(isoAt(now), limit)).map((d) => d.id);

      assert.deepEqual(await ids(T0), [a1.id, b1.id, aNow.id], 'a2 waits behind a1; immediate ones do not wait');
      assert.deepEqual(await ids(T0, 2), [a1.id, b1.id], 'at most limit');
      assert.deepEqual(await ids(T0 - 1), [], 'nothing before its time');
      assert.equal(await store.deliveries.nextDue(), isoAt(T0));

      // a1 failed its first attempt: a2 still waits, even though a1 is not due now.
      await store.deliveries.markRetry(a1.id, 1, isoAt(T0 + 30_000), 'HTTP 503');
      await store.deliveries.markDelivered(b1.id, isoAt(T0), 1);
      await store.deliveries.markDelivered(aNow.id, isoAt(T0), 1);
      assert.deepEqual(await ids(T0 + 1000), []);
      assert.equal(await store.deliveries.nextDue(), isoAt(T0 + 30_000), 'a2, whose time has passed, is not due: waking for it would find nothing');
      assert.deepEqual(await ids(T0 + 30_000), [a1.id]);

      await store.deliveries.markDelivered(a1.id, isoAt(T0 + 30_000), 2);
      assert.deepEqual(await ids(T0 + 30_000), [a2.id], 'its turn now');
      await store.deliveries.markFailed(a2.id, 40, 'gave up');
      const a3 = await store.deliveries.enqueue(delivery(tenant.id, A, 'queued'));
      assert.deepEqual(await ids(T0 + 30_000), [a3.id], 'a failed delivery does not block the ones after it');
      await store.deliveries.markDelivered(a3.id, isoAt(T0 + 30_000), 1);
      assert.equal(await store.deliveries.nextDue(), later.nextAttemptAt);
      assert.deepEqual(await ids(T0 + 60_000), [later.id]);
      await store.deliveries.markDelivered(later.id, isoAt(T0 + 60_000), 1);
      assert.equal(await store.deliveries.nextDue(), undefined);
      assert.deepEqual(await store.deliveries.backlog(), { pending: 0, failed: 1 });
    });
  });
}
