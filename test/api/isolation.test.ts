// Tenant isolation: another tenant's key, pointed at the first tenant's ids, walks every endpoint of
// the API and gets 404 — or an empty list where a list is the answer (scenario search, the calls
// list) — and never sees, changes or stops anything of the first tenant.
//
// The walk is checked against the OpenAPI document, so a route added later without an isolation
// check here makes this test fail.

import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, type TestServer } from '../helpers/server.ts';
import { ANSWERS, assertError, createScenario, finished, startApiServer, startRun } from '../helpers/api-server.ts';
import { openEvents } from '../helpers/sse-client.ts';

let t: TestServer;
before(async () => {
  t = await startApiServer({ parties: { '+15550009999': { answer: 'answer@0.1s', speechSeconds: 0.3 } } });
});
after(() => t.close());

const NUMBER = '+15557778000';
const SECRET = 'tenant-one-secret-7f3a';

/** Routes not under tenant keys: public operations, and the Outbound Call Trigger API (its own auth, its own tests). */
const NOT_TENANT_DATA = new Set(['GET /v2.0/ping', 'GET /healthz', 'GET /readyz', 'GET /metrics', 'POST /v2/call', 'POST /v2/callresult']);

it('another tenant reaches none of the first tenant’s data, on any endpoint', async () => {
  // Tenant one: a scenario with a number, a finished run with a call, a recording and memcache,
  // and a run still going on.
  const script = [
    'branches:',
    '  api-initiated:',
    '    - action: memcache@v1',
    `      params: { operation: set, key: shared-key, value: "${SECRET}" }`,
    '    - action: dial@v1',
    '      params: { targets: [{ number: "+15550009999" }] }',
    '    - action: javascript@v1',
    `      params: { code: "call.attachedData.secret = '${SECRET}'" }`,
    '    - action: record@v1',
    '      params: { maxDuration: 1, beep: false, silenceTimeout: 0.2 }',
    '',
  ].join('\n');
  const scenario = await createScenario(t, 'isolated', script);
  assert.equal((await t.api(`/v2.0/actions/${scenario}/numbers/${NUMBER}`, { method: 'PUT' })).status, 200);
  const done = await finished(t, await startRun(t, scenario, { secret: SECRET }, undefined));
  assert.equal(done.status, 'completed', JSON.stringify(done.error));
  const call = done.calls[0].sid as string;
  const recording = done.recordings[0].sid as string;
  const long = await createScenario(t, 'isolated-long', `branches:\n  api-initiated:\n    - action: dial@v1\n      params: { targets: [{ number: "${ANSWERS}" }] }\n    - action: say@v2\n      params: { what: "Hi", loop: 100 }\n`);
  const running = await startRun(t, long);
  await eventually(() => t.api(`/v2.0/runs/${running}`), (r) => r.body.status === 'running' && r.body.calls.length === 1);
  const idempotent = await t.api(`/v2.0/actions/${scenario}/runs`, { body: { variables: {} }, headers: { 'idempotency-key': 'shared-key' } });
  assert.equal(idempotent.status, 201);
  const cursor = (await t.api('/v2.0/calls?limit=1')).body.next as string;
  assert.ok(cursor);

  const o = await t.other();
  const walked = new Set<string>();
  const as = (method: string, route: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) => {
    walked.add(`${method} ${route}`);
    return t.api(path, { method, key: o.key, ...init });
  };
  const notFound = async (method: string, route: string, path: string, body?: unknown) => {
    const r = await as(method, route, path, body === undefined ? {} : { body });
    assertError(r, 404, 'RF_API_NOT_FOUND');
    assert.ok(!JSON.stringify(r.body).includes(SECRET));
  };

  // Scenarios: not found by sid; searches are empty (a list of their own, which is empty).
  await notFound('GET', '/v2.0/actions/{sid}', `/v2.0/actions/${scenario}`);
  await notFound('PATCH', '/v2.0/actions/{sid}', `/v2.0/actions/${scenario}`, { name: 'taken-over', script: 'branches:\n  api-initiated:\n    - action: log@v1\n      params: { message: "x" }\n' });
  await notFound('DELETE', '/v2.0/actions/{sid}', `/v2.0/actions/${scenario}`);
  const search = await as('GET', '/v2.0/actions', '/v2.0/actions?name=isolated');
  assert.equal(search.status, 200);
  assert.deepEqual([search.body.total, search.body.hits], [0, []]);
  assert.equal((await as('GET', '/v2.0/actions', '/v2.0/actions?limit=100')).body.total, 0);
  // The same name is theirs to use: names are per tenant, and a 409 would tell the name exists.
  const created = await as('POST', '/v2.0/actions', '/v2.0/actions', { body: { name: 'isolated', script: 'branches:\n  api-initiated:\n    - action: memcache@v1\n      params: { operation: get, key: shared-key }\n      result: $got\n' } });
  assert.equal(created.status, 201);
  const theirs = created.body.sid as string;

  // Numbers: the first tenant's scenario is not found; its number cannot be taken.
  await notFound('PUT', '/v2.0/actions/{sid}/numbers/{number}', `/v2.0/actions/${scenario}/numbers/${NUMBER}`);
  await notFound('DELETE', '/v2.0/actions/{sid}/numbers/{number}', `/v2.0/actions/${scenario}/numbers/${NUMBER}`);
  await notFound('DELETE', '/v2.0/actions/{sid}/numbers/{number}', `/v2.0/actions/${theirs}/numbers/${NUMBER}`);
  assertError(await as('PUT', '/v2.0/actions/{sid}/numbers/{number}', `/v2.0/actions/${theirs}/numbers/${NUMBER}`), 409, 'RF_NUMBER_TAKEN');

  // Runs: not started, not listed, not read, not canceled.
  await notFound('POST', '/v2.0/actions/{sid}/runs', `/v2.0/actions/${scenario}/runs`, { variables: {} });
  await notFound('GET', '/v2.0/actions/{sid}/runs', `/v2.0/actions/${scenario}/runs`);
  await notFound('GET', '/v2.0/runs/{sid}', `/v2.0/runs/${done.sid}`);
  await notFound('GET', '/v2.0/runs/{sid}', `/v2.0/runs/${running}`);
  await notFound('DELETE', '/v2.0/runs/{sid}', `/v2.0/runs/${running}`);
  await notFound('DELETE', '/v2.0/runs/{sid}', `/v2.0/runs/${done.sid}`);
  // Their Idempotency-Key of the same text makes their own run, and memcache is theirs alone.
  const own = await as('POST', '/v2.0/actions/{sid}/runs', `/v2.0/actions/${theirs}/runs`, { body: { variables: {} }, headers: { 'idempotency-key': 'shared-key' } });
  assert.equal(own.status, 201);
  assert.notEqual(own.body.sid, idempotent.body.sid);
  const ownRun = await eventually(() => as('GET', '/v2.0/runs/{sid}', `/v2.0/runs/${own.body.sid}`), (r) => r.body.status === 'completed');
  assert.equal(ownRun.body.variables.$got.value ?? null, null, 'the first tenant’s memcache is not theirs');
  const ownRuns = await as('GET', '/v2.0/actions/{sid}/runs', `/v2.0/actions/${theirs}/runs`);
  assert.deepEqual(ownRuns.body.hits.map((h: { sid: string }) => h.sid), [own.body.sid]);

  // Calls: not found by sid; lists are empty (their own calls: none), whatever the filter or cursor.
  await notFound('GET', '/v2.0/calls/{sid}', `/v2.0/calls/${call}`);
  for (const query of ['', `?run=${done.sid}`, `?number=${encodeURIComponent('+15550009999')}`, '?direction=outbound', `?cursor=${cursor}`]) {
    const list = await as('GET', '/v2.0/calls', `/v2.0/calls${query}`);
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.deepEqual(list.body, { hits: [], next: null }, query);
  }

  // Recordings.
  await notFound('GET', '/v2.0/recordings/{sid}', `/v2.0/recordings/${recording}`);

  // Events: a run of the first tenant is not found; their stream carries none of its events.
  walked.add('GET /v2.0/events');
  const spy = await openEvents(`${t.url}/v2.0/events?run=${running}`, { 'x-api-key': o.key });
  assert.equal(spy.status, 404);
  assert.equal(JSON.parse(await spy.text()).code, 'RF_API_NOT_FOUND');
  const stream = await openEvents(`${t.url}/v2.0/events`, { 'x-api-key': o.key });
  const mine = await openEvents(`${t.url}/v2.0/events`, { 'x-api-key': t.key });
  try {
    const another = await startRun(t, scenario);
    await mine.until((events) => events.some((e) => e.data.run === another && e.event === 'run' && e.data.event.event === 'ended'));
    assert.deepEqual(stream.events, []);
  } finally {
    stream.close();
    mine.close();
  }

  // The simulator: a call to the first tenant's number is not theirs to place.
  const placed = await as('POST', '/v2.0/simulator/calls', '/v2.0/simulator/calls', { body: { from: '+15557778001', to: NUMBER } });
  assertError(placed, 404, 'RF_API_NOT_FOUND');

  // Nothing of the first tenant changed: the scenario, its number, the running run.
  const still = await t.api(`/v2.0/actions/${scenario}`);
  assert.equal(still.body.name, 'isolated');
  assert.equal(still.body.version, 1);
  assert.deepEqual(still.body.numbers.map((n: { e164: string }) => n.e164), [NUMBER]);
  assert.equal((await t.api(`/v2.0/runs/${running}`)).body.status, 'running');
  assert.equal((await t.api(`/v2.0/runs/${running}`, { method: 'DELETE' })).body.status, 'canceled');

  // Every tenant route of the API was walked.
  const doc = (await t.api('/openapi.json')).body;
  const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, '{$1}')}`));
  const missed = routes.filter((r) => !NOT_TENANT_DATA.has(r) && !walked.has(r));
  assert.deepEqual(missed, [], 'routes without an isolation check');
});
