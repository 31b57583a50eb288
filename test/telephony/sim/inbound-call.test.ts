import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_VIRTUAL_START } from '../../../src/time/virtual-clock.ts';
import { CallEndedError, type Cdr } from '../../../src/telephony/port.ts';
import { CALLER, createSim, RINGFLOW } from './fixture.ts';

const iso = (ms: number) => new Date(DEFAULT_VIRTUAL_START + ms).toISOString();

test('an inbound call rings, is answered, hung up by the scenario: CDR fields', async () => {
  const { network, clock } = createSim();
  const call = network.inbound({ from: CALLER, to: RINGFLOW, fromType: 'MOBILE', headers: { 'X-Lang': 'fr' } });
  assert.equal(call.sid, 'CA1');
  assert.equal(call.direction, 'inbound');
  assert.equal(call.fromNumber, CALLER);
  assert.equal(call.toNumber, RINGFLOW);
  assert.equal(call.fromType, 'MOBILE');
  assert.deepEqual(call.headers, { 'x-lang': 'fr' });
  assert.equal(call.status, 'ringing');

  await clock.sleep(500);
  await call.ring();
  await call.ring(); // once in the transcript
  await clock.sleep(1000);
  await call.answer();
  await call.answer(); // no-op
  assert.equal(call.status, 'answered');
  await clock.sleep(4250);
  const live = call.cdr();
  assert.equal(live.ended, null);
  assert.equal(live.hangupCause, null);
  assert.equal(live.durationTotal, 5.75);

  const ended: Cdr[] = [];
  call.on('ended', (cdr) => ended.push(cdr));
  await call.hangup();
  await call.hangup('busy'); // idempotent: the first hang-up stands
  assert.equal(call.status, 'ended');
  assert.equal(ended.length, 1);
  assert.deepEqual(call.cdr(), {
    callid: 'CA1',
    direction: 'inbound',
    callerNumber: CALLER,
    callee: RINGFLOW,
    started: iso(0),
    answered: iso(1500),
    ended: iso(5750),
    durationAnswered: 4.25,
    durationTotal: 5.75,
    hangupCause: 16,
    hangupSource: 'callee', // Ringflow is the called side of an inbound call
    status: 'answered',
  });
  assert.deepEqual(ended[0], call.cdr());
  assert.deepEqual(network.transcript.map((e) => [e.at, e.kind]), [
    [0, 'call'], [500, 'ringing'], [1500, 'answered'], [5750, 'ended'],
  ]);
  assert.deepEqual(network.transcript.at(-1), {
    at: 5750, callSid: 'CA1', kind: 'ended', status: 'answered', hangupCause: 16, hangupSource: 'callee',
  });
});

test('hang-up causes map to Q.850; a system hang-up is the system', async () => {
  const { network } = createSim();
  const a = network.inbound({ from: CALLER, to: RINGFLOW });
  await a.answer();
  await a.hangup('error', 'system');
  assert.equal(a.cdr().hangupCause, 41);
  assert.equal(a.cdr().hangupSource, 'system');
  const b = network.inbound({ from: CALLER, to: RINGFLOW });
  await b.hangup('busy');
  assert.equal(b.cdr().hangupCause, 17);
});

test('an inbound call never answered is missed', async () => {
  const { network, clock } = createSim();
  const call = network.inbound({ from: CALLER, to: RINGFLOW });
  await clock.sleep(3000);
  await call.hangup('rejected');
  const cdr = call.cdr();
  assert.equal(cdr.status, 'missed');
  assert.equal(cdr.answered, null);
  assert.equal(cdr.durationAnswered, 0);
  assert.equal(cdr.durationTotal, 3);
  assert.equal(cdr.hangupCause, 21);
});

test('the caller hangs up at hangupAtMs: ended event, caller as source, no timers left', async () => {
  const { network, clock } = createSim();
  const call = network.inbound({ from: CALLER, to: RINGFLOW, party: { hangupAtMs: 8000, presses: [{ digits: '1', atMs: 20_000 }] } });
  await call.answer();
  const cdr = await new Promise<Cdr>((resolve) => call.on('ended', resolve));
  assert.equal(network.elapsed(), 8000);
  assert.equal(cdr.hangupSource, 'caller');
  assert.equal(cdr.hangupCause, 16);
  assert.equal(clock.pending, 0);
});

test('a caller who hangs up while it rings: missed call', async () => {
  const { network } = createSim();
  const call = network.inbound({ from: CALLER, to: RINGFLOW, party: { hangupAtMs: 4000 } });
  const cdr = await new Promise<Cdr>((resolve) => call.on('ended', resolve));
  assert.equal(cdr.status, 'missed');
  assert.equal(cdr.hangupSource, 'caller');
});

test('hangupByParty ends the call now, once', async () => {
  const { network } = createSim();
  const call = network.inbound({ from: CALLER, to: RINGFLOW });
  await call.answer();
  let ends = 0;
  call.on('ended', () => ends++);
  call.hangupByParty();
  call.hangupByParty();
  await call.hangup();
  assert.equal(ends, 1);
  assert.equal(call.cdr().hangupSource, 'caller');
});

test('answer and ring on an ended call reject with CallEndedError', async () => {
  const { network } = createSim();
  const call = network.inbound({ from: CALLER, to: RINGFLOW });
  call.hangupByParty();
  await assert.rejects(call.answer(), CallEndedError);
  await assert.rejects(call.ring(), CallEndedError);
});

test('an ended listener added after the end still hears it', async () => {
  const { network } = createSim();
  const call = network.inbound({ from: CALLER, to: RINGFLOW });
  call.hangupByParty();
  const cdr = await new Promise<Cdr>((resolve) => call.on('ended', resolve));
  assert.equal(cdr.status, 'missed');
});

test('the inbound party defaults to parties[from]', async () => {
  const { network } = createSim({ parties: { [CALLER]: { hangupAtMs: 1234 } } });
  const call = network.inbound({ from: CALLER, to: RINGFLOW });
  await new Promise((resolve) => call.on('ended', resolve));
  assert.equal(network.elapsed(), 1234);
});

test('off removes a listener; activity is emitted', async () => {
  const { network } = createSim();
  const call = network.inbound({ from: CALLER, to: RINGFLOW });
  await call.answer();
  const seen: string[] = [];
  const onDigit = (d: string) => seen.push(`digit ${d}`);
  call.on('digit', onDigit);
  call.on('activity', (a) => seen.push(a.type));
  call.press('1');
  call.off('digit', onDigit);
  call.press('2');
  call.announce({ type: 'not-listening' });
  assert.deepEqual(seen, ['digit 1', 'not-listening']);
});

test('press rejects keys a keypad does not have, and upper-cases a-d', async () => {
  const { network } = createSim();
  const call = network.inbound({ from: CALLER, to: RINGFLOW });
  await call.answer();
  assert.throws(() => call.press('1x'), RangeError);
  const seen: string[] = [];
  call.on('digit', (d) => seen.push(d));
  call.press('a*#');
  assert.deepEqual(seen, ['A', '*', '#']);
});
