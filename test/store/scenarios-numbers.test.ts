import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, useStore } from './store-harness.ts';
import { newTenant, rejectsWith } from './fixtures.ts';

for (const engine of ENGINES) {
  describe(`scenarios (${engine})`, () => {
    const h = useStore(engine);

    it('creates version 1 and reads it by sid, by name and by version', async () => {
      const { store, clock } = h;
      const tenant = await newTenant(store);
      const created = await store.scenarios.create(tenant.id, 'welcome', 'inbound-call:\n  - action: hangup@v1\n');
      const now = new Date(clock.now()).toISOString();
      assert.match(created.sid, /^SC[0-9a-f]{20}$/);
      assert.deepEqual(created, { sid: created.sid, tenantId: tenant.id, name: 'welcome', script: 'inbound-call:\n  - action: hangup@v1\n', format: 'yaml', version: 1, created: now, updated: now });
      assert.deepEqual(await store.scenarios.get(tenant.id, created.sid), created);
      assert.deepEqual(await store.scenarios.byName(tenant.id, 'welcome'), created);
      assert.deepEqual(await store.scenarios.getVersion(tenant.id, created.sid, 1), created);
      assert.equal(await store.scenarios.getVersion(tenant.id, created.sid, 2), undefined);
      const other = await newTenant(store);
      assert.equal(await store.scenarios.get(other.id, created.sid), undefined, 'another tenant does not see it');
      assert.equal(await store.scenarios.byName(other.id, 'welcome'), undefined);
    });

    it('refuses a name the tenant already uses with RF_SCENARIO_NAME_TAKEN; another tenant may use it', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      await store.scenarios.create(tenant.id, 'dup', 'a: 1');
      await rejectsWith(store.scenarios.create(tenant.id, 'dup', 'a: 2'), 'RF_SCENARIO_NAME_TAKEN');
      const other = await newTenant(store);
      assert.equal((await store.scenarios.create(other.id, 'dup', 'a: 3')).name, 'dup');
      const raced = await Promise.allSettled([1, 2, 3].map((n) => store.scenarios.create(tenant.id, 'raced', `a: ${n}`)));
      assert.equal(raced.filter((r) => r.status === 'fulfilled').length, 1);
    });

    it('keeps every version: a new one when the script changes, none for a rename or the same script', async () => {
      const { store, clock } = h;
      const tenant = await newTenant(store);
      const v1 = await store.scenarios.create(tenant.id, 'flow', 'v: 1');
      await clock.advance(1000);
      const v2 = await store.scenarios.update(tenant.id, v1.sid, { script: 'v: 2' });
      assert.equal(v2?.version, 2);
      assert.equal(v2?.script, 'v: 2');
      assert.equal(v2?.created, v1.created);
      assert.equal(v2?.updated, new Date(clock.now()).toISOString());
      await clock.advance(1000);
      const same = await store.scenarios.update(tenant.id, v1.sid, { script: 'v: 2' });
      assert.deepEqual(same, v2, 'the same script changes nothing');
      const renamed = await store.scenarios.update(tenant.id, v1.sid, { name: 'flow-renamed' });
      assert.equal(renamed?.version, 2);
      assert.equal(renamed?.name, 'flow-renamed');
      assert.equal(renamed?.updated, new Date(clock.now()).toISOString());
      assert.deepEqual(await store.scenarios.get(tenant.id, v1.sid), renamed);
      assert.equal(await store.scenarios.byName(tenant.id, 'flow'), undefined);
      assert.equal((await store.scenarios.getVersion(tenant.id, v1.sid, 1))?.script, 'v: 1');
      assert.equal((await store.scenarios.getVersion(tenant.id, v1.sid, 2))?.script, 'v: 2');

      const both = await store.scenarios.update(tenant.id, v1.sid, { name: 'flow', script: 'v: 3' });
      assert.deepEqual([both?.name, both?.version, both?.script], ['flow', 3, 'v: 3']);
      assert.equal(await store.scenarios.update(tenant.id, 'SCnope', { script: 'x' }), undefined);
      assert.equal(await store.scenarios.update((await newTenant(store)).id, v1.sid, { script: 'x' }), undefined, 'another tenant cannot update it');
    });

    it('numbers concurrent script updates one after the other', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      const s = await store.scenarios.create(tenant.id, 'busy', 'v: 0');
      const updates = await Promise.all([1, 2, 3, 4].map((n) => store.scenarios.update(tenant.id, s.sid, { script: `v: ${n}` })));
      assert.deepEqual(updates.map((u) => u?.version).sort(), [2, 3, 4, 5]);
      for (const u of updates) assert.equal((await store.scenarios.getVersion(tenant.id, s.sid, u!.version))?.script, u!.script);
    });

    it('refuses a rename to a taken name', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      await store.scenarios.create(tenant.id, 'one', 'a: 1');
      const two = await store.scenarios.create(tenant.id, 'two', 'a: 2');
      await rejectsWith(store.scenarios.update(tenant.id, two.sid, { name: 'one', script: 'a: 3' }), 'RF_SCENARIO_NAME_TAKEN');
      assert.deepEqual(await store.scenarios.get(tenant.id, two.sid), two, 'nothing changed');
    });

    it('searches by part of the name, case-insensitively, sorted and paged, with the total', async () => {
      const { store, clock } = h;
      const tenant = await newTenant(store);
      for (const name of ['alpha-sales', 'beta-support', 'gamma-sales', 'delta_100%', 'Sales-epsilon']) {
        await store.scenarios.create(tenant.id, name, `name: ${name}`);
        await clock.advance(1000);
      }
      await store.scenarios.create((await newTenant(store)).id, 'other-sales', 'x: 1');
      const names = async (search: Parameters<typeof store.scenarios.search>[1]) => {
        const result = await store.scenarios.search(tenant.id, search);
        return { total: result.total, names: result.hits.map((s) => s.name) };
      };
      assert.deepEqual(await names({ name: 'SALES', sort: 'created', order: 'asc', offset: 0, limit: 10 }), { total: 3, names: ['alpha-sales', 'gamma-sales', 'Sales-epsilon'] });
      assert.deepEqual(await names({ sort: 'created', order: 'desc', offset: 1, limit: 2 }), { total: 5, names: ['delta_100%', 'gamma-sales'] });
      assert.deepEqual(await names({ sort: 'name', order: 'asc', offset: 0, limit: 3 }), { total: 5, names: ['alpha-sales', 'beta-support', 'delta_100%'] });
      assert.deepEqual(await names({ sort: 'name', order: 'desc', offset: 0, limit: 2 }), { total: 5, names: ['Sales-epsilon', 'gamma-sales'] });
      assert.deepEqual(await names({ name: '_1', sort: 'name', order: 'asc', offset: 0, limit: 10 }), { total: 1, names: ['delta_100%'] }, '_ is not a wildcard');
      assert.deepEqual(await names({ name: '%', sort: 'name', order: 'asc', offset: 0, limit: 10 }), { total: 1, names: ['delta_100%'] }, '% is not a wildcard');
      assert.deepEqual(await names({ name: 'nothing', sort: 'name', order: 'asc', offset: 0, limit: 10 }), { total: 0, names: [] });
      const hits = (await store.scenarios.search(tenant.id, { name: 'beta', sort: 'updated', order: 'desc', offset: 0, limit: 10 })).hits;
      assert.equal(hits[0]?.script, 'name: beta-support', 'hits carry the current script');
    });

    it('deletes softly: gone from lookups and lists, name free again, versions kept, numbers released', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      const s = await store.scenarios.create(tenant.id, 'doomed', 'v: 1');
      await store.scenarios.update(tenant.id, s.sid, { script: 'v: 2' });
      await store.numbers.assign(tenant.id, s.sid, '+33100000010');
      assert.equal(await store.scenarios.delete((await newTenant(store)).id, s.sid), false, 'another tenant cannot delete it');
      assert.equal(await store.scenarios.delete(tenant.id, s.sid), true);
      assert.equal(await store.scenarios.get(tenant.id, s.sid), undefined);
      assert.equal(await store.scenarios.byName(tenant.id, 'doomed'), undefined);
      assert.equal((await store.scenarios.search(tenant.id, { sort: 'name', order: 'asc', offset: 0, limit: 10 })).total, 0);
      assert.equal(await store.numbers.route('+33100000010'), undefined);
      assert.equal((await store.scenarios.getVersion(tenant.id, s.sid, 1))?.script, 'v: 1', 'runs can still read the version they ran');
      assert.equal(await store.scenarios.update(tenant.id, s.sid, { script: 'v: 3' }), undefined);
      assert.equal(await store.scenarios.delete(tenant.id, s.sid), false);
      const again = await store.scenarios.create(tenant.id, 'doomed', 'v: new');
      assert.notEqual(again.sid, s.sid);
      const rows = await h.rows(`select sid, deleted from scenarios where name = 'doomed' and tenant_id = '${tenant.id}' order by created, sid`);
      assert.equal(rows.length, 2, 'the deleted row stays');
    });
  });

  describe(`numbers (${engine})`, () => {
    const h = useStore(engine);

    it('routes a number to a scenario, moves it within the tenant, and refuses another tenant with RF_NUMBER_TAKEN', async () => {
      const { store, clock } = h;
      const tenant = await newTenant(store);
      const a = await store.scenarios.create(tenant.id, 'a', 'a: 1');
      const b = await store.scenarios.create(tenant.id, 'b', 'b: 1');
      const route = await store.numbers.assign(tenant.id, a.sid, '+33100000001');
      assert.deepEqual(route, { e164: '+33100000001', tenantId: tenant.id, scenarioSid: a.sid, assigned: new Date(clock.now()).toISOString() });
      assert.deepEqual(await store.numbers.route('+33100000001'), route);
      await clock.advance(1000);
      assert.deepEqual(await store.numbers.assign(tenant.id, a.sid, '+33100000001'), route, 'assigning again keeps the time');
      await store.numbers.assign(tenant.id, a.sid, '+33100000002');
      assert.deepEqual((await store.numbers.forScenario(tenant.id, a.sid)).map((r) => r.e164), ['+33100000001', '+33100000002']);

      const moved = await store.numbers.assign(tenant.id, b.sid, '+33100000001');
      assert.deepEqual(moved, { ...route, scenarioSid: b.sid, assigned: new Date(clock.now()).toISOString() });
      assert.deepEqual((await store.numbers.forScenario(tenant.id, a.sid)).map((r) => r.e164), ['+33100000002']);

      const other = await newTenant(store);
      const theirs = await store.scenarios.create(other.id, 'theirs', 'c: 1');
      const error = await rejectsWith(store.numbers.assign(other.id, theirs.sid, '+33100000001'), 'RF_NUMBER_TAKEN');
      assert.match(error.message, /\+33100000001/);
      assert.equal((await store.numbers.route('+33100000001'))?.tenantId, tenant.id, 'still the first tenant\'s');
      assert.deepEqual(await store.numbers.forScenario(other.id, b.sid), [], 'scoped to the tenant');
    });

    it('unassigns only the given tenant and scenario\'s number', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      const a = await store.scenarios.create(tenant.id, 'a', 'a: 1');
      const b = await store.scenarios.create(tenant.id, 'b', 'b: 1');
      await store.numbers.assign(tenant.id, a.sid, '+33100000099');
      assert.equal(await store.numbers.unassign(tenant.id, b.sid, '+33100000099'), false);
      assert.equal(await store.numbers.unassign((await newTenant(store)).id, a.sid, '+33100000099'), false);
      assert.equal(await store.numbers.unassign(tenant.id, a.sid, '+33100000099'), true);
      assert.equal(await store.numbers.route('+33100000099'), undefined);
      assert.equal(await store.numbers.unassign(tenant.id, a.sid, '+33100000099'), false);
    });
  });
}
