// /v2.0/actions: scenario CRUD and search as Callr's REST API v2 has them, every problem of an
// invalid script listed with its line and column, and number assignment.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../helpers/server.ts';
import { assertError, createScenario, startApiServer } from '../helpers/api-server.ts';

const SAY = 'branches:\n  api-initiated:\n    - action: dial@v1\n      params: { targets: [{ number: "+15550001111" }] }\n    - action: say@v2\n      params: { what: "Hi" }\n';
const SAY_BYE = SAY.replace('"Hi"', '"Bye"');

let t: TestServer;
before(async () => {
  t = await startApiServer();
});
after(() => t.close());

describe('scenario CRUD', () => {
  it('creates a scenario: 201 with the scenario object', async () => {
    const r = await t.api('/v2.0/actions', { body: { name: 'crud-create', script: SAY, format: 'yaml' } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.match(r.body.sid, /^SC/);
    assert.equal(r.body.name, 'crud-create');
    assert.equal(r.body.script, SAY);
    assert.equal(r.body.format, 'yaml');
    assert.equal(r.body.version, 1);
    assert.deepEqual(r.body.numbers, []);
    assert.ok(!Number.isNaN(Date.parse(r.body.created)));
    assert.equal(r.body.updated, r.body.created);
    const read = await t.api(`/v2.0/actions/${r.body.sid}`);
    assert.equal(read.status, 200);
    assert.deepEqual({ ...read.body, warnings: undefined }, { ...r.body, warnings: undefined });
  });

  it('refuses an invalid script with every problem, each with its line and column', async () => {
    const script = [
      'branches:', //                                  1
      '  api-initiated:', //                           2
      '    - action: sya@v2', //                       3: unknown action
      '      params: { what: "Hi" }', //               4
      '    - action: gather@v2', //                    5
      '      params: { maxDigit: 4 }', //              6: unknown param
      '    - goto: nowhere', //                        7: no such label
      '',
    ].join('\n');
    const r = await t.api('/v2.0/actions', { body: { name: 'crud-invalid', script } });
    assertError(r, 400, 'RF_SCENARIO_INVALID', ['3 error(s)']);
    const errors = r.body.problems.filter((p: { severity: string }) => p.severity === 'error');
    assert.equal(errors.length, 3, JSON.stringify(r.body.problems));
    for (const p of errors) {
      assert.equal(typeof p.code, 'string');
      assert.equal(typeof p.message, 'string');
      assert.ok(Number.isInteger(p.line) && Number.isInteger(p.col), JSON.stringify(p));
    }
    const at = (code: string) => errors.find((p: { code: string }) => p.code === code);
    assert.equal(at('RF_SCENARIO_UNKNOWN_ACTION').line, 3);
    assert.match(at('RF_SCENARIO_UNKNOWN_ACTION').message, /say@v2/, 'with a hint');
    assert.equal(at('RF_SCENARIO_UNKNOWN_PARAM').line, 6);
    assert.match(at('RF_SCENARIO_UNKNOWN_PARAM').message, /maxDigits/);
    assert.equal(at('RF_SCENARIO_GOTO_LABEL').line, 7);
    // Nothing was created.
    const search = await t.api('/v2.0/actions?name=crud-invalid');
    assert.equal(search.body.total, 0);
  });

  it('refuses a script that is not YAML, or not a scenario, with the position', async () => {
    const notYaml = await t.api('/v2.0/actions', { body: { name: 'crud-not-yaml', script: 'branches:\n  api-initiated: [\n    - action: say@v2\n' } });
    assertError(notYaml, 400, 'RF_SCENARIO_INVALID');
    assert.ok(notYaml.body.problems.some((p: { code: string; line: number }) => p.code === 'RF_YAML_SYNTAX' && Number.isInteger(p.line)), JSON.stringify(notYaml.body.problems));
    const prose = await t.api('/v2.0/actions', { body: { name: 'crud-prose', script: 'Just say hello to the caller, please.' } });
    assertError(prose, 400, 'RF_SCENARIO_INVALID');
    assert.equal(prose.body.problems[0].code, 'RF_SCENARIO_NOT_A_MAP');
    assert.equal(prose.body.problems[0].line, 1);
  });

  it('checks the name (1–64) and the script (≤ 32768 characters), naming the field', async () => {
    assertError(await t.api('/v2.0/actions', { body: { name: '', script: SAY } }), 400, 'RF_API_INVALID', ['body.name']);
    assertError(await t.api('/v2.0/actions', { body: { name: 'x'.repeat(65), script: SAY } }), 400, 'RF_API_INVALID', ['body.name', '64']);
    assert.equal((await t.api('/v2.0/actions', { body: { name: 'x'.repeat(64), script: SAY } })).status, 201);
    const long = `${SAY}${'#'.repeat(32768 - SAY.length - 1)}\n`;
    assert.equal(long.length, 32768);
    assert.equal((await t.api('/v2.0/actions', { body: { name: 'crud-longest', script: long } })).status, 201);
    assertError(await t.api('/v2.0/actions', { body: { name: 'crud-too-long', script: `${long}#` } }), 400, 'RF_API_INVALID', ['body.script', '32768']);
    assertError(await t.api('/v2.0/actions', { body: { script: SAY } }), 400, 'RF_API_INVALID', ['body.name is required']);
    assertError(await t.api('/v2.0/actions', { body: { name: 'crud-no-script' } }), 400, 'RF_API_INVALID', ['body.script is required']);
    assertError(await t.api('/v2.0/actions', { body: { name: 'crud-format', script: SAY, format: 'json' } }), 400, 'RF_API_INVALID', ['body.format']);
  });

  it('keeps names unique per tenant (409), not across tenants', async () => {
    await createScenario(t, 'crud-unique', SAY);
    assertError(await t.api('/v2.0/actions', { body: { name: 'crud-unique', script: SAY } }), 409, 'RF_SCENARIO_NAME_TAKEN', ['crud-unique']);
    const other = await t.other();
    assert.equal((await t.api('/v2.0/actions', { body: { name: 'crud-unique', script: SAY }, key: other.key })).status, 201);
  });

  it('makes a new version on PATCH only when the script changes', async () => {
    const sid = await createScenario(t, 'crud-patch', SAY);
    const renamed = await t.api(`/v2.0/actions/${sid}`, { method: 'PATCH', body: { name: 'crud-patch-renamed' } });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.equal(renamed.body.name, 'crud-patch-renamed');
    assert.equal(renamed.body.version, 1);
    const same = await t.api(`/v2.0/actions/${sid}`, { method: 'PATCH', body: { script: SAY } });
    assert.equal(same.body.version, 1, 'the same script is not a new version');
    const changed = await t.api(`/v2.0/actions/${sid}`, { method: 'PATCH', body: { script: SAY_BYE } });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.version, 2);
    assert.equal(changed.body.script, SAY_BYE);
    assert.ok(changed.body.updated >= changed.body.created);
    const invalid = await t.api(`/v2.0/actions/${sid}`, { method: 'PATCH', body: { script: 'branches:\n  api-initiated:\n    - action: nope@v1\n' } });
    assertError(invalid, 400, 'RF_SCENARIO_INVALID');
    assert.equal(invalid.body.problems[0].line, 3);
    const read = await t.api(`/v2.0/actions/${sid}`);
    assert.equal(read.body.version, 2, 'an invalid script changes nothing');
    assert.equal(read.body.script, SAY_BYE);
    await createScenario(t, 'crud-patch-taken', SAY);
    assertError(await t.api(`/v2.0/actions/${sid}`, { method: 'PATCH', body: { name: 'crud-patch-taken' } }), 409, 'RF_SCENARIO_NAME_TAKEN');
    assertError(await t.api(`/v2.0/actions/${sid}`, { method: 'PATCH', body: { name: '' } }), 400, 'RF_API_INVALID', ['body.name']);
    assertError(await t.api(`/v2.0/actions/${sid}`, { method: 'PATCH', body: { colour: 'red' } }), 400, 'RF_API_INVALID', ['colour']);
  });

  it('deletes a scenario: 204, then 404, and its name and numbers are free again', async () => {
    const sid = await createScenario(t, 'crud-delete', SAY);
    assert.equal((await t.api(`/v2.0/actions/${sid}/numbers/+15557770001`, { method: 'PUT' })).status, 200);
    const deleted = await t.api(`/v2.0/actions/${sid}`, { method: 'DELETE' });
    assert.equal(deleted.status, 204);
    assertError(await t.api(`/v2.0/actions/${sid}`), 404, 'RF_API_NOT_FOUND', [sid]);
    assertError(await t.api(`/v2.0/actions/${sid}`, { method: 'DELETE' }), 404, 'RF_API_NOT_FOUND');
    assertError(await t.api(`/v2.0/actions/${sid}`, { method: 'PATCH', body: { name: 'x' } }), 404, 'RF_API_NOT_FOUND');
    assertError(await t.api(`/v2.0/actions/${sid}/runs`, { body: {} }), 404, 'RF_API_NOT_FOUND');
    await createScenario(t, 'crud-delete', SAY);
    const other = await t.other();
    const again = await createScenario(t, 'crud-delete-other', SAY, other.key);
    assert.equal((await t.api(`/v2.0/actions/${again}/numbers/+15557770001`, { method: 'PUT', key: other.key })).status, 200);
  });
});

describe('scenario search', () => {
  let s: TestServer;
  const names = ['Alpha', 'bravo', 'Charlie', 'delta', 'Echo', 'foxtrot', 'Golf', 'hotel', 'India', 'juliet', 'Kilo', 'lima'];
  before(async () => {
    s = await startApiServer();
    // Created in order, a few ms apart, so created/updated order is the list order.
    for (const name of names) {
      await createScenario(s, `search-${name}`, SAY);
      await new Promise((r) => setTimeout(r, 3));
    }
  });
  after(() => s.close());

  it('pages with offset and limit (default 10): {offset, total, hasMore, hits}', async () => {
    const first = await s.api('/v2.0/actions');
    assert.equal(first.status, 200);
    assert.equal(first.body.offset, 0);
    assert.equal(first.body.total, 12);
    assert.equal(first.body.hasMore, true);
    assert.equal(first.body.hits.length, 10);
    const rest = await s.api('/v2.0/actions?offset=10');
    assert.equal(rest.body.hits.length, 2);
    assert.equal(rest.body.hasMore, false);
    const seen = [...first.body.hits, ...rest.body.hits].map((h: { sid: string }) => h.sid);
    assert.equal(new Set(seen).size, 12);
    const small = await s.api('/v2.0/actions?limit=5&offset=5');
    assert.deepEqual(small.body.hits.map((h: { sid: string }) => h.sid), seen.slice(5, 10));
    assert.equal(small.body.offset, 5);
    assert.equal((await s.api('/v2.0/actions?limit=100')).body.hits.length, 12);
    const past = await s.api('/v2.0/actions?offset=50');
    assert.deepEqual([past.body.hits.length, past.body.hasMore, past.body.total], [0, false, 12]);
  });

  it('sorts by name (as a person reads it), created or updated, in either order', async () => {
    const byName = await s.api('/v2.0/actions?sort=name&order=asc&limit=100');
    assert.deepEqual(byName.body.hits.map((h: { name: string }) => h.name), names.map((n) => `search-${n}`));
    const byNameDesc = await s.api('/v2.0/actions?sort=name&order=desc&limit=3');
    assert.deepEqual(byNameDesc.body.hits.map((h: { name: string }) => h.name), ['search-lima', 'search-Kilo', 'search-juliet']);
    const created = await s.api('/v2.0/actions?sort=created&order=asc&limit=2');
    assert.deepEqual(created.body.hits.map((h: { name: string }) => h.name), ['search-Alpha', 'search-bravo']);
    // A change moves a scenario to the front of `updated desc` (the default order).
    const golf = byName.body.hits.find((h: { name: string }) => h.name === 'search-Golf');
    await new Promise((r) => setTimeout(r, 3));
    assert.equal((await s.api(`/v2.0/actions/${golf.sid}`, { method: 'PATCH', body: { script: SAY_BYE } })).status, 200);
    const updated = await s.api('/v2.0/actions?limit=1');
    assert.equal(updated.body.hits[0].name, 'search-Golf');
    const createdDesc = await s.api('/v2.0/actions?sort=created&limit=1');
    assert.equal(createdDesc.body.hits[0].name, 'search-lima');
  });

  it('filters by part of the name, case-insensitively, with % and _ taken literally', async () => {
    const r = await s.api('/v2.0/actions?name=LI&sort=name&order=asc');
    assert.deepEqual(r.body.hits.map((h: { name: string }) => h.name), ['search-Charlie', 'search-juliet', 'search-lima']);
    assert.equal(r.body.total, 3);
    assert.equal((await s.api('/v2.0/actions?name=%25')).body.total, 0);
    assert.equal((await s.api('/v2.0/actions?name=_')).body.total, 0);
  });

  it('refuses a limit outside 1–100, a negative offset, an unknown sort or order, naming the parameter', async () => {
    assertError(await s.api('/v2.0/actions?limit=0'), 400, 'RF_API_INVALID', ['querystring.limit']);
    assertError(await s.api('/v2.0/actions?limit=101'), 400, 'RF_API_INVALID', ['querystring.limit']);
    assertError(await s.api('/v2.0/actions?limit=ten'), 400, 'RF_API_INVALID', ['querystring.limit']);
    assertError(await s.api('/v2.0/actions?offset=-1'), 400, 'RF_API_INVALID', ['querystring.offset']);
    assertError(await s.api('/v2.0/actions?sort=size'), 400, 'RF_API_INVALID', ['querystring.sort']);
    assertError(await s.api('/v2.0/actions?order=up'), 400, 'RF_API_INVALID', ['querystring.order']);
    assertError(await s.api('/v2.0/actions?colour=red'), 400, 'RF_API_INVALID', ['colour']);
  });
});

describe('number assignment', () => {
  it('routes a number to a scenario (PUT), moves it between the tenant’s scenarios, and releases it (DELETE)', async () => {
    const a = await createScenario(t, 'numbers-a', SAY);
    const b = await createScenario(t, 'numbers-b', SAY);
    const put = await t.api(`/v2.0/actions/${a}/numbers/+15557770100`, { method: 'PUT' });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.e164, '+15557770100');
    assert.equal(put.body.scenario, a);
    const shown = await t.api(`/v2.0/actions/${a}`);
    assert.deepEqual(shown.body.numbers.map((n: { e164: string }) => n.e164), ['+15557770100']);
    // %2B for the +, as some clients send it, and the same number again is no change.
    const again = await t.api(`/v2.0/actions/${a}/numbers/%2B15557770100`, { method: 'PUT' });
    assert.equal(again.status, 200);
    assert.equal(again.body.assigned, put.body.assigned);
    const moved = await t.api(`/v2.0/actions/${b}/numbers/+15557770100`, { method: 'PUT' });
    assert.equal(moved.body.scenario, b);
    assert.deepEqual((await t.api(`/v2.0/actions/${a}`)).body.numbers, []);
    assertError(await t.api(`/v2.0/actions/${a}/numbers/+15557770100`, { method: 'DELETE' }), 404, 'RF_API_NOT_FOUND', ['+15557770100']);
    assert.equal((await t.api(`/v2.0/actions/${b}/numbers/+15557770100`, { method: 'DELETE' })).status, 204);
    assert.deepEqual((await t.api(`/v2.0/actions/${b}`)).body.numbers, []);
  });

  it('calls to a number go to the scenario it was just moved to, and nowhere once released: no stale route', async () => {
    const a = await createScenario(t, 'numbers-route-a', SAY);
    const b = await createScenario(t, 'numbers-route-b', SAY);
    const call = () => t.api('/v2.0/simulator/calls', { body: { from: '+15557770301', to: '+15557770300' } });
    const scenarioOf = async (run: string) => (await t.api(`/v2.0/runs/${run}`)).body.scenario;
    assert.equal((await t.api(`/v2.0/actions/${a}/numbers/+15557770300`, { method: 'PUT' })).status, 200);
    const first = await call();
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(await scenarioOf(first.body.run), a);
    assert.equal((await t.api(`/v2.0/actions/${b}/numbers/+15557770300`, { method: 'PUT' })).status, 200);
    const second = await call();
    assert.equal(await scenarioOf(second.body.run), b);
    assert.equal((await t.api(`/v2.0/actions/${b}/numbers/+15557770300`, { method: 'DELETE' })).status, 204);
    assertError(await call(), 404, 'RF_API_NOT_FOUND', ['+15557770300']);
  });

  it('refuses a number another tenant has (409) and an invalid number (400)', async () => {
    const mine = await createScenario(t, 'numbers-mine', SAY);
    assert.equal((await t.api(`/v2.0/actions/${mine}/numbers/+15557770200`, { method: 'PUT' })).status, 200);
    const other = await t.other();
    const theirs = await createScenario(t, 'numbers-theirs', SAY, other.key);
    assertError(await t.api(`/v2.0/actions/${theirs}/numbers/+15557770200`, { method: 'PUT', key: other.key }), 409, 'RF_NUMBER_TAKEN', ['+15557770200']);
    assertError(await t.api(`/v2.0/actions/${theirs}/numbers/+15557770200`, { method: 'DELETE', key: other.key }), 404, 'RF_API_NOT_FOUND');
    for (const bad of ['hello', '+12', '+1555777020012345678', '%25', '%252B15557770200', 'sip%3Aalice%40example.com']) {
      assertError(await t.api(`/v2.0/actions/${mine}/numbers/${bad}`, { method: 'PUT' }), 400, 'RF_API_INVALID_NUMBER', ['number']);
      assertError(await t.api(`/v2.0/actions/${mine}/numbers/${bad}`, { method: 'DELETE' }), 400, 'RF_API_INVALID_NUMBER');
    }
    assertError(await t.api('/v2.0/actions/SCnothing/numbers/+15557770300', { method: 'PUT' }), 404, 'RF_API_NOT_FOUND', ['SCnothing']);
  });
});
