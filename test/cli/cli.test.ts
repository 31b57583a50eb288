// The `ringflow` command as a user runs it: a real process, its output and exit status.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRecorder, type HttpRecorder } from '../helpers/http-recorder.ts';

const bin = fileURLToPath(new URL('../../bin/ringflow.js', import.meta.url));
const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

function ringflow(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ringflow-cli-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('ringflow validate', () => {
  it('accepts the examples', async () => {
    const r = await ringflow(['validate', ...['broadcast-reminder', 'call-forwarding', 'fetch-and-push', 'salesforce-search'].map((n) => join(examples, `${n}.yaml`))]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 4);
  });

  it('prints file:line:col: CODE: message for each problem and exits 1', async () => {
    const bad = await file('bad.yaml', 'branches:\n  inbound-call:\n    - action: gather\n    - action: say@v2\n      params: { waht: hi }\n    - goto: nowhere\n');
    const r = await ringflow(['validate', bad]);
    assert.equal(r.code, 1);
    assert.deepEqual(r.stderr.trim().split('\n'), [
      `${bad}:3:15: RF_SCENARIO_MISSING_VERSION: action "gather" needs a version, e.g. "gather@v2"`,
      `${bad}:5:15: RF_SCENARIO_MISSING_PARAM: say@v2 needs the param "what"`,
      `${bad}:5:17: RF_SCENARIO_UNKNOWN_PARAM: unknown param "waht" for say@v2; did you mean "what"?`,
      `${bad}:6:13: RF_SCENARIO_GOTO_LABEL: goto: no step has the label "nowhere" in branch "inbound-call"`,
    ]);
  });

  it('reports an expression syntax error at its position', async () => {
    const bad = await file('expr.yaml', 'branches:\n  inbound-call:\n    - if: $a ==\n      goto: { branch: inbound-call }\n');
    const r = await ringflow(['validate', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: RF_EXPR_SYNTAX: expression syntax error: `));
  });

  it('passes with warnings, and says so', async () => {
    const warned = await file('warn.yaml', 'branches:\n  inbound-call:\n    - action: answer@v1\n  orphan:\n    - action: answer@v1\n');
    const r = await ringflow(['validate', warned]);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /:4:3: warning RF_SCENARIO_UNREACHABLE_BRANCH/);
    assert.match(r.stdout, /ok \(1 warning\)/);
  });

  it('names a file it cannot read', async () => {
    const r = await ringflow(['validate', join(dir, 'missing.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /missing\.yaml: RF_FILE_READ: cannot read .*missing\.yaml: ENOENT/);
  });
});

describe('ringflow simulate', () => {
  let server: HttpRecorder;
  before(async () => {
    server = await startRecorder(() => ({ status: 201, body: { stored: true } }));
  });
  after(() => server.close());

  it('prints a readable transcript, each HTTP exchange and the final variables', async () => {
    const r = await ringflow([
      'simulate', join(examples, 'broadcast-reminder.yaml'), '--press', '1', '--start', '2025-06-02T09:00:00Z',
      '--var', `$resultUrl=${server.url}/r`, '--http-allow', '127.0.0.1',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.ok(lines.includes(' 2.000  +15550002222  say "Hello, this is your clinic. You have an appointment tomorrow at 5 PM." (4.485 s)'), r.stdout);
    assert.ok(lines.includes(' 9.760  +15550002222  press 1'));
    assert.ok(lines.some((l) => /^12\.425  http\s+POST http:\/\/127\.0\.0\.1:\d+\/r\?patient=0 → 201 Created \(\d+(\.\d+)? ms\)$/.test(l)), r.stdout);
    assert.ok(lines.includes('  $answer = "confirmed"'));
    // The POST takes real time, which flows into the virtual clock: 12.4 s plus a few ms.
    assert.match(r.stdout, /run RN1 completed after 12\.[45] s of call time/);
  });

  it('--json prints one document with transcript, variables, run, calls and timeline', async () => {
    const r = await ringflow(['simulate', join(examples, 'broadcast-reminder.yaml'), '--callee', 'busy', '--json', '--start', '2025-06-02T09:00:00Z', '--http-allow', '127.0.0.1', '--var', `$resultUrl=${server.url}/r`]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Record<string, any>;
    assert.equal(doc.format, 'ringflow.simulate/1');
    assert.deepEqual(Object.keys(doc), ['format', 'scenario', 'problems', 'run', 'transcript', 'variables', 'calls', 'recordings', 'timeline']);
    assert.equal(doc.run.status, 'completed');
    assert.equal(doc.run.branch, 'api-initiated');
    assert.equal(doc.variables.$dial.status, 'Busy');
    assert.deepEqual(doc.transcript.map((e: { kind: string }) => e.kind), ['dial', 'dial-result']);
    assert.ok(doc.timeline.some((e: { type: string }) => e.type === 'http'));
  });

  it('runs an inbound scenario with --from, --var and a hang-up time', async () => {
    const flow = await file('in.yaml', 'branches:\n  inbound-call:\n    - action: say@v2\n      params: { what: "Hi ${{ call.fromNumber }}, code ${{ $code }}" }\n    - action: gather@v2\n      params: { timeout: 30 }\n      result: $g\n');
    const r = await ringflow(['simulate', flow, '--from', '+33612345678', '--var', '$code=7', '--hangup-at', '5', '--json']);
    const doc = JSON.parse(r.stdout) as Record<string, any>;
    assert.equal(doc.transcript.find((e: { kind: string }) => e.kind === 'say').text, 'Hi +33612345678, code 7');
    assert.deepEqual(doc.variables.$g, { ok: false, input: '', reason: 'hangup' });
    assert.equal(doc.calls[0].cdr.hangupSource, 'caller');
  });

  it('exits 1 and shows the error position when the run fails', async () => {
    const flow = await file('fail.yaml', 'branches:\n  inbound-call:\n    - action: say@v2\n      params: { what: "${{ $nobody.name }}" }\n');
    const r = await ringflow(['simulate', flow]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /error\s+RF_EXPR_ERROR: expression failed: TypeError: .* at .*fail\.yaml:4:\d+/);
    assert.match(r.stdout, /run RN1 failed after .* s of call time: RF_EXPR_ERROR/);
  });

  it('refuses a bad flag value with a clear message and status 2', async () => {
    const r = await ringflow(['simulate', join(examples, 'broadcast-reminder.yaml'), '--press', '1@soon']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /RF_CLI_USAGE: --press 1@soon: expected keys/);
    const callee = await ringflow(['simulate', join(examples, 'broadcast-reminder.yaml'), '--callee', 'maybe']);
    assert.equal(callee.code, 2);
    assert.match(callee.stderr, /--callee maybe: expected answer, answer@SECONDS/);
  });

  it('reads RINGFLOW_HTTP_ALLOW from the environment', async () => {
    const before = server.requests.length;
    const r = await ringflow(['simulate', join(examples, 'broadcast-reminder.yaml'), '--press', '2', '--var', `$resultUrl=${server.url}/env`], { RINGFLOW_HTTP_ALLOW: '127.0.0.1' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(server.requests.length, before + 1);
    assert.deepEqual((server.requests.at(-1)!.json as { answer: string }).answer, 'canceled');
  });
});
