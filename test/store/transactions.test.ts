import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RingflowError } from '../../src/errors.ts';
import { ENGINES, useStore } from './store-harness.ts';
import { newTenant, rejectsWith, runRecord } from './fixtures.ts';

/** A promise to resolve from outside: holds a transaction open at a chosen point. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

for (const engine of ENGINES) {
  describe(`transactions (${engine})`, () => {
    const h = useStore(engine);

    it('commits everything the work did, across repositories', async () => {
      const { store } = h;
      const result = await store.transaction(async (tx) => {
        const tenant = await tx.tenants.create('committed');
        const scenario = await tx.scenarios.create(tenant.id, 'flow', 'a: 1');
        await tx.numbers.assign(tenant.id, scenario.sid, '+33100000077');
        const run = runRecord(tenant.id, { scenarioSid: scenario.sid });
        await tx.runs.createIdempotent(run, 'k', 'h');
        await tx.runs.appendTimeline(run.sid, [{ seq: 0, event: { type: 'warning', message: 'w', at: run.created, t: 0 } }]);
        await tx.memcache.forTenant(tenant.id).incr('n', 1);
        return { tenant, run };
      });
      assert.deepEqual(await store.tenants.byName('committed'), result.tenant);
      assert.equal((await store.numbers.route('+33100000077'))?.tenantId, result.tenant.id);
      assert.deepEqual(await store.runs.get(result.tenant.id, result.run.sid), result.run);
      assert.equal((await store.runs.timeline(result.run.sid)).length, 1);
      assert.equal(await store.memcache.forTenant(result.tenant.id).get('n'), 1);
    });

    it('writes nothing when the work throws, and passes its error on', async () => {
      const { store } = h;
      const boom = new Error('boom');
      let tenantId = '';
      await assert.rejects(store.transaction(async (tx) => {
        const tenant = await tx.tenants.create('rolled-back');
        tenantId = tenant.id;
        const scenario = await tx.scenarios.create(tenant.id, 'flow', 'a: 1');
        await tx.scenarios.update(tenant.id, scenario.sid, { script: 'a: 2' });
        await tx.runs.createIdempotent(runRecord(tenant.id), 'k', 'h');
        await tx.memcache.forTenant('TNtx').set('x', 1);
        assert.ok(await tx.tenants.get(tenant.id), 'visible inside the transaction');
        throw boom;
      }), (e) => e === boom);
      assert.equal(await store.tenants.byName('rolled-back'), undefined);
      assert.equal(await store.tenants.get(tenantId), undefined);
      assert.equal(await store.memcache.forTenant('TNtx').get('x'), undefined);
      const rows = await h.rows(`select count(*) as n from scenarios where tenant_id = '${tenantId}'`);
      assert.equal(Number(rows[0]!.n), 0);
    });

    it('rolls back on a RingflowError from a repository, with the writes before it', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      await store.scenarios.create(tenant.id, 'exists', 'a: 1');
      await rejectsWith(store.transaction(async (tx) => {
        await tx.scenarios.create(tenant.id, 'new-one', 'a: 1');
        await tx.scenarios.create(tenant.id, 'exists', 'a: 2');
      }), 'RF_SCENARIO_NAME_TAKEN');
      assert.equal(await store.scenarios.byName(tenant.id, 'new-one'), undefined);
    });

    it('keeps two concurrent transactions apart: one fails, one commits, and a plain read waits for neither\'s uncommitted rows', async () => {
      const { store } = h;
      const failing = gate();
      const seen: string[] = [];
      const first = store.transaction(async (tx) => {
        await tx.tenants.create('tx-failing');
        seen.push('failing wrote');
        await failing.promise;
        throw new RingflowError('RF_INTERNAL', { detail: 'planned failure' });
      });
      const second = store.transaction(async (tx) => {
        const tenant = await tx.tenants.create('tx-committing');
        await tx.memcache.forTenant(tenant.id).set('ok', true);
        seen.push('committing wrote');
        return tenant;
      });
      // Outside any transaction: must never see the failing transaction's tenant.
      const plain = store.tenants.byName('tx-failing').then((t) => {
        seen.push('plain read');
        return t;
      });
      // Let everything that can run, run; then release the failing transaction.
      for (let n = 0; n < 20; n++) await new Promise((resolve) => setImmediate(resolve));
      failing.open();
      const [a, b, c] = await Promise.allSettled([first, second, plain]);
      assert.equal(a.status, 'rejected');
      assert.equal(b.status, 'fulfilled');
      assert.deepEqual(c, { status: 'fulfilled', value: undefined });
      assert.equal(await store.tenants.byName('tx-failing'), undefined);
      const committed = await store.tenants.byName('tx-committing');
      assert.ok(committed);
      assert.equal(await store.memcache.forTenant(committed.id).get('ok'), true);
      if (engine === 'sqlite') {
        // One connection: Kysely's mutex runs the transactions one after the other, and the plain
        // read after both, never between the statements of one.
        assert.deepEqual(seen, ['failing wrote', 'committing wrote', 'plain read']);
      }
    });

    it('serializes many concurrent transactions without losing an update', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      const cache = store.memcache.forTenant(tenant.id);
      await cache.set('total', 0);
      // Read-modify-write in a transaction, on a row lock on PostgreSQL (incr), under the mutex on SQLite.
      await Promise.all(Array.from({ length: 20 }, (_, n) => store.transaction(async (tx) => {
        await tx.memcache.forTenant(tenant.id).incr('total', n);
        if (n % 5 === 0) await tx.runs.create(runRecord(tenant.id));
      })));
      assert.equal(await cache.get('total'), 190);
      assert.equal((await store.runs.list(tenant.id, { offset: 0, limit: 10 })).total, 4);
    });
  });
}
