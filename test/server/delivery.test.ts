// Result delivery (SPEC §3.2 "Result delivery") through real HTTP: what reaches ResultDestination and
// OrchestratorUrl, signed; immediate and queued results; order per destination; retries with
// back-off of a receiver that answers 500, hangs or resets the connection, with one event id.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nextBatch } from '../../src/delivery/call-result.ts';
import { verify } from '../../src/delivery/signature.ts';
import { startReceiver, type Receiver, type Received } from '../helpers/delivery-receiver.ts';
import { callBody, createScenario, finalResult, NUMBERS, startOutboundServer, trigger } from '../helpers/outbound.ts';
import { eventually, type TestServer } from '../helpers/server.ts';

const SCRIPT = `branches:
  outbound-call:
    - action: say@v2
      params: { what: "Hi" }
    - action: javascript@v1
      params: { code: "$answer = 42" }
`;
const RESULT_FIELDS = ['Answered', 'CallRequestId', 'CallState', 'ConversationId', 'Duration', 'Ended', 'Started', 'UniqueId', 'Variables'];

const resultsFor = (requests: Received[], id: string) => requests.filter((r) => r.json?.UniqueId === id);
const accepted = (requests: Received[], id: string) => resultsFor(requests, id).length > 0;

describe('result delivery', () => {
  let t: TestServer;
  let receiver: Receiver;
  before(async () => {
    t = await startOutboundServer({ delivery: { batchIntervalSeconds: 2 } });
    await createScenario(t, 'greet', SCRIPT);
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver?.close();
    await t?.close();
  });

  it('POSTs the result as JSON with the Knovvu fields, an event id and a signature made with the tenant’s secret', async () => {
    const id = await trigger(t, callBody(t, 'greet', NUMBERS.answers, {
      ConversationId: 'conv-1', ResultDestination: `${receiver.url}/results`, SendResultImmediately: true,
      ScenarioInputParameters: [{ Name: '_Destination', Value: NUMBERS.answers }, { Name: '_DisplayNumber', Value: NUMBERS.caller }, { Name: 'name', Value: 'Ada' }],
    }));
    const [got] = resultsFor(await receiver.until((rs) => accepted(rs, id)), id);
    assert.ok(got);
    assert.equal(got.path, '/results');
    assert.equal(got.headers['content-type'], 'application/json');
    assert.match(got.eventId, /^EV/);
    assert.equal(got.attempt, 1);
    const result = got.json;
    assert.deepEqual(Object.keys(result).sort(), RESULT_FIELDS);
    assert.equal(result.UniqueId, id);
    assert.match(result.CallRequestId, /^RN/);
    assert.equal(result.ConversationId, 'conv-1');
    assert.equal(result.CallState, 'Answered');
    assert.deepEqual(result.Variables, { $_Destination: NUMBERS.answers, $_DisplayNumber: NUMBERS.caller, $name: 'Ada', $answer: 42 });
    const [started, answered, ended] = [result.Started, result.Answered, result.Ended].map(Date.parse) as [number, number, number];
    assert.ok(started <= answered && answered < ended, JSON.stringify(result));
    assert.ok(Math.abs(result.Duration - (ended - answered) / 1000) < 0.05, JSON.stringify(result));
    assert.ok(result.Duration >= 0.5, 'the scenario said Hi (0.6 s) on the answered call');

    const signature = String(got.headers['x-ringflow-signature']);
    assert.match(signature, /^t=\d+,v1=[0-9a-f]{64}$/);
    const now = Math.floor(Date.now() / 1000);
    assert.ok(verify(t.tenant.webhookSecret, signature, got.body, now), 'signature verifies with the tenant’s webhook secret');
    assert.ok(!verify('another secret', signature, got.body, now));
    assert.ok(!verify(t.tenant.webhookSecret, signature, got.body.replace('Ada', 'Bob'), now), 'a changed body does not verify');
    assert.ok(!verify(t.tenant.webhookSecret, signature, got.body, now + 3600), 'an old signature is refused');

    const row = await eventually(() => t.server.store.deliveries.get(got.eventId), (d) => d?.status === 'delivered', 5000);
    assert.equal(row?.kind, 'result');
  });

  it('delivers the results of unanswered calls and of numbers never dialed', async () => {
    const busy = await trigger(t, callBody(t, 'greet', NUMBERS.busy, { ResultDestination: receiver.url, SendResultImmediately: true }));
    const invalid = await trigger(t, callBody(t, 'greet', 'not a number', { ResultDestination: receiver.url, SendResultImmediately: true }));
    const requests = await receiver.until((rs) => accepted(rs, busy) && accepted(rs, invalid));
    const b = resultsFor(requests, busy)[0]!.json;
    assert.equal(b.CallState, 'Busy');
    assert.ok(b.Started && b.Ended >= b.Started);
    assert.equal(b.Answered, null);
    assert.equal(b.Duration, 0);
    const i = resultsFor(requests, invalid)[0]!.json;
    assert.equal(i.CallState, 'Invalid Number');
    assert.equal(i.Started, null, 'never dialed');
    assert.equal(i.Variables.$_Destination, 'not a number');
  });

  it('sends an immediate result when the call ends, and a queued one with the next batch', async () => {
    const intervalMs = 2000;
    const immediate = await trigger(t, callBody(t, 'greet', NUMBERS.busy, { ResultDestination: `${receiver.url}/now`, SendResultImmediately: true }));
    const queued = await trigger(t, callBody(t, 'greet', NUMBERS.busy, { ResultDestination: `${receiver.url}/batch` }));
    const requests = await receiver.until((rs) => accepted(rs, immediate) && accepted(rs, queued), 10_000);
    const now = resultsFor(requests, immediate)[0]!;
    const batch = resultsFor(requests, queued)[0]!;
    assert.ok(now.at - Date.parse(now.json.Ended) < 1000, `immediate result ${now.at - Date.parse(now.json.Ended)} ms after the end`);
    const boundary = nextBatch(Date.parse(batch.json.Ended), intervalMs);
    assert.ok(batch.at >= boundary - 50, `queued result sent ${boundary - batch.at} ms before its batch`);
    assert.ok(batch.at < boundary + 1500, `queued result sent ${batch.at - boundary} ms after its batch`);
  });
});

describe('queued results: order per destination', () => {
  let t: TestServer;
  let receiver: Receiver;
  before(async () => {
    t = await startOutboundServer({ delivery: { batchIntervalSeconds: 0.3, firstRetrySeconds: 0.1, maxRetrySeconds: 0.3 } });
    await createScenario(t, 'greet', SCRIPT);
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver?.close();
    await t?.close();
  });

  it('sends them in the order they were produced, the later ones waiting while an earlier one is retried', async () => {
    const ids: string[] = [];
    // The first result is refused at least twice, and until the other destination got its result:
    // the ones behind it must wait, not overtake it; the other destination must not wait for it.
    const elsewhereArrived = () => receiver.requests.some((r) => r.path === '/elsewhere');
    receiver.behave((r) => (r.json?.ConversationId === 'ordered-0' && (r.attempt <= 2 || !elsewhereArrived()) ? 500 : 200));
    for (let i = 0; i < 6; i++) {
      // Invalid numbers end at once, so the results are produced in this order.
      const id = await trigger(t, callBody(t, 'greet', `bad-${i}`, { ConversationId: `ordered-${i}`, ResultDestination: `${receiver.url}/ordered` }));
      await finalResult(t, id);
      ids.push(id);
    }
    const elsewhere = await trigger(t, callBody(t, 'greet', 'bad-x', { ResultDestination: `${receiver.url}/elsewhere` }));
    const requests = await receiver.until((rs) => ids.every((id) => accepted(rs, id)) && accepted(rs, elsewhere), 10_000);
    const ordered = requests.filter((r) => r.path === '/ordered');
    const tries = ordered.filter((r) => r.json.UniqueId === ids[0]).length;
    assert.ok(tries >= 3, `the first result was tried ${tries} times`);
    assert.deepEqual(ordered.map((r) => r.json.UniqueId), [...Array<string>(tries).fill(ids[0]!), ...ids.slice(1)]);
    assert.deepEqual(ordered.slice(0, tries).map((r) => r.attempt), Array.from({ length: tries }, (_, i) => i + 1));
    assert.equal(new Set(ordered.slice(0, tries).map((r) => r.eventId)).size, 1, 'the same event id on every attempt');
    assert.equal(new Set(ordered.map((r) => r.eventId)).size, 6);
  });
});

describe('retries', () => {
  let t: TestServer;
  const receivers: Record<string, Receiver> = {};
  before(async () => {
    t = await startOutboundServer({ delivery: { firstRetrySeconds: 0.2, maxRetrySeconds: 5, timeoutSeconds: 2 } });
    await createScenario(t, 'greet', SCRIPT);
    for (const name of ['failing', 'hanging', 'resetting', 'other']) receivers[name] = await startReceiver();
  });
  after(async () => {
    for (const r of Object.values(receivers)) await r.close();
    await t?.close();
  });

  it('retries a receiver that answers 500, hangs or resets the connection, with back-off, until it accepts', async () => {
    const cases = [
      { receiver: receivers.failing!, failures: 3, how: 500 as const },
      { receiver: receivers.hanging!, failures: 1, how: 'hang' as const },
      { receiver: receivers.resetting!, failures: 2, how: 'reset' as const },
    ];
    for (const c of cases) c.receiver.behave((r) => (r.attempt > c.failures ? 200 : c.how));
    const ids = await Promise.all(cases.map((c) => trigger(t, callBody(t, 'greet', 'invalid', { ResultDestination: `${c.receiver.url}/r`, SendResultImmediately: true }))));
    for (const [i, c] of cases.entries()) {
      const attempts = await c.receiver.until((rs) => rs.length === c.failures + 1, 15_000, `${c.how}: ${c.failures + 1} attempts`);
      assert.deepEqual(attempts.map((r) => r.attempt), Array.from({ length: c.failures + 1 }, (_, n) => n + 1), String(c.how));
      assert.ok(attempts.every((r) => r.json.UniqueId === ids[i]), String(c.how));
      assert.equal(new Set(attempts.map((r) => r.eventId)).size, 1, `${c.how}: one event id on every attempt`);
      assert.equal(new Set(attempts.map((r) => r.body)).size, 1, `${c.how}: the same body on every attempt`);
      const row = await eventually(() => t.server.store.deliveries.get(attempts[0]!.eventId), (d) => d?.status === 'delivered', 5000);
      assert.equal(row?.attempts, c.failures + 1);
    }
    // 500 three times: waits of about 0.2, 0.4 and 0.8 s (±20%).
    const failing = receivers.failing!.requests;
    const gaps = failing.slice(1).map((r, i) => r.at - failing[i]!.at);
    assert.ok(gaps[0]! >= 150 && gaps[0]! < 1000, `first retry after ${gaps[0]} ms`);
    assert.ok(gaps[1]! >= 300 && gaps[2]! >= 600, `back-off grows: ${gaps.join(', ')} ms`);
    // The hung attempt was given up after the timeout (2 s), then retried.
    const hang = receivers.hanging!.requests;
    assert.ok(hang[1]!.at - hang[0]!.at >= 1900, `retried ${hang[1]!.at - hang[0]!.at} ms after a hang`);
  });

  it('a receiver that hangs holds up only the deliveries to its own host, and does not fail them', async () => {
    const hanging = receivers.hanging!;
    const other = receivers.other!;
    hanging.requests.length = 0;
    hanging.behave((r) => (r.path === '/stuck' && r.attempt === 1 ? 'hang' : 200));
    const stuck = await trigger(t, callBody(t, 'greet', 'invalid', { ResultDestination: `${hanging.url}/stuck`, SendResultImmediately: true }));
    await hanging.until((rs) => accepted(rs, stuck));
    const hungAt = Date.now();
    const quick = await trigger(t, callBody(t, 'greet', 'invalid', { ResultDestination: `${other.url}/quick`, SendResultImmediately: true }));
    const behind = await trigger(t, callBody(t, 'greet', 'invalid', { ResultDestination: `${hanging.url}/behind`, SendResultImmediately: true }));
    const q = resultsFor(await other.until((rs) => accepted(rs, quick)), quick)[0]!;
    assert.ok(q.at - hungAt < 1500, `a delivery to another receiver went out ${q.at - hungAt} ms into the hang (timeout 2 s)`);
    const requests = await hanging.until((rs) => resultsFor(rs, stuck).length === 2 && accepted(rs, behind), 10_000);
    const b = resultsFor(requests, behind);
    assert.equal(b.length, 1);
    assert.equal(b[0]!.attempt, 1, 'waiting for the host is not a failed attempt');
    assert.ok(b[0]!.at - hungAt >= 1500, 'it waited for the hung request to time out');
  });
});

describe('OrchestratorUrl', () => {
  let t: TestServer;
  let receiver: Receiver;
  before(async () => {
    t = await startOutboundServer();
    await createScenario(t, 'greet', SCRIPT);
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver?.close();
    await t?.close();
  });

  it('receives each CallState change, in order, signed', async () => {
    const cases: [string, string[]][] = [
      [NUMBERS.answers, ['Queued', 'Dialing', 'In Progress', 'Answered']],
      [NUMBERS.busy, ['Queued', 'Dialing', 'Busy']],
      ['12', ['Queued', 'Invalid Number']],
    ];
    const ids = await Promise.all(cases.map(([number]) => trigger(t, callBody(t, 'greet', number, { Project: 'p1', ConversationId: `c-${number}`, OrchestratorUrl: `${receiver.url}/orchestrator/${number}` }))));
    const requests = await receiver.until((rs) => cases.every(([, states], i) => resultsFor(rs, ids[i]!).length === states.length), 10_000);
    cases.forEach(([number, states], i) => {
      const events = resultsFor(requests, ids[i]!);
      assert.deepEqual(events.map((e) => e.json.CallState), states, number);
      for (const e of events) {
        assert.deepEqual(Object.keys(e.json).sort(), ['At', 'CallRequestId', 'CallState', 'ConversationId', 'Project', 'UniqueId']);
        assert.equal(e.json.Project, 'p1');
        assert.equal(e.json.ConversationId, `c-${number}`);
        assert.ok(verify(t.tenant.webhookSecret, String(e.headers['x-ringflow-signature']), e.body, Math.floor(Date.now() / 1000)));
      }
      assert.equal(new Set(events.map((e) => e.eventId)).size, states.length, 'one event id per state change');
    });
  });
});
