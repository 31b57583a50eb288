// Ringflow calls out through a trunk that is a SIPp callee on loopback (UDP and TCP): the trunk's
// digest challenge (SIPp <verifyauth>) answered, the call placed by the Outbound Call Trigger API
// (POST /v2/call, then /v2/callresult) or by dial@v1 in a run, every refusal mapped to its CallState
// (SPEC §4.1), the ring timeout CANCELled (also after a bare 100 Trying, and when the server stops),
// a wrong trunk password refused (then a trunk gone: Error), and the CDRs.
//
// Each case has its own SIPp UAS and its own server (the first trunk carries every outgoing call),
// so the cases run side by side.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { finished, startRun } from '../helpers/api-server.ts';
import { callBody, createScenario, finalResult, NUMBERS, trigger } from '../helpers/outbound.ts';
import { eventually } from '../helpers/server.ts';
import { startSipServer, type SipTestServer } from '../helpers/sip-server.ts';
import { killAllSipp, startSippUas, type SippResult, type SipTransport } from '../helpers/sipp.ts';

const USER = 'ringflow-trunk';
const PASS = 's3cret!pass';
const REALM = 'trunk.test';

/** Says something to whoever answered, then hangs up (Ringflow, the caller, hangs up). */
const HELLO = `defaults: { language: en-US }
branches:
  outbound-call:
    - action: say@v2
      params: { what: "Hello from Ringflow." }
    - action: hangup@v1
`;

/** A run that dials through the trunk, keeps the result, then logs a line, and speaks when answered. */
const DIAL = (number: string, timeout = 10, answered = false) => `defaults: { language: en-US }
branches:
  api-initiated:
    - action: dial@v1
      params: { targets: [{ number: "${number}", timeout: ${timeout} }] }
      result: $dial
    - action: log@v1
      params: { message: "dialed" }
${answered ? '    - action: say@v2\n      params: { what: "You have a new message. Please call us back." }\n' : ''}`;

interface Case {
  uas: { scenario: string; transport: SipTransport; vars?: Record<string, string>; holdMs?: number };
  trunk?: { username?: string; password?: string };
  ringTimeoutSeconds?: number;
}

const servers = new Set<SipTestServer>();
/** A server that would not stop (its sockets keep this process alive): set by close(). */
let stuck = false;
after(async () => {
  killAllSipp();
  await Promise.allSettled([...servers].map((s) => close(s)));
  // The failure is reported already; do not let a stuck server hold the test process for ever.
  if (stuck) setTimeout(() => process.exit(1), 2000).unref();
});

/** A SIPp UAS and a Ringflow server whose only trunk is that UAS. */
async function setUp(c: Case): Promise<{ t: SipTestServer; sipp: Promise<SippResult> }> {
  const uas = await startSippUas({ ...c.uas, timeoutMs: 25_000 });
  const t = await startSipServer({
    transports: ['udp', 'tcp'],
    ...(c.ringTimeoutSeconds !== undefined && { ringTimeoutSeconds: c.ringTimeoutSeconds }),
    trunks: [{
      name: 'sipp',
      host: '127.0.0.1',
      port: uas.port,
      transport: c.uas.transport,
      ...c.trunk,
      register: false,
      registerExpiresSeconds: 600,
      prefix: '',
      numberFormat: 'e164',
    }],
  });
  servers.add(t);
  return { t, sipp: uas.done };
}

/** Stops a server, bounded: a call attempt that never ends would otherwise hold the stop for ever. */
async function close(t: SipTestServer): Promise<void> {
  servers.delete(t);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => {
    timer = setTimeout(() => {
      stuck = true;
      fail(new Error('the server did not stop within 10 s (a call attempt left pending?)'));
    }, 10_000);
  });
  try {
    await Promise.race([t.close(), late]);
  } finally {
    clearTimeout(timer);
  }
}

const why = (r: SippResult) => `exit ${r.exitCode}\n${r.errors}\n${r.stderr}\n${r.screen.slice(-1500)}`;

/** The run behind a /v2/call request, once over. */
async function runOf(t: SipTestServer, runSid: string): Promise<any> {
  return finished(t, runSid, 20_000);
}

describe('Ringflow calls out through a SIPp trunk', { concurrency: true, timeout: 60_000 }, () => {
  for (const transport of ['udp', 'tcp'] as const) {
    it(`${transport.toUpperCase()}: answers the trunk's 401 challenge, the call is Answered, the scenario speaks and hangs up; the CDR says so`, async () => {
      const { t, sipp } = await setUp({
        uas: { scenario: 'uas-auth', transport, vars: { user: USER, pass: PASS, realm: REALM } },
        trunk: { username: USER, password: PASS },
      });
      try {
        await createScenario(t, 'hello', HELLO);
        const before = Date.now();
        const id = await trigger(t, callBody(t, 'hello', NUMBERS.answers));
        const result = await finalResult(t, id, 15_000);
        assert.equal(result.CallState, 'Answered');

        const r = await sipp;
        assert.equal(r.exitCode, 0, why(r));
        assert.equal(r.successful, 1, why(r));
        assert.equal(r.failed, 0, why(r));

        const run = await runOf(t, result.CallRequestId);
        assert.equal(run.status, 'completed', JSON.stringify(run.error));
        assert.equal(run.type, 'outbound-call');
        const say = run.timeline.find((e: any) => e.type === 'step' && e.step === 'say@v2');
        assert.equal(say?.result?.ok, true, JSON.stringify(say));
        assert.ok(say.result.duration > 0.5, `something was said: ${JSON.stringify(say.result)}`);
        assert.equal(run.calls.length, 1);
        const call = run.calls[0];
        assert.equal(call.direction, 'outbound');
        assert.equal(call.from, NUMBERS.caller);
        assert.equal(call.to, NUMBERS.answers);
        assert.equal(call.status, 'ended');
        const cdr = call.cdr;
        assert.equal(cdr.direction, 'outbound');
        assert.equal(cdr.status, 'answered');
        assert.equal(cdr.callerNumber, NUMBERS.caller);
        assert.equal(cdr.callee, NUMBERS.answers);
        assert.equal(cdr.hangupCause, 16, 'normal clearing');
        assert.equal(cdr.hangupSource, 'caller', 'Ringflow (the caller) hung up with hangup@v1');
        assert.ok(Date.parse(cdr.started) >= before - 1000);
        assert.ok(Date.parse(cdr.answered) >= Date.parse(cdr.started));
        assert.ok(Date.parse(cdr.ended) >= Date.parse(cdr.answered));
        assert.ok(cdr.durationAnswered > 0.5, JSON.stringify(cdr));

        // The same CDR through the Calls API.
        const listed = await t.api('/v2.0/calls?direction=outbound');
        assert.equal(listed.status, 200, JSON.stringify(listed.body));
        const hit = listed.body.hits.find((h: { sid: string }) => h.sid === call.sid);
        assert.ok(hit, JSON.stringify(listed.body));
        assert.equal(hit.cdr.status, 'answered');
        assert.equal(hit.cdr.hangupSource, 'caller');
        const one = await t.api(`/v2.0/calls/${call.sid}`);
        assert.equal(one.status, 200, JSON.stringify(one.body));
        assert.deepEqual(one.body.cdr, cdr);
      } finally {
        await close(t);
      }
    });
  }

  const refusals: [number, string][] = [[486, 'Busy'], [603, 'Rejected'], [404, 'Invalid Number'], [480, 'Temporarily Unavailable']];
  for (const [status, state] of refusals) {
    it(`a ${status} from the trunk ends the request as ${state}`, async () => {
      const transport = status % 2 === 0 ? 'udp' : 'tcp';
      const { t, sipp } = await setUp({ uas: { scenario: 'uas-status', transport, vars: { status: String(status) }, holdMs: 200 } });
      try {
        await createScenario(t, 'hello', HELLO);
        const id = await trigger(t, callBody(t, 'hello', NUMBERS.answers));
        const result = await finalResult(t, id, 15_000);
        assert.equal(result.CallState, state);
        const r = await sipp;
        assert.equal(r.exitCode, 0, `SIPp got its ACK: ${why(r)}`);
        assert.equal(r.successful, 1, why(r));
        const run = await runOf(t, result.CallRequestId);
        assert.equal(run.status, 'completed');
        // The attempt is kept with its CDR (listed in /v2.0/calls), never answered.
        assert.equal(run.calls.length, 1);
        assert.equal(run.calls[0].cdr.answered, null);
        assert.equal(run.calls[0].cdr.status, state.toLowerCase().replace(/ /g, '-'));
        assert.equal(run.calls[0].cdr.hangupSource, 'callee');
        assert.ok(!run.timeline.some((e: any) => e.type === 'step'), 'the scenario did not run');
      } finally {
        await close(t);
      }
    });
  }

  it('the ring timeout CANCELs the INVITE: No Answer, and SIPp got the CANCEL and sent its 487', async () => {
    const { t, sipp } = await setUp({ uas: { scenario: 'uas-noanswer', transport: 'udp' }, ringTimeoutSeconds: 2 });
    try {
      await createScenario(t, 'hello', HELLO);
      const started = Date.now();
      const id = await trigger(t, callBody(t, 'hello', NUMBERS.answers));
      const result = await finalResult(t, id, 15_000);
      assert.equal(result.CallState, 'No Answer');
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 1900 && elapsed < 8000, `rang for ${elapsed} ms`);
      const r = await sipp;
      assert.equal(r.exitCode, 0, why(r));
      assert.equal(r.successful, 1, `INVITE, CANCEL, 487, ACK: ${why(r)}`);
      const run = await runOf(t, result.CallRequestId);
      assert.ok(!run.timeline.some((e: any) => e.type === 'step'), 'the scenario did not run');
    } finally {
      await close(t);
    }
  });

  it('a trunk that only sends 100 Trying: the ring timeout still CANCELs it (a 100 is provisional), No Answer', async () => {
    const { t, sipp } = await setUp({ uas: { scenario: 'uas-trying', transport: 'udp' }, ringTimeoutSeconds: 2 });
    try {
      await createScenario(t, 'hello', HELLO);
      const started = Date.now();
      const id = await trigger(t, callBody(t, 'hello', NUMBERS.answers));
      const result = await finalResult(t, id, 15_000);
      assert.equal(result.CallState, 'No Answer');
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 1900 && elapsed < 8000, `rang for ${elapsed} ms`);
      const r = await sipp;
      assert.equal(r.exitCode, 0, why(r));
      assert.equal(r.successful, 1, `INVITE, 100, CANCEL, 487, ACK: ${why(r)}`);
    } finally {
      await close(t);
    }
  });

  it('stopping the server while a call rings CANCELs it (SIPp gets CANCEL, answers 487, gets the ACK)', async () => {
    const { t, sipp } = await setUp({ uas: { scenario: 'uas-noanswer', transport: 'tcp' }, ringTimeoutSeconds: 30 });
    try {
      await createScenario(t, 'hello', HELLO);
      const id = await trigger(t, callBody(t, 'hello', NUMBERS.answers));
      await eventually(() => t.api('/v2/callresult', { body: { UniqueIds: [id] } }), (r) => r.body.CallResults[0].CallState === 'Dialing', 5000);
      await new Promise((r) => setTimeout(r, 300));
      const stopping = Date.now();
      await close(t);
      assert.ok(Date.now() - stopping < 5000, `stopped in ${Date.now() - stopping} ms`);
      const r = await sipp;
      assert.equal(r.exitCode, 0, why(r));
      assert.equal(r.successful, 1, `INVITE, 180, CANCEL, 487, ACK: ${why(r)}`);
    } finally {
      await close(t);
    }
  });

  it('a wrong trunk password: the trunk answers 403, the request ends as Rejected, and the server carries on', async () => {
    const { t, sipp } = await setUp({
      uas: { scenario: 'uas-auth', transport: 'tcp', vars: { user: USER, pass: PASS, realm: REALM } },
      trunk: { username: USER, password: 'not-the-password' },
    });
    try {
      await createScenario(t, 'hello', HELLO);
      const id = await trigger(t, callBody(t, 'hello', NUMBERS.answers));
      const result = await finalResult(t, id, 15_000);
      assert.equal(result.CallState, 'Rejected');
      const r = await sipp;
      // uas-auth's <error> action on the 403 path ends SIPp itself (exit 255), after our ACK.
      assert.match(r.errors, /wrong credentials: 403 sent/, `SIPp checked the credentials and refused them: ${why(r)}`);
      assert.equal(r.successful, 0);
      const run = await runOf(t, result.CallRequestId);
      assert.equal(run.status, 'completed');
      assert.ok(!run.timeline.some((e: any) => e.type === 'step'), 'the scenario did not run');
      // No crash: the server still answers, and takes the next request; the trunk (SIPp) is gone
      // now, its TCP port refuses the connection: a transport failure, Error (SPEC §4.1).
      assert.equal((await t.api('/v2.0/ping')).status, 200);
      assert.equal(t.server.engine.activeRuns().length, 0);
      const again = await trigger(t, callBody(t, 'hello', NUMBERS.answers));
      assert.equal((await finalResult(t, again, 10_000)).CallState, 'Error');
    } finally {
      await close(t);
    }
  });

  it('runs API: dial@v1 through the trunk; the callee (SIPp) hangs up and the CDR names it', async () => {
    const { t, sipp } = await setUp({ uas: { scenario: 'uas-hangup', transport: 'tcp', holdMs: 800 } });
    try {
      const scenario = await createScenario(t, 'dial', DIAL(NUMBERS.answers, 10, true));
      const before = Date.now();
      const run = await finished(t, await startRun(t, scenario), 20_000);
      assert.equal(run.status, 'completed', JSON.stringify(run.error));
      assert.equal(run.variables.$dial.ok, true);
      assert.equal(run.variables.$dial.status, 'Answered');
      const r = await sipp;
      assert.equal(r.exitCode, 0, why(r));
      assert.equal(r.successful, 1, why(r));
      assert.equal(run.calls.length, 1);
      assert.equal(run.calls[0].direction, 'outbound');
      const cdr = run.calls[0].cdr;
      assert.equal(cdr.direction, 'outbound');
      assert.equal(cdr.status, 'answered');
      assert.equal(cdr.callee, NUMBERS.answers);
      assert.equal(cdr.hangupSource, 'callee', JSON.stringify(cdr));
      assert.equal(cdr.hangupCause, 16);
      assert.ok(Date.parse(cdr.started) >= before - 1000);
      assert.ok(cdr.durationAnswered >= 0.6 && cdr.durationAnswered < 5, JSON.stringify(cdr));
      // The prompt after the dial was cut short by the callee's hang-up.
      const say = run.timeline.find((e: any) => e.type === 'step' && e.step === 'say@v2');
      assert.equal(say?.result?.ok, false, JSON.stringify(say));
    } finally {
      await close(t);
    }
  });

  it('runs API: dial@v1 refused with 486: ok false, status Busy, a CDR with cause 17 from the callee, and the branch goes on', async () => {
    const { t, sipp } = await setUp({ uas: { scenario: 'uas-status', transport: 'udp', vars: { status: '486' } } });
    try {
      const scenario = await createScenario(t, 'dial', DIAL(NUMBERS.busy));
      const run = await finished(t, await startRun(t, scenario), 20_000);
      assert.equal(run.status, 'completed', JSON.stringify(run.error));
      const dial = run.variables.$dial;
      assert.equal(dial.ok, false);
      assert.equal(dial.status, 'Busy');
      assert.equal(dial.cdr.direction, 'outbound');
      assert.equal(dial.cdr.status, 'busy');
      assert.equal(dial.cdr.hangupCause, 17);
      assert.equal(dial.cdr.hangupSource, 'callee');
      assert.equal(dial.cdr.answered, null);
      assert.ok(run.timeline.some((e: any) => e.type === 'step' && e.step === 'log@v1'), 'the branch went on');
      const r = await sipp;
      assert.equal(r.exitCode, 0, why(r));
      assert.equal(r.successful, 1, why(r));
    } finally {
      await close(t);
    }
  });

  it('runs API: dial@v1 with timeout 2 to a callee that only rings: CANCEL, No Answer, cause 19 from the system', async () => {
    const { t, sipp } = await setUp({ uas: { scenario: 'uas-noanswer', transport: 'tcp' } });
    try {
      const scenario = await createScenario(t, 'dial', DIAL(NUMBERS.noAnswer, 2));
      const run = await finished(t, await startRun(t, scenario), 20_000);
      const dial = run.variables.$dial;
      assert.equal(dial.ok, false);
      assert.equal(dial.status, 'No Answer');
      assert.equal(dial.cdr.status, 'no-answer');
      assert.equal(dial.cdr.hangupCause, 19);
      assert.equal(dial.cdr.hangupSource, 'system');
      const rang = Date.parse(dial.cdr.ended) - Date.parse(dial.cdr.started);
      assert.ok(rang >= 1900 && rang < 6000, `rang ${rang} ms`);
      const r = await sipp;
      assert.equal(r.exitCode, 0, why(r));
      assert.equal(r.successful, 1, `INVITE, CANCEL, 487, ACK: ${why(r)}`);
    } finally {
      await close(t);
    }
  });
});
