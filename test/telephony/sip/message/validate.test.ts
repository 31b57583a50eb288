import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../../../../src/telephony/sip/message/parse.ts';
import type { SipRequest, SipResponse } from '../../../../src/telephony/sip/message/types.ts';
import { validateRequest, validateResponse } from '../../../../src/telephony/sip/message/validate.ts';

const BASE = [
  'INVITE sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1',
  'Max-Forwards: 70',
  'To: <sip:bob@example.com>',
  'From: <sip:alice@example.com>;tag=1',
  'Call-ID: abc',
  'CSeq: 1 INVITE',
  'Contact: <sip:alice@192.0.2.1>',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

function check(edit: (s: string) => string): ReturnType<typeof validateRequest> {
  return validateRequest(parseMessage(Buffer.from(edit(BASE))) as SipRequest);
}

test('a well-formed request passes', () => {
  assert.equal(check((s) => s), null);
});

test('each rule gives a 400 with a reason naming the problem', () => {
  const cases: [string, (s: string) => string, RegExp][] = [
    ['Max-Forwards > 255', (s) => s.replace('Max-Forwards: 70', 'Max-Forwards: 256'), /Max-Forwards/],
    ['Max-Forwards not a number', (s) => s.replace('Max-Forwards: 70', 'Max-Forwards: seventy'), /Max-Forwards/],
    ['bad Request-URI', (s) => s.replace('sip:bob@example.com SIP', 'sip:bob@exa^mple.com SIP'), /Request-URI/],
    ['two From', (s) => s.replace('Call-ID: abc', 'Call-ID: abc\r\nFrom: <sip:x@y>;tag=2'), /multiple from/],
    ['Call-ID with a space', (s) => s.replace('Call-ID: abc', 'Call-ID: a bc'), /Call-ID/],
    ['bad Via', (s) => s.replace('SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1', 'SIP/2.0/UDP'), /Via/],
    ['bad Route', (s) => s.replace('Call-ID: abc', 'Call-ID: abc\r\nRoute: <sip:p;lr'), /route/],
    ['Contact *', (s) => s.replace('Contact: <sip:alice@192.0.2.1>', 'Contact: *'), /Contact "\*"/],
    ['Contact expires too large', (s) => s.replace('Contact: <sip:alice@192.0.2.1>', 'Contact: <sip:a@h>;expires=4294967296'), /expires/],
    ['Expires not a number', (s) => s.replace('Call-ID: abc', 'Call-ID: abc\r\nExpires: soon'), /Expires/],
    ['Content-Type without subtype', (s) => s.replace('Call-ID: abc', 'Call-ID: abc\r\nContent-Type: sdp'), /Content-Type/],
  ];
  for (const [what, edit, reason] of cases) {
    const r = check(edit);
    assert.equal(r?.status, 400, what);
    assert.match(r.reason, /^Bad Request: /, what);
    assert.match(r.reason, reason, what);
  }
});

test('a tel: Request-URI is fine, an unknown scheme is 416', () => {
  assert.equal(check((s) => s.replace('INVITE sip:bob@example.com', 'INVITE tel:+33123456789')), null);
  assert.deepEqual(check((s) => s.replace('INVITE sip:bob@example.com', 'INVITE im:bob@example.com')), { status: 416, reason: 'Unsupported URI Scheme' });
});

test('a REGISTER may carry Contact: * alone', () => {
  const reg = BASE.replaceAll('INVITE', 'REGISTER').replace('Contact: <sip:alice@192.0.2.1>', 'Contact: *\r\nExpires: 0');
  assert.equal(validateRequest(parseMessage(Buffer.from(reg)) as SipRequest), null);
});

test('responses: bad Retry-After or Warning are reasons to discard', () => {
  const ok = 'SIP/2.0 503 Service Unavailable\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:b@h>;tag=2\r\nFrom: <sip:a@h>;tag=1\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nRetry-After: 120 (maintenance);duration=3600\r\nWarning: 399 example.com "Overloaded"\r\nContent-Length: 0\r\n\r\n';
  const res = (t: string) => validateResponse(parseMessage(Buffer.from(t)) as SipResponse);
  assert.equal(res(ok), null);
  assert.match(res(ok.replace('Retry-After: 120', 'Retry-After: 949302838503028349304023988')) ?? '', /Retry-After/);
  assert.match(res(ok.replace('Warning: 399', 'Warning: 1812')) ?? '', /Warning/);
});
