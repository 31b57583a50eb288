import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ENGINES, useStore } from './store-harness.ts';
import { newTenant, rejectsWith } from './fixtures.ts';

for (const engine of ENGINES) {
  describe(`tenants (${engine})`, () => {
    const h = useStore(engine);

    it('creates a tenant with a TN id, a 256-bit webhook secret and the clock time, and finds it by id and name', async () => {
      const { store, clock } = h;
      const tenant = await store.tenants.create('acme');
      assert.match(tenant.id, /^TN[0-9a-f]{20}$/);
      assert.match(tenant.webhookSecret, /^[0-9a-f]{64}$/);
      assert.equal(tenant.created, new Date(clock.now()).toISOString());
      assert.deepEqual(await store.tenants.get(tenant.id), tenant);
      assert.deepEqual(await store.tenants.byName('acme'), tenant);
      assert.equal(await store.tenants.get('TNnope'), undefined);
      assert.equal(await store.tenants.byName('nope'), undefined);
      const other = await store.tenants.create('zeta');
      assert.notEqual(other.webhookSecret, tenant.webhookSecret);
      const listed = await store.tenants.list();
      assert.deepEqual(listed.filter((t) => t.name === 'acme' || t.name === 'zeta'), [tenant, other]);
    });

    it('refuses a taken name with RF_TENANT_EXISTS, also when two creates race', async () => {
      const { store } = h;
      await store.tenants.create('taken');
      await rejectsWith(store.tenants.create('taken'), 'RF_TENANT_EXISTS');
      const results = await Promise.allSettled([store.tenants.create('race'), store.tenants.create('race'), store.tenants.create('race')]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { code: string }).code, 'RF_TENANT_EXISTS');
    });
  });

  describe(`API keys (${engine})`, () => {
    const h = useStore(engine);

    it('creates a key shown once, stores only its SHA-256, and authenticates with it', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      const { key, secret } = await store.apiKeys.create(tenant.id, 'ci');
      assert.match(secret, /^rf_[A-Za-z0-9_-]{43}$/);
      assert.match(key.id, /^AK[0-9a-f]{20}$/);
      assert.deepEqual(key, { id: key.id, tenantId: tenant.id, name: 'ci', prefix: secret.slice(0, 8), created: key.created, revoked: null });
      assert.deepEqual(await store.apiKeys.authenticate(secret), key);
      assert.equal(await store.apiKeys.authenticate(`${secret.slice(0, -1)}x`), undefined);
      assert.equal(await store.apiKeys.authenticate(''), undefined);

      const rows = await h.rows(`select * from api_keys where id = '${key.id}'`);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.key_hash, createHash('sha256').update(secret).digest('hex'));
      assert.ok(!Object.values(rows[0]!).includes(secret), 'the key text is not stored');
    });

    it('registers a key from its text once, and refuses the same text for another tenant with RF_API_KEY_TAKEN', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      const text = 'rf_dev-key-from-the-config-file';
      const key = await store.apiKeys.register(tenant.id, text, 'bootstrap');
      assert.match(key.id, /^AK[0-9a-f]{20}$/);
      assert.deepEqual(key, { id: key.id, tenantId: tenant.id, name: 'bootstrap', prefix: 'rf_dev-k', created: key.created, revoked: null });
      assert.deepEqual(await store.apiKeys.register(tenant.id, text, 'again'), key, 'the second start finds the first record');
      assert.deepEqual(await store.apiKeys.authenticate(text), key);
      assert.deepEqual(await store.apiKeys.list(tenant.id), [key]);
      await rejectsWith(store.apiKeys.register((await newTenant(store)).id, text), 'RF_API_KEY_TAKEN');
    });

    it('lists a tenant\'s keys only, and a revoked key no longer authenticates', async () => {
      const { store, clock } = h;
      const tenant = await newTenant(store);
      const other = await newTenant(store);
      const first = await store.apiKeys.create(tenant.id);
      await clock.advance(1000);
      const second = await store.apiKeys.create(tenant.id, 'second');
      await store.apiKeys.create(other.id);
      assert.equal(first.key.name, null);
      assert.deepEqual(await store.apiKeys.list(tenant.id), [first.key, second.key]);

      assert.equal(await store.apiKeys.revoke(other.id, first.key.id), false, 'another tenant cannot revoke it');
      assert.ok(await store.apiKeys.authenticate(first.secret));
      await clock.advance(1000);
      assert.equal(await store.apiKeys.revoke(tenant.id, first.key.id), true);
      const revokedAt = new Date(clock.now()).toISOString();
      assert.equal(await store.apiKeys.authenticate(first.secret), undefined);
      assert.ok(await store.apiKeys.authenticate(second.secret), 'the other key still works');
      await clock.advance(1000);
      assert.equal(await store.apiKeys.revoke(tenant.id, first.key.id), true, 'revoking again still finds it');
      const listed = await store.apiKeys.list(tenant.id);
      assert.equal(listed[0]!.revoked, revokedAt, 'the first revocation time is kept');
      assert.equal(await store.apiKeys.revoke(tenant.id, 'AKnope'), false);
    });
  });
}
