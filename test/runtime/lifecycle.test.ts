// Cancel, close, failures and what still runs after them; limits; secrets kept out of the timeline.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, type Engine } from '../../src/runtime/engine.ts';
import { SimNetwork } from '../../src/telephony/sim/index.ts';
import { VirtualClock } from '../../src/time/virtual-clock.ts';
import { SystemClock, type Clock } from '../../src/time/clock.ts';
import { simulate } from '../helpers/simulate.ts';
import { startRecorder, type HttpRecorder } from '../helpers/http-recorder.ts';

async function setup(clock: Clock = new VirtualClock()) {
  const network = new SimNetwork({ clock });
  const engine = await createEngine({ clock, network, httpAllow: '127.0.0.1' });
  return { clock, network, engine };
}

describe('cancel', () => {
  it('hangs up the calls, skips the hangup branch, and ends as canceled', async () => {
    const { clock, network, engine } = await setup();
    try {
      const scenario = engine.parse('branches:\n  inbound-call:\n    - action: gather@v2\n      params: { timeout: 600 }\n  hangup:\n    - action: log@v1\n      params: { message: should not run }\n').scenario!;
      const run = engine.startRun({ scenario, entry: { type: 'inbound-call', call: network.inbound({ from: '+15550000001', to: '+15550000002' }) } });
      await clock.sleep(10_000);
      run.cancel('canceled by the test');
      const summary = await run.done;
      assert.equal(summary.status, 'canceled');
      assert.equal(summary.calls[0]?.status, 'ended');
      assert.equal(summary.calls[0]?.cdr.hangupSource, 'system');
      assert.ok(!run.timeline.events.some((e) => e.type === 'log'), 'the hangup branch did not run');
      assert.ok(run.timeline.events.some((e) => e.type === 'warning' && e.message === 'canceled by the test'));
    } finally {
      await engine.close();
    }
  });

  it('stops the hangup branch of a failed run at once', async () => {
    const server = await startRecorder(() => ({ hang: true }));
    const { engine, network } = await setup(new SystemClock());
    try {
      const scenario = engine.parse(`branches:
  inbound-call:
    - action: say@v2
      params: { what: "\${{ $missing.name }}" }
  hangup:
    - action: fetch@v2
      params: { url: "${server.url}/slow", timeout: 20 }
`).scenario!;
      const run = engine.startRun({ scenario, entry: { type: 'inbound-call', call: network.inbound({ from: '+15550000001', to: '+15550000002' }) } });
      await server.received(1);
      const started = performance.now();
      run.cancel();
      const summary = await run.done;
      assert.ok(performance.now() - started < 1000, 'the fetch in the hangup branch was stopped');
      assert.equal(summary.status, 'failed', 'the first error stays the outcome');
    } finally {
      await engine.close();
      await server.close();
    }
  });
});

describe('after a failure', () => {
  it('still runs events.ready handlers, like the hangup branch', async () => {
    const r = await simulate(`branches:
  inbound-call:
    - action: startRecording@v1
      events:
        ready:
          - action: log@v1
            params: { message: "recording \${{ recording.duration }} s" }
    - action: say@v2
      params: { what: "Hello" }
    - action: javascript@v1
      params: { code: "throw new Error('boom')" }
`);
    assert.equal(r.run?.status, 'failed');
    assert.ok(r.timeline.some((e) => e.type === 'log' && e.message === 'recording 0.6 s'));
  });
});

describe('engine.close()', () => {
  it('cancels runs still going and waits for them', async () => {
    const { network, engine } = await setup();
    const scenario = engine.parse('branches:\n  inbound-call:\n    - action: gather@v2\n      params: { timeout: 600 }\n').scenario!;
    const run = engine.startRun({ scenario, entry: { type: 'inbound-call', call: network.inbound({ from: '+15550000001', to: '+15550000002' }) } });
    await engine.close();
    const summary = await run.done;
    assert.equal(summary.status, 'canceled');
    assert.equal(summary.error, undefined, 'no internal error from a disposed sandbox');
  });
});

describe('the step limit', () => {
  it('counts the steps of the scenario, not the jumps the interpreter adds, and says where it stopped', async () => {
    const flow = 'branches:\n  inbound-call:\n    - if: true\n      then:\n        - action: log@v1\n          params: { message: a }\n      else:\n        - action: log@v1\n          params: { message: b }\n    - action: log@v1\n      params: { message: c }\n';
    const three = await simulate(flow, { engine: { limits: { maxSteps: 3 } } });
    assert.equal(three.run?.status, 'completed', 'if, then-step and the last step: three steps');
    const two = await simulate(flow, { engine: { limits: { maxSteps: 2 } } });
    assert.equal(two.run?.error?.code, 'RF_STEP_LIMIT');
    assert.equal(two.run?.error?.line, 10, 'the step that went over');
  });
});

describe('secrets', () => {
  let crm: HttpRecorder;
  before(async () => {
    crm = await startRecorder(() => ({ body: { ok: true } }));
  });
  after(() => crm.close());

  it('never shows an integration token in the timeline, wherever the scenario puts it', async () => {
    const token = 'tok_9f8e7d6c5b4a3928';
    const r = await simulate(`branches:
  inbound-call:
    - action: fetch@v2
      params:
        url: "${crm.url}/x?access=\${{ integrations.defaults.crm.accessToken }}"
        method: POST
        headers: { X-Custom: "\${{ integrations.defaults.crm.accessToken }}" }
        body: "form=\${{ integrations.defaults.crm.accessToken }}"
    - action: javascript@v1
      params: { code: "return 'token is ' + integrations.defaults.crm.accessToken" }
`, { integrations: { defaults: { crm: { accessToken: token } } } });
    assert.equal(r.run?.status, 'completed');
    assert.equal(crm.requests.at(-1)?.body, `form=${token}`, 'the request itself carried the token');
    const text = JSON.stringify(r.timeline);
    assert.ok(!text.includes(token), 'the token appears nowhere in the timeline');
    assert.ok(text.includes('[redacted]'));
  });
});

describe('numbers beyond any sensible call', () => {
  it('are refused when written, and when an expression gives them', async () => {
    let engine: Engine | undefined;
    try {
      ({ engine } = await setup());
      const { problems } = engine.parse('branches:\n  inbound-call:\n    - action: gather@v2\n      params: { timeout: 1e308 }\n    - action: say@v2\n      params: { what: hi, loop: 99999999999999999999 }\n');
      assert.deepEqual(problems.map((p) => p.message), ['param "timeout" of gather@v2 must be <= 3600', 'param "loop" of say@v2 must be <= 100']);
    } finally {
      await engine?.close();
    }
    const r = await simulate('branches:\n  inbound-call:\n    - action: gather@v2\n      params: { timeout: "${{ 1e13 }}" }\n');
    assert.equal(r.run?.error?.code, 'RF_PARAMS_INVALID');
  });
});
