import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_VIRTUAL_START } from '../../../src/time/virtual-clock.ts';
import type { CalleeBehaviour } from '../../../src/telephony/sim/party-script.ts';
import type { OriginateResult } from '../../../src/telephony/port.ts';
import { createSim, never, RINGFLOW } from './fixture.ts';

const CALLEE = '+33698765432';
const iso = (ms: number) => new Date(DEFAULT_VIRTUAL_START + ms).toISOString();

function dial(behaviour: CalleeBehaviour | undefined, timeoutMs = 30_000) {
  const sim = createSim({ parties: { [CALLEE]: behaviour ? { behaviour } : {} } });
  const result = sim.network.originate({ from: RINGFLOW, to: CALLEE, timeoutMs }, never());
  return { ...sim, result };
}

function failed(result: OriginateResult) {
  assert.ok(result.outcome !== 'Answered', `expected a failure, got ${result.outcome}`);
  return result;
}

const FAILURES: { behaviour: CalleeBehaviour; outcome: string; afterMs: number; status: string; cause: number; source: string }[] = [
  { behaviour: { kind: 'busy' }, outcome: 'Busy', afterMs: 500, status: 'busy', cause: 17, source: 'callee' },
  { behaviour: { kind: 'reject' }, outcome: 'Rejected', afterMs: 2000, status: 'rejected', cause: 21, source: 'callee' },
  { behaviour: { kind: 'invalid' }, outcome: 'Invalid Number', afterMs: 200, status: 'invalid-number', cause: 1, source: 'system' },
  { behaviour: { kind: 'unavailable' }, outcome: 'Temporarily Unavailable', afterMs: 500, status: 'unavailable', cause: 20, source: 'callee' },
  { behaviour: { kind: 'error' }, outcome: 'Error', afterMs: 200, status: 'failed', cause: 41, source: 'system' },
  { behaviour: { kind: 'no-answer' }, outcome: 'No Answer', afterMs: 30_000, status: 'no-answer', cause: 19, source: 'caller' },
];

for (const f of FAILURES) {
  test(`callee ${f.behaviour.kind}: ${f.outcome} after ${f.afterMs} ms with its CDR`, async () => {
    const { network, clock, result } = dial(f.behaviour);
    const r = failed(await result);
    assert.equal(r.outcome, f.outcome);
    assert.equal(network.elapsed(), f.afterMs);
    assert.deepEqual(r.cdr, {
      callid: 'CA1',
      direction: 'outbound',
      callerNumber: RINGFLOW,
      callee: CALLEE,
      started: iso(0),
      answered: null,
      ended: iso(f.afterMs),
      durationAnswered: 0,
      durationTotal: f.afterMs / 1000,
      hangupCause: f.cause,
      hangupSource: f.source,
      status: f.status,
    });
    assert.deepEqual(network.transcript, [
      { at: 0, callSid: 'CA1', kind: 'dial', from: RINGFLOW, to: CALLEE, timeoutMs: 30_000 },
      { at: f.afterMs, callSid: 'CA1', kind: 'dial-result', outcome: f.outcome, hangupCause: f.cause, durationMs: f.afterMs },
    ]);
    assert.equal(clock.pending, 0);
  });
}

test('callee answering after 3 s: Answered, with an outbound call up', async () => {
  const { network, result } = dial({ kind: 'answer', afterMs: 3000 });
  const r = await result;
  assert.equal(r.outcome, 'Answered');
  if (r.outcome !== 'Answered') return;
  const call = r.call;
  assert.equal(call.direction, 'outbound');
  assert.equal(call.fromNumber, RINGFLOW);
  assert.equal(call.toNumber, CALLEE);
  assert.equal(call.status, 'answered');
  assert.equal(network.elapsed(), 3000);
  await network.clock.sleep(2000);
  await call.hangup();
  const cdr = call.cdr();
  assert.equal(cdr.started, iso(0));
  assert.equal(cdr.answered, iso(3000));
  assert.equal(cdr.ended, iso(5000));
  assert.equal(cdr.durationAnswered, 2);
  assert.equal(cdr.durationTotal, 5);
  assert.equal(cdr.status, 'answered');
  // Ringflow placed the call: it is the caller.
  assert.equal(cdr.hangupSource, 'caller');
  assert.equal(cdr.hangupCause, 16);
});

test('a party with no behaviour answers after 2 s', async () => {
  const { network, result } = dial(undefined);
  assert.equal((await result).outcome, 'Answered');
  assert.equal(network.elapsed(), 2000);
});

test('ring timeout shorter than the answer delay: No Answer at the timeout', async () => {
  const { network, clock, result } = dial({ kind: 'answer', afterMs: 25_000 }, 20_000);
  const r = failed(await result);
  assert.equal(r.outcome, 'No Answer');
  assert.equal(network.elapsed(), 20_000);
  assert.equal(r.cdr.hangupCause, 19);
  assert.equal(clock.pending, 0);
});

test('a rejecting callee does not get to reject when the timeout comes first', async () => {
  const { network, result } = dial({ kind: 'reject' }, 1000);
  assert.equal((await result).outcome, 'No Answer');
  assert.equal(network.elapsed(), 1000);
});

test('defaultParty applies to numbers without a party; unroutable numbers are invalid', async () => {
  const { network } = createSim({ defaultParty: { behaviour: { kind: 'busy' } } });
  assert.equal((await network.originate({ from: RINGFLOW, to: '+14155550100', timeoutMs: 30_000 }, never())).outcome, 'Busy');
  assert.equal((await network.originate({ from: RINGFLOW, to: 'sip:alice@example.com', timeoutMs: 30_000 }, never())).outcome, 'Busy');
  const bad = failed(await network.originate({ from: RINGFLOW, to: '0612', timeoutMs: 30_000 }, never()));
  assert.equal(bad.outcome, 'Invalid Number');
  assert.equal(bad.cdr.status, 'invalid-number');
});

test('parties are found by sip: URI as well', async () => {
  const { network } = createSim({ parties: { 'sip:agent@pbx.local': { behaviour: { kind: 'reject' } } } });
  const r = await network.originate({ from: RINGFLOW, to: 'sip:agent@pbx.local', timeoutMs: 30_000 }, never());
  assert.equal(r.outcome, 'Rejected');
});

test('aborting the signal cancels the attempt: rejects with the reason, the transcript shows it', async () => {
  const { network, clock } = createSim({ parties: { [CALLEE]: { behaviour: { kind: 'no-answer' } } } });
  const controller = new AbortController();
  const reason = new Error('run canceled');
  clock.setTimer(4000, () => controller.abort(reason));
  await assert.rejects(network.originate({ from: RINGFLOW, to: CALLEE, timeoutMs: 30_000 }, controller.signal), (e) => e === reason);
  assert.equal(network.elapsed(), 4000);
  assert.deepEqual(network.transcript.at(-1), { at: 4000, callSid: 'CA1', kind: 'dial-result', outcome: 'Canceled', durationMs: 4000 });
  assert.equal(clock.pending, 0);
});

test('an already aborted signal rejects at once', async () => {
  const { network } = createSim();
  const reason = new Error('stop');
  await assert.rejects(network.originate({ from: RINGFLOW, to: CALLEE, timeoutMs: 1000 }, AbortSignal.abort(reason)), (e) => e === reason);
  assert.deepEqual(network.transcript, []);
});

test('headers sent with the call are on the answered call, lower-cased', async () => {
  const { network } = createSim();
  const r = await network.originate({ from: RINGFLOW, to: CALLEE, timeoutMs: 30_000, headers: { 'X-Campaign': 'c1' } }, never());
  assert.equal(r.outcome, 'Answered');
  if (r.outcome === 'Answered') assert.deepEqual(r.call.headers, { 'x-campaign': 'c1' });
});

test('onCall hears about answered outbound calls', async () => {
  const { network } = createSim();
  const seen: string[] = [];
  const stop = network.onCall((call) => seen.push(`${call.direction} ${call.sid}`));
  await network.originate({ from: RINGFLOW, to: CALLEE, timeoutMs: 30_000 }, never());
  await network.originate({ from: RINGFLOW, to: 'nope', timeoutMs: 30_000 }, never());
  stop();
  network.inbound({ from: CALLEE, to: RINGFLOW });
  assert.deepEqual(seen, ['outbound CA1']);
});

test('an outbound party hangs up at its hangupAtMs, on the network timeline', async () => {
  const { network } = createSim({ parties: { [CALLEE]: { behaviour: { kind: 'answer', afterMs: 1000 }, hangupAtMs: 10_000 } } });
  const r = await network.originate({ from: RINGFLOW, to: CALLEE, timeoutMs: 30_000 }, never());
  if (r.outcome !== 'Answered') throw new Error(r.outcome);
  const cdr = await new Promise<ReturnType<typeof r.call.cdr>>((resolve) => r.call.on('ended', resolve));
  assert.equal(network.elapsed(), 10_000);
  assert.equal(cdr.hangupSource, 'callee');
  assert.equal(cdr.durationAnswered, 9);
  assert.equal(cdr.durationTotal, 10);
});
