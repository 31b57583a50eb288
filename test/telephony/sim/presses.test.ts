import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SimCall } from '../../../src/telephony/sim/sim-call.ts';
import type { SimNetwork } from '../../../src/telephony/sim/sim-network.ts';
import { CALLER, createSim, never, RINGFLOW } from './fixture.ts';

/** Records "<ms since origin> <key>" for each digit the engine receives. */
function listen(network: SimNetwork, call: SimCall): string[] {
  const seen: string[] = [];
  call.on('digit', (d) => seen.push(`${network.elapsed()} ${d}`));
  return seen;
}

test('presses at a time: the first key at atMs, the next ones 300 ms apart', async () => {
  const { network, clock } = createSim();
  const call = network.inbound({ from: CALLER, to: RINGFLOW, party: { presses: [{ digits: '123#', atMs: 5000 }] } });
  await call.answer();
  const seen = listen(network, call);
  await clock.sleep(10_000);
  assert.deepEqual(seen, ['5000 1', '5300 2', '5600 3', '5900 #']);
});

test('presses on listening: each announcement takes the next press, keys from 1 s later, 300 ms apart', async () => {
  const { network, clock } = createSim();
  const call = network.inbound({
    from: CALLER,
    to: RINGFLOW,
    party: { presses: [{ digits: '42' }, { digits: '7', atMs: 20_000 }, { digits: '9' }] },
  });
  await call.answer();
  const seen = listen(network, call);
  await clock.sleep(1000);
  call.announce({ type: 'listening', maxDigits: 2 });
  await clock.sleep(4000);
  call.announce({ type: 'listening' });
  await clock.sleep(5000);
  call.announce({ type: 'listening' }); // nothing left to press
  await clock.sleep(15_000);
  assert.deepEqual(seen, ['2000 4', '2300 2', '6000 9', '20000 7']);
  assert.equal(clock.pending, 0);
});

test('the presses of the same script are on one timeline across calls of the network', async () => {
  const { network, clock } = createSim();
  await clock.sleep(3000);
  // Created 3 s after the origin: atMs still counts from the origin.
  const call = network.inbound({ from: CALLER, to: RINGFLOW, party: { presses: [{ digits: '1', atMs: 4000 }] } });
  await call.answer();
  const seen = listen(network, call);
  await clock.sleep(5000);
  assert.deepEqual(seen, ['4000 1']);
});

test('keys pressed before the call is answered are lost, and say so in the transcript', async () => {
  const { network, clock } = createSim();
  const call = network.inbound({ from: CALLER, to: RINGFLOW, party: { presses: [{ digits: '1', atMs: 500 }, { digits: '2', atMs: 1500 }] } });
  const seen = listen(network, call);
  await clock.sleep(1000);
  await call.answer();
  await clock.sleep(1000);
  assert.deepEqual(seen, ['1500 2']);
  assert.deepEqual(network.transcript.filter((e) => e.kind === 'press'), [
    { at: 500, callSid: 'CA1', kind: 'press', text: '1', lost: true },
    { at: 1500, callSid: 'CA1', kind: 'press', text: '2' },
  ]);
});

test('an outbound callee: keys timed before its answer are lost, later ones arrive', async () => {
  const { network, clock } = createSim({
    parties: { '+33698765432': { behaviour: { kind: 'answer', afterMs: 3000 }, presses: [{ digits: '1', atMs: 1000 }, { digits: '2', atMs: 4000 }] } },
  });
  const r = await network.originate({ from: RINGFLOW, to: '+33698765432', timeoutMs: 30_000 }, never());
  if (r.outcome !== 'Answered') throw new Error(r.outcome);
  const seen: string[] = [];
  r.call.on('digit', (d) => seen.push(d));
  await clock.sleep(2000);
  assert.deepEqual(seen, ['2']);
  const lost = network.transcript.find((e) => e.kind === 'press' && e.lost);
  assert.equal(lost?.at, 3000);
});

test('no key is pressed after the call ends, and no party timer is left behind', async () => {
  const { network, clock } = createSim();
  const call = network.inbound({ from: CALLER, to: RINGFLOW, party: { presses: [{ digits: '123456', atMs: 1000 }, { digits: '9' }], hangupAtMs: 60_000 } });
  await call.answer();
  call.announce({ type: 'listening' });
  const seen = listen(network, call);
  await clock.sleep(1400);
  await call.hangup();
  assert.deepEqual(seen, ['1000 1', '1000 9', '1300 2']);
  assert.equal(clock.pending, 0);
  call.press('5'); // ignored
  call.announce({ type: 'listening' }); // ignored
  assert.equal(clock.pending, 0);
});

test('press() presses keys now, in order, each a digit event and a transcript line', async () => {
  const { network } = createSim();
  const call = network.inbound({ from: CALLER, to: RINGFLOW });
  await call.answer();
  const seen = listen(network, call);
  call.press('0*');
  assert.deepEqual(seen, ['0 0', '0 *']);
  assert.deepEqual(network.transcript.filter((e) => e.kind === 'press').map((e) => e.kind === 'press' && e.text), ['0', '*']);
});
