// Group commit: many writes, few transactions; a faulty write fails alone; every caller hears back
// only after its write is in the database.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommit } from '../../src/store/group-commit.ts';
import type { Store } from '../../src/store/store.ts';
import { ENGINES, useStore } from './store-harness.ts';

/** The store, counting the transactions it opens. */
function counting(store: Store): { store: Store; transactions: () => number } {
  let n = 0;
  const wrapped = Object.create(store) as Store;
  Object.defineProperty(wrapped, 'transaction', { value: <T>(work: Parameters<Store['transaction']>[0]) => { n++; return store.transaction(work as never) as Promise<T>; } });
  return { store: wrapped, transactions: () => n };
}

for (const engine of ENGINES) {
  describe(`group commit (${engine})`, () => {
    const h = useStore(engine);

    it('writes 200 concurrent records in far fewer transactions, each visible when its caller hears back', async () => {
      const { store, transactions } = counting(h.store);
      const group = new GroupCommit(store);
      const prefix = `gc-${engine}-${Date.now()}`;
      const seen: boolean[] = [];
      await Promise.all(Array.from({ length: 200 }, async (_, i) => {
        await group.write(async (tx) => { await tx.tenants.create(`${prefix}-${i}`); });
        seen.push((await h.rows(`select count(*) as n from tenants where name = '${prefix}-${i}'`))[0]!.n == 1);
      }));
      assert.equal(seen.length, 200);
      assert.ok(seen.every(Boolean), 'each write was committed before its caller went on');
      assert.ok(transactions() <= 20, `${transactions()} transactions for 200 writes`);
    });

    it('fails only the faulty write of a batch; the others are committed', async () => {
      const group = new GroupCommit(h.store);
      const name = `dup-${engine}-${Date.now()}`;
      await h.store.tenants.create(name);
      const outcomes = await Promise.allSettled([
        group.write(async (tx) => { await tx.tenants.create(`${name}-a`); }),
        group.write(async (tx) => { await tx.tenants.create(name); }),
        group.write(async (tx) => { await tx.tenants.create(`${name}-b`); }),
      ]);
      assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
      assert.equal((outcomes[1] as PromiseRejectedResult).reason.code, 'RF_TENANT_EXISTS');
      assert.ok(await h.store.tenants.byName(`${name}-a`));
      assert.ok(await h.store.tenants.byName(`${name}-b`));
    });
  });
}
