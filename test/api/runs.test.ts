// Runs through the Callr-compatible API: start (once per Idempotency-Key), read with variables,
// calls and timeline, list, cancel; and what a user sees when a run or its scenario goes wrong.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, type TestServer } from '../helpers/server.ts';
import { ANSWERS, assertError, createScenario, dialAndSay, finished, startApiServer, startRun } from '../helpers/api-server.ts';

let t: TestServer;
before(async () => {
  t = await startApiServer();
});
after(() => t.close());

const GREET = [
  'branches:',
  '  api-initiated:',
  '    - action: dial@v1',
  '      params: { targets: [{ number: "${{ $to }}" }] }',
  '      result: $dial',
  '    - action: say@v2',
  '      params: { what: "Hi ${{ $name }}" }',
  '      result: $said',
  '',
].join('\n');

/** A call that lasts (a minute of speech) until it is canceled. */
const LONG = dialAndSay(ANSWERS).replace('{ what: "Hi" }', '{ what: "Hi", loop: 100 }');

describe('starting and reading runs', () => {
  it('starts the api-initiated branch: 201 {sid, scenario, status, variables, created}, keys with or without $', async () => {
    const sid = await createScenario(t, 'runs-greet', GREET);
    const r = await t.api(`/v2.0/actions/${sid}/runs`, { body: { variables: { name: 'Ada', $to: ANSWERS, count: 3, flags: { vip: true } } } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.match(r.body.sid, /^RN/);
    assert.equal(r.body.scenario, sid);
    assert.equal(r.body.status, 'queued');
    assert.deepEqual(r.body.variables, { $name: 'Ada', $to: ANSWERS, $count: 3, $flags: { vip: true } });
    assert.ok(!Number.isNaN(Date.parse(r.body.created)));

    const run = await finished(t, r.body.sid);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.equal(run.type, 'api');
    assert.equal(run.scenarioVersion, 1);
    assert.equal(run.error, null);
    assert.ok(run.started && run.ended && run.ended >= run.started);
    assert.equal(run.variables.$name, 'Ada');
    assert.equal(run.variables.$count, 3);
    assert.equal(run.variables.$dial.status, 'Answered');
    assert.equal(run.variables.$said.ok, true);
    // Its call with the CDR.
    assert.equal(run.calls.length, 1);
    const call = run.calls[0];
    assert.equal(call.direction, 'outbound');
    assert.equal(call.to, ANSWERS);
    assert.equal(call.status, 'ended');
    assert.equal(call.cdr.status, 'answered');
    assert.equal(call.cdr.callee, ANSWERS);
    assert.ok(call.cdr.durationAnswered > 0);
    // Its timeline: the run, the call and each step, in order, with evaluated params.
    const kinds = run.timeline.map((e: { type: string; event?: string; step?: string }) => `${e.type}:${e.event ?? e.step}`);
    assert.equal(kinds[0], 'run:started');
    assert.equal(kinds.at(-1), 'run:ended');
    assert.ok(kinds.indexOf('step:dial@v1') < kinds.indexOf('step:say@v2'), kinds.join(' '));
    assert.ok(kinds.includes('call:created') && kinds.includes('call:ended'), kinds.join(' '));
    const say = run.timeline.find((e: { step?: string }) => e.step === 'say@v2');
    assert.equal(say.params.what, 'Hi Ada');
    assert.equal(say.line, 6);
    assert.deepEqual(run.recordings, []);
  });

  it('lists a scenario’s runs, newest first, with a status filter and paging', async () => {
    const sid = await createScenario(t, 'runs-list', 'branches:\n  api-initiated:\n    - action: log@v1\n      params: { message: "${{ $n }}" }\n');
    const sids: string[] = [];
    for (let n = 0; n < 3; n++) sids.push(await startRun(t, sid, { n }));
    for (const s of sids) await finished(t, s);
    const list = await t.api(`/v2.0/actions/${sid}/runs`);
    assert.equal(list.status, 200);
    assert.equal(list.body.total, 3);
    assert.equal(list.body.hasMore, false);
    assert.deepEqual(new Set(list.body.hits.map((h: { sid: string }) => h.sid)), new Set(sids));
    for (const hit of list.body.hits) assert.equal(hit.status, 'completed');
    assert.ok(list.body.hits[0].created >= list.body.hits[2].created);
    const page = await t.api(`/v2.0/actions/${sid}/runs?limit=2&offset=0`);
    assert.deepEqual([page.body.hits.length, page.body.hasMore], [2, true]);
    const rest = await t.api(`/v2.0/actions/${sid}/runs?limit=2&offset=2`);
    assert.deepEqual([rest.body.hits.length, rest.body.hasMore], [1, false]);
    assert.equal((await t.api(`/v2.0/actions/${sid}/runs?status=failed`)).body.total, 0);
    assert.equal((await t.api(`/v2.0/actions/${sid}/runs?status=completed`)).body.total, 3);
    assertError(await t.api(`/v2.0/actions/${sid}/runs?status=done`), 400, 'RF_API_INVALID', ['querystring.status']);
    assertError(await t.api('/v2.0/actions/SCnothing/runs'), 404, 'RF_API_NOT_FOUND', ['SCnothing']);
  });

  it('answers 404 for an unknown scenario or run', async () => {
    assertError(await t.api('/v2.0/actions/SCnothing/runs', { body: { variables: {} } }), 404, 'RF_API_NOT_FOUND', ['scenario', 'SCnothing']);
    assertError(await t.api('/v2.0/runs/RNnothing'), 404, 'RF_API_NOT_FOUND', ['run', 'RNnothing']);
    assertError(await t.api('/v2.0/runs/RNnothing', { method: 'DELETE' }), 404, 'RF_API_NOT_FOUND', ['RNnothing']);
  });

  it('takes a run without a body, and refuses variables that are not a map', async () => {
    const sid = await createScenario(t, 'runs-no-body', 'branches:\n  api-initiated:\n    - action: log@v1\n      params: { message: "hello" }\n');
    const bare = await t.api(`/v2.0/actions/${sid}/runs`, { method: 'POST' });
    assert.equal(bare.status, 201, JSON.stringify(bare.body));
    assert.deepEqual(bare.body.variables, {});
    const empty = await t.api(`/v2.0/actions/${sid}/runs`, { body: {} });
    assert.equal(empty.status, 201);
    assertError(await t.api(`/v2.0/actions/${sid}/runs`, { body: { variables: ['a'] } }), 400, 'RF_API_INVALID', ['body.variables']);
    assertError(await t.api(`/v2.0/actions/${sid}/runs`, { body: { variables: 'a=1' } }), 400, 'RF_API_INVALID', ['body.variables']);
    assertError(await t.api(`/v2.0/actions/${sid}/runs`, { body: { vars: {} } }), 400, 'RF_API_INVALID', ['vars']);
    assertError(await t.api(`/v2.0/actions/${sid}/runs`, { body: { variables: { 'not a name': 1 } } }), 400, 'RF_API_INVALID', ['not a name']);
  });
});

describe('Idempotency-Key', () => {
  it('gives back the same run for the same key and request, and starts nothing new', async () => {
    const sid = await createScenario(t, 'idem-same', dialAndSay(ANSWERS));
    const headers = { 'idempotency-key': 'order-1234' };
    const first = await t.api(`/v2.0/actions/${sid}/runs`, { body: { variables: { a: 1, b: 'x' } }, headers });
    assert.equal(first.status, 201);
    // The same request again, and the same request written differently ($, key order).
    const again = await t.api(`/v2.0/actions/${sid}/runs`, { body: { variables: { a: 1, b: 'x' } }, headers });
    const written = await t.api(`/v2.0/actions/${sid}/runs`, { body: { variables: { $b: 'x', $a: 1 } }, headers });
    // Concurrent replays.
    const concurrent = await Promise.all([1, 2, 3, 4].map(() => t.api(`/v2.0/actions/${sid}/runs`, { body: { variables: { a: 1, b: 'x' } }, headers })));
    for (const r of [again, written, ...concurrent]) {
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.sid, first.body.sid);
      assert.equal(r.headers.get('idempotent-replayed'), 'true');
    }
    assert.equal(first.headers.get('idempotent-replayed'), null);
    await finished(t, first.body.sid);
    const runs = await t.api(`/v2.0/actions/${sid}/runs`);
    assert.equal(runs.body.total, 1, 'one run only');
    const calls = await t.api(`/v2.0/calls?run=${first.body.sid}`);
    assert.equal(calls.body.hits.length, 1, 'one call only');
    // A replay after the end gives the run as it is now.
    const late = await t.api(`/v2.0/actions/${sid}/runs`, { body: { variables: { a: 1, b: 'x' } }, headers });
    assert.equal(late.body.sid, first.body.sid);
    assert.equal(late.body.status, 'completed');
  });

  it('refuses the same key with a different request (422), and lets other keys and no key through', async () => {
    const sid = await createScenario(t, 'idem-diff', 'branches:\n  api-initiated:\n    - action: log@v1\n      params: { message: "x" }\n');
    const other = await createScenario(t, 'idem-diff-other', 'branches:\n  api-initiated:\n    - action: log@v1\n      params: { message: "y" }\n');
    const headers = { 'idempotency-key': 'k-422' };
    const first = await t.api(`/v2.0/actions/${sid}/runs`, { body: { variables: { a: 1 } }, headers });
    assert.equal(first.status, 201);
    assertError(await t.api(`/v2.0/actions/${sid}/runs`, { body: { variables: { a: 2 } }, headers }), 422, 'RF_IDEMPOTENCY_MISMATCH', ['k-422']);
    assertError(await t.api(`/v2.0/actions/${other}/runs`, { body: { variables: { a: 1 } }, headers }), 422, 'RF_IDEMPOTENCY_MISMATCH');
    const fresh = await t.api(`/v2.0/actions/${sid}/runs`, { body: { variables: { a: 2 } }, headers: { 'idempotency-key': 'k-422-b' } });
    assert.equal(fresh.status, 201);
    assert.notEqual(fresh.body.sid, first.body.sid);
    const none = await t.api(`/v2.0/actions/${sid}/runs`, { body: { variables: { a: 1 } } });
    assert.notEqual(none.body.sid, first.body.sid);
    // Keys are per tenant: another tenant's same key is its own.
    const o = await t.other();
    const theirs = await createScenario(t, 'idem-theirs', 'branches:\n  api-initiated:\n    - action: log@v1\n      params: { message: "z" }\n', o.key);
    const r = await t.api(`/v2.0/actions/${theirs}/runs`, { body: { variables: { a: 1 } }, headers, key: o.key });
    assert.equal(r.status, 201);
    assert.notEqual(r.body.sid, first.body.sid);
    assertError(await t.api(`/v2.0/actions/${sid}/runs`, { body: {}, headers: { 'idempotency-key': 'k'.repeat(256) } }), 400, 'RF_API_INVALID', ['idempotency-key']);
    for (const s of [first.body.sid, fresh.body.sid, none.body.sid]) await finished(t, s);
  });
});

describe('canceling runs', () => {
  it('cancels a running run: its call is hung up, its status is canceled; then 409', async () => {
    const sid = await createScenario(t, 'cancel-long', LONG);
    const runSid = await startRun(t, sid);
    // Wait until the call is up and the long say has begun.
    await eventually(() => t.api(`/v2.0/runs/${runSid}`), (r) => r.body.timeline.some((e: { type: string; event?: string }) => e.type === 'call' && e.event === 'created') && r.body.status === 'running');
    await eventually(() => t.api(`/v2.0/calls?run=${runSid}`), (r) => r.body.hits[0]?.status === 'answered');
    const canceled = await t.api(`/v2.0/runs/${runSid}`, { method: 'DELETE' });
    assert.equal(canceled.status, 200, JSON.stringify(canceled.body));
    assert.equal(canceled.body.sid, runSid);
    assert.equal(canceled.body.status, 'canceled');
    assert.ok(canceled.body.ended);
    const run = await t.api(`/v2.0/runs/${runSid}`);
    assert.equal(run.body.status, 'canceled');
    assert.equal(run.body.calls.length, 1);
    assert.equal(run.body.calls[0].status, 'ended');
    assert.ok(run.body.calls[0].cdr.ended);
    assert.ok(run.body.calls[0].cdr.durationAnswered < 10, 'hung up long before the minute of speech');
    const say = run.body.timeline.find((e: { step?: string }) => e.step === 'say@v2');
    assert.equal(say.outcome, 'canceled');
    assertError(await t.api(`/v2.0/runs/${runSid}`, { method: 'DELETE' }), 409, 'RF_RUN_FINISHED', [runSid]);
  });

  it('answers 409 for a run that already completed', async () => {
    const sid = await createScenario(t, 'cancel-done', 'branches:\n  api-initiated:\n    - action: log@v1\n      params: { message: "done" }\n');
    const runSid = await startRun(t, sid);
    const run = await finished(t, runSid);
    assert.equal(run.status, 'completed');
    assertError(await t.api(`/v2.0/runs/${runSid}`, { method: 'DELETE' }), 409, 'RF_RUN_FINISHED');
    assert.equal((await t.api(`/v2.0/runs/${runSid}`)).body.status, 'completed');
  });
});

describe('runs that go wrong', () => {
  it('fails a run whose expression throws: the error with its line and column is in GET run', async () => {
    const script = [
      'branches:',
      '  api-initiated:',
      '    - action: log@v1',
      '      params: { message: "before" }',
      '    - action: log@v1',
      '      params: { message: "${{ $order.total.toFixed(2) }}" }',
      '    - action: log@v1',
      '      params: { message: "never" }',
      '',
    ].join('\n');
    const sid = await createScenario(t, 'wrong-expr', script);
    const run = await finished(t, await startRun(t, sid, { order: {} }));
    assert.equal(run.status, 'failed');
    assert.equal(run.error.code, 'RF_EXPR_ERROR');
    assert.match(run.error.message, /toFixed|undefined/);
    assert.equal(run.error.line, 6);
    assert.ok(Number.isInteger(run.error.col));
    const logs = run.timeline.filter((e: { type: string }) => e.type === 'log').map((e: { message: string }) => e.message);
    assert.deepEqual(logs, ['before']);
    const error = run.timeline.find((e: { type: string }) => e.type === 'error');
    assert.equal(error.code, 'RF_EXPR_ERROR');
    assert.equal(error.line, 6);
  });

  it('refuses to start a scenario whose stored script no longer passes the checks, saying how to fix it', async () => {
    const sid = await createScenario(t, 'wrong-stored', 'branches:\n  api-initiated:\n    - action: log@v1\n      params: { message: "ok" }\n');
    // As after an upgrade that retired an action: the stored text is kept as it was written.
    await t.server.store.scenarios.update(t.tenant.id, sid, { script: 'branches:\n  api-initiated:\n    - action: retired@v1\n' });
    const r = await t.api(`/v2.0/actions/${sid}/runs`, { body: {} });
    assertError(r, 409, 'RF_SCENARIO_BROKEN', [sid, 'PATCH']);
    assert.equal(r.body.problems[0].line, 3);
    assert.equal((await t.api(`/v2.0/actions/${sid}/runs`)).body.total, 0, 'no run was recorded');
    // The scenario can still be read and fixed.
    assert.equal((await t.api(`/v2.0/actions/${sid}`)).status, 200);
    const fixed = await t.api(`/v2.0/actions/${sid}`, { method: 'PATCH', body: { script: 'branches:\n  api-initiated:\n    - action: log@v1\n      params: { message: "fixed" }\n' } });
    assert.equal(fixed.status, 200);
    assert.equal((await finished(t, await startRun(t, sid))).status, 'completed');
  });

  it('refuses an inbound call to a number whose scenario no longer passes the checks, without leaving the call up', async () => {
    const sid = await createScenario(t, 'wrong-stored-inbound', 'branches:\n  inbound-call:\n    - action: say@v2\n      params: { what: "Hi" }\n');
    assert.equal((await t.api(`/v2.0/actions/${sid}/numbers/+15557771000`, { method: 'PUT' })).status, 200);
    await t.server.store.scenarios.update(t.tenant.id, sid, { script: 'branches:\n  inbound-call:\n    - action: retired@v1\n' });
    const r = await t.api('/v2.0/simulator/calls', { body: { from: '+15557771001', to: '+15557771000' } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.run, null);
  });
});
