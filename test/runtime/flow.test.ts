// The interpreter: branches, steps, conditions, labels and goto, results, limits, the hangup branch.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { heard, simulate, steps } from '../helpers/simulate.ts';

describe('control flow', () => {
  it('runs steps in order, with if/then/else and results in variables', async () => {
    const r = await simulate(`
variables:
  $n: 2
branches:
  inbound-call:
    - action: javascript@v1
      params: { code: "return $n * 21" }
      result: $answer
    - if: $answer.value == 42
      then:
        - action: say@v2
          params: { what: "forty-two" }
      else:
        - action: say@v2
          params: { what: "something else" }
    - if: $n > 5
      action: say@v2
      params: { what: "skipped" }
    - action: say@v2
      params: { what: "n is \${{ $n }} and answer is \${{ $answer.value }}" }
`);
    assert.equal(r.run?.status, 'completed');
    assert.deepEqual(heard(r), ['say:forty-two', 'say:n is 2 and answer is 42']);
    assert.deepEqual(r.run?.variables.$answer, { ok: true, value: 42 });
  });

  it('loops with a label and goto, also from inside a nested then', async () => {
    const r = await simulate(`
variables:
  $i: 0
branches:
  inbound-call:
    - label: top
      action: javascript@v1
      params: { code: "$i++" }
    - if: $i < 3
      then:
        - action: say@v2
          params: { what: "round \${{ $i }}" }
        - goto: top
    - action: say@v2
      params: { what: done }
`);
    assert.deepEqual(heard(r), ['say:round 1', 'say:round 2', 'say:done']);
    assert.equal(r.run?.variables.$i, 3);
  });

  it('jumps to another branch for good with goto branch, sharing variables', async () => {
    const r = await simulate(`
branches:
  inbound-call:
    - action: javascript@v1
      params: { code: "$from = 'main'" }
    - goto: { branch: menu }
    - action: say@v2
      params: { what: never }
  menu:
    - action: say@v2
      params: { what: "from \${{ $from }}" }
`);
    assert.deepEqual(heard(r), ['say:from main']);
    assert.deepEqual(steps(r), ['inbound-call/javascript@v1', 'menu/say@v2']);
  });

  it('hangs up a call still up at the end of the branch, and runs the hangup branch once with a complete CDR', async () => {
    const r = await simulate(`
branches:
  inbound-call:
    - action: say@v2
      params: { what: hello }
  hangup:
    - action: javascript@v1
      params: { code: "$cdr = call.cdr" }
`);
    assert.equal(r.run?.status, 'completed');
    const cdr = r.run?.variables.$cdr as Record<string, unknown>;
    assert.equal(cdr.status, 'answered');
    assert.equal(cdr.hangupSource, 'callee'); // Ringflow is the called side of an inbound call
    assert.equal(typeof cdr.ended, 'string');
    assert.ok((cdr.durationAnswered as number) >= 0.6);
    assert.equal(steps(r).filter((s) => s.startsWith('hangup/')).length, 1);
  });

  it('stops the branch when the caller hangs up mid-action, with ok false and reason hangup, then runs hangup', async () => {
    const r = await simulate(`
branches:
  inbound-call:
    - action: say@v2
      params: { what: "a long message that the caller will not hear to the end, because they hang up" }
      result: $said
    - action: say@v2
      params: { what: never heard }
  hangup:
    - action: log@v1
      params: { message: "bye \${{ call.cdr.hangupSource }}" }
`, { caller: { hangupAtMs: 1500 } });
    assert.equal(r.run?.status, 'completed');
    assert.deepEqual(r.run?.variables.$said, { ok: false, reason: 'hangup' });
    assert.ok(!heard(r).includes('say:never heard'));
    const log = r.timeline.find((e) => e.type === 'log');
    assert.equal(log?.type === 'log' && log.message, 'bye caller');
    const ended = r.transcript.find((e) => e.kind === 'ended');
    assert.equal(ended?.at, 1500);
  });

  it('ends the branch with hangup@v1 and still runs the hangup branch', async () => {
    const r = await simulate(`
branches:
  inbound-call:
    - action: hangup@v1
      params: { cause: busy }
    - action: say@v2
      params: { what: never }
  hangup:
    - action: javascript@v1
      params: { code: "$status = call.cdr.status" }
`, { engine: {} });
    assert.deepEqual(heard(r), []);
    assert.equal(r.run?.variables.$status, 'answered');
    assert.deepEqual(steps(r), ['inbound-call/hangup@v1', 'hangup/javascript@v1']);
  });

  it('stops a goto loop at the step limit: the call is hung up and the run fails with step-limit', async () => {
    const r = await simulate(`
branches:
  inbound-call:
    - label: spin
      goto: spin
  hangup:
    - action: log@v1
      params: { message: after }
`, { engine: { limits: { maxSteps: 500 } } });
    assert.equal(r.run?.status, 'failed');
    assert.equal(r.run?.error?.code, 'RF_STEP_LIMIT');
    assert.ok(r.timeline.some((e) => e.type === 'log' && e.message === 'after'), 'the hangup branch still ran');
    assert.equal(r.run?.calls[0]?.status, 'ended');
  });

  it('fails the run on an expression that throws, with its position; the hangup branch still runs', async () => {
    const r = await simulate(`branches:
  inbound-call:
    - action: say@v2
      params:
        what: "Hello \${{ $user.name }}"
  hangup:
    - action: log@v1
      params: { message: cleanup }
`);
    assert.equal(r.run?.status, 'failed');
    assert.equal(r.run?.error?.code, 'RF_EXPR_ERROR');
    assert.match(r.run?.error?.message ?? '', /TypeError/);
    assert.equal(r.run?.error?.line, 5);
    assert.ok(r.timeline.some((e) => e.type === 'log' && e.message === 'cleanup'));
    assert.equal(r.run?.calls[0]?.cdr.hangupSource, 'system');
  });

  it('fails the run on params invalid after evaluation, naming the param', async () => {
    const r = await simulate(`branches:
  inbound-call:
    - action: gather@v2
      params:
        timeout: \${{ 'soon' }}
`);
    assert.equal(r.run?.status, 'failed');
    assert.equal(r.run?.error?.code, 'RF_PARAMS_INVALID');
    assert.match(r.run?.error?.message ?? '', /timeout must be a number/);
    assert.equal(r.run?.error?.line, 3);
  });

  it('coerces an expression giving "30" where a number is expected', async () => {
    const r = await simulate(`branches:
  inbound-call:
    - action: gather@v2
      params:
        timeout: \${{ '1' }}
      result: $g
`);
    assert.equal(r.run?.status, 'completed');
    assert.deepEqual(r.run?.variables.$g, { ok: false, input: '', reason: 'timeout' });
  });

  it('rejects a call action in api-initiated before any call exists', async () => {
    const r = await simulate(`branches:
  api-initiated:
    - action: say@v2
      params: { what: hi }
`);
    assert.equal(r.run?.status, 'failed');
    assert.equal(r.run?.error?.code, 'RF_NO_CALL');
  });

  it('answers an unringing call before speaking when autoAnswer is false, with a warning', async () => {
    const r = await simulate(`defaults:
  autoAnswer: false
branches:
  inbound-call:
    - action: ringing@v1
    - action: say@v2
      params: { what: hi }
`);
    assert.deepEqual(r.transcript.map((e) => e.kind).slice(0, 4), ['call', 'ringing', 'answered', 'say']);
    assert.ok(r.timeline.some((e) => e.type === 'warning' && /answering the call first/.test(e.message)));
  });

  it('takes API variables with or without $, overriding the declared ones', async () => {
    const r = await simulate(`variables:
  $a: 1
  $b: 2
branches:
  api-initiated:
    - action: log@v1
      params: { message: "\${{ $a }} \${{ $b }} \${{ $c }}" }
`, { variables: { a: 'x', $c: 3 } });
    const log = r.timeline.find((e) => e.type === 'log');
    assert.equal(log?.type === 'log' && log.message, 'x 2 3');
  });

  it('records every step with its position, params and result in the timeline', async () => {
    const r = await simulate(`branches:
  inbound-call:
    - action: log@v1
      params: { message: "one" }
      result: $l
`);
    const step = r.timeline.find((e) => e.type === 'step' && e.step === 'log@v1');
    assert.ok(step && step.type === 'step');
    assert.equal(step.line, 3);
    assert.deepEqual(step.params, { message: 'one' });
    assert.deepEqual(step.result, { ok: true });
  });

  it('stops a simulated run that would wait forever, and says why', async () => {
    const r = await simulate('branches:\n  inbound-call:\n    - action: dial@v1\n      params: { targets: [{ number: "+15550002222" }] }\n');
    assert.equal(r.run?.status, 'canceled');
    assert.ok(r.timeline.some((e) => e.type === 'warning' && /nothing more can happen/.test(e.message)));
  });
});

