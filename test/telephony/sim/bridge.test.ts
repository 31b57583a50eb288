import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Call } from '../../../src/telephony/port.ts';
import type { PartyScript } from '../../../src/telephony/sim/party-script.ts';
import type { SimCall } from '../../../src/telephony/sim/sim-call.ts';
import { answeredInbound, CALLER, createSim, never, RINGFLOW, type Sim } from './fixture.ts';

const AGENT = '+33611111111';

/** A caller on an inbound call, and an agent Ringflow dialed (answers after 2 s). */
async function twoLegs(caller: PartyScript = {}, agent: PartyScript = {}): Promise<Sim & { a: SimCall; b: SimCall }> {
  const sim = createSim({ parties: { [AGENT]: agent } });
  const a = await answeredInbound(sim, caller);
  const r = await sim.network.originate({ from: CALLER, to: AGENT, timeoutMs: 30_000 }, never());
  if (r.outcome !== 'Answered') throw new Error(r.outcome);
  return { ...sim, a, b: r.call as SimCall };
}

test('a bridge lasts until the other side hangs up; this side stays up', async () => {
  const { a, b, network, clock } = await twoLegs({}, { hangupAtMs: 12_000 });
  const outcome = await a.bridge(b, never());
  assert.deepEqual(outcome, { endedBy: 'other', durationMs: 10_000 });
  assert.equal(a.status, 'answered');
  assert.equal(b.status, 'ended');
  const entries = network.transcript.filter((e) => e.kind === 'bridge' || e.kind === 'unbridge');
  assert.deepEqual(entries, [
    { at: 2000, callSid: 'CA1', kind: 'bridge', other: 'CA2' },
    { at: 12_000, callSid: 'CA1', kind: 'unbridge', other: 'CA2', endedBy: 'other', durationMs: 10_000 },
  ]);
  assert.equal(clock.pending, 0);
});

test('a bridge ends when this side hangs up', async () => {
  const { a, b } = await twoLegs({ hangupAtMs: 5000 });
  assert.deepEqual(await a.bridge(b, never()), { endedBy: 'this', durationMs: 3000 });
  assert.equal(b.status, 'answered');
});

test('a bridge ends when the signal aborts; both calls stay up', async () => {
  const { a, b, clock } = await twoLegs();
  const controller = new AbortController();
  clock.setTimer(7000, () => controller.abort(new Error('time limit')));
  assert.deepEqual(await a.bridge(b, controller.signal), { endedBy: 'aborted', durationMs: 7000 });
  assert.equal(a.status, 'answered');
  assert.equal(b.status, 'answered');
  // Once unbridged they can be bridged again.
  const again = new AbortController();
  again.abort();
  assert.deepEqual(await b.bridge(a, again.signal), { endedBy: 'aborted', durationMs: 0 });
});

test('keys pressed on one side are heard on the other, and still reach the engine', async () => {
  const { a, b, network, clock } = await twoLegs({ presses: [{ digits: '12', atMs: 3000 }] }, { presses: [{ digits: '9', atMs: 4000 }], hangupAtMs: 5000 });
  const digitsA: string[] = [];
  const digitsB: string[] = [];
  a.on('digit', (d) => digitsA.push(d));
  b.on('digit', (d) => digitsB.push(d));
  await a.bridge(b, never());
  assert.deepEqual(digitsA, ['1', '2']);
  assert.deepEqual(digitsB, ['9']);
  const presses = network.transcript.filter((e) => e.kind === 'press');
  assert.deepEqual(presses, [
    { at: 3000, callSid: 'CA1', kind: 'press', text: '1' },
    { at: 3000, callSid: 'CA2', kind: 'press', text: '1', forwardedFrom: 'CA1' },
    { at: 3300, callSid: 'CA1', kind: 'press', text: '2' },
    { at: 3300, callSid: 'CA2', kind: 'press', text: '2', forwardedFrom: 'CA1' },
    { at: 4000, callSid: 'CA2', kind: 'press', text: '9' },
    { at: 4000, callSid: 'CA1', kind: 'press', text: '9', forwardedFrom: 'CA2' },
  ]);
  // After the bridge, keys are no longer forwarded.
  a.press('3');
  assert.equal(network.transcript.filter((e) => e.kind === 'press').length, 7);
  assert.equal(clock.pending, 0);
});

test('bridging with a call that has already ended resolves at once', async () => {
  const { a, b } = await twoLegs();
  b.hangupByParty();
  assert.deepEqual(await a.bridge(b, never()), { endedBy: 'other', durationMs: 0 });
  await a.hangup();
  assert.deepEqual(await a.bridge(b, never()), { endedBy: 'this', durationMs: 0 });
});

test('a call in a bridge cannot join another; only simulated calls can be bridged', async () => {
  const { a, b, network } = await twoLegs();
  const c = network.inbound({ from: '+33622222222', to: RINGFLOW });
  const controller = new AbortController();
  const bridged = a.bridge(b, controller.signal);
  await assert.rejects(c.bridge(b, never()), /already bridged/);
  await assert.rejects(a.bridge(a, never()), TypeError);
  await assert.rejects(a.bridge({} as Call, never()), TypeError);
  controller.abort();
  assert.equal((await bridged).endedBy, 'aborted');
});
