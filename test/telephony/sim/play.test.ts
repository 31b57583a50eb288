import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallEndedError, type Media } from '../../../src/telephony/port.ts';
import { answeredInbound, createSim, never } from './fixture.ts';

const say = (text: string): Media => ({ type: 'say', text, language: 'en-GB' });

test('say lasts max(600, 65 ms per character); play 3 s; beep 400 ms; the transcript lists them', async () => {
  const sim = createSim();
  const call = await answeredInbound(sim);
  assert.deepEqual(await call.play(say('Hello there'), {}, never()), { durationMs: 715, interrupted: false });
  assert.deepEqual(await call.play(say('Hi'), {}, never()), { durationMs: 600, interrupted: false });
  assert.deepEqual(await call.play({ type: 'play', url: 'https://example.com/a.wav' }, {}, never()), { durationMs: 3000, interrupted: false });
  assert.deepEqual(await call.play({ type: 'beep' }, {}, never()), { durationMs: 400, interrupted: false });
  assert.equal(sim.network.elapsed(), 715 + 600 + 3000 + 400);
  assert.deepEqual(sim.network.transcript.slice(2), [
    { at: 0, callSid: 'CA1', kind: 'say', text: 'Hello there', language: 'en-GB', durationMs: 715, loop: 1 },
    { at: 715, callSid: 'CA1', kind: 'say', text: 'Hi', language: 'en-GB', durationMs: 600, loop: 1 },
    { at: 1315, callSid: 'CA1', kind: 'play', text: 'https://example.com/a.wav', durationMs: 3000, loop: 1 },
    { at: 4315, callSid: 'CA1', kind: 'beep', durationMs: 400, loop: 1 },
  ]);
  assert.equal(sim.clock.pending, 0);
});

test('the voice is kept in the transcript when given', async () => {
  const sim = createSim();
  const call = await answeredInbound(sim);
  await call.play({ type: 'say', text: 'Bonjour', language: 'fr-FR', voice: 'female' }, {}, never());
  assert.equal(sim.network.transcript.at(-1)!.kind, 'say');
  assert.deepEqual(sim.network.transcript.at(-1), {
    at: 0, callSid: 'CA1', kind: 'say', text: 'Bonjour', language: 'fr-FR', voice: 'female', durationMs: 600, loop: 1,
  });
});

test('loop plays n times; loop 0 and the waiting sound play until the signal aborts', async () => {
  const sim = createSim();
  const call = await answeredInbound(sim);
  assert.deepEqual(await call.play(say('Hello there'), { loop: 3 }, never()), { durationMs: 2145, interrupted: false });

  const controller = new AbortController();
  const reason = new Error('answer arrived');
  sim.clock.setTimer(10_000, () => controller.abort(reason));
  await assert.rejects(call.play({ type: 'waiting' }, {}, controller.signal), (e) => e === reason);
  assert.equal(sim.network.elapsed(), 2145 + 10_000);

  const again = new AbortController();
  sim.clock.setTimer(5000, () => again.abort(reason));
  await assert.rejects(call.play(say('Hold on'), { loop: 0 }, again.signal), (e) => e === reason);
  const tail = sim.network.transcript.slice(-4);
  assert.deepEqual(tail.map((e) => e.kind), ['waiting', 'stop', 'say', 'stop']);
  assert.deepEqual(tail[1], { at: 12_145, callSid: 'CA1', kind: 'stop', media: 'waiting', playedMs: 10_000, reason: 'aborted' });
  assert.equal(sim.clock.pending, 0);
});

test('stopOnDigit: a key stops the prompt (barge-in) and the digit still reaches the engine', async () => {
  const sim = createSim();
  const call = await answeredInbound(sim, { presses: [{ digits: '5', atMs: 2000 }] });
  const digits: string[] = [];
  call.on('digit', (d) => digits.push(d));
  const text = 'Press 5 to speak to an agent, or stay on the line to hear the menu again.';
  const outcome = await call.play(say(text), { stopOnDigit: true }, never());
  assert.deepEqual(outcome, { durationMs: 2000, interrupted: true });
  assert.deepEqual(digits, ['5']);
  assert.deepEqual(sim.network.transcript.slice(-2), [
    { at: 2000, callSid: 'CA1', kind: 'press', text: '5' },
    { at: 2000, callSid: 'CA1', kind: 'stop', media: 'say', playedMs: 2000, reason: 'key', key: '5' },
  ]);
  assert.equal(sim.clock.pending, 0);
});

test('without stopOnDigit a key does not stop the prompt', async () => {
  const sim = createSim();
  const call = await answeredInbound(sim, { presses: [{ digits: '5', atMs: 200 }] });
  assert.deepEqual(await call.play(say('Hello there'), {}, never()), { durationMs: 715, interrupted: false });
});

test('the engine aborting the prompt on the same key does not spoil the barge-in result', async () => {
  const sim = createSim();
  const call = await answeredInbound(sim, { presses: [{ digits: '1', atMs: 1000 }] });
  const controller = new AbortController();
  call.on('digit', () => controller.abort(new Error('gather done')));
  const outcome = await call.play(say('Press one for sales and two for support'), { stopOnDigit: true }, controller.signal);
  assert.deepEqual(outcome, { durationMs: 1000, interrupted: true });
});

test('a hang-up mid-play rejects with CallEndedError and the transcript marks the prompt cut short', async () => {
  const sim = createSim();
  const call = await answeredInbound(sim, { hangupAtMs: 1500 });
  await assert.rejects(call.play({ type: 'play', url: 'file:///menu.wav' }, {}, never()), (e) => e instanceof CallEndedError && e.callSid === 'CA1');
  assert.deepEqual(sim.network.transcript.slice(-2).map((e) => e.kind), ['stop', 'ended']);
  assert.deepEqual(sim.network.transcript.at(-2), { at: 1500, callSid: 'CA1', kind: 'stop', media: 'play', playedMs: 1500, reason: 'hangup' });
  assert.equal(sim.clock.pending, 0);
});

test('play on an ended call or with an aborted signal rejects at once', async () => {
  const sim = createSim();
  const call = await answeredInbound(sim);
  const reason = new Error('x');
  await assert.rejects(call.play(say('Hi'), {}, AbortSignal.abort(reason)), (e) => e === reason);
  call.hangupByParty();
  await assert.rejects(call.play(say('Hi'), {}, never()), CallEndedError);
});
