// Durable delivery (issue 3, point 5): the receiver is down, results are produced (immediate and
// queued), the server process is killed with SIGKILL and started again on the same SQLite file, the
// receiver comes back — every result arrives, each with the event id it had before the crash, the
// queued ones in order. The calls going on at the crash end as Error, and their results arrive too.

import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { verify } from '../../src/delivery/signature.ts';
import { startReceiver, type Receiver, type Received } from '../helpers/delivery-receiver.ts';
import { startRingflow, type RingflowProcess } from '../helpers/ringflow-process.ts';

const KEY = 'rf_crashtest_0123456789abcdefghijkl';
const N = { answers: '+14155550101', busy: '+14155550102', slow: '+14155550107', caller: '+12025550143' };
const FINAL = ['Answered', 'Busy', 'Error', 'Invalid Number', 'No Answer', 'Rejected', 'Temporarily Unavailable'];

const cleanup: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => {});
});

interface DeliveryRow { id: string; kind: string; destination: string; body: string; mode: string; status: string; attempts: number; seq: number }

function readDeliveries(file: string): DeliveryRow[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db.prepare('SELECT id, kind, destination, body, mode, status, attempts, seq FROM deliveries ORDER BY seq').all() as unknown as DeliveryRow[];
  } finally {
    db.close();
  }
}

function readSecret(file: string): string {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return (db.prepare('SELECT webhook_secret FROM tenants WHERE name = ?').get('crash') as { webhook_secret: string }).webhook_secret;
  } finally {
    db.close();
  }
}

async function json(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  return { status: r.status, body: await r.json() };
}

/** Polls /v2/callresult (AccessToken in the body) until `done` holds for the request's CallState. */
async function waitForState(base: string, id: string, done: (state: string) => boolean, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await json(`${base}/v2/callresult`, { UniqueIds: [id], AccessToken: KEY });
    const state = r.body.CallResults?.[0]?.CallState as string;
    if (done(state)) return state;
    if (Date.now() > deadline) throw new Error(`${id}: CallState ${state} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A data folder with a config file, two scenarios and a SQLite file for `ringflow serve`. */
async function setUp(): Promise<{ args: string[]; dbFile: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'ringflow-crash-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const dbFile = join(dir, 'ringflow.db');
  await writeFile(join(dir, 'greet.yaml'), 'branches:\n  outbound-call:\n    - action: say@v2\n      params: { what: "Hi" }\n    - action: javascript@v1\n      params: { code: "$answer = 42" }\n');
  await writeFile(join(dir, 'long.yaml'), 'branches:\n  outbound-call:\n    - action: javascript@v1\n      params: { code: "$progress = \'started\'" }\n    - action: say@v2\n      params: { what: "Hi", loop: 100 }\n');
  const config = join(dir, 'ringflow.yaml');
  await writeFile(config, [
    'server: { port: 0 }',
    `dataDir: ${JSON.stringify(dir)}`,
    `database: ${JSON.stringify(`sqlite:${dbFile}`)}`,
    'http: { allow: ["127.0.0.1"] }',
    'logging: { level: warn }',
    'telephony:',
    '  ringTimeoutSeconds: 60',
    '  simulation:',
    '    parties:',
    `      "${N.answers}": { answer: answer@0.1s }`,
    `      "${N.busy}": { answer: busy }`,
    `      "${N.slow}": { answer: answer@60s }`,
    'delivery: { batchIntervalSeconds: 0.5, firstRetrySeconds: 0.2, maxRetrySeconds: 0.5, timeoutSeconds: 1 }',
    'bootstrap:',
    '  tenant: crash',
    `  apiKey: ${KEY}`,
    '  scenarios:',
    '    - { name: greet, file: greet.yaml }',
    '    - { name: long, file: long.yaml }',
    '',
  ].join('\n'));
  return { args: ['--config', config, '--outbound-port', '0'], dbFile };
}

/** POST /v2/call with results and state events to `receiver`; returns the UniqueId. */
async function place(base: string, receiver: Receiver, label: string, scenario: string, destination: string, immediate: boolean): Promise<string> {
  const r = await json(`${base}/v2/call`, {
    Project: 'crash', Tenant: 'crash', ConversationId: label, AccessToken: KEY, ScenarioPath: scenario,
    OrchestratorUrl: `${receiver.url}/orchestrator`,
    ScenarioInputParameters: [{ Name: '_Destination', Value: destination }, { Name: '_DisplayNumber', Value: N.caller }, { Name: 'label', Value: label }],
    ResultDestination: `${receiver.url}/results`, SendResultImmediately: immediate,
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.UniqueId as string;
}

it('loses no result across a SIGKILL while the receiver is down', async (t) => {
  const began = Date.now();
  const receiver: Receiver = await startReceiver({ down: true });
  cleanup.push(() => receiver.close());
  const { args, dbFile } = await setUp();

  // 1. The first process: results produced while the receiver is down.
  const first: RingflowProcess = await startRingflow(args);
  cleanup.push(() => first.stop('SIGKILL'));
  assert.ok(first.outboundUrl && first.outboundUrl !== first.url, 'serves the Outbound Call Trigger API on its own port');
  const base = first.outboundUrl;
  const call = (label: string, scenario: string, destination: string, immediate: boolean) => place(base, receiver, label, scenario, destination, immediate);
  const ids: Record<string, string> = {};
  // Each ends before the next is placed, so the queued results are produced in this order.
  const finished: [label: string, scenario: string, destination: string, immediate: boolean, state: string][] = [
    ['I1', 'greet', 'abc', true, 'Invalid Number'],
    ['Q1', 'greet', 'abc', false, 'Invalid Number'],
    ['I2', 'greet', N.busy, true, 'Busy'],
    ['Q2', 'greet', N.busy, false, 'Busy'],
    ['Q3', 'greet', N.answers, false, 'Answered'],
    ['Q4', 'greet', '+1234', false, 'Invalid Number'],
  ];
  for (const [label, scenario, destination, immediate, state] of finished) {
    ids[label] = await call(label, scenario, destination, immediate);
    assert.equal(await waitForState(base, ids[label]!, (s) => FINAL.includes(s)), state, label);
  }
  // Going on at the crash: one answered call in its scenario, one still ringing.
  ids.P1 = await call('P1', 'long', N.answers, true);
  ids.P2 = await call('P2', 'greet', N.slow, false);
  await waitForState(base, ids.P1, (s) => s === 'In Progress');
  await waitForState(base, ids.P2, (s) => s === 'Dialing');
  // Wait until P1's scenario has begun, so the kill interrupts a running run.
  const runP1 = (await json(`${base}/v2/callresult`, { UniqueIds: [ids.P1], AccessToken: KEY })).body.CallResults[0].CallRequestId as string;
  const deadline = Date.now() + 5000;
  for (;;) {
    const run = await fetch(`${first.url}/v2.0/runs/${runP1}`, { headers: { 'x-api-key': KEY } }).then((r) => r.json() as Promise<any>);
    if (run.timeline?.some((e: { type: string; branch?: string }) => e.type === 'branch' && e.branch === 'outbound-call')) break;
    assert.ok(Date.now() < deadline, `P1's scenario did not start: ${JSON.stringify(run)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  // 2. SIGKILL: no chance to flush anything.
  const killedAt = Date.now();
  assert.equal(await first.stop('SIGKILL'), null);
  assert.equal(first.child.signalCode, 'SIGKILL');
  const beforeRestart = readDeliveries(dbFile);
  const resultRow = (rows: DeliveryRow[], id: string) => rows.filter((r) => r.kind === 'result' && JSON.parse(r.body).UniqueId === id);
  for (const [label] of finished) {
    const rows = resultRow(beforeRestart, ids[label]!);
    assert.equal(rows.length, 1, `${label}: its result was committed before the crash`);
    assert.equal(rows[0]!.status, 'pending', label);
  }
  assert.ok(resultRow(beforeRestart, ids.I1!)[0]!.attempts >= 1, 'the immediate result had been tried (receiver down)');
  assert.deepEqual(resultRow(beforeRestart, ids.P1), [], 'no result yet for the call in progress');

  // 3. Restart on the same database; the receiver is still down.
  const second = await startRingflow(args);
  cleanup.push(() => second.stop('SIGKILL'));
  const restartedAt = Date.now();
  const run = await fetch(`${second.url}/v2.0/runs/${runP1}`, { headers: { 'x-api-key': KEY } }).then((r) => r.json() as Promise<any>);
  assert.equal(run.status, 'failed');
  assert.equal(run.error?.code, 'RF_SERVER_RESTARTED');
  const states = await json(`${second.outboundUrl}/v2/callresult`, { UniqueIds: Object.values(ids), AccessToken: KEY });
  assert.deepEqual(states.body.CallResults.map((r: { CallState: string }) => r.CallState), [...finished.map((f) => f[4]), 'Error', 'Error']);

  // 4. The receiver comes back: everything arrives.
  await receiver.up();
  const upAt = Date.now();
  const results = (rs: Received[]) => rs.filter((r) => r.path === '/results');
  const orchestrator = (rs: Received[]) => rs.filter((r) => r.path === '/orchestrator');
  const requests = await receiver.until(
    (rs) => Object.values(ids).every((id) => results(rs).some((r) => r.json?.UniqueId === id) && orchestrator(rs).some((r) => r.json?.UniqueId === id && FINAL.includes(r.json.CallState))),
    30_000, 'every result and every final state event',
  );
  const allArrivedAt = Date.now();
  const afterAll = readDeliveries(dbFile);
  const secret = readSecret(dbFile);

  for (const [label, id] of Object.entries(ids)) {
    const got = results(requests).filter((r) => r.json.UniqueId === id);
    const row = resultRow(afterAll, id);
    assert.equal(row.length, 1, label);
    assert.ok(got.every((r) => r.eventId === row[0]!.id), `${label}: every attempt carries the event id stored with it`);
    if (resultRow(beforeRestart, id).length) assert.equal(row[0]!.id, resultRow(beforeRestart, id)[0]!.id, `${label}: the same event id as before the crash`);
    assert.ok(got.every((r) => verify(secret, String(r.headers['x-ringflow-signature']), r.body, Math.floor(Date.now() / 1000))), `${label}: signed`);
  }
  const result = (label: string) => results(requests).find((r) => r.json.UniqueId === ids[label])!.json;
  assert.equal(result('Q3').CallState, 'Answered');
  assert.equal(result('Q3').Variables.$answer, 42);
  for (const label of ['P1', 'P2']) assert.equal(result(label).CallState, 'Error', label);
  assert.ok(result('P1').Answered, 'P1 had been answered');
  assert.equal(result('P1').Variables.$label, 'P1');
  assert.equal(result('P2').Answered, null);

  // Queued results arrive in the order they were produced, the restart's P2 last.
  const queuedOrder = ['Q1', 'Q2', 'Q3', 'Q4', 'P2'].map((l) => ids[l]);
  const firstArrivals = [...new Set(results(requests).map((r) => r.json.UniqueId as string))].filter((id) => queuedOrder.includes(id));
  assert.deepEqual(firstArrivals, queuedOrder);

  // The orchestrator saw each request's states in order, the interrupted ones ending in Error.
  const eventStates = (label: string) => {
    const seen = new Map<string, string>();
    for (const r of orchestrator(requests)) if (r.json.UniqueId === ids[label]) seen.set(r.eventId, r.json.CallState);
    return [...seen.values()];
  };
  assert.deepEqual(eventStates('Q3'), ['Queued', 'Dialing', 'In Progress', 'Answered']);
  assert.deepEqual(eventStates('P1'), ['Queued', 'Dialing', 'In Progress', 'Error']);
  assert.deepEqual(eventStates('P2'), ['Queued', 'Dialing', 'Error']);
  assert.deepEqual(eventStates('Q1'), ['Queued', 'Invalid Number']);

  // 5. A graceful stop; nothing is left behind.
  assert.equal(await second.stop('SIGTERM'), 0, second.output().slice(-2000));
  const finalRows = readDeliveries(dbFile);
  assert.deepEqual(finalRows.filter((r) => r.status !== 'delivered').map((r) => `${r.kind} ${r.status} ${r.body}`), []);
  t.diagnostic(`crash test: ${Date.now() - began} ms in all; restart took ${restartedAt - killedAt} ms; everything arrived ${allArrivedAt - upAt} ms after the receiver came back; ${finalRows.length} deliveries (${requests.length} requests received)`);
});

it('a graceful stop (SIGTERM) ends a ringing call as Error; its result goes out after the restart', async () => {
  const receiver = await startReceiver({ down: true });
  cleanup.push(() => receiver.close());
  const { args, dbFile } = await setUp();
  const first = await startRingflow(args);
  cleanup.push(() => first.stop('SIGKILL'));
  const id = await place(first.outboundUrl!, receiver, 'ringing', 'greet', N.slow, true);
  await waitForState(first.outboundUrl!, id, (s) => s === 'Dialing');
  const stopping = Date.now();
  assert.equal(await first.stop('SIGTERM'), 0, first.output().slice(-2000));
  assert.ok(Date.now() - stopping < 5000, 'a ringing call does not hold the stop up');
  const pending = readDeliveries(dbFile).filter((r) => r.kind === 'result');
  assert.equal(pending.length, 1);
  assert.equal(JSON.parse(pending[0]!.body).CallState, 'Error');
  const second = await startRingflow(args);
  cleanup.push(() => second.stop('SIGKILL'));
  await receiver.up();
  const [got] = (await receiver.until((rs) => rs.some((r) => r.path === '/results'), 10_000)).filter((r) => r.path === '/results');
  assert.equal(got!.eventId, pending[0]!.id);
  assert.equal(got!.json.UniqueId, id);
  assert.equal(got!.json.CallState, 'Error');
  const runSid = got!.json.CallRequestId as string;
  const run = await fetch(`${second.url}/v2.0/runs/${runSid}`, { headers: { 'x-api-key': KEY } }).then((r) => r.json() as Promise<any>);
  assert.equal(run.status, 'failed');
  assert.equal(run.error?.code, 'RF_SHUTTING_DOWN');
  assert.equal(await second.stop('SIGTERM'), 0);
});
