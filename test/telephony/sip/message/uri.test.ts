import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipParseError } from '../../../../src/telephony/sip/message/errors.ts';
import { formatUri, parseUri } from '../../../../src/telephony/sip/message/uri.ts';

const isUriError = (e: unknown) => e instanceof SipParseError && e.code === 'SIP_PARSE_URI';

test('sip URI with user, password, port, params and headers', () => {
  assert.deepEqual(parseUri('sip:alice:secret@Example.COM:5070;transport=tcp;LR?subject=project%20x&priority=urgent'), {
    scheme: 'sip',
    user: 'alice',
    password: 'secret',
    host: 'Example.COM',
    port: 5070,
    params: { transport: 'tcp', lr: null },
    headers: { subject: 'project x', priority: 'urgent' },
  });
});

test('sips, host only, IPv4, IPv6 in brackets', () => {
  assert.deepEqual(parseUri('SIPS:example.com'), { scheme: 'sips', user: null, password: null, host: 'example.com', port: null, params: {}, headers: {} });
  assert.equal(parseUri('sip:192.0.2.4:5060').host, '192.0.2.4');
  const v6 = parseUri('sip:bob@[2001:db8::10]:5070;maddr=[2001:db8::1]');
  assert.equal(v6.host, '2001:db8::10');
  assert.equal(v6.port, 5070);
  assert.equal(v6.params.maddr, '[2001:db8::1]');
  assert.equal(formatUri(v6), 'sip:bob@[2001:db8::10]:5070;maddr=[2001:db8::1]');
  assert.equal(parseUri('sip:[::1]').host, '::1');
});

test('tel URI: the number in user, no host', () => {
  assert.deepEqual(parseUri('tel:+1-201-555-0123;phone-context=example.com'), {
    scheme: 'tel',
    user: '+1-201-555-0123',
    password: null,
    host: '',
    port: null,
    params: { 'phone-context': 'example.com' },
    headers: {},
  });
  assert.equal(formatUri(parseUri('tel:+33123456789')), 'tel:+33123456789');
});

test('escapes are decoded (UTF-8), and re-escaped when formatting', () => {
  const u = parseUri('sip:%C3%A9milie%20d@example.com;x=a%3Bb');
  assert.equal(u.user, 'émilie d');
  assert.equal(u.params.x, 'a;b');
  assert.equal(formatUri(u), 'sip:%C3%A9milie%20d@example.com;x=a%3Bb');
  assert.equal(parseUri('sip:%61lice@h').user, 'alice');
});

test('a user part may hold ; ? / , (RFC 3261 user-unreserved)', () => {
  const u = parseUri('sip:+1;npdi;rn=+12@example.com;user=phone');
  assert.equal(u.user, '+1;npdi;rn=+12');
  assert.deepEqual(u.params, { user: 'phone' });
});

test('round trip: format(parse(x)) parses to the same URI', () => {
  for (const text of [
    'sip:alice@example.com',
    'sips:a:b@h:1;p;q=r?h=v',
    'sip:h;transport=UDP',
    'sip:%00@host5.example.com',
    "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com",
    'tel:+1-201-555-0123;ext=1',
  ]) {
    const u = parseUri(text);
    assert.deepEqual(parseUri(formatUri(u)), u, text);
  }
});

test('garbage throws SIP_PARSE_URI', () => {
  for (const bad of [
    '',
    'alice@example.com',
    'http://example.com/',
    'sip:',
    'sip:@h',
    'sip:a@',
    'sip: a@h',
    'sip:a@h ',
    '<sip:a@h>',
    'sip:a@h:99999',
    'sip:a@h:port',
    'sip:a@[::1',
    'sip:a@[notv6]',
    'sip:a%2@h',
    'sip:a%ZZ@h',
    'sip:a@h;;x',
    'sip:a@h?x',
    'sip:a@h!x',
    'sip:a"b@h',
    'tel:',
    'tel:+1?x=y',
  ]) {
    assert.throws(() => parseUri(bad), isUriError, bad);
  }
});
