// Each kind of bad scenario gets a clear error that names the problem and where it is.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../src/scenario/parse.ts';
import { builtinRegistry } from '../../src/actions/builtin.ts';
import { createParamsValidator } from '../../src/scenario/params.ts';

const lang = { registry: builtinRegistry(), params: createParamsValidator() };

function problems(text: string) {
  const result = parseScenario(text, lang, { file: 'flow.yaml' });
  return result.problems.map((p) => `${p.position?.line}:${p.position?.col} ${p.severity === 'warning' ? 'warning ' : ''}${p.code}: ${p.message}`);
}

function only(text: string): string {
  const found = problems(text);
  assert.equal(found.length, 1, `expected one problem, got:\n${found.join('\n')}`);
  return found[0]!;
}

describe('bad scenario documents', () => {
  it('reports a YAML syntax error with its position', () => {
    const found = problems('branches:\n  inbound-call: [\n    { action: say@v2\n');
    assert.ok(found.length >= 1);
    for (const p of found) assert.match(p, /^4:1 RF_YAML_SYNTAX: YAML syntax error: .*must be sufficiently indented and end with a [}\]]/);
  });

  it('reports tabs used for indentation', () => {
    assert.match(only('branches:\n\tinbound-call: []\n'), /^2:1 RF_YAML_SYNTAX: .*Tabs are not allowed as indentation/);
  });

  it('reports a key given twice, naming it', () => {
    const text = 'branches:\n  inbound-call:\n    - action: answer@v1\n  inbound-call:\n    - action: hangup@v1\n';
    assert.equal(only(text), '4:3 RF_YAML_DUPLICATE_KEY: the key "inbound-call" appears twice in the same map');
  });

  it('reports an unknown top-level key with a suggestion', () => {
    const text = 'variabels:\n  $a: 1\nbranches:\n  inbound-call:\n    - action: answer@v1\n';
    assert.equal(only(text), '1:1 RF_SCENARIO_UNKNOWN_KEY: unknown key "variabels" in the scenario; did you mean "variables"?');
  });

  it('reports a branch that is not a list', () => {
    assert.equal(only('branches:\n  inbound-call: say hello\n'), '2:17 RF_SCENARIO_BRANCH_NOT_LIST: branch "inbound-call" must be a list of steps, or a map with an "actions" list');
    assert.match(only('branches:\n  inbound-call:\n    actions: 3\n'), /^3:14 RF_SCENARIO_BRANCH_NOT_LIST/);
  });

  it('accepts a branch written as a bare list or as a map with actions', () => {
    assert.deepEqual(problems('branches:\n  inbound-call:\n    - action: answer@v1\n  api-initiated:\n    actions:\n      - action: log@v1\n        params: { message: hi }\n'), []);
  });

  it('reports a scenario without branches', () => {
    assert.match(only('description: nothing\n'), /RF_SCENARIO_NO_BRANCHES/);
  });
});

describe('bad steps', () => {
  const flow = (steps: string) => `branches:\n  inbound-call:\n${steps}`;

  it('reports an action without a version, suggesting the latest', () => {
    assert.equal(only(flow('    - action: gather\n')), '3:15 RF_SCENARIO_MISSING_VERSION: action "gather" needs a version, e.g. "gather@v2"');
  });

  it('reports an unknown action with a suggestion, and an unknown version', () => {
    assert.equal(only(flow('    - action: sya@v2\n')), '3:15 RF_SCENARIO_UNKNOWN_ACTION: unknown action "sya@v2"; did you mean "say@v2"?');
    assert.equal(only(flow('    - action: say@v9\n      params: { what: hi }\n')), '3:15 RF_SCENARIO_UNKNOWN_VERSION: action "say" has no version v9; known: say@v2');
  });

  it('refuses the actions announced for later with "not supported yet"', () => {
    assert.equal(only(flow('    - action: voicebot@v1\n')), '3:15 RF_SCENARIO_UNSUPPORTED_ACTION: action "voicebot@v1" is not supported yet');
    assert.equal(only(flow('    - action: http-request@v1\n')), '3:15 RF_SCENARIO_UNSUPPORTED_ACTION: action "http-request@v1" is not supported yet');
  });

  it('reports an unknown param at its key, with "did you mean"', () => {
    const p = only(flow('    - action: gather@v2\n      params:\n        maxDigit: 1\n'));
    assert.equal(p, '5:9 RF_SCENARIO_UNKNOWN_PARAM: unknown param "maxDigit" for gather@v2; did you mean "maxDigits"?');
  });

  it('reports unknown params nested in objects and lists', () => {
    const p = only(flow('    - action: dial@v1\n      params:\n        targets:\n          - number: "+15550001111"\n            timout: 3\n'));
    assert.equal(p, '7:13 RF_SCENARIO_UNKNOWN_PARAM: unknown param "targets[0].timout" for dial@v1; did you mean "timeout"?');
  });

  it('reports a param of the wrong type at its value', () => {
    const p = only(flow('    - action: gather@v2\n      params:\n        timeout: soon\n'));
    assert.equal(p, '5:18 RF_SCENARIO_PARAM_TYPE: param "timeout" of gather@v2 must be a number, not the text "soon"');
  });

  it('reports a value outside an enumeration', () => {
    const p = only(flow('    - action: dial@v1\n      params:\n        targets: [{ number: "+15550001111" }]\n        strategy: parallel\n'));
    assert.match(p, /^6:19 RF_SCENARIO_PARAM_TYPE: param "strategy" of dial@v1 must be one of "sequential", "simultaneous", not "parallel"/);
  });

  it('reports a missing required param', () => {
    assert.equal(only(flow('    - action: say@v2\n')), '3:7 RF_SCENARIO_MISSING_PARAM: say@v2 needs the param "what"');
  });

  it('leaves values written as ${{ }} to be checked when the step runs', () => {
    assert.deepEqual(problems(flow('    - action: gather@v2\n      params:\n        timeout: ${{ $wait }}\n        maxDigits: ${{ $n }}\n')), []);
  });

  it('reports a result that is not a $variable', () => {
    assert.equal(only(flow('    - action: answer@v1\n      result: answered\n')), '4:15 RF_SCENARIO_RESULT_NAME: result must be a variable name starting with $, e.g. "$answer"; got "answered"');
  });

  it('reports a goto to a label that does not exist, with a suggestion', () => {
    const p = only(flow('    - label: menu\n      action: answer@v1\n    - goto: mneu\n'));
    assert.equal(p, '5:13 RF_SCENARIO_GOTO_LABEL: goto: no step has the label "mneu" in branch "inbound-call"; did you mean "menu"?');
  });

  it('reports a goto to a missing branch and an answerOnBranch to a missing branch', () => {
    assert.equal(problems(flow('    - goto: { branch: voicemial }\n  voicemail:\n    - action: answer@v1\n'))[0], '3:23 RF_SCENARIO_GOTO_BRANCH: goto: there is no branch "voicemial"; did you mean "voicemail"?');
    const p = problems(flow('    - action: dial@v1\n      params:\n        targets: [{ number: "+15550001111" }]\n        answerOnBranch: agnet\n  agent:\n    - action: bridge@v1\n'))[0]!;
    assert.match(p, /^6:25 RF_SCENARIO_ANSWER_BRANCH: answerOnBranch: there is no branch "agnet"; did you mean "agent"\?/);
  });

  it('reports a label defined twice, pointing at the first', () => {
    const p = only(flow('    - label: a\n      action: answer@v1\n    - label: a\n      action: hangup@v1\n'));
    assert.equal(p, '5:14 RF_SCENARIO_DUPLICATE_LABEL: the label "a" is already used at line 3 in "inbound-call"');
  });

  it('finds labels inside then/else for goto', () => {
    assert.deepEqual(problems(flow('    - if: true\n      then:\n        - label: inner\n          action: answer@v1\n    - goto: inner\n')), []);
  });

  it('warns about a branch nothing can reach', () => {
    assert.equal(only(flow('    - action: answer@v1\n  orphan:\n    - action: hangup@v1\n')), '4:3 warning RF_SCENARIO_UNREACHABLE_BRANCH: branch "orphan" never runs: it is not a built-in branch, and no goto or answerOnBranch in a branch that runs names it');
  });

  it('warns about an unknown compat version but accepts a quoted or unquoted date', () => {
    assert.deepEqual(problems('compat:\n  version: 2025-09-01\nbranches:\n  inbound-call:\n    - action: answer@v1\n'), []);
    assert.deepEqual(problems('compat:\n  version: "2025-09-01"\nbranches:\n  inbound-call:\n    - action: answer@v1\n'), []);
    assert.match(only('compat:\n  version: 2030-01-01\nbranches:\n  inbound-call:\n    - action: answer@v1\n'), /^2:12 warning RF_SCENARIO_COMPAT/);
  });

  it('reports misplaced step keys', () => {
    assert.match(only(flow('    - action: answer@v1\n      then: []\n')), /^4:7 RF_SCENARIO_STEP_INVALID: a step with "action" cannot also have "then"/);
    assert.match(only(flow('    - then:\n        - action: answer@v1\n')), /^3:7 RF_SCENARIO_STEP_INVALID: "then" needs an "if" condition/);
    assert.match(only(flow('    - params: { what: hi }\n')), /^3:7 RF_SCENARIO_STEP_INVALID: "params" belongs to an action step/);
    assert.match(only(flow('    - actoin: answer@v1\n')), /^3:7 RF_SCENARIO_UNKNOWN_KEY: unknown key "actoin" in a step; did you mean "action"\?/);
  });

  it('reports an unterminated ${{', () => {
    assert.match(only(flow('    - action: log@v1\n      params:\n        message: "hi ${{ $name"\n')), /^5:22 RF_EXPR_SYNTAX: expression syntax error: this \$\{\{ has no closing \}\}/);
  });

  it('reports bad defaults and variable names', () => {
    assert.match(only('defaults:\n  autoAnswer: maybe\nbranches:\n  inbound-call: []\n'), /^2:15 RF_SCENARIO_INVALID_VALUE: defaults.autoAnswer: must be true or false/);
    assert.match(only('defaults:\n  timezone: Mars/Olympus\nbranches:\n  inbound-call: []\n'), /defaults.timezone: must be an IANA time zone/);
    assert.match(only('variables:\n  count: 1\nbranches:\n  inbound-call: []\n'), /^2:3 RF_SCENARIO_VARIABLE_NAME/);
  });

  it('turns the bare word undefined into JavaScript undefined', () => {
    const result = parseScenario('variables:\n  $user: undefined\n  $n: 3\nbranches:\n  inbound-call: []\n', lang);
    assert.ok(result.scenario);
    assert.ok('$user' in result.scenario.variables);
    assert.equal(result.scenario.variables.$user, undefined);
    assert.equal(result.scenario.variables.$n, 3);
  });

  it('refuses hangup as a goto target and an entry branch as answerOnBranch', () => {
    assert.match(only(flow('    - goto: { branch: hangup }\n  hangup:\n    - action: log@v1\n      params: { message: x }\n')), /^3:23 RF_SCENARIO_BRANCH_TARGET: goto cannot go to the branch "hangup"/);
    assert.match(only('branches:\n  api-initiated:\n    - action: dial@v1\n      params: { targets: [{ number: "+15550000001" }], answerOnBranch: api-initiated }\n'), /RF_SCENARIO_BRANCH_TARGET: answerOnBranch cannot go to the branch "api-initiated"/);
  });

  it('keeps the labels of events: steps apart from the branch', () => {
    const text = flow('    - action: startRecording@v1\n      events:\n        ready:\n          - label: inside\n            action: log@v1\n            params: { message: x }\n    - goto: inside\n');
    assert.match(only(text), /^9:13 RF_SCENARIO_GOTO_LABEL: goto: no step has the label "inside"/);
  });

  it('refuses an expression in a map key', () => {
    assert.match(only(flow('    - action: fetch@v2\n      params:\n        url: https://x.example\n        headers:\n          "${{ $h }}": v\n')), /RF_SCENARIO_INVALID_VALUE: the key "\$\{\{ \$h \}\}": expressions are evaluated in values, not in keys/);
  });

  it('accepts numbers as labels and branch names', () => {
    assert.deepEqual(problems('branches:\n  inbound-call:\n    - label: 10\n      action: answer@v1\n    - goto: 10\n    - goto: { branch: 200 }\n  200:\n    - action: hangup@v1\n'), []);
  });

  it('reads anchors and aliases, and stops a document that expands without end', () => {
    const reuse = 'x-prompt: &prompt { what: Press 1 }\nbranches:\n  inbound-call:\n    - action: gather@v2\n      params: { maxDigits: 1, prompt: *prompt }\n';
    assert.match(problems(reuse)[0]!, /RF_SCENARIO_UNKNOWN_KEY: unknown key "x-prompt"/, 'anchors live in known places only');
    const ok = 'branches:\n  inbound-call:\n    - action: gather@v2\n      params: &p { maxDigits: 1, prompt: { what: Press 1 } }\n    - action: gather@v2\n      params: *p\n';
    assert.deepEqual(problems(ok), []);
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const bomb = `variables:\n  $v:\n${levels.map((l) => `    ${l}`).join('\n')}\nbranches:\n  inbound-call: []\n`;
    const started = performance.now();
    assert.match(only(bomb), /^1:1 RF_YAML_SYNTAX: .*the document expands to too many values/);
    assert.ok(performance.now() - started < 2000);
  });
});

