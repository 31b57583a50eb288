// The four example flows, run as a user would run them, against loopback servers standing in for
// the user profile API, Salesforce and the call-log endpoint.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { heard, simulate } from '../helpers/simulate.ts';
import { startRecorder, type HttpRecorder } from '../helpers/http-recorder.ts';

const START = Date.parse('2025-06-02T09:00:00Z');
const example = (name: string) => readFile(new URL(`../../examples/${name}`, import.meta.url), 'utf8');

describe('examples/fetch-and-push.yaml', () => {
  let crm: HttpRecorder;
  before(async () => {
    crm = await startRecorder((req) => {
      if (req.url.startsWith('/profile?phone=%2B15550001111')) return { body: { name: { first: 'Ada', last: 'Lovelace' }, city: 'London' } };
      if (req.url.startsWith('/profile')) return { status: 404, body: { error: 'unknown caller' } };
      return { status: 201, body: { stored: true } };
    });
  });
  after(() => crm.close());

  const run = async (from: string) =>
    simulate(await example('fetch-and-push.yaml'), {
      start: START,
      from,
      variables: { $profileApi: `${crm.url}/profile`, $callLogApi: `${crm.url}/calls`, $apiToken: 'tok-123' },
    });

  it('looks the caller up while ringing, greets them by name and pushes the call afterwards', async () => {
    const before = crm.requests.length;
    const r = await run('+15550001111');
    assert.equal(r.run?.status, 'completed');
    assert.deepEqual(r.transcript.slice(0, 3).map((e) => e.kind), ['call', 'ringing', 'answered'], 'answered only after the lookup');
    assert.deepEqual(heard(r), ['say:Welcome back, Ada Lovelace.', 'say:Your account is registered in London.', 'say:Goodbye!']);
    const [lookup, push] = crm.requests.slice(before);
    assert.equal(lookup?.method, 'GET');
    assert.equal(push?.method, 'POST');
    assert.equal(push?.url, '/calls');
    assert.equal(push?.headers.authorization, 'Bearer tok-123');
    assert.equal(push?.headers['content-type'], 'application/json');
    // Time flows at the real rate while the lookup runs, so times after it vary by a few ms.
    const body = push?.json as { call: Record<string, unknown>; caller: string; user: unknown };
    const { answered, ended, durationAnswered, durationTotal, ...stable } = body.call;
    assert.deepEqual(stable, {
      callid: 'CA1', direction: 'inbound', callerNumber: '+15550001111', callee: '+15550009999',
      started: '2025-06-02T09:00:00.000Z', hangupCause: 16, hangupSource: 'callee', status: 'answered',
    });
    const answeredAfter = Date.parse(answered as string) - START;
    assert.ok(answeredAfter >= 0 && answeredAfter < 1000, `answered after the lookup: ${answeredAfter} ms`);
    assert.equal(Date.parse(ended as string) - Date.parse(answered as string), 4760, 'three prompts: 1755 + 2405 + 600 ms');
    assert.equal(durationAnswered, 4.76);
    assert.ok(Math.abs((durationTotal as number) - 4.76 - answeredAfter / 1000) < 0.002);
    assert.equal(body.caller, '+15550001111');
    assert.deepEqual(body.user, { name: { first: 'Ada', last: 'Lovelace' }, city: 'London' });
    assert.deepEqual(r.run?.variables.$pushed, {
      ok: true, status: 201, statusText: 'Created', headers: (r.run?.variables.$pushed as { headers: unknown }).headers, body: '{"stored":true}', json: { stored: true },
      duration: (r.run?.variables.$pushed as { duration: number }).duration,
    });
  });

  it('apologises and hangs up when the caller is unknown, and still pushes the call', async () => {
    const before = crm.requests.length;
    const r = await run('+15550007777');
    assert.deepEqual(heard(r), ['say:Sorry, we could not find your file. Please call again later.']);
    assert.equal((r.run?.variables.$profile as { status: number }).status, 404);
    const push = crm.requests.slice(before)[1];
    assert.equal(push?.json && (push.json as { user: unknown }).user, null);
  });
});

describe('examples/salesforce-search.yaml', () => {
  let salesforce: HttpRecorder;
  before(async () => {
    salesforce = await startRecorder((req) => {
      if (req.headers.authorization !== 'Bearer sf-token') return { status: 401, body: [{ errorCode: 'INVALID_SESSION_ID' }] };
      const q = new URL(req.url, 'http://x').searchParams.get('q') ?? '';
      return q.includes('{\\+15550001111}') ? { body: { searchRecords: [{ Id: '003X', Name: 'Grace Hopper', attributes: { type: 'Contact' } }] } } : { body: { searchRecords: [] } };
    });
  });
  after(() => salesforce.close());

  const integrations = () => ({ defaults: { salesforce: { accessToken: 'sf-token', metadata: { instance_url: salesforce.url } } } });

  it('builds a SOSL query with the escaped caller number and greets the matching contact', async () => {
    const r = await simulate(await example('salesforce-search.yaml'), { start: START, integrations: integrations() });
    assert.equal(r.run?.status, 'completed');
    assert.deepEqual(heard(r), ['say:Hello Grace Hopper, thank you for calling.']);
    const request = salesforce.requests.at(-1)!;
    assert.equal(request.url.split('?')[0], '/services/data/v61.0/search/');
    assert.equal(
      new URL(request.url, 'http://x').searchParams.get('q'),
      'FIND {\\+15550001111} IN PHONE FIELDS RETURNING Contact(Id, Name), Lead(Id, Name), Account(Id, Name) LIMIT 10',
    );
    assert.deepEqual(r.run?.variables.$match, { Id: '003X', Name: 'Grace Hopper', attributes: { type: 'Contact' } });
  });

  it('says so when the number is not in Salesforce', async () => {
    const r = await simulate(await example('salesforce-search.yaml'), { start: START, from: '+15550004444', integrations: integrations() });
    assert.deepEqual(heard(r), ['say:Hello, thank you for calling. We could not find your number in our records.']);
  });

  it('redacts the bearer token in the timeline', async () => {
    const r = await simulate(await example('salesforce-search.yaml'), { start: START, integrations: integrations() });
    const http = r.timeline.find((e) => e.type === 'http');
    assert.ok(http?.type === 'http');
    assert.equal(http.request.headers.Authorization ?? http.request.headers.authorization, '[redacted]');
    assert.ok(!JSON.stringify(r.timeline).includes('sf-token'));
  });
});

describe('examples/broadcast-reminder.yaml', () => {
  let clinic: HttpRecorder;
  before(async () => {
    clinic = await startRecorder(() => ({ status: 204, body: '' }));
  });
  after(() => clinic.close());

  const run = async (options: Parameters<typeof simulate>[1]) =>
    simulate(await example('broadcast-reminder.yaml'), {
      start: START,
      variables: { $resultUrl: `${clinic.url}/reminders`, $patientId: 1234 },
      ...options,
    });

  it('confirms with key 1 and posts the result', async () => {
    const r = await run({ callee: { presses: [{ digits: '1' }] } });
    assert.equal(r.run?.status, 'completed');
    assert.deepEqual(heard(r), [
      'say:Hello, this is your clinic. You have an appointment tomorrow at 5 PM.',
      'say:Press 1 to confirm, or 2 to cancel.',
      'press:1',
      'say:Thank you, your appointment is confirmed.',
    ]);
    const post = clinic.requests.at(-1)!;
    assert.equal(post.method, 'POST');
    assert.equal(post.url, '/reminders?patient=1234');
    assert.deepEqual(post.json, { target: '+15550002222', answer: 'confirmed', callStatus: 'Answered', secondsAnswered: 10.425 });
  });

  it('cancels with key 2', async () => {
    await run({ callee: { presses: [{ digits: '2' }] } });
    assert.deepEqual(clinic.requests.at(-1)!.json, { target: '+15550002222', answer: 'canceled', callStatus: 'Answered', secondsAnswered: 10.23 });
  });

  it('asks three times when nobody presses, then hangs up and reports no answer', async () => {
    const r = await run({});
    const asked = heard(r).filter((h) => h === 'say:Press 1 to confirm, or 2 to cancel.');
    assert.equal(asked.length, 3);
    assert.equal(heard(r).filter((h) => h === 'say:Sorry, I did not understand.').length, 3);
    assert.equal((clinic.requests.at(-1)!.json as { answer: string }).answer, 'none');
  });

  it('retries after a wrong key and accepts the second answer', async () => {
    const r = await run({ callee: { presses: [{ digits: '7' }, { digits: '1' }] } });
    assert.deepEqual(heard(r).filter((h) => h.startsWith('press:')), ['press:7', 'press:1']);
    assert.equal(r.run?.variables.$tries, 1);
    assert.equal((clinic.requests.at(-1)!.json as { answer: string }).answer, 'confirmed');
  });

  it('reports a busy line without running the reminder branch', async () => {
    const r = await run({ callee: { behaviour: { kind: 'busy' } } });
    assert.deepEqual(heard(r), []);
    assert.deepEqual(clinic.requests.at(-1)!.json, { target: '+15550002222', answer: 'none', callStatus: 'Busy', secondsAnswered: 0 });
  });

  it('reports the callee hanging up in the middle of the question', async () => {
    const r = await run({ callee: { hangupAtMs: 5000 } });
    assert.equal((r.run?.variables.$dial as { status: string }).status, 'Answered');
    assert.deepEqual(clinic.requests.at(-1)!.json, { target: '+15550002222', answer: 'none', callStatus: 'Answered', secondsAnswered: 3 });
  });
});

describe('examples/call-forwarding.yaml', () => {
  let log: HttpRecorder;
  before(async () => {
    log = await startRecorder(() => ({ status: 200, body: {} }));
  });
  after(() => log.close());

  const run = async (options: Parameters<typeof simulate>[1]) =>
    simulate(await example('call-forwarding.yaml'), { start: START, variables: { $callLogApi: `${log.url}/calls` }, ...options });

  it('rings the agent, whispers the caller id to them, then bridges both until the caller hangs up', async () => {
    const r = await run({ caller: { hangupAtMs: 30_000 }, callee: { behaviour: { kind: 'answer', afterMs: 4000 } } });
    assert.equal(r.run?.status, 'completed');
    const kinds = r.transcript.map((e) => `${e.callSid}:${e.kind}`);
    assert.deepEqual(kinds.slice(0, 3), ['CA1:call', 'CA2:dial', 'CA2:dial-result'], 'the caller keeps ringing while the agent is dialed');
    assert.deepEqual(heard(r), ['say:Incoming call from + 1 5 5 5 0 0 0 1 1 1 1.']);
    const answered = r.transcript.find((e) => e.callSid === 'CA1' && e.kind === 'answered');
    const bridge = r.transcript.find((e) => e.kind === 'bridge');
    assert.ok(answered && bridge && answered.at <= bridge.at, 'the caller is answered when connected to the agent');
    const body = log.requests.at(-1)!.json as { dial: { status: string; duration: number }; cdr: { durationAnswered: number } };
    assert.equal(body.dial.status, 'Answered');
    // Answered when bridged: after 4 s of ringing and the 2.795 s whisper; the caller leaves at 30 s.
    assert.equal(body.cdr.durationAnswered, 23.205);
    assert.equal(r.run?.calls.every((c) => c.status === 'ended'), true);
  });

  it('takes a voicemail when the agent does not answer', async () => {
    const r = await run({ callee: { behaviour: { kind: 'no-answer' } } });
    assert.equal(r.run?.status, 'completed');
    assert.deepEqual(heard(r), ['say:Nobody can take your call right now. Please leave a message after the tone.', 'beep']);
    const body = log.requests.at(-1)!.json as { dial: { status: string }; voicemail: { duration: number; format: string } };
    assert.equal(body.dial.status, 'No Answer');
    assert.equal(body.voicemail.format, 'wav');
    assert.equal(body.voicemail.duration, 3);
    assert.equal(r.run?.recordings.length, 1);
  });
});
