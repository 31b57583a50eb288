// /v2.0/events: the live stream (SSE) of a tenant's runs and calls — events in order, the ?run=
// filter (with what the run did before the client connected), tenants kept apart, and clients
// that leave leave nothing behind.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, type TestServer } from '../helpers/server.ts';
import { ANSWERS, ANSWERS_TOO, assertError, createScenario, dialAndSay, finished, startApiServer, startRun } from '../helpers/api-server.ts';
import { openEvents, type SseEvent, type SseStream } from '../helpers/sse-client.ts';
import { EventBus } from '../../src/server/event-bus.ts';

let t: TestServer;
before(async () => {
  t = await startApiServer();
});
after(() => t.close());

const connect = (query = '', key = t.key) => openEvents(`${t.url}/v2.0/events${query}`, { 'x-api-key': key });
const ofRun = (events: SseEvent[], runSid: string) => events.filter((e) => e.data.run === runSid);
const ended = (runSid: string) => (events: SseEvent[]) => events.some((e) => e.data.run === runSid && e.event === 'run' && e.data.event.event === 'ended');
/** A comparable line per timeline event. */
const line = (e: { type: string; event?: string; step?: string; t: number; callSid?: string }) => `${e.type}:${e.event ?? e.step ?? ''}:${e.t}:${e.callSid ?? ''}`;

async function streamClients(): Promise<number> {
  const metrics = await t.api('/metrics', { key: null });
  const found = /^ringflow_event_stream_clients(?:\{\})? (\d+)$/m.exec(metrics.body as string);
  assert.ok(found, 'the metrics report the stream clients');
  return Number(found[1]);
}

describe('live events', () => {
  it('streams a run’s step and call events, in order, as they happen', async () => {
    const stream = await connect();
    try {
      assert.equal(stream.status, 200);
      assert.match(String(stream.headers['content-type']), /^text\/event-stream/);
      const sid = await createScenario(t, 'events-order', dialAndSay(ANSWERS));
      const runSid = await startRun(t, sid);
      await stream.until(ended(runSid));
      const got = ofRun(stream.events, runSid);
      for (const e of got) assert.equal(e.event, e.data.event.type, 'the SSE event name is the timeline type');
      const kinds = got.map((e) => `${e.event}:${e.data.event.event ?? e.data.event.step}`);
      assert.equal(kinds[0], 'run:started');
      assert.equal(kinds.at(-1), 'run:ended');
      // A step is reported when it is done (stamped with its start): the call dial@v1 made is
      // announced before the dial step itself, and the say ends before the call does.
      const at = (k: string) => kinds.indexOf(k);
      assert.ok(at('call:created') > 0 && at('call:created') < at('step:dial@v1'), kinds.join(' '));
      assert.ok(at('step:dial@v1') < at('step:say@v2'), kinds.join(' '));
      assert.ok(at('step:say@v2') < at('call:ended'), kinds.join(' '));
      // Exactly the run's timeline, as GET run has it.
      const run = await finished(t, runSid);
      assert.deepEqual(got.map((e) => line(e.data.event)), run.timeline.map(line));
      const say = got.find((e) => e.data.event.step === 'say@v2')!;
      assert.equal(say.data.event.params.what, 'Hi');
    } finally {
      stream.close();
    }
  });

  it('with ?run=, sends only that run, beginning with what it did before the client connected', async () => {
    const slow = await createScenario(t, 'events-filter-a', dialAndSay(ANSWERS, 'Hello there'));
    const other = await createScenario(t, 'events-filter-b', dialAndSay(ANSWERS_TOO));
    const a = await startRun(t, slow);
    const b = await startRun(t, other);
    // Connected once A has its call: what came before is sent first.
    await eventually(() => t.api(`/v2.0/runs/${a}`), (r) => r.body.calls.length > 0);
    const stream = await connect(`?run=${a}`);
    try {
      assert.equal(stream.status, 200);
      await stream.until(ended(a));
      assert.deepEqual(ofRun(stream.events, b), [], 'nothing of the other run');
      assert.equal(stream.events.length, ofRun(stream.events, a).length);
      const run = await finished(t, a);
      assert.deepEqual(stream.events.map((e) => line(e.data.event)), run.timeline.map(line), 'the whole run, once, in order');
      await finished(t, b);
    } finally {
      stream.close();
    }
    // A run that is over: its timeline, from the database.
    const later = await connect(`?run=${a}`);
    try {
      await later.until(ended(a));
      const run = await finished(t, a);
      assert.deepEqual(later.events.map((e) => line(e.data.event)), run.timeline.map(line));
    } finally {
      later.close();
    }
  });

  it('answers 404 for ?run= of an unknown run or another tenant’s, and keeps tenants apart', async () => {
    const unknown = await connect('?run=RNnothing');
    assert.equal(unknown.status, 404);
    const body = JSON.parse(await unknown.text());
    assert.equal(body.code, 'RF_API_NOT_FOUND');
    assert.match(body.message, /RNnothing/);

    const o = await t.other();
    const theirs = await connect('', o.key);
    const mine = await connect();
    try {
      const sid = await createScenario(t, 'events-tenants', 'branches:\n  api-initiated:\n    - action: log@v1\n      params: { message: "secret of tenant one" }\n');
      const runSid = await startRun(t, sid);
      await mine.until(ended(runSid));
      const spy = await connect(`?run=${runSid}`, o.key);
      assert.equal(spy.status, 404);
      await spy.text();
      // Their own run goes through their stream, and only theirs.
      const own = await createScenario(t, 'events-tenants-theirs', 'branches:\n  api-initiated:\n    - action: log@v1\n      params: { message: "theirs" }\n', o.key);
      const ownRun = await startRun(t, own, {}, o.key);
      await theirs.until(ended(ownRun));
      assert.deepEqual(theirs.events.filter((e) => e.data.run !== ownRun), []);
      assert.ok(!JSON.stringify(theirs.events).includes('secret of tenant one'));
      assert.deepEqual(ofRun(mine.events, ownRun), []);
    } finally {
      theirs.close();
      mine.close();
    }
    assertError(await t.api('/v2.0/events?since=now'), 400, 'RF_API_INVALID', ['since']);
    assertError(await t.api('/v2.0/events', { key: 'rf_wrong' }), 401, 'RF_API_UNAUTHORIZED');
  });

  it('lets go of a client that disconnects: the subscriber count goes back', async () => {
    await eventually(streamClients, (n) => n === 0);
    const streams: SseStream[] = [];
    for (let i = 0; i < 3; i++) streams.push(await connect(i === 0 ? '' : `?run=${await startRun(t, await createScenario(t, `events-leak-${i}`, 'branches:\n  api-initiated:\n    - action: log@v1\n      params: { message: "x" }\n'))}`));
    assert.equal(await streamClients(), 3);
    for (const s of streams) s.close();
    await eventually(streamClients, (n) => n === 0);
    // Runs after that go on as before, with nobody listening.
    const sid = await createScenario(t, 'events-after', 'branches:\n  api-initiated:\n    - action: log@v1\n      params: { message: "y" }\n');
    assert.equal((await finished(t, await startRun(t, sid))).status, 'completed');
  });
});

describe('the event bus', () => {
  it('keeps a new subscriber when an old one unsubscribes twice', () => {
    const bus = new EventBus();
    const first = bus.subscribe('TN1', () => {});
    first();
    const got: string[] = [];
    const second = bus.subscribe('TN1', (e) => got.push(e.runSid));
    first();
    bus.publish({ tenantId: 'TN1', runSid: 'RN1', type: 'log', data: {} });
    assert.deepEqual(got, ['RN1']);
    assert.equal(bus.subscribers, 1);
    second();
    assert.equal(bus.subscribers, 0);
  });
});

describe('live events at shutdown', () => {
  it('ends open streams when the server closes, so it closes promptly', async () => {
    const s = await startApiServer();
    const stream = await openEvents(`${s.url}/v2.0/events`, { 'x-api-key': s.key });
    assert.equal(stream.status, 200);
    const started = Date.now();
    await s.close();
    assert.ok(Date.now() - started < 5000, `closed in ${Date.now() - started} ms`);
    await stream.text();
  });
});
