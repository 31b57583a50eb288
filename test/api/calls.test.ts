// The Calls API (SPEC §3.4): calls listed with filters and walked page by page with a cursor, one
// call with its CDR, attached data, the run's variables and timeline; recordings downloaded.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, type TestServer } from '../helpers/server.ts';
import { ANSWERS, ANSWERS_TOO, assertError, createScenario, finished, startApiServer, startRun } from '../helpers/api-server.ts';

let t: TestServer;
before(async () => {
  t = await startApiServer({ parties: { '+15550009999': { answer: 'answer@0.1s', speechSeconds: 0.4 } } });
});
after(() => t.close());

const QUICK = (number: string) => `branches:\n  api-initiated:\n    - action: dial@v1\n      params: { targets: [{ number: "${number}" }] }\n`;

/** Every page of GET /v2.0/calls with `query`, following `next`; `between` runs after each page. */
async function walk(query: string, between: (page: number) => Promise<void> = async () => {}): Promise<{ sids: string[]; pages: number }> {
  const sids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r: { status: number; body: any } = await t.api(`/v2.0/calls?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    sids.push(...r.body.hits.map((h: { sid: string }) => h.sid));
    cursor = r.body.next;
    pages++;
    await between(pages);
    assert.ok(pages < 50, 'the walk ends');
  } while (cursor);
  return { sids, pages };
}

describe('listing calls', () => {
  const outbound: string[] = [];
  let runs: string[] = [];
  let inbound = '';
  let scenario = '';
  before(async () => {
    scenario = await createScenario(t, 'calls-quick', QUICK(ANSWERS));
    const other = await createScenario(t, 'calls-quick-too', QUICK(ANSWERS_TOO));
    runs = [];
    for (let i = 0; i < 5; i++) runs.push(await startRun(t, i === 4 ? other : scenario));
    for (const r of runs) outbound.push(...(await finished(t, r)).calls.map((c: { sid: string }) => c.sid));
    // And an inbound call, through a number routed to a scenario.
    const answering = await createScenario(t, 'calls-inbound', 'branches:\n  inbound-call:\n    - action: say@v2\n      params: { what: "Hi" }\n');
    assert.equal((await t.api(`/v2.0/actions/${answering}/numbers/+15557772000`, { method: 'PUT' })).status, 200);
    const placed = await t.api('/v2.0/simulator/calls', { body: { from: '+15557772001', to: '+15557772000' } });
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    inbound = placed.body.call;
    await finished(t, placed.body.run);
  });

  it('lists every call, newest first, each with its CDR', async () => {
    const r = await t.api('/v2.0/calls');
    assert.equal(r.status, 200);
    assert.equal(r.body.next, null);
    const sids = r.body.hits.map((h: { sid: string }) => h.sid);
    assert.deepEqual(new Set(sids), new Set([...outbound, inbound]));
    assert.equal(sids[0], inbound, 'the newest first');
    for (let i = 1; i < r.body.hits.length; i++) assert.ok(r.body.hits[i - 1].created >= r.body.hits[i].created);
    const call = r.body.hits.find((h: { sid: string }) => h.sid === outbound[0]);
    assert.equal(call.direction, 'outbound');
    assert.equal(call.run, runs[0]);
    assert.equal(call.to, ANSWERS);
    assert.equal(call.status, 'ended');
    assert.equal(call.cdr.status, 'answered');
  });

  it('filters by status, direction, number, run and time', async () => {
    const sidsOf = async (query: string) => {
      const r = await t.api(`/v2.0/calls?${query}`);
      assert.equal(r.status, 200, `${query}: ${JSON.stringify(r.body)}`);
      return new Set(r.body.hits.map((h: { sid: string }) => h.sid));
    };
    assert.deepEqual(await sidsOf('direction=inbound'), new Set([inbound]));
    assert.deepEqual(await sidsOf('direction=outbound'), new Set(outbound));
    assert.deepEqual(await sidsOf(`number=${encodeURIComponent(ANSWERS_TOO)}`), new Set([outbound[4]]));
    assert.deepEqual(await sidsOf('number=%2B15557772001'), new Set([inbound]), 'the caller’s number too');
    assert.deepEqual(await sidsOf('number=(555)%20777-2001'), new Set([inbound]), 'written as people write it');
    const offset = (iso: string) => encodeURIComponent(new Date(Date.parse(iso) + 2 * 3600_000).toISOString().replace('Z', '+02:00'));
    assert.deepEqual(await sidsOf(`run=${runs[2]}`), new Set([outbound[2]]));
    assert.deepEqual(await sidsOf('status=ended'), new Set([...outbound, inbound]));
    assert.deepEqual(await sidsOf('status=ringing'), new Set());
    const all = (await t.api('/v2.0/calls')).body.hits;
    const third = all.find((h: { sid: string }) => h.sid === outbound[2]).created;
    const fourth = all.find((h: { sid: string }) => h.sid === outbound[3]).created;
    assert.deepEqual(await sidsOf(`since=${encodeURIComponent(fourth)}&direction=outbound`), new Set(outbound.slice(3)));
    assert.deepEqual(await sidsOf(`until=${encodeURIComponent(third)}`), new Set(outbound.slice(0, 2)));
    assert.deepEqual(await sidsOf(`since=${encodeURIComponent(third)}&until=${encodeURIComponent(fourth)}`), new Set([outbound[2]]));
    assert.deepEqual(await sidsOf(`since=${offset(third)}&until=${offset(fourth)}`), new Set([outbound[2]]), 'times with an offset');
    assert.deepEqual(await sidsOf('since=2999-01-01T00:00:00Z'), new Set());
    assert.deepEqual(await sidsOf('run=RNnothing'), new Set());
    assertError(await t.api('/v2.0/calls?direction=sideways'), 400, 'RF_API_INVALID', ['querystring.direction']);
    assertError(await t.api('/v2.0/calls?status=dancing'), 400, 'RF_API_INVALID', ['querystring.status']);
    assertError(await t.api('/v2.0/calls?since=yesterday'), 400, 'RF_API_INVALID', ['querystring.since']);
    assertError(await t.api('/v2.0/calls?limit=0'), 400, 'RF_API_INVALID', ['querystring.limit']);
    assertError(await t.api('/v2.0/calls?cursor=garbage'), 400, 'RF_CURSOR_INVALID', ['garbage']);
  });

  it('walks every page with the cursor: none missing, none twice, also with filters', async () => {
    const { sids, pages } = await walk('limit=2');
    assert.equal(pages, 3);
    assert.equal(sids.length, 6);
    assert.deepEqual(new Set(sids), new Set([...outbound, inbound]));
    const filtered = await walk('limit=2&direction=outbound');
    assert.deepEqual(filtered.sids.length, 5);
    assert.deepEqual(new Set(filtered.sids), new Set(outbound));
    const exact = await walk('limit=6');
    assert.equal(exact.pages, 1, 'no empty page after an exact fit');
  });

  it('walks every page while new calls are made between pages', async () => {
    const before = new Set([...outbound, inbound]);
    const made: string[] = [];
    const { sids } = await walk('limit=2', async (page) => {
      if (page > 2) return;
      const run = await finished(t, await startRun(t, scenario));
      made.push(run.calls[0].sid);
    });
    assert.equal(new Set(sids).size, sids.length, 'no call twice');
    for (const sid of before) assert.ok(sids.includes(sid), `${sid} is missing`);
    for (const sid of made) assert.ok(!sids.includes(sid), 'newer calls land before the first page, not inside the walk');
    const again = await walk('limit=2');
    assert.deepEqual(new Set(again.sids), new Set([...before, ...made]));
  });
});

describe('one call', () => {
  it('shows its CDR, attached data, the run’s variables and the timeline', async () => {
    const script = [
      'branches:',
      '  api-initiated:',
      `    - action: dial@v1`,
      `      params: { targets: [{ number: "${ANSWERS}" }] }`,
      '      result: $dial',
      '    - action: javascript@v1',
      '      params:',
      '        code: |',
      '          call.attachedData.customerId = $customer;',
      '          call.attachedData.tier = "gold";',
      '',
    ].join('\n');
    const sid = await createScenario(t, 'one-call', script);
    const run = await finished(t, await startRun(t, sid, { customer: 'C-42' }));
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    const callSid = run.calls[0].sid;
    const r = await t.api(`/v2.0/calls/${callSid}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.sid, callSid);
    assert.equal(r.body.run, run.sid);
    assert.equal(r.body.direction, 'outbound');
    assert.equal(r.body.cdr.callee, ANSWERS);
    assert.equal(r.body.cdr.status, 'answered');
    assert.ok(r.body.cdr.ended);
    assert.deepEqual(r.body.attachedData, { customerId: 'C-42', tier: 'gold' });
    assert.equal(r.body.variables.$customer, 'C-42');
    assert.equal(r.body.variables.$dial.status, 'Answered');
    assert.ok(r.body.timeline.some((e: { step?: string }) => e.step === 'javascript@v1'));
    assert.ok(r.body.timeline.some((e: { type: string; event?: string; callSid?: string }) => e.type === 'call' && e.event === 'ended' && e.callSid === callSid));
    assertError(await t.api('/v2.0/calls/CAnothing'), 404, 'RF_API_NOT_FOUND', ['call', 'CAnothing']);
  });

  it('shows a live inbound call as answered while it is up', async () => {
    const sid = await createScenario(t, 'one-call-live', 'branches:\n  inbound-call:\n    - action: say@v2\n      params: { what: "Hi", loop: 100 }\n');
    assert.equal((await t.api(`/v2.0/actions/${sid}/numbers/+15557773000`, { method: 'PUT' })).status, 200);
    const placed = await t.api('/v2.0/simulator/calls', { body: { from: '+15557773001', to: '+15557773000' } });
    assert.equal(placed.status, 201);
    const live = await eventually(() => t.api(`/v2.0/calls/${placed.body.call}`), (r) => r.status === 200 && r.body.status === 'answered');
    assert.ok(live.body.cdr.answered);
    assert.equal((await t.api(`/v2.0/calls?status=answered`)).body.hits.some((h: { sid: string }) => h.sid === placed.body.call), true);
    assert.equal((await t.api(`/v2.0/runs/${placed.body.run}`, { method: 'DELETE' })).status, 200);
    assert.equal((await t.api(`/v2.0/calls/${placed.body.call}`)).body.status, 'ended');
  });

  it('follows a call answered by a step: ringing, then answered, with its attached data', async () => {
    // The scenario asks this server before answering; the test decides when it answers.
    let release: () => void = () => {};
    const server = createServer();
    const asked = new Promise<void>((resolveAsked) => {
      server.on('request', (_req, res) => {
        release = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"tier":"gold"}');
        resolveAsked();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const script = [
        'defaults: { autoAnswer: false }',
        'branches:',
        '  inbound-call:',
        '    - action: ringing@v1',
        '    - action: fetch@v2',
        `      params: { url: "http://127.0.0.1:${port}/who" }`,
        '      result: $who',
        '    - action: javascript@v1',
        '      params: { code: "call.attachedData.tier = $who.json.tier" }',
        '    - action: answer@v1',
        '    - action: say@v2',
        '      params: { what: "Hi", loop: 100 }',
        '',
      ].join('\n');
      const sid = await createScenario(t, 'one-call-answered-late', script);
      assert.equal((await t.api(`/v2.0/actions/${sid}/numbers/+15557774000`, { method: 'PUT' })).status, 200);
      const placed = await t.api('/v2.0/simulator/calls', { body: { from: '+15557774001', to: '+15557774000' } });
      assert.equal(placed.status, 201);
      await asked;
      const ringing = await eventually(() => t.api(`/v2.0/calls/${placed.body.call}`), (r) => r.status === 200);
      assert.equal(ringing.body.status, 'ringing');
      assert.deepEqual(ringing.body.attachedData, {});
      release();
      const answered = await eventually(() => t.api(`/v2.0/calls/${placed.body.call}`), (r) => r.body.status === 'answered');
      assert.deepEqual(answered.body.attachedData, { tier: 'gold' });
      assert.equal((await t.api(`/v2.0/runs/${placed.body.run}`, { method: 'DELETE' })).status, 200);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('recordings', () => {
  it('downloads the audio of a record@v1 as audio/wav with a valid RIFF header', async () => {
    const script = [
      'branches:',
      '  api-initiated:',
      '    - action: dial@v1',
      '      params: { targets: [{ number: "+15550009999" }] }',
      '    - action: record@v1',
      '      params: { maxDuration: 2, beep: false, silenceTimeout: 0.2 }',
      '      result: $rec',
      '',
    ].join('\n');
    const sid = await createScenario(t, 'recording', script);
    const run = await finished(t, await startRun(t, sid));
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.equal(run.recordings.length, 1);
    const recording = run.recordings[0];
    assert.equal(recording.sid, run.variables.$rec.recording.sid);
    assert.equal(recording.url, `/v2.0/recordings/${recording.sid}`);
    assert.ok(recording.duration > 0);

    const response = await fetch(`${t.url}${recording.url}`, { headers: { 'x-api-key': t.key } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'audio/wav');
    const audio = Buffer.from(await response.arrayBuffer());
    assert.equal(Number(response.headers.get('content-length')), audio.length);
    assert.equal(audio.toString('ascii', 0, 4), 'RIFF');
    assert.equal(audio.readUInt32LE(4), audio.length - 8, 'the RIFF size is the file size');
    assert.equal(audio.toString('ascii', 8, 12), 'WAVE');
    assert.equal(audio.toString('ascii', 12, 16), 'fmt ');
    const channels = audio.readUInt16LE(22);
    const rate = audio.readUInt32LE(24);
    const bitsPerSample = audio.readUInt16LE(34);
    assert.equal(channels, 1);
    assert.equal(rate, 8000);
    let offset = 12;
    let dataBytes = -1;
    while (offset + 8 <= audio.length) {
      const id = audio.toString('ascii', offset, offset + 4);
      const size = audio.readUInt32LE(offset + 4);
      if (id === 'data') dataBytes = size;
      offset += 8 + size + (size % 2);
    }
    assert.ok(dataBytes > 0, 'a data chunk');
    const seconds = dataBytes / (rate * channels * (bitsPerSample / 8));
    assert.ok(Math.abs(seconds - recording.duration) < 0.05, `${seconds} s of audio for a ${recording.duration} s recording`);

    assertError(await t.api('/v2.0/recordings/REnothing'), 404, 'RF_API_NOT_FOUND', ['recording', 'REnothing']);
  });
});
