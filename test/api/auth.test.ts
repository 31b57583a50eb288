// Who may call the API: a key in x-api-key, Bearer or Basic TENANT_SID:KEY; everything else is a
// 401 {code, message}. And a per-key rate limit: 429 with Retry-After, other keys unaffected.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../helpers/server.ts';
import { assertError, startApiServer } from '../helpers/api-server.ts';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('authentication', () => {
  let t: TestServer;
  before(async () => {
    t = await startApiServer();
  });
  after(() => t.close());

  it('takes the key in x-api-key, as a Bearer token, or as Basic TENANT_SID:KEY', async () => {
    const viaHeader = await t.api('/v2.0/actions');
    assert.equal(viaHeader.status, 200, JSON.stringify(viaHeader.body));
    const viaBearer = await t.api('/v2.0/actions', { key: null, headers: { authorization: `Bearer ${t.key}` } });
    assert.equal(viaBearer.status, 200, JSON.stringify(viaBearer.body));
    const viaBearerLowerCase = await t.api('/v2.0/actions', { key: null, headers: { authorization: `bearer ${t.key}` } });
    assert.equal(viaBearerLowerCase.status, 200);
    const viaBasic = await t.api('/v2.0/actions', { key: null, headers: { authorization: basic(t.tenant.id, t.key) } });
    assert.equal(viaBasic.status, 200, JSON.stringify(viaBasic.body));
  });

  it('answers 401 {code, message} without a key, with a wrong one, or a malformed header', async () => {
    const cases: [string, Record<string, string>][] = [
      ['no key', {}],
      ['a wrong x-api-key', { 'x-api-key': 'rf_not-a-key-of-anyone-here-000000000000' }],
      ['an empty x-api-key', { 'x-api-key': '' }],
      ['a wrong Bearer', { authorization: 'Bearer rf_wrong' }],
      ['Bearer without a token', { authorization: 'Bearer' }],
      ['an unknown scheme', { authorization: `Token ${t.key}` }],
      ['Basic that is not base64 of user:password', { authorization: 'Basic !!!' }],
      ['Basic without the sid', { authorization: basic('', t.key) }],
      ['Basic with a wrong key', { authorization: basic(t.tenant.id, 'rf_wrong') }],
    ];
    for (const [what, headers] of cases) {
      const r = await t.api('/v2.0/actions', { key: null, headers });
      assertError(r, 401, 'RF_API_UNAUTHORIZED', ['x-api-key']);
      assert.ok(r.headers.get('www-authenticate'), `${what}: a 401 says how to authenticate`);
    }
  });

  it('refuses a request without a valid key before reading its body', async () => {
    const cases: { body: string; type: string }[] = [
      { body: '{"name": 5}', type: 'application/json' },
      { body: '{not json', type: 'application/json' },
      { body: 'name=x', type: 'application/x-www-form-urlencoded' },
    ];
    for (const { body, type } of cases) {
      const r = await t.api('/v2.0/actions', { key: 'rf_wrong', body, headers: { 'content-type': type } });
      assertError(r, 401, 'RF_API_UNAUTHORIZED');
    }
    assertError(await t.api('/v2.0/actions?limit=1000', { key: null }), 401, 'RF_API_UNAUTHORIZED');
  });

  it('refuses a key given with another tenant’s sid in Basic', async () => {
    const other = await t.other();
    const r = await t.api('/v2.0/actions', { key: null, headers: { authorization: basic(other.tenant.id, t.key) } });
    assertError(r, 401, 'RF_API_UNAUTHORIZED');
    // Each tenant's own pair works.
    const own = await t.api('/v2.0/actions', { key: null, headers: { authorization: basic(other.tenant.id, other.key) } });
    assert.equal(own.status, 200);
  });

  it('refuses a revoked key, at once', async () => {
    const { key, secret } = await t.server.store.apiKeys.create(t.tenant.id, 'to revoke');
    assert.equal((await t.api('/v2.0/actions', { key: secret })).status, 200);
    assert.ok(await t.server.store.apiKeys.revoke(t.tenant.id, key.id));
    assertError(await t.api('/v2.0/actions', { key: secret }), 401, 'RF_API_UNAUTHORIZED');
    assertError(await t.api('/v2.0/actions', { key: null, headers: { authorization: `Bearer ${secret}` } }), 401, 'RF_API_UNAUTHORIZED');
    // The tenant's other key still works.
    assert.equal((await t.api('/v2.0/actions')).status, 200);
  });

  it('needs no key for ping, health and the API document', async () => {
    const ping = await t.api('/v2.0/ping', { key: null });
    assert.equal(ping.status, 200);
    assert.equal(ping.body.pong, 'pong');
    assert.ok(!Number.isNaN(Date.parse(ping.body.time)));
    assert.equal((await t.api('/healthz', { key: null })).status, 200);
    assert.equal((await t.api('/openapi.json', { key: null })).status, 200);
  });
});

describe('rate limit', () => {
  let t: TestServer;
  before(async () => {
    // 3 at once, then one every 10 s: the test makes its requests well within a second.
    t = await startApiServer({ rateLimit: { perSecond: 0.1, burst: 3 } });
  });
  after(() => t.close());

  it('answers 429 with Retry-After past the limit of a key, and other keys are unaffected', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await t.api('/v2.0/actions')).status, 200, `request ${i + 1} is within the burst`);
    const limited = await t.api('/v2.0/actions');
    assertError(limited, 429, 'RF_API_RATE_LIMITED', ['retry after']);
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 10, `Retry-After: ${limited.headers.get('retry-after')}`);
    // The same key by another way of sending it is the same key.
    assertError(await t.api('/v2.0/actions', { key: null, headers: { authorization: `Bearer ${t.key}` } }), 429, 'RF_API_RATE_LIMITED');

    // Another key of the same tenant, and another tenant's key, have their own budgets.
    const { secret } = await t.server.store.apiKeys.create(t.tenant.id);
    const other = await t.other();
    for (let i = 0; i < 3; i++) {
      assert.equal((await t.api('/v2.0/actions', { key: secret })).status, 200);
      assert.equal((await t.api('/v2.0/actions', { key: other.key })).status, 200);
    }
    // Unauthenticated routes are not counted against anyone.
    assert.equal((await t.api('/v2.0/ping')).status, 200);
  });

  it('does not count requests without a valid key against the key', async () => {
    const other = await t.other();
    for (let i = 0; i < 5; i++) assertError(await t.api('/v2.0/actions', { key: 'rf_wrong' }), 401, 'RF_API_UNAUTHORIZED');
    assert.equal((await t.api('/v2.0/actions', { key: other.key })).status, 200);
  });
});
