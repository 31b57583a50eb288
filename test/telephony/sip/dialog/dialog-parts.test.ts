import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../../src/time/virtual-clock.ts';
import { AnswerRetransmitter } from '../../../../src/telephony/sip/dialog/answer-retransmit.ts';
import { inDialogRouting, uacDialogState, uasDialogState } from '../../../../src/telephony/sip/dialog/dialog-state.ts';
import { parseDtmfInfo } from '../../../../src/telephony/sip/dialog/dtmf-info.ts';
import { parseMessage } from '../../../../src/telephony/sip/message/parse.ts';
import type { SipRequest, SipResponse } from '../../../../src/telephony/sip/message/types.ts';
import { resolveTimers } from '../../../../src/telephony/sip/transaction/timers.ts';

const parse = (lines: string[]) => parseMessage(Buffer.from([...lines, 'Content-Length: 0', '', ''].join('\r\n')));

test('2xx retransmission (§13.3.1.4): T1, doubling, capped at T2, give up at 64·T1', async () => {
  const clock = new VirtualClock({ auto: false, start: 0 });
  const sends: number[] = [];
  let gaveUp = -1;
  new AnswerRetransmitter({ clock, timers: resolveTimers(), resend: () => sends.push(clock.now()), onGiveUp: () => (gaveUp = clock.now()) });
  await clock.advance(40_000);
  assert.deepEqual(sends, [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  assert.equal(gaveUp, 32_000);
});

test('2xx retransmission stops on stop() (the ACK came)', async () => {
  const clock = new VirtualClock({ auto: false, start: 0 });
  const sends: number[] = [];
  const r = new AnswerRetransmitter({ clock, timers: resolveTimers(), resend: () => sends.push(clock.now()), onGiveUp: () => assert.fail('gave up') });
  await clock.advance(1600);
  r.stop();
  await clock.advance(40_000);
  assert.deepEqual(sends, [500, 1500]);
});

const INVITE = parse([
  'INVITE sip:bob@b.example SIP/2.0',
  'Via: SIP/2.0/UDP a.example;branch=z9hG4bK1',
  'Record-Route: <sip:p2.example;lr>',
  'Record-Route: <sip:p1.example;lr>',
  'From: <sip:alice@a.example>;tag=at',
  'To: <sip:bob@b.example>',
  'Call-ID: cid',
  'CSeq: 7 INVITE',
  'Contact: <sip:alice@10.0.0.1:5070>',
]) as SipRequest;

const OK = parse([
  'SIP/2.0 200 OK',
  'Via: SIP/2.0/UDP a.example;branch=z9hG4bK1',
  'Record-Route: <sip:p2.example;lr>',
  'Record-Route: <sip:p1.example;lr>',
  'From: <sip:alice@a.example>;tag=at',
  'To: <sip:bob@b.example>;tag=bt',
  'Call-ID: cid',
  'CSeq: 7 INVITE',
  'Contact: <sip:bob@10.0.0.2:5080;transport=tcp>',
]) as SipResponse;

test('UAC dialog (§12.1.2): route set reversed, remote target from the 2xx Contact, next hop is the first route', () => {
  const s = uacDialogState(INVITE, OK, 'UDP');
  assert.deepEqual([s.callId, s.localTag, s.remoteTag, s.localSeq, s.remoteSeq], ['cid', 'at', 'bt', 7, null]);
  assert.deepEqual(s.routeSet, ['<sip:p1.example;lr>', '<sip:p2.example;lr>']);
  const r = inDialogRouting(s);
  assert.equal(r.uri, 'sip:bob@10.0.0.2:5080;transport=tcp');
  assert.deepEqual(r.target, { host: 'p1.example', port: 5060, transport: 'UDP' });
});

test('UAS dialog (§12.1.1): route set in order, remote target from the INVITE Contact, our tag on To', () => {
  const s = uasDialogState(INVITE, 'bt', 'UDP');
  assert.deepEqual(s.routeSet, ['<sip:p2.example;lr>', '<sip:p1.example;lr>']);
  assert.equal(s.remoteTarget, 'sip:alice@10.0.0.1:5070');
  assert.equal(s.localParty, '<sip:bob@b.example>;tag=bt');
  assert.equal(s.remoteSeq, 7);
});

test('strict routing (§12.2.1.1): the first route becomes the Request-URI, the remote target goes last', () => {
  const s = { ...uasDialogState(INVITE, 'bt', 'UDP'), routeSet: ['<sip:strict.example>', '<sip:p1.example;lr>'] };
  const r = inDialogRouting(s);
  assert.equal(r.uri, 'sip:strict.example');
  assert.deepEqual(r.routes, ['<sip:p1.example;lr>', '<sip:alice@10.0.0.1:5070>']);
  assert.deepEqual(r.target, { host: 'strict.example', port: 5060, transport: 'UDP' });
});

test('DTMF in INFO: dtmf-relay and dtmf bodies, numeric * and #', () => {
  assert.deepEqual(parseDtmfInfo('application/dtmf-relay', Buffer.from('Signal= 9\r\nDuration= 250\r\n')), { digit: '9', durationMs: 250 });
  assert.deepEqual(parseDtmfInfo('application/dtmf-relay', Buffer.from('Signal=11\r\n')), { digit: '#' });
  assert.deepEqual(parseDtmfInfo('application/dtmf', Buffer.from('10')), { digit: '*' });
  assert.deepEqual(parseDtmfInfo('Application/DTMF-Relay; charset=x', Buffer.from('signal=a')), { digit: 'A' });
  assert.equal(parseDtmfInfo('application/dtmf-relay', Buffer.from('Duration=100')), null);
  assert.equal(parseDtmfInfo('text/plain', Buffer.from('5')), null);
});
