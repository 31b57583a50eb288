// What operators and load balancers rely on: health, readiness, metrics, the API's own description.

import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { eventually, startTestServer, type TestServer } from '../helpers/server.ts';
import { startRecorder, type HttpRecorder } from '../helpers/http-recorder.ts';

let t: TestServer;
let crm: HttpRecorder;
before(async () => {
  t = await startTestServer();
  crm = await startRecorder(() => ({ body: { ok: true } }));
});
after(async () => {
  await t.close();
  await crm.close();
});

it('answers liveness and readiness', async () => {
  assert.deepEqual((await t.api('/healthz', { key: null })).body, { status: 'ok' });
  const ready = await t.api('/readyz', { key: null });
  assert.equal(ready.status, 200);
  assert.deepEqual(ready.body, { status: 'ready', database: true, accepting: true });
});

it('counts runs by status, calls by state, HTTP latency and the delivery backlog in /metrics', async () => {
  const script = `branches:\n  api-initiated:\n    - action: fetch@v2\n      params: { url: "${crm.url}/lookup" }\n    - action: dial@v1\n      params: { targets: [{ number: "+15550002222" }] }\n`;
  const scenario = await t.api('/v2.0/actions', { body: { name: 'metered', script } });
  const run = await t.api(`/v2.0/actions/${scenario.body.sid}/runs`, { body: {} });
  await eventually(() => t.api(`/v2.0/runs/${run.body.sid}`), (r) => r.body.status === 'completed');
  const metrics = await eventually(async () => (await fetch(`${t.url}/metrics`)).text(), (m) => m.includes('ringflow_runs_total{status="completed"}'));
  assert.match(metrics, /^ringflow_runs_total\{status="completed"\} 1$/m);
  assert.match(metrics, /^ringflow_calls_total\{status="answered"\} 1$/m);
  assert.match(metrics, /^ringflow_fetch_duration_seconds_count\{outcome="ok"\} 1$/m);
  assert.match(metrics, /^ringflow_delivery_backlog\{status="pending"\} 0$/m);
  assert.match(metrics, /^ringflow_http_requests_total\{method="POST",route="\/v2\.0\/actions\/:sid\/runs",status="201"\} 1$/m);
  // The process itself: event-loop delay (seconds, small on an idle test server) and memory.
  const p99 = Number(/^ringflow_event_loop_delay_seconds\{quantile="0\.99"\} (\S+)$/m.exec(metrics)?.[1]);
  assert.ok(p99 >= 0 && p99 < 1, metrics);
  const rss = Number(/^ringflow_process_memory_bytes\{kind="rss"\} (\d+)$/m.exec(metrics)?.[1]);
  assert.ok(rss > 10 * 2 ** 20, `rss ${rss}`);
  assert.match(metrics, /^ringflow_process_memory_bytes\{kind="heap_used"\} \d+$/m);
});

it('serves its OpenAPI document, the same as docs/openapi.json, and an interactive page at /docs', async () => {
  const served = await (await fetch(`${t.url}/openapi.json`)).json();
  assert.deepEqual(served, JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')));
  const page = await fetch(`${t.url}/docs/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /swagger/i);
});
