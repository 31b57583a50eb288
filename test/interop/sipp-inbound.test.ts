// SIPp calls Ringflow over UDP and over TCP: the scenario answers, speaks, gathers digits sent as
// RFC 4733 events (SIPp's packaged DTMF pcaps), and the run records what was pressed.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScenario } from '../helpers/api-server.ts';
import { eventually } from '../helpers/server.ts';
import { startSipServer, type SipTestServer } from '../helpers/sip-server.ts';
import { killAllSipp, runSipp } from '../helpers/sipp.ts';

const NUMBER = '+15550100200';
const GATHER = `defaults: { language: en-US }
branches:
  inbound-call:
    - action: answer@v1
    - action: gather@v2
      params:
        maxDigits: 3
        timeout: 10
        prompt: { what: "Hello. Please enter your three digit code." }
      result: $code
    - action: say@v2
      params: { what: "Thank you." }
    - action: hangup@v1
`;

let t: SipTestServer;
let sid: string;
before(async () => {
  t = await startSipServer();
  sid = await createScenario(t, 'gather', GATHER);
  const put = await t.api(`/v2.0/actions/${sid}/numbers/${encodeURIComponent(NUMBER)}`, { method: 'PUT' });
  assert.ok(put.status < 300, JSON.stringify(put.body));
});
after(async () => {
  killAllSipp();
  await t?.close();
});

async function lastRun(): Promise<any> {
  return eventually(async () => {
    const list = await t.api(`/v2.0/actions/${sid}/runs?limit=1`);
    const run = list.body.hits?.[0]?.sid;
    return run ? (await t.api(`/v2.0/runs/${run}`)).body : undefined;
  }, (run) => run?.status === 'completed' || run?.status === 'failed', 20_000);
}

for (const transport of ['udp', 'tcp'] as const) {
  describe(`SIPp calls Ringflow over ${transport.toUpperCase()}`, () => {
    it('answers, gathers the RFC 4733 digits and hangs up; the run has them', async () => {
      const before = Date.now();
      const r = await runSipp({ scenario: 'uac-dtmf', target: t.sipTarget, transport, service: NUMBER.slice(1), holdMs: 1500, vars: { digits: '159', gap_ms: '400', hangup_ms: '-1' }, timeoutMs: 25_000 });
      assert.equal(r.exitCode, 0, `${r.errors}\n${r.stderr}\n${r.screen.slice(-2000)}`);
      assert.equal(r.successful, 1);
      const run = await lastRun();
      assert.equal(run.status, 'completed', JSON.stringify(run.error));
      assert.equal(run.variables.$code.input, '159');
      const call = run.calls[0];
      assert.equal(call.status, 'ended');
      assert.equal(call.cdr.status, 'answered');
      assert.ok(call.cdr.durationAnswered > 1, JSON.stringify(call.cdr));
      assert.equal(call.direction, 'inbound');
      assert.equal(call.to, NUMBER);
      assert.ok(Date.parse(call.cdr.started) >= before - 1000);
      assert.equal(call.cdr.hangupSource, 'callee', 'Ringflow (the callee) hung up with hangup@v1');
    });
  });
}

describe('media figures of real calls', () => {
  it('counts the RTP of the ended calls in /metrics: packets both ways, send jitter per call, none still up', async () => {
    const r = await runSipp({ scenario: 'uac-dtmf', target: t.sipTarget, transport: 'udp', service: NUMBER.slice(1), holdMs: 1500, vars: { digits: '7', gap_ms: '400', hangup_ms: '-1' }, timeoutMs: 25_000 });
    assert.equal(r.exitCode, 0, `${r.errors}\n${r.stderr}`);
    const text = await eventually(async () => (await t.api('/metrics', { key: null })).body as string, (m) => /^ringflow_sip_calls_active 0$/m.test(m) && /^ringflow_rtp_calls_total \d+$/m.test(m));
    const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
    const calls = value(/^ringflow_rtp_calls_total (\d+)$/m);
    // This call and the ones of the tests above (each file has its own server).
    assert.ok(calls >= 1, text);
    // The prompt alone is over two seconds: more than 100 packets of 20 ms a call.
    assert.ok(value(/^ringflow_rtp_packets_total\{direction="sent"\} (\d+)$/m) > 100 * calls, text);
    // SIPp's key press arrives as RTP (telephone-events from its capture).
    assert.ok(value(/^ringflow_rtp_packets_total\{direction="received"\} (\d+)$/m) > 0, text);
    assert.equal(value(/^ringflow_rtp_send_jitter_p99_ms_count (\d+)$/m), calls);
    assert.equal(value(/^ringflow_rtp_send_jitter_p99_ms_bucket\{le="\+Inf"\} (\d+)$/m), calls);
    assert.match(text, /^ringflow_rtp_skipped_frames_total \d+$/m);
    assert.match(text, /^ringflow_rtp_lost_packets_total \d+$/m);
  });
});
