// The server end to end: a scenario created through the API, a run started, its result read back.

import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.close());

it('creates a scenario, runs it, and shows the run with its calls and timeline', async () => {
  const script = 'branches:\n  api-initiated:\n    - action: dial@v1\n      params: { targets: [{ number: "+15550002222" }] }\n      result: $dial\n    - action: say@v2\n      params: { what: "Hi ${{ $name }}" }\n';
  const created = await t.api('/v2.0/actions', { body: { name: 'smoke', script } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const run = await t.api(`/v2.0/actions/${created.body.sid}/runs`, { body: { variables: { name: 'Ada' } } });
  assert.equal(run.status, 201);
  assert.equal(run.body.status, 'queued');
  const done = await eventually(() => t.api(`/v2.0/runs/${run.body.sid}`), (r) => r.body.status === 'completed');
  assert.equal(done.body.variables.$name, 'Ada');
  assert.equal(done.body.variables.$dial.status, 'Answered');
  assert.equal(done.body.calls.length, 1);
  assert.equal(done.body.calls[0].cdr.status, 'answered');
  assert.ok(done.body.timeline.some((e: { type: string; step?: string }) => e.type === 'step' && e.step === 'say@v2'));
});
