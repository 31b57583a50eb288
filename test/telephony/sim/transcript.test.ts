import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SystemClock } from '../../../src/time/clock.ts';
import { SimNetwork } from '../../../src/telephony/sim/sim-network.ts';
import { formatTranscript, createTranscriptPrinter } from '../../../src/telephony/sim/transcript-format.ts';
import type { TranscriptEntry } from '../../../src/telephony/sim/transcript.ts';
import { CALLER, createSim, never, RINGFLOW } from './fixture.ts';

/** A small IVR-like flow driven by hand, as the runtime would: prompt, wait for a key, record, hang up. */
async function ivr(sim: ReturnType<typeof createSim>) {
  const call = sim.network.inbound({
    from: CALLER,
    to: RINGFLOW,
    party: { presses: [{ digits: '2' }, { digits: '#', atMs: 58_000 }], speechMs: 20_000 },
  });
  await sim.clock.sleep(1250);
  await call.ring();
  await sim.clock.sleep(2000);
  await call.answer();
  const key = new Promise<string>((resolve) => call.on('digit', resolve));
  call.announce({ type: 'listening', maxDigits: 1 });
  await call.play({ type: 'say', text: 'Hello there. Press 1 for sales, 2 for support.', language: 'en-GB' }, { stopOnDigit: true }, never());
  assert.equal(await key, '2');
  call.announce({ type: 'not-listening' });
  await call.play({ type: 'beep' }, {}, never());
  const recorded = await call.record({ maxDurationMs: 120_000, silenceTimeoutMs: 40_000, finishOnKey: '#' }, never());
  await call.play({ type: 'say', text: 'Thank you, goodbye.', language: 'en-GB' }, {}, never());
  await call.hangup();
  return { call, recorded };
}

test('the readable transcript: time, number, what happened', async () => {
  const sim = createSim();
  await ivr(sim);
  assert.equal(formatTranscript(sim.network.transcript), [
    ' 0.000  +33612345678  call from +33612345678 to +33170000000',
    ' 1.250  +33612345678  ringing',
    ' 3.250  +33612345678  answered',
    ' 3.250  +33612345678  say "Hello there. Press 1 for sales, 2 for support." (2.99 s)',
    ' 4.250  +33612345678  press 2',
    ' 4.250  +33612345678  say stopped by key 2 after 1 s',
    ' 4.250  +33612345678  beep',
    ' 4.650  +33612345678  record (max 120 s, silence 40 s, finish on #)',
    '58.000  +33612345678  press #',
    '58.000  +33612345678  recorded 53.35 s (finish-key) sim://recordings/CA2.wav',
    '58.000  +33612345678  say "Thank you, goodbye." (1.235 s)',
    '59.235  +33612345678  ended (answered): hung up by callee, Q.850 16',
    '',
  ].join('\n'));
});

test('a minute of simulated call runs in far less than a second of wall time', async () => {
  const sim = createSim();
  const wall = performance.now();
  const { call, recorded } = await ivr(sim);
  const took = performance.now() - wall;
  assert.ok(took < 500, `took ${took} ms`);
  assert.equal(recorded.reason, 'finish-key');
  assert.equal(call.cdr().durationTotal, 59.235);
  assert.equal(sim.clock.pending, 0);
});

test('the JSON document is the entries as they are: plain data, stable across runs', async () => {
  const first = createSim();
  await ivr(first);
  const second = createSim();
  await ivr(second);
  const json = JSON.stringify(first.network.transcript);
  assert.equal(json, JSON.stringify(second.network.transcript));
  assert.deepEqual(JSON.parse(json), first.network.transcript);
});

test('subscribers see each entry as it is added, in order, until they unsubscribe', async () => {
  const sim = createSim();
  const live: TranscriptEntry[] = [];
  const lines: string[] = [];
  const print = createTranscriptPrinter();
  const stop = sim.network.onTranscript((e) => {
    live.push(e);
    lines.push(print(e));
  });
  await ivr(sim);
  assert.deepEqual(live, sim.network.transcript);
  assert.equal(lines.join('\n') + '\n', formatTranscript(sim.network.transcript));
  stop();
  sim.network.inbound({ from: CALLER, to: RINGFLOW });
  assert.equal(live.length, sim.network.transcript.length - 1);
});

test('keepTranscript false keeps nothing but still feeds subscribers', async () => {
  const sim = createSim({ keepTranscript: false });
  let count = 0;
  sim.network.onTranscript(() => count++);
  await ivr(sim);
  assert.deepEqual(sim.network.transcript, []);
  assert.equal(count, 12);
});

test('dial and bridge lines name the other party', async () => {
  const sim = createSim({ parties: { '+33611111111': { hangupAtMs: 4000 } } });
  const a = sim.network.inbound({ from: CALLER, to: RINGFLOW });
  await a.answer();
  const r = await sim.network.originate({ from: RINGFLOW, to: '+33611111111', timeoutMs: 20_000 }, never());
  if (r.outcome !== 'Answered') throw new Error(r.outcome);
  await a.bridge(r.call, never());
  await sim.network.originate({ from: RINGFLOW, to: 'nowhere', timeoutMs: 20_000 }, never());
  assert.equal(formatTranscript(sim.network.transcript), [
    ' 0.000  +33612345678  call from +33612345678 to +33170000000',
    ' 0.000  +33612345678  answered',
    ' 0.000  +33611111111  dial +33611111111 from +33170000000 (timeout 20 s)',
    ' 2.000  +33611111111  Answered after 2 s',
    ' 2.000  +33612345678  bridged with +33611111111',
    ' 4.000  +33612345678  unbridged from +33611111111 (the other side left) after 2 s',
    ' 4.000  +33611111111  ended (answered): hung up by callee, Q.850 16',
    ' 4.000  nowhere       dial nowhere from +33170000000 (timeout 20 s)',
    ' 4.200  nowhere       Invalid Number after 0.2 s (Q.850 1)',
    '',
  ].join('\n'));
});

test('on the system clock (interactive mode) a person types a key and the prompt stops', async () => {
  const clock = new SystemClock();
  const network = new SimNetwork({ clock });
  const call = network.inbound({ from: CALLER, to: RINGFLOW });
  await call.answer();
  const wall = performance.now();
  const typed = new Promise<void>((resolve) => {
    clock.setTimer(50, () => {
      call.press('7');
      resolve();
    });
  });
  const outcome = await call.play({ type: 'say', text: 'Please type your code now, then the hash key.', language: 'en-GB' }, { stopOnDigit: true }, never());
  await typed;
  const took = performance.now() - wall;
  assert.equal(outcome.interrupted, true);
  assert.ok(outcome.durationMs >= 45 && outcome.durationMs < 1000, `played ${outcome.durationMs} ms`);
  assert.ok(took < 1000, `took ${took} ms`);
  await call.hangup();
});

test('thousands of calls waiting in a prompt stay small, and leave no timers once ended', async () => {
  const sim = createSim({ keepTranscript: false });
  const n = 2000;
  const before = process.memoryUsage().heapUsed;
  const calls = [];
  const plays: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const call = sim.network.inbound({ from: CALLER, to: RINGFLOW, party: { presses: [{ digits: '1' }], hangupAtMs: 3_600_000 } });
    await call.answer();
    call.on('digit', () => {});
    plays.push(call.play({ type: 'waiting' }, {}, never()).catch(() => {}));
    calls.push(call);
  }
  const perCall = (process.memoryUsage().heapUsed - before) / n;
  // Garbage counts too (no GC forced), so this is an upper bound; measured ≈ 3.6 KB with a GC.
  assert.ok(perCall < 20_000, `${Math.round(perCall)} bytes per call`);
  for (const call of calls) call.hangupByParty();
  await Promise.all(plays);
  assert.equal(sim.clock.pending, 0);
});
