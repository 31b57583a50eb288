import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { heard, simulate } from '../helpers/simulate.ts';
import { createEngine } from '../../src/runtime/engine.ts';
import { VirtualClock } from '../../src/time/virtual-clock.ts';
import type { Network } from '../../src/telephony/port.ts';

type Dial = { ok: boolean; status: string; target: string; duration: number; cdr: { status: string; hangupCause: number } };

describe('dial@v1 from api-initiated', () => {
  it('without answerOnBranch, the branch continues on the answered call', async () => {
    const r = await simulate(`branches:
  api-initiated:
    - action: dial@v1
      params: { targets: [{ number: "+15550002222" }], callerId: "+15550000000" }
      result: $dial
    - action: say@v2
      params: { what: "Hello \${{ call.toNumber }}" }
`);
    assert.equal(r.run?.status, 'completed');
    assert.deepEqual(heard(r), ['say:Hello +15550002222']);
    const dial = r.run?.variables.$dial as Dial;
    assert.equal(dial.ok, true);
    assert.equal(dial.status, 'Answered');
    assert.equal(r.run?.calls[0]?.from, '+15550000000');
  });

  it('with answerOnBranch, runs that branch on the answered call and resumes with the final result', async () => {
    const r = await simulate(`branches:
  api-initiated:
    - action: dial@v1
      params: { targets: [{ number: "+15550002222" }], answerOnBranch: talk }
      result: $dial
    - action: log@v1
      params: { message: "talked \${{ $dial.duration }} s, \${{ $dial.cdr.status }}" }
  talk:
    - action: say@v2
      params: { what: "Ten characters" }
`);
    const log = r.timeline.find((e) => e.type === 'log');
    assert.equal(log?.type === 'log' && log.message, 'talked 0.91 s, answered');
  });

  for (const [behaviour, status, cause] of [
    ['busy', 'Busy', 17],
    ['reject', 'Rejected', 21],
    ['invalid', 'Invalid Number', 1],
    ['unavailable', 'Temporarily Unavailable', 20],
    ['no-answer', 'No Answer', 19],
    ['error', 'Error', 41],
  ] as const) {
    it(`reports ${status} with ok false and goes on`, async () => {
      const r = await simulate(`branches:
  api-initiated:
    - action: dial@v1
      params: { targets: [{ number: "+15550002222", timeout: 5 }], answerOnBranch: talk }
      result: $dial
    - action: log@v1
      params: { message: "after" }
  talk:
    - action: say@v2
      params: { what: never }
`, { callee: { behaviour: { kind: behaviour } } });
      const dial = r.run?.variables.$dial as Dial;
      assert.equal(dial.ok, false);
      assert.equal(dial.status, status);
      assert.equal(dial.cdr.hangupCause, cause);
      assert.deepEqual(heard(r), []);
      assert.ok(r.timeline.some((e) => e.type === 'log' && e.message === 'after'));
    });
  }

  it('gives No Answer when the ring timeout is shorter than the callee takes', async () => {
    const r = await simulate(`branches:
  api-initiated:
    - action: dial@v1
      params: { targets: [{ number: "+15550002222", timeout: 3 }] }
      result: $dial
`, { callee: { behaviour: { kind: 'answer', afterMs: 5000 } } });
    assert.equal((r.run?.variables.$dial as Dial).status, 'No Answer');
    assert.equal(r.transcript.find((e) => e.kind === 'dial-result')?.at, 3000);
  });

  it('refuses a number that is not E.164 without dialing', async () => {
    const r = await simulate(`branches:
  api-initiated:
    - action: dial@v1
      params: { targets: [{ number: "0612345678" }] }
      result: $dial
`);
    assert.equal((r.run?.variables.$dial as Dial).status, 'Invalid Number');
    assert.ok(!r.transcript.some((e) => e.kind === 'dial'));
  });

  it('tries targets in turn until one answers (sequential)', async () => {
    const r = await simulate(`branches:
  api-initiated:
    - action: dial@v1
      params:
        targets: [{ number: "+15550000001" }, { number: "+15550000002" }, { number: "+15550000003" }]
      result: $dial
`, { parties: { '+15550000001': { behaviour: { kind: 'busy' } }, '+15550000002': { behaviour: { kind: 'no-answer' } } } });
    const dials = r.transcript.filter((e) => e.kind === 'dial').map((e) => (e.kind === 'dial' ? e.to : ''));
    assert.deepEqual(dials, ['+15550000001', '+15550000002', '+15550000003']);
    assert.equal((r.run?.variables.$dial as Dial).target, '+15550000003');
  });

  it('rings all at once and takes the first to answer (simultaneous); the others are cancelled', async () => {
    const r = await simulate(`branches:
  api-initiated:
    - action: dial@v1
      params:
        strategy: simultaneous
        targets: [{ number: "+15550000001" }, { number: "+15550000002" }]
      result: $dial
`, { parties: { '+15550000001': { behaviour: { kind: 'answer', afterMs: 6000 } }, '+15550000002': { behaviour: { kind: 'answer', afterMs: 2000 } } } });
    assert.equal((r.run?.variables.$dial as Dial).target, '+15550000002');
    const results = r.transcript.filter((e) => e.kind === 'dial-result').map((e) => (e.kind === 'dial-result' ? `${e.at}:${e.outcome}` : ''));
    assert.deepEqual(results.sort(), ['2000:Answered', '2000:Canceled']);
  });

  it('hangs up the answered call after timeLimit', async () => {
    const r = await simulate(`branches:
  api-initiated:
    - action: dial@v1
      params: { targets: [{ number: "+15550002222" }], answerOnBranch: talk, timeLimit: 4 }
      result: $dial
  talk:
    - action: gather@v2
      params: { timeout: 60 }
`);
    assert.equal((r.run?.variables.$dial as Dial).duration, 4);
  });
});

describe('dial@v1 from a live call', () => {
  it('forwards: bridges the caller with the callee on answer, returns when the bridge ends', async () => {
    const r = await simulate(`defaults:
  autoAnswer: false
branches:
  inbound-call:
    - action: dial@v1
      params: { targets: [{ number: "+15550002222" }] }
      result: $dial
    - action: log@v1
      params: { message: "after the bridge: \${{ $dial.status }}" }
`, { callee: { behaviour: { kind: 'answer', afterMs: 3000 }, hangupAtMs: 10_000 } });
    const kinds = r.transcript.filter((e) => e.callSid === 'CA1').map((e) => e.kind);
    assert.deepEqual(kinds.slice(0, 3), ['call', 'answered', 'bridge']);
    assert.equal(r.transcript.find((e) => e.callSid === 'CA1' && e.kind === 'answered')?.at, 3000);
    assert.ok(r.timeline.some((e) => e.type === 'log' && e.message === 'after the bridge: Answered'));
    const dial = r.run?.variables.$dial as Dial;
    assert.equal(dial.duration, 7);
  });

  it('hangs up the callee when the caller leaves during the bridge', async () => {
    const r = await simulate(`branches:
  inbound-call:
    - action: dial@v1
      params: { targets: [{ number: "+15550002222" }] }
`, { caller: { hangupAtMs: 8000 } });
    const callee = r.run?.calls.find((c) => c.direction === 'outbound');
    assert.equal(callee?.status, 'ended');
    assert.equal(callee?.cdr.ended, new Date(Date.parse('2025-01-01T09:00:00Z') + 8000).toISOString());
  });

  it('with answerOnBranch: whisper to the callee, then bridge@v1 joins the caller', async () => {
    const r = await simulate(`branches:
  inbound-call:
    - action: dial@v1
      params: { targets: [{ number: "+15550002222" }], answerOnBranch: agent }
      result: $dial
  agent:
    - action: say@v2
      params: { what: "Call for you" }
    - action: bridge@v1
      result: $bridge
`, { caller: { hangupAtMs: 20_000 } });
    const whisper = r.transcript.find((e) => e.kind === 'say');
    assert.equal(whisper?.callSid, 'CA2', 'only the callee hears the whisper');
    assert.ok(r.transcript.some((e) => e.kind === 'bridge'));
    assert.deepEqual(r.run?.variables.$bridge && Object.keys(r.run.variables.$bridge as object).sort(), ['duration', 'endedBy', 'ok']);
  });

  it('goes on (e.g. to voicemail) when the callee does not answer', async () => {
    const r = await simulate(`branches:
  inbound-call:
    - action: dial@v1
      params: { targets: [{ number: "+15550002222", timeout: 10 }] }
      result: $dial
    - if: "!$dial.ok"
      action: say@v2
      params: { what: "Nobody answered" }
`, { callee: { behaviour: { kind: 'no-answer' } } });
    assert.deepEqual(heard(r), ['say:Nobody answered']);
  });

  it('fails the run when bridge@v1 is used outside an answerOnBranch branch', async () => {
    const r = await simulate(`branches:
  inbound-call:
    - action: bridge@v1
`);
    assert.equal(r.run?.error?.code, 'RF_BRIDGE_NO_PEER');
  });
});

describe('dial@v1 when the network fails or nobody answers', () => {
  for (const strategy of ['sequential', 'simultaneous']) {
    it(`gives status Error when the network cannot place the call (${strategy})`, async () => {
      const clock = new VirtualClock();
      const broken: Network = { originate: async () => { throw new Error('trunk down'); } };
      const engine = await createEngine({ clock, network: broken });
      try {
        const scenario = engine.parse(`branches:\n  api-initiated:\n    - action: dial@v1\n      params: { strategy: ${strategy}, targets: [{ number: "+15550000001" }, { number: "+15550000002" }] }\n      result: $dial\n`).scenario!;
        const run = await engine.startRun({ scenario, entry: { type: 'api' } }).done;
        assert.equal(run.status, 'completed');
        assert.equal((run.variables.$dial as Dial).status, 'Error');
        assert.equal((run.variables.$dial as Dial).ok, false);
      } finally {
        await engine.close();
      }
    });
  }

  it('reports the first target’s outcome when every target of a simultaneous dial fails', async () => {
    const r = await simulate(`branches:
  api-initiated:
    - action: dial@v1
      params:
        strategy: simultaneous
        targets: [{ number: "+15550000001", timeout: 5 }, { number: "+15550000002", timeout: 5 }]
      result: $dial
`, { parties: { '+15550000001': { behaviour: { kind: 'busy' } }, '+15550000002': { behaviour: { kind: 'no-answer' } } } });
    assert.deepEqual([(r.run?.variables.$dial as Dial).status, (r.run?.variables.$dial as Dial).target], ['Busy', '+15550000001']);
  });

  it('places a new call from the hangup branch (a callback), which the branch then uses', async () => {
    const r = await simulate(`branches:
  inbound-call:
    - action: say@v2
      params: { what: "We will call you back" }
  hangup:
    - action: dial@v1
      params: { targets: [{ number: "+15550002222" }] }
      result: $back
    - action: say@v2
      params: { what: "This is your callback" }
`, { callee: { behaviour: { kind: 'answer', afterMs: 1000 } } });
    assert.equal(r.run?.status, 'completed');
    assert.equal((r.run?.variables.$back as Dial).status, 'Answered');
    const callback = r.transcript.find((e) => e.kind === 'say' && e.text === 'This is your callback');
    assert.equal(callback?.callSid, 'CA2');
    assert.ok(r.run?.calls.every((c) => c.status === 'ended'), 'the callback was hung up at the end of the branch');
  });
});
