import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CallRecord } from '../../src/store/calls.ts';
import type { Store } from '../../src/store/store.ts';
import { ENGINES, useStore } from './store-harness.ts';
import { callRecord, callRequest, isoAt, newTenant, rejectsWith, sid } from './fixtures.ts';

const T0 = Date.UTC(2025, 0, 1, 9);

/** Every page of the list, following `next`, with `between` run after each page. */
async function allPages(store: Store, tenantId: string, limit: number, between: (page: number) => Promise<void> = async () => {}): Promise<CallRecord[][]> {
  const pages: CallRecord[][] = [];
  let cursor: string | undefined;
  for (;;) {
    const { hits, next } = await store.calls.list(tenantId, {}, cursor, limit);
    pages.push(hits);
    await between(pages.length);
    if (next === null) return pages;
    cursor = next;
  }
}

for (const engine of ENGINES) {
  describe(`calls (${engine})`, () => {
    const h = useStore(engine);

    it('saves a call with its CDR and attached data, and replaces its state on the next save', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      const call = callRecord(tenant.id, 'RNone', { status: 'ringing' });
      await store.calls.save(call);
      assert.deepEqual(await store.calls.get(tenant.id, call.sid), call);
      assert.equal(await store.calls.get((await newTenant(store)).id, call.sid), undefined, 'another tenant does not see it');
      const ended = { ...call, status: 'ended', cdr: { ...call.cdr, hangupCause: 17, status: 'busy' }, attachedData: { note: 'x' }, updated: isoAt(T0 + 5000), created: isoAt(T0 + 9999) };
      await store.calls.save(ended);
      assert.deepEqual(await store.calls.get(tenant.id, call.sid), { ...ended, created: call.created }, 'created never moves: it is the call\'s place in the list');
      const intruder = await newTenant(store);
      await store.calls.save({ ...ended, tenantId: intruder.id, status: 'hijacked' });
      assert.equal((await store.calls.get(tenant.id, call.sid))?.status, 'ended', 'a save under another tenant does not overwrite it');
    });

    it('lists newest first with filters on status, direction, number, time and run', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      const calls = [
        callRecord(tenant.id, 'RNa', { created: isoAt(T0), direction: 'inbound', from: '+33111', to: '+33999', status: 'ended' }),
        callRecord(tenant.id, 'RNa', { created: isoAt(T0 + 1000), direction: 'outbound', from: '+33999', to: '+33222', status: 'answered' }),
        callRecord(tenant.id, 'RNb', { created: isoAt(T0 + 2000), direction: 'outbound', from: '+33999', to: '+33111', status: 'ended' }),
      ];
      for (const call of calls) await store.calls.save(call);
      await store.calls.save(callRecord((await newTenant(store)).id, 'RNa', { from: '+33111' }));
      const sids = async (filter: Parameters<Store['calls']['list']>[1]) => (await store.calls.list(tenant.id, filter, undefined, 10)).hits.map((c) => c.sid);
      const [a, b, c] = calls.map((x) => x.sid);
      assert.deepEqual(await sids({}), [c, b, a]);
      assert.deepEqual(await sids({ status: 'ended' }), [c, a]);
      assert.deepEqual(await sids({ direction: 'inbound' }), [a]);
      assert.deepEqual(await sids({ number: '+33111' }), [c, a], 'from or to');
      assert.deepEqual(await sids({ since: isoAt(T0 + 1000) }), [c, b], 'since is inclusive');
      assert.deepEqual(await sids({ until: isoAt(T0 + 1000) }), [a], 'until is exclusive');
      assert.deepEqual(await sids({ runSid: 'RNa', direction: 'outbound' }), [b]);
      assert.deepEqual((await store.calls.forRun('RNa')).filter((x) => x.tenantId === tenant.id).map((x) => x.sid), [a, b], 'forRun in order of creation');
    });

    it('pages with an opaque cursor: every call once, in order, also among calls of the same instant', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      const calls: CallRecord[] = [];
      for (let n = 0; n < 25; n++) calls.push(callRecord(tenant.id, 'RNp', { created: isoAt(T0 + Math.floor(n / 4) * 1000) }));
      for (const call of calls) await store.calls.save(call);
      const pages = await allPages(store, tenant.id, 10);
      assert.deepEqual(pages.map((p) => p.length), [10, 10, 5]);
      const seen = pages.flat().map((c) => `${c.created} ${c.sid}`);
      const expected = calls.map((c) => `${c.created} ${c.sid}`).sort().reverse();
      assert.deepEqual(seen, expected);
      const exact = await allPages(store, tenant.id, 25);
      assert.deepEqual(exact.map((p) => p.length), [25], 'a full last page says there is no next');
    });

    it('never repeats or skips a call when calls are inserted between pages', async () => {
      const { store, clock } = h;
      const tenant = await newTenant(store);
      const original: CallRecord[] = [];
      for (let n = 0; n < 30; n++) {
        original.push(callRecord(tenant.id, 'RNq', { created: new Date(clock.now()).toISOString() }));
        if (n % 3 === 0) await clock.advance(1000);
      }
      for (const call of original) await store.calls.save(call);
      const inserted: string[] = [];
      const pages = await allPages(store, tenant.id, 7, async () => {
        // New calls arrive while the client pages: they are newer than anything listed so far.
        await clock.advance(1000);
        for (let n = 0; n < 3; n++) {
          const call = callRecord(tenant.id, 'RNq', { created: new Date(clock.now()).toISOString() });
          inserted.push(call.sid);
          await store.calls.save(call);
        }
      });
      const seen = pages.flat().map((c) => c.sid);
      assert.equal(new Set(seen).size, seen.length, 'no call twice');
      assert.deepEqual([...seen].sort(), original.map((c) => c.sid).sort(), 'every call that existed when paging began, and none inserted since');
      assert.ok(inserted.every((s) => !seen.includes(s)));
      const fresh = await store.calls.list(tenant.id, {}, undefined, 3);
      assert.deepEqual(fresh.hits.map((c) => c.sid).sort(), inserted.slice(-3).sort(), 'a new first page starts with the newest (one instant, so in sid order)');
    });

    it('refuses a cursor it did not give with RF_CURSOR_INVALID', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      for (const bad of ['nope', 'e30', Buffer.from('["not a date","CA1"]').toString('base64url'), 'x'.repeat(500)]) {
        await rejectsWith(store.calls.list(tenant.id, {}, bad, 10), 'RF_CURSOR_INVALID');
      }
    });
  });

  describe(`recordings and call requests (${engine})`, () => {
    const h = useStore(engine);

    it('stores recordings\' metadata per tenant and run', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      const first = { sid: sid('RE'), tenantId: tenant.id, runSid: 'RNr', callSid: 'CA1', path: 'TN/RNr/RE1.wav', durationMs: 4200, format: 'wav' as const, created: isoAt(T0) };
      const second = { ...first, sid: sid('RE'), callSid: null, path: null, created: isoAt(T0 + 1) };
      await store.recordings.create(second);
      await store.recordings.create(first);
      assert.deepEqual(await store.recordings.get(tenant.id, first.sid), first);
      assert.equal(await store.recordings.get((await newTenant(store)).id, first.sid), undefined);
      assert.deepEqual(await store.recordings.forRun('RNr'), [first, second]);
      assert.deepEqual(await store.recordings.forRun('RNnone'), []);
    });

    it('stores call requests, updates their state, and finds many at once per tenant', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      const a = callRequest(tenant.id);
      const b = callRequest(tenant.id, { sendResultImmediately: false, endUser: null, resultDestination: null, locale: null });
      for (const r of [a, b]) await store.callRequests.create(r);
      assert.deepEqual(await store.callRequests.get(tenant.id, a.uniqueId), a);
      assert.deepEqual(await store.callRequests.get(tenant.id, b.uniqueId), b);
      const other = await newTenant(store);
      assert.equal(await store.callRequests.get(other.id, a.uniqueId), undefined);

      const changes = { callState: 'Answered' as const, started: isoAt(T0 + 1000), answered: isoAt(T0 + 3000), ended: isoAt(T0 + 9500), duration: 6.5, variables: { $order: 'A-17', $choice: '1' }, updated: isoAt(T0 + 9500) };
      await store.callRequests.update(a.uniqueId, changes);
      await store.callRequests.update(b.uniqueId, {});
      assert.deepEqual(await store.callRequests.get(tenant.id, a.uniqueId), { ...a, ...changes });

      const many = await store.callRequests.getMany(tenant.id, [b.uniqueId, 'UQunknown', a.uniqueId, a.uniqueId]);
      assert.deepEqual(many.map((r) => r.uniqueId).sort(), [a.uniqueId, b.uniqueId].sort());
      assert.deepEqual(await store.callRequests.getMany(other.id, [a.uniqueId]), []);
      assert.deepEqual(await store.callRequests.getMany(tenant.id, []), []);
      const unfinished = (await store.callRequests.unfinished('node-a')).filter((r) => r.tenantId === tenant.id);
      assert.deepEqual(unfinished, [await store.callRequests.get(tenant.id, b.uniqueId)], 'Answered is final; Queued is not');
      for (const callState of ['Dialing', 'In Progress', 'No Answer'] as const) await store.callRequests.create(callRequest(tenant.id, { callState }));
      const states = (await store.callRequests.unfinished('node-a')).filter((r) => r.tenantId === tenant.id).map((r) => r.callState);
      assert.deepEqual(states.sort(), ['Dialing', 'In Progress', 'Queued']);
      const ids = Array.from({ length: 1200 }, (_, n) => `UQ${n}`);
      assert.deepEqual((await store.callRequests.getMany(tenant.id, [...ids, a.uniqueId])).map((r) => r.uniqueId), [a.uniqueId], 'long lists are split');
    });
  });
}
