// Bad input gets a clear {code, message} naming the problem, with the right status — never an HTML
// page, a stack trace or a 500.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../helpers/server.ts';
import { assertError, createScenario, startApiServer } from '../helpers/api-server.ts';

const LOG = 'branches:\n  api-initiated:\n    - action: log@v1\n      params: { message: "hi" }\n';

let t: TestServer;
before(async () => {
  t = await startApiServer({ bodyLimitBytes: 2048 });
});
after(() => t.close());

/** A raw request: the body exactly as given, with the tenant's key. */
async function raw(path: string, method: string, body: string | undefined, contentType: string | undefined): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { 'x-api-key': t.key };
  if (contentType !== undefined) headers['content-type'] = contentType;
  const response = await fetch(`${t.url}${path}`, { method, headers, body });
  const text = await response.text();
  assert.match(String(response.headers.get('content-type')), /^application\/json/, `a JSON answer, not: ${text.slice(0, 80)}`);
  return { status: response.status, body: JSON.parse(text) };
}

describe('bad input', () => {
  it('malformed JSON: 400 saying so', async () => {
    for (const text of ['{"name": "x", "script": ', "{'name': 'x'}", '{"name": "x",}', 'name=x']) {
      assertError(await raw('/v2.0/actions', 'POST', text, 'application/json'), 400, 'RF_API_MALFORMED_JSON', ['not valid JSON']);
    }
    assertError(await raw('/v2.0/actions', 'POST', '', 'application/json'), 400, 'RF_API_MALFORMED_JSON');
    // JSON that would poison prototypes is refused as well.
    assertError(await raw('/v2.0/actions', 'POST', '{"name": "x", "script": "y", "__proto__": {"admin": true}}', 'application/json'), 400, 'RF_API_MALFORMED_JSON');
  });

  it('wrong types: 400 naming each field, nothing converted behind the caller’s back', async () => {
    const r = await t.api('/v2.0/actions', { body: { name: 5, script: true } });
    assertError(r, 400, 'RF_API_INVALID', ['body.name', 'body.script']);
    assert.equal((await t.api('/v2.0/actions?name=5')).body.total, 0, 'no scenario "5" was made');
    assertError(await t.api('/v2.0/actions', { body: { name: ['a'], script: LOG } }), 400, 'RF_API_INVALID', ['body.name must be string']);
    assertError(await t.api('/v2.0/actions', { body: [{ name: 'a', script: LOG }] }), 400, 'RF_API_INVALID', ['body must be object']);
    assertError(await t.api('/v2.0/actions', { body: '"just a string"' }), 400, 'RF_API_INVALID', ['body']);
    const sid = await createScenario(t, 'bad-types', LOG);
    assertError(await t.api(`/v2.0/actions/${sid}`, { method: 'PATCH', body: { name: null, script: 42 } }), 400, 'RF_API_INVALID', ['body.name', 'body.script']);
    assertError(await t.api(`/v2.0/actions/${sid}/runs`, { body: { variables: 'x' } }), 400, 'RF_API_INVALID', ['body.variables']);
    assertError(await t.api('/v2.0/simulator/calls', { body: { from: 1, to: ['+15550001111'], presses: '1', hangupAt: 'soon' } }), 400, 'RF_API_INVALID', ['body.from', 'body.to', 'body.presses', 'body.hangupAt']);
    // The query string is text: numbers in it are read as numbers, other text is refused.
    assert.equal((await t.api('/v2.0/actions?limit=5')).status, 200);
    assertError(await t.api('/v2.0/actions?limit=5.5'), 400, 'RF_API_INVALID', ['querystring.limit']);
  });

  it('an oversized body: 413 with the limit', async () => {
    const r = await t.api('/v2.0/actions', { body: { name: 'big', script: `${LOG}#${'x'.repeat(3000)}\n` } });
    assertError(r, 413, 'RF_API_BODY_TOO_LARGE', ['2048']);
    assert.equal((await t.api('/v2.0/actions?name=big')).body.total, 0);
  });

  it('a body that is not JSON: 415 naming what was sent', async () => {
    assertError(await raw('/v2.0/actions', 'POST', 'name=x&script=y', 'application/x-www-form-urlencoded'), 415, 'RF_API_MEDIA_TYPE', ['application/x-www-form-urlencoded']);
    assertError(await raw('/v2.0/actions', 'POST', 'branches: {}', 'application/yaml'), 415, 'RF_API_MEDIA_TYPE', ['application/yaml']);
    const sid = await createScenario(t, 'bad-media', LOG);
    assertError(await raw(`/v2.0/actions/${sid}/runs`, 'POST', '<variables/>', 'text/xml'), 415, 'RF_API_MEDIA_TYPE', ['text/xml']);
  });

  it('unknown routes: 404 naming the route, with or without a key', async () => {
    assertError(await t.api('/v2.0/nothing-here'), 404, 'RF_API_NOT_FOUND', ['GET /v2.0/nothing-here']);
    assertError(await t.api('/v2.0/nothing-here', { key: null }), 404, 'RF_API_NOT_FOUND');
    assertError(await t.api('/v3/actions'), 404, 'RF_API_NOT_FOUND', ['/v3/actions']);
    assertError(await t.api('/v2.0/actions', { method: 'PUT', body: {} }), 404, 'RF_API_NOT_FOUND', ['PUT /v2.0/actions']);
    assertError(await t.api('/v2.0/runs', { method: 'GET' }), 404, 'RF_API_NOT_FOUND');
    // Query strings are not echoed as part of the route.
    const r = await t.api('/v2.0/nothing?key=secret');
    assertError(r, 404, 'RF_API_NOT_FOUND');
    assert.ok(!r.body.message.includes('secret'));
  });

  it('unknown ids: 404 naming what was not found', async () => {
    const cases: [string, string, string][] = [
      ['GET', '/v2.0/actions/SCnothing', 'scenario'],
      ['PATCH', '/v2.0/actions/SCnothing', 'scenario'],
      ['DELETE', '/v2.0/actions/SCnothing', 'scenario'],
      ['POST', '/v2.0/actions/SCnothing/runs', 'scenario'],
      ['GET', '/v2.0/actions/SCnothing/runs', 'scenario'],
      ['PUT', '/v2.0/actions/SCnothing/numbers/+15557779000', 'scenario'],
      ['DELETE', '/v2.0/actions/SCnothing/numbers/+15557779000', 'number'],
      ['GET', '/v2.0/runs/RNnothing', 'run'],
      ['DELETE', '/v2.0/runs/RNnothing', 'run'],
      ['GET', '/v2.0/calls/CAnothing', 'call'],
      ['GET', '/v2.0/recordings/REnothing', 'recording'],
      ['GET', '/v2.0/recordings/..%2F..%2Fringflow.db', 'recording'],
    ];
    for (const [method, path, what] of cases) {
      const body = method === 'PATCH' ? { name: 'x' } : method === 'POST' ? {} : undefined;
      assertError(await t.api(path, { method, ...(body ? { body } : {}) }), 404, 'RF_API_NOT_FOUND', [what]);
    }
  });

  it('a script that is not YAML: 400 with the position', async () => {
    const r = await t.api('/v2.0/actions', { body: { name: 'bad-yaml', script: 'branches:\n\tapi-initiated: []\n' } });
    assertError(r, 400, 'RF_SCENARIO_INVALID');
    const problem = r.body.problems[0];
    assert.equal(problem.code, 'RF_YAML_SYNTAX');
    assert.equal(problem.line, 2);
    assert.ok(Number.isInteger(problem.col));
    assert.ok(r.body.message.includes(`${problem.line}:${problem.col}`), r.body.message);
  });

  it('an invalid cursor: 400 saying where cursors come from', async () => {
    assertError(await t.api(`/v2.0/calls?cursor=${'A'.repeat(500)}`), 400, 'RF_CURSOR_INVALID', ['start again']);
    assertError(await t.api(`/v2.0/calls?cursor=${Buffer.from('["2025-01-01T00:00:00Z",""]').toString('base64url')}`), 400, 'RF_CURSOR_INVALID');
  });
});
