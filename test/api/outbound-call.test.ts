// The Outbound Call Trigger API (SPEC §3.2) through HTTP on a real server: Knovvu's field names,
// every bad input answered with the field at fault, and POST /v2/callresult.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, type TestServer } from '../helpers/server.ts';
import { callBody, createScenario, finalResult, NUMBERS, startOutboundServer, trigger } from '../helpers/outbound.ts';

const GREET = `defaults: { language: en-GB }
branches:
  outbound-call:
    - action: javascript@v1
      params: { code: "$seen = { type: run.type, endUser: run.endUser, to: call.toNumber, from: call.fromNumber, name: $name }" }
    - action: say@v2
      params: { what: "Hi" }
  api-initiated:
    - action: log@v1
      params: { message: "not this branch" }
`;

let t: TestServer;
let greetSid: string;
before(async () => {
  t = await startOutboundServer();
  greetSid = await createScenario(t, 'greet', GREET);
});
after(() => t?.close());

const post = (body: unknown, key: string | null = null) => t.api('/v2/call', { body, key });

describe('POST /v2/call: bad input', () => {
  for (const field of ['Project', 'Tenant', 'ConversationId', 'AccessToken', 'ScenarioPath', 'OrchestratorUrl', 'ScenarioInputParameters']) {
    it(`a missing ${field} is a 400 naming it`, async () => {
      const r = await post(callBody(t, 'greet', NUMBERS.answers, { [field]: undefined }));
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.code, 'RF_API_INVALID');
      assert.match(r.body.message, new RegExp(`\\b${field}\\b.*required`));
    });
  }

  for (const field of ['Project', 'Tenant', 'ConversationId', 'AccessToken', 'ScenarioPath']) {
    it(`an empty ${field} is a 400 naming it`, async () => {
      const r = await post(callBody(t, 'greet', NUMBERS.answers, { [field]: '' }));
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.match(r.body.message, new RegExp(`\\b${field}\\b`));
    });
  }

  it('reports every missing field at once', async () => {
    const r = await post({ Project: 'p' });
    assert.equal(r.status, 400);
    for (const field of ['Tenant', 'ConversationId', 'AccessToken', 'ScenarioPath', 'OrchestratorUrl', 'ScenarioInputParameters']) assert.match(r.body.message, new RegExp(`\\b${field}\\b`));
  });

  it('wrong types are a 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ScenarioInputParameters: 'x' }, 'ScenarioInputParameters'],
      [{ ScenarioInputParameters: [{ Value: 1 }] }, 'Name'],
      [{ SendResultImmediately: 'maybe' }, 'SendResultImmediately'],
      [{ EndUser: 5 }, 'EndUser'],
      [{ ConversationId: { id: 1 } }, 'ConversationId'],
    ];
    for (const [fields, named] of cases) {
      const r = await post(callBody(t, 'greet', NUMBERS.answers, fields));
      assert.equal(r.status, 400, `${JSON.stringify(fields)} → ${r.status} ${JSON.stringify(r.body)}`);
      assert.match(r.body.message, new RegExp(named), JSON.stringify(r.body));
    }
  });

  for (const name of ['_Destination', '_DisplayNumber']) {
    it(`a missing or empty ${name} is a 400 naming it`, async () => {
      const other = name === '_Destination' ? { Name: '_DisplayNumber', Value: NUMBERS.caller } : { Name: '_Destination', Value: NUMBERS.answers };
      for (const params of [[other], [other, { Name: name, Value: '  ' }], [other, { Name: name, Value: null }], [other, { Name: name }]]) {
        const r = await post(callBody(t, 'greet', NUMBERS.answers, { ScenarioInputParameters: params }));
        assert.equal(r.status, 400, JSON.stringify(r.body));
        assert.equal(r.body.code, 'RF_CALL_FIELD');
        assert.match(r.body.message, new RegExp(`ScenarioInputParameters\\.${name} is required`));
      }
    });
  }

  it('malformed JSON is a 400, an oversized body a 413', async () => {
    const bad = await t.api('/v2/call', { body: '{"Project": "p",', key: null });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'RF_API_MALFORMED_JSON');
    const huge = await post(callBody(t, 'greet', NUMBERS.answers, { ConversationId: 'x'.repeat(1024 * 1024 + 10) }));
    assert.equal(huge.status, 413);
    assert.equal(huge.body.code, 'RF_API_BODY_TOO_LARGE');
  });

  it('a wrong AccessToken is a 401 naming AccessToken; another tenant’s token a 401 naming Tenant', async () => {
    const wrong = await post(callBody(t, 'greet', NUMBERS.answers, { AccessToken: 'rf_not-a-key-at-all-0000000000' }));
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.code, 'RF_CALL_TOKEN');
    assert.match(wrong.body.message, /^AccessToken/);
    const other = await t.other();
    const foreign = await post(callBody(t, 'greet', NUMBERS.answers, { AccessToken: other.key }));
    assert.equal(foreign.status, 401);
    assert.match(foreign.body.message, /^Tenant: .*does not belong/);
    // With its own Tenant, the other tenant's key works, but it does not see this tenant's scenario.
    const theirs = await post(callBody(t, 'greet', NUMBERS.answers, { AccessToken: other.key, Tenant: other.tenant.name }));
    assert.equal(theirs.status, 404);
  });

  it('an unknown scenario is a 404 naming ScenarioPath', async () => {
    const r = await post(callBody(t, 'no-such-scenario', NUMBERS.answers));
    assert.equal(r.status, 404);
    assert.equal(r.body.code, 'RF_CALL_SCENARIO');
    assert.match(r.body.message, /^ScenarioPath: .*"no-such-scenario"/);
  });

  it('a ResultDestination that is not an http(s) URL is a 400 naming it', async () => {
    for (const url of ['ftp://example.com/r', 'not a url', 'javascript:alert(1)', 'http://', 'file:///etc/passwd']) {
      const r = await post(callBody(t, 'greet', NUMBERS.answers, { ResultDestination: url }));
      assert.equal(r.status, 400, `${url}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.code, 'RF_CALL_FIELD');
      assert.match(r.body.message, /^ResultDestination must be an http/);
    }
  });
});

describe('POST /v2/call: the call', () => {
  it('takes ScenarioPath as a sid or a name, and Tenant as a name or a sid', async () => {
    const bySid = await trigger(t, callBody(t, greetSid, NUMBERS.busy));
    const byName = await trigger(t, callBody(t, 'greet', NUMBERS.busy, { Tenant: t.tenant.id }));
    assert.match(bySid, /^UQ/);
    assert.notEqual(bySid, byName);
    assert.equal((await finalResult(t, bySid)).CallState, 'Busy');
    assert.equal((await finalResult(t, byName)).CallState, 'Busy');
  });

  it('an invalid or non-existent number gets a UniqueId, is never dialed, and ends as Invalid Number', async () => {
    for (const number of ['abc', '+1234', '0612345678', '+15550002222']) {
      const id = await trigger(t, callBody(t, 'greet', number));
      const result = await finalResult(t, id);
      assert.equal(result.CallState, 'Invalid Number', number);
      const run = await t.api(`/v2.0/runs/${result.CallRequestId}`);
      assert.equal(run.status, 200);
      assert.deepEqual(run.body.calls, [], `${number} was dialed`);
      assert.equal(run.body.status, 'completed');
      assert.equal(run.body.variables.$_Destination, number);
    }
  });

  it('dials _Destination from _DisplayNumber and runs outbound-call with the parameters, Locale and EndUser', async () => {
    const id = await trigger(t, callBody(t, 'greet', NUMBERS.answers, {
      Locale: 'fr-FR',
      EndUser: { Name: 'Ada', Phone: NUMBERS.answers, Email: 'ada@example.com' },
      ScenarioInputParameters: [{ Name: '_Destination', Value: NUMBERS.answers }, { Name: '_DisplayNumber', Value: NUMBERS.caller }, { Name: 'name', Value: 'Bob' }, { Name: 'count', Value: 3 }],
    }));
    const first = await t.api('/v2/callresult', { body: { UniqueIds: [id] } });
    const runSid = first.body.CallResults[0].CallRequestId as string;
    assert.match(runSid, /^RN/);
    // The run's language is the Locale, not the scenario's en-GB: read it from the live run.
    const live = await eventually(async () => t.server.engine.activeRuns().find((r) => r.info.sid === runSid), (r) => r !== undefined, 5000);
    assert.equal(live!.language, 'fr-FR');
    assert.equal((await finalResult(t, id)).CallState, 'Answered');
    const run = await eventually(() => t.api(`/v2.0/runs/${runSid}`), (r) => r.body.status === 'completed');
    assert.equal(run.body.type, 'outbound-call');
    assert.deepEqual(run.body.variables.$seen, { type: 'outbound-call', endUser: { Name: 'Ada', Phone: NUMBERS.answers, Email: 'ada@example.com' }, to: NUMBERS.answers, from: NUMBERS.caller, name: 'Bob' });
    assert.equal(run.body.variables.$count, 3);
    assert.equal(run.body.calls.length, 1);
    assert.equal(run.body.calls[0].from, NUMBERS.caller);
    assert.equal(run.body.calls[0].to, NUMBERS.answers);
    assert.ok(!run.body.timeline.some((e: { branch?: string }) => e.branch === 'api-initiated'));
  });

  it('runs api-initiated, on the answered call, when the scenario has no outbound-call branch', async () => {
    await createScenario(t, 'api-only', 'branches:\n  api-initiated:\n    - action: javascript@v1\n      params: { code: "$to = call.toNumber; $who = $who + \'!\'" }\n');
    const id = await trigger(t, callBody(t, 'api-only', NUMBERS.answers, {
      ScenarioInputParameters: [{ Name: '_Destination', Value: NUMBERS.answers }, { Name: '_DisplayNumber', Value: NUMBERS.caller }, { Name: 'who', Value: 'Ada' }],
    }));
    const result = await finalResult(t, id);
    assert.equal(result.CallState, 'Answered');
    const run = await eventually(() => t.api(`/v2.0/runs/${result.CallRequestId}`), (r) => r.body.status === 'completed');
    assert.equal(run.body.variables.$to, NUMBERS.answers);
    assert.equal(run.body.variables.$who, 'Ada!');
    assert.ok(run.body.timeline.some((e: { type: string; branch?: string }) => e.type === 'branch' && e.branch === 'api-initiated'));
  });

  it('goes Queued → Dialing → In Progress → Answered', async () => {
    const id = await trigger(t, callBody(t, 'greet', NUMBERS.answers));
    const seen: string[] = [];
    await eventually(async () => {
      const r = await t.api('/v2/callresult', { body: { UniqueIds: [id] } });
      const state = r.body.CallResults[0].CallState as string;
      if (seen.at(-1) !== state) seen.push(state);
      return state;
    }, (s) => s === 'Answered');
    // Queued lasts only until dialing starts: it may pass unseen; the others are seen in order.
    assert.deepEqual(seen.filter((s) => s !== 'Queued'), ['Dialing', 'In Progress', 'Answered']);
  });

  it('maps unanswered calls to Busy, No Answer, Rejected, Temporarily Unavailable and Error', async () => {
    const expected: [string, string][] = [
      [NUMBERS.busy, 'Busy'], [NUMBERS.noAnswer, 'No Answer'], [NUMBERS.rejects, 'Rejected'],
      [NUMBERS.unavailable, 'Temporarily Unavailable'], [NUMBERS.error, 'Error'],
    ];
    const ids = await Promise.all(expected.map(([number]) => trigger(t, callBody(t, 'greet', number))));
    const results = await Promise.all(ids.map((id) => finalResult(t, id)));
    assert.deepEqual(results.map((r) => r.CallState), expected.map(([, state]) => state));
    for (const r of results) {
      const run = await t.api(`/v2.0/runs/${r.CallRequestId}`);
      assert.equal(run.body.status, 'completed');
      assert.ok(!run.body.timeline.some((e: { type: string }) => e.type === 'step'), 'the scenario did not run');
      // The attempt is listed with its CDR, never answered.
      assert.equal(run.body.calls.length, 1);
      assert.equal(run.body.calls[0].cdr.answered, null);
      const listed = await t.api(`/v2.0/calls/${run.body.calls[0].sid}`);
      assert.equal(listed.status, 200);
    }
  });
});

describe('POST /v2/callresult', () => {
  it('answers in the order asked, reports unknown and other tenants’ ids, and takes the key from the body or the headers', async () => {
    const a = await trigger(t, callBody(t, 'greet', 'abc'));
    const b = await trigger(t, callBody(t, 'greet', NUMBERS.busy));
    const other = await t.other();
    assert.equal((await t.api('/v2.0/actions', { body: { name: 'theirs', script: GREET }, key: other.key })).status, 201);
    const theirs = await trigger(t, { ...callBody(t, 'theirs', 'abc'), Tenant: other.tenant.name, AccessToken: other.key });
    await finalResult(t, a);
    await finalResult(t, b);
    const asked = [b, 'UQnope', a, theirs, b];
    const expectOk = (body: any) => {
      assert.deepEqual(body.CallResults.map((r: { UniqueId: string }) => r.UniqueId), asked);
      assert.deepEqual(body.CallResults.map((r: { CallState: string | null }) => r.CallState), ['Busy', null, 'Invalid Number', null, 'Busy']);
      assert.equal(body.CallResults[1].Error, 'unknown UniqueId');
      assert.equal(body.CallResults[3].Error, 'unknown UniqueId');
      assert.equal(body.CallResults[3].CallRequestId, null);
      assert.match(body.CallResults[0].CallRequestId, /^RN/);
      assert.equal(body.CallResults[0].Error, undefined);
    };
    const inBody = await t.api('/v2/callresult', { body: { UniqueIds: asked, AccessToken: t.key }, key: null });
    assert.equal(inBody.status, 200);
    expectOk(inBody.body);
    expectOk((await t.api('/v2/callresult', { body: { UniqueIds: asked } })).body);
    expectOk((await t.api('/v2/callresult', { body: { UniqueIds: asked }, key: null, headers: { authorization: `Bearer ${t.key}` } })).body);
    const basic = Buffer.from(`${t.tenant.id}:${t.key}`).toString('base64');
    expectOk((await t.api('/v2/callresult', { body: { UniqueIds: asked }, key: null, headers: { authorization: `Basic ${basic}` } })).body);
    // The other tenant sees its own request only.
    const mine = await t.api('/v2/callresult', { body: { UniqueIds: [a, theirs] }, key: other.key });
    assert.deepEqual(mine.body.CallResults.map((r: { CallState: string | null }) => r.CallState), [null, 'Invalid Number']);
  });

  it('refuses a missing or wrong key (401) and a malformed body (400)', async () => {
    const none = await t.api('/v2/callresult', { body: { UniqueIds: [] }, key: null });
    assert.equal(none.status, 401);
    assert.match(none.body.message, /^AccessToken/);
    const wrong = await t.api('/v2/callresult', { body: { UniqueIds: [], AccessToken: 'rf_wrong-key-0000000000000000' }, key: null });
    assert.equal(wrong.status, 401);
    const missing = await t.api('/v2/callresult', { body: {} });
    assert.equal(missing.status, 400);
    assert.match(missing.body.message, /UniqueIds/);
    const empty = await t.api('/v2/callresult', { body: { UniqueIds: [] } });
    assert.deepEqual(empty.body, { CallResults: [] });
  });
});

describe('server.outboundPort', () => {
  it('serves /v2/call and /v2/callresult on a port of their own, and nothing else', async () => {
    const s = await startOutboundServer({ outboundPort: 0 });
    try {
      const base = s.server.outboundUrl;
      assert.ok(base && base !== s.url, String(base));
      await createScenario(s, 'greet', GREET);
      const call = await fetch(`${base}/v2/call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(callBody(s, 'greet', NUMBERS.busy)) });
      assert.equal(call.status, 200);
      const { UniqueId } = (await call.json()) as { UniqueId: string };
      const result = await eventually(
        async () => (await (await fetch(`${base}/v2/callresult`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': s.key }, body: JSON.stringify({ UniqueIds: [UniqueId] }) })).json()) as any,
        (r) => r.CallResults[0].CallState === 'Busy',
      );
      assert.equal(result.CallResults[0].UniqueId, UniqueId);
      const other = await fetch(`${base}/v2.0/actions`, { headers: { 'x-api-key': s.key } });
      assert.equal(other.status, 404);
    } finally {
      await s.close();
    }
  });
});

describe('telephony.defaultCountry', () => {
  it('reads numbers written without + in that country', async () => {
    const s = await startOutboundServer({ defaultCountry: 'FR', parties: { '+33612345678': { answer: 'busy' } } });
    try {
      await createScenario(s, 'greet', GREET);
      const national = await trigger(s, callBody(s, 'greet', '06 12 34 56 78'));
      assert.equal((await finalResult(s, national)).CallState, 'Busy');
      const us = await trigger(s, callBody(s, 'greet', '(415) 555-0101'));
      assert.equal((await finalResult(s, us)).CallState, 'Invalid Number');
    } finally {
      await s.close();
    }
  });
});
