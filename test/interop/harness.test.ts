// Tests of the interop harness itself, before Ringflow is in the loop: each SIPp scenario in
// test/interop/sipp/ runs against another SIPp or against baresip, so a failure in a later engine
// interop test points at the engine, not at the scenario. Needs `sipp` and `baresip` (Debian
// sip-tester, baresip-core); skipped when they are missing.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { after, describe, test } from 'node:test';
import { killAllBaresip, startBaresip, wavStats, type Baresip } from '../helpers/baresip.ts';
import { killAllSipp, runSipp, startSippUas, STATUS_REASONS, type SipTransport, type SippResult } from '../helpers/sipp.ts';

const haveSipp = !spawnSync('sipp', ['-v']).error;
const haveBaresip = !spawnSync('baresip', ['-h']).error;

after(() => {
  killAllSipp();
  killAllBaresip();
});

function explain(r: SippResult): string {
  return `exit ${r.exitCode}, ok ${r.successful}, failed ${r.failed}\nargs: ${r.args.join(' ')}\nerrors:\n${r.errors}\nstderr:\n${r.stderr.slice(-2000)}`;
}

function assertOk(r: SippResult, calls = 1): void {
  assert.equal(r.exitCode, 0, explain(r));
  assert.equal(r.successful, calls, explain(r));
  assert.equal(r.failed, 0, explain(r));
}

describe('SIPp against SIPp', { skip: !haveSipp && 'sipp not installed', concurrency: 4 }, () => {
  for (const transport of ['udp', 'tcp'] as SipTransport[]) {
    test(`uac-short → uas-answer over ${transport}`, async () => {
      const uas = await startSippUas({ scenario: 'uas-answer', transport, timeoutMs: 10_000 });
      const uac = await runSipp({ scenario: 'uac-short', target: uas.target, transport, holdMs: 200, timeoutMs: 8_000, traceMessages: true });
      assertOk(uac);
      assertOk(await uas.done);
      // The answer echoes the offer's payload types and in-dialog requests use the 200's Contact.
      assert.match(uac.messages, /m=audio \d+ RTP\/AVP 0 8 101\r\n/);
      assert.match(uac.messages, /BYE sip:sipp@127\.0\.0\.1:\d+;transport=(UDP|TCP) SIP\/2\.0/);
    });
  }

  test('uac-auth → uas-auth: right credentials pass, wrong ones get 403', async () => {
    const vars = { user: 'alice', pass: 's3cret', realm: 'ringflow.test' };
    const uas = await startSippUas({ scenario: 'uas-auth', transport: 'udp', vars, timeoutMs: 10_000 });
    const good = await runSipp({ scenario: 'uac-auth', target: uas.target, transport: 'udp', auth: { username: 'alice', password: 's3cret' }, holdMs: 100, timeoutMs: 8_000 });
    assertOk(good);
    assertOk(await uas.done);

    const uas2 = await startSippUas({ scenario: 'uas-auth', transport: 'udp', vars, timeoutMs: 10_000 });
    const bad = await runSipp({ scenario: 'uac-auth', target: uas2.target, transport: 'udp', auth: { username: 'alice', password: 'nope' }, timeoutMs: 8_000 });
    assert.equal(bad.exitCode, 1, explain(bad));
    assert.match(bad.errors, /SIP\/2\.0 403 Forbidden/);
    const r2 = await uas2.done;
    assert.equal(r2.failed, 1, explain(r2));
  });

  for (const status of [486, 603, 404, 480]) {
    test(`uas-status answers ${status}`, async () => {
      const uas = await startSippUas({ scenario: 'uas-status', transport: 'udp', vars: { status: String(status) }, timeoutMs: 10_000 });
      const uac = await runSipp({ scenario: 'uac-expect-final', target: uas.target, transport: 'udp', timeoutMs: 8_000, traceMessages: true });
      assertOk(uac);
      assert.match(uac.logs, new RegExp(`final ${status}`));
      assert.match(uac.messages, new RegExp(`SIP/2\\.0 ${status} ${STATUS_REASONS[status]}`));
      assertOk(await uas.done);
    });
  }

  test('uas-status refuses an unsupported status', async () => {
    const uas = await startSippUas({ scenario: 'uas-status', transport: 'udp', vars: { status: '299' }, timeoutMs: 5_000 });
    const uac = await runSipp({ scenario: 'uac-expect-final', target: uas.target, transport: 'udp', timeoutMs: 2_000 });
    assert.notEqual(uac.exitCode, 0);
    const r = await uas.stop();
    assert.match(r.errors, /unsupported -key status 299/, explain(r));
  });

  test('uac-cancel → uas-noanswer (CANCEL, 200, 487, ACK) over udp and tcp', async () => {
    for (const transport of ['udp', 'tcp'] as SipTransport[]) {
      const uas = await startSippUas({ scenario: 'uas-noanswer', transport, timeoutMs: 10_000 });
      const uac = await runSipp({ scenario: 'uac-cancel', target: uas.target, transport, holdMs: 300, timeoutMs: 8_000 });
      assertOk(uac);
      assertOk(await uas.done);
    }
  });

  test('uac-wait-bye ← uas-hangup (callee hangs up)', async () => {
    const uas = await startSippUas({ scenario: 'uas-hangup', transport: 'udp', holdMs: 300, timeoutMs: 10_000 });
    const uac = await runSipp({ scenario: 'uac-wait-bye', target: uas.target, transport: 'udp', timeoutMs: 8_000 });
    assertOk(uac);
    assertOk(await uas.done);
  });

  test('uac-dtmf → uas-answer with -rtp_echo, both endings', async () => {
    const uas = await startSippUas({ scenario: 'uas-hangup', transport: 'udp', rtpEcho: true, holdMs: 2_500, timeoutMs: 10_000 });
    const waiting = await runSipp({ scenario: 'uac-dtmf', target: uas.target, transport: 'udp', holdMs: 500, vars: { digits: '12#' }, timeoutMs: 8_000 });
    assertOk(waiting);
    assert.match(waiting.logs, /digit 1 .*\n.*digit 2 .*\n.*digit # /);
    assertOk(await uas.done);

    const uas2 = await startSippUas({ scenario: 'uas-answer', transport: 'udp', rtpEcho: true, timeoutMs: 10_000 });
    const bye = await runSipp({ scenario: 'uac-dtmf', target: uas2.target, transport: 'udp', holdMs: 0, vars: { digits: '*0', gap_ms: '300', hangup_ms: '200' }, timeoutMs: 8_000 });
    assertOk(bye);
    assertOk(await uas2.done);
  });
});

describe('baresip against SIPp', { skip: (!haveSipp || !haveBaresip) && 'sipp or baresip not installed', concurrency: 2 }, () => {
  let phones: Baresip[] = [];
  after(async () => {
    await Promise.all(phones.map((p) => p.stop(true)));
    phones = [];
  });

  test('baresip calls a SIPp echo UAS, sends digits and records what it heard', async () => {
    const uas = await startSippUas({ scenario: 'uas-answer', transport: 'udp', rtpEcho: true, timeoutMs: 15_000 });
    const phone = await startBaresip();
    phones.push(phone);
    phone.dial(`sip:echo@${uas.target}`);
    await phone.waitForCallState('established', 5_000);
    await new Promise((r) => setTimeout(r, 1_200));
    await phone.sendDigits('12#', 250);
    phone.hangup();
    await phone.waitForCallState('terminated', 5_000);
    assertOk(await uas.done);
    assert.match(phone.output(), /send DTMF digit: '1'[\s\S]*send DTMF digit: '2'[\s\S]*send DTMF digit: '#'/);
    const { dec, enc } = await phone.recordings();
    assert.equal(dec.length, 1, phone.output());
    assert.equal(enc.length, 1);
    const heard = wavStats(await readFile(dec[0]!));
    assert.ok(heard.seconds > 1, `dec WAV only ${heard.seconds} s`);
    assert.ok(heard.rms > 0.02, `dec WAV is silent (RMS ${heard.rms})`);
  });

  test('baresip auto-answers SIPp uac-short and uac-dtmf', async () => {
    const phone = await startBaresip({ autoAnswer: true });
    phones.push(phone);
    const short = await runSipp({ scenario: 'uac-short', target: `127.0.0.1:${phone.port}`, service: 'tester', transport: 'udp', holdMs: 500, timeoutMs: 8_000 });
    assertOk(short);
    await phone.waitForCallState('established', 2_000);
    await phone.waitForCallState('terminated', 3_000);

    // sndfile names recordings to the second: a call starting in the same second overwrites them.
    await new Promise((r) => setTimeout(r, 1_100));
    // Distinct digits: baresip's jitter buffer drops a replayed identical digit pcap.
    const dtmf = await runSipp({ scenario: 'uac-dtmf', target: `127.0.0.1:${phone.port}`, service: 'tester', transport: 'udp', holdMs: 600, vars: { digits: '159', hangup_ms: '300' }, timeoutMs: 8_000 });
    assertOk(dtmf);
    await phone.waitForCallState('terminated', 3_000, 2);
    assert.equal(phone.dtmfReceived(), '159', phone.output());
    const { dec } = await phone.recordings();
    assert.equal(dec.length, 2);
    const heard = wavStats(await readFile(dec.at(-1)!));
    assert.ok(heard.rms > 0.001, `speech pcap not heard (RMS ${heard.rms})`);
  });
});
