import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCSeq } from '../../../../src/telephony/sip/message/cseq.ts';
import { SipParseError } from '../../../../src/telephony/sip/message/errors.ts';
import { formatNameAddr, parseNameAddr } from '../../../../src/telephony/sip/message/nameaddr.ts';
import { formatVia, parseVia } from '../../../../src/telephony/sip/message/via.ts';

const code = (c: string) => (e: unknown) => e instanceof SipParseError && e.code === c;

test('name-addr: quoted display name with escapes, <uri>, header params', () => {
  const na = parseNameAddr('"Alice \\"Al\\" \\\\ Smith" <sip:alice@example.com;transport=tcp>;tag=abc;expires=60');
  assert.equal(na.displayName, 'Alice "Al" \\ Smith');
  assert.equal(na.uri.host, 'example.com');
  assert.deepEqual(na.uri.params, { transport: 'tcp' });
  assert.deepEqual(na.params, { tag: 'abc', expires: '60' });
  assert.deepEqual(parseNameAddr(formatNameAddr(na)), na);
});

test('name-addr: token display names, none, and no space before <', () => {
  assert.equal(parseNameAddr('Bob  Smith <sip:bob@h>').displayName, 'Bob Smith');
  assert.equal(parseNameAddr('<sip:bob@h>').displayName, null);
  assert.equal(parseNameAddr('bob<sip:bob@h>').displayName, 'bob');
  assert.equal(parseNameAddr('"" <sip:bob@h>').displayName, '');
});

test('bare addr-spec: parameters after it belong to the header, not the URI', () => {
  const na = parseNameAddr('sip:bob@example.com;tag=xyz;user=phone');
  assert.deepEqual(na.uri.params, {});
  assert.deepEqual(na.params, { tag: 'xyz', user: 'phone' });
  assert.equal(formatNameAddr(na), '<sip:bob@example.com>;tag=xyz;user=phone');
});

test('header params: LWS around ; and =, quoted values kept with their quotes, first wins', () => {
  const na = parseNameAddr('<sip:a@h> ;  q = 0.7 ; +sip.instance="<urn:uuid:1>" ; ob ; tag=1;tag=2');
  assert.deepEqual(na.params, { q: '0.7', '+sip.instance': '"<urn:uuid:1>"', ob: null, tag: '1' });
  assert.equal(formatNameAddr(na), '<sip:a@h>;q=0.7;+sip.instance="<urn:uuid:1>";ob;tag=1');
});

test('name-addr garbage throws SIP_PARSE_NAME_ADDR', () => {
  for (const bad of [
    '',
    '"unterminated <sip:a@h>',
    'Bell, Alexander <sip:a@h>',
    '< sip:a@h >',
    '<sip:a@h',
    '"x" sip:a@h',
    'sip:a@h?Route=x',
    'sip:a@h,sip:b@h',
    '<sip:a@h>;',
    '<sip:a@h>;tag=',
    '<sip:a@h> junk',
    '<sip:a@h>;;tag=1',
    '<mailto:a@h>',
  ]) {
    assert.throws(() => parseNameAddr(bad), code('SIP_PARSE_NAME_ADDR'), bad);
  }
});

test('Via: LWS around slashes, port, params including a bare rport and IPv6 received', () => {
  const v = parseVia('SIP / 2.0 / udp  192.0.2.1 : 5060 ;branch=z9hG4bK77;rport;received=2001:db8::9');
  assert.deepEqual(v, { transport: 'UDP', host: '192.0.2.1', port: 5060, params: { branch: 'z9hG4bK77', rport: null, received: '2001:db8::9' } });
  assert.equal(formatVia(v), 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK77;rport;received=2001:db8::9');
  const v6 = parseVia('SIP/2.0/TCP [2001:db8::1]:5061;branch=z9hG4bK1');
  assert.equal(v6.host, '2001:db8::1');
  assert.deepEqual(parseVia(formatVia(v6)), v6);
});

test('Via garbage throws SIP_PARSE_VIA', () => {
  for (const bad of ['', 'SIP/2.0/UDP', 'SIP/2.0 UDP h', 'SIP/3.0/UDP h', 'HTTP/2.0/UDP h', 'SIP/2.0/UDP h;;', 'SIP/2.0/UDP h:x', 'SIP/2.0/UDP [zz]', 'SIP/2.0/UDP h;branch', 'SIP/2.0/UDP h junk', 'SIP/2.0/UDP 192.0.2.15;;']) {
    const ok = (e: unknown) => e instanceof SipParseError && e.code === 'SIP_PARSE_VIA';
    if (bad === 'SIP/2.0/UDP h;branch') {
      assert.equal(parseVia(bad).params.branch, null);
      continue;
    }
    assert.throws(() => parseVia(bad), ok, bad);
  }
});

test('CSeq: leading zeros, LWS, range', () => {
  assert.deepEqual(parseCSeq('0009  INVITE'), { seq: 9, method: 'INVITE' });
  assert.deepEqual(parseCSeq('2147483647 BYE'), { seq: 2147483647, method: 'BYE' });
  for (const bad of ['', 'INVITE', '1', '1INVITE', '-1 INVITE', '2147483648 INVITE', '36893488147419103232 REGISTER', '1 INVITE x', '1 INV(ITE']) {
    assert.throws(() => parseCSeq(bad), code('SIP_PARSE_CSEQ'), bad);
  }
});
