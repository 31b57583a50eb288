import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipParseError } from '../../../../src/telephony/sip/message/errors.ts';
import { buildAuthorization, computeCredentials } from '../../../../src/telephony/sip/digest/client.ts';
import { formatChallenge, parseChallenge, parseCredentials, pickChallenge } from '../../../../src/telephony/sip/digest/challenge.ts';
import { digestResponse } from '../../../../src/telephony/sip/digest/compute.ts';

test('RFC 2617 §3.5: Mufasa / Circle Of Life', () => {
  const challenge = parseChallenge(
    'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
  );
  assert.deepEqual(challenge, {
    realm: 'testrealm@host.com',
    nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
    opaque: '5ccc069c403ebaf9f0171e9517f40e41',
    algorithm: 'MD5',
    qop: ['auth', 'auth-int'],
    stale: false,
    domain: null,
  });
  const value = buildAuthorization({ challenge, method: 'GET', uri: '/dir/index.html', username: 'Mufasa', password: 'Circle Of Life', nc: 1, cnonce: '0a4f113b' });
  assert.equal(
    value,
    'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", response="6629fae49393a05397450978507c4ef1", algorithm=MD5, cnonce="0a4f113b", opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, nc=00000001',
  );
  const creds = parseCredentials(value);
  assert.equal(creds.response, '6629fae49393a05397450978507c4ef1');
  assert.equal(creds.nc, '00000001');
});

test('RFC 7616 §3.9.1: SHA-256 and MD5 for the same request', () => {
  const base = {
    realm: 'http-auth@example.org',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
    qop: ['auth' as const, 'auth-int' as const],
    stale: false,
    domain: null,
  };
  const request = { method: 'GET', uri: '/dir/index.html', username: 'Mufasa', password: 'Circle of Life', nc: 1, cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ' };
  assert.equal(computeCredentials({ ...request, challenge: { ...base, algorithm: 'SHA-256' } }).response, '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  assert.equal(computeCredentials({ ...request, challenge: { ...base, algorithm: 'MD5' } }).response, '8ca523f5e9506fed4657c9700eebdbec');
});

test('without qop (RFC 2069 form) no cnonce or nc is sent', () => {
  const challenge = parseChallenge('Digest realm="asterisk",nonce="4a1b2c3d"');
  const creds = computeCredentials({ challenge, method: 'REGISTER', uri: 'sip:pbx.example.com', username: '1001', password: 'pw', nc: 1 });
  assert.equal(creds.qop, null);
  assert.equal(creds.cnonce, null);
  assert.equal(creds.nc, null);
  assert.equal(creds.response, digestResponse({ algorithm: 'MD5', username: '1001', realm: 'asterisk', password: 'pw', nonce: '4a1b2c3d', method: 'REGISTER', uri: 'sip:pbx.example.com', qop: null, nc: '', cnonce: '' }));
  assert.doesNotMatch(buildAuthorization({ challenge, method: 'REGISTER', uri: 'sip:pbx.example.com', username: '1001', password: 'pw', nc: 1 }), /cnonce|nc=|qop/);
});

test('auth-int hashes the body; -sess folds the cnonce into HA1; nc is formatted as 8 hex digits', () => {
  const challenge = parseChallenge('Digest realm="r", nonce="n", qop="auth-int", algorithm=SHA-256-sess');
  const a = computeCredentials({ challenge, method: 'INVITE', uri: 'sip:b@h', username: 'u', password: 'p', nc: 255, cnonce: 'c', body: Buffer.from('v=0\r\n') });
  const b = computeCredentials({ challenge, method: 'INVITE', uri: 'sip:b@h', username: 'u', password: 'p', nc: 255, cnonce: 'c', body: Buffer.from('v=1\r\n') });
  assert.equal(a.qop, 'auth-int');
  assert.equal(a.nc, '000000ff');
  assert.notEqual(a.response, b.response);
  assert.match(a.response, /^[0-9a-f]{64}$/);
  assert.throws(() => computeCredentials({ challenge, method: 'INVITE', uri: 'sip:b@h', username: 'u', password: 'p', nc: 0 }), RangeError);
});

test('challenge parsing: stale, algorithm case, unknown params, round trip', () => {
  const c = parseChallenge('digest  REALM="sip.example.com" , nonce="abc", stale=TRUE, algorithm=md5-sess, qop="auth", foo=bar,');
  assert.equal(c.stale, true);
  assert.equal(c.algorithm, 'MD5-sess');
  assert.deepEqual(parseChallenge(formatChallenge(c)), c);
});

test('challenge garbage throws SIP_PARSE_AUTH; pickChallenge skips what it cannot answer', () => {
  const bad = ['', 'Basic realm="x"', 'Digest', 'Digest realm="x"', 'Digest nonce="n"', 'Digest realm="x", nonce="n", algorithm=SHA-1', 'Digest realm="x", nonce="n", qop="auth-conf"', 'Digest realm="x, nonce="n"', 'Digest realm=', 'Digest realm "x"'];
  for (const v of bad) {
    assert.throws(() => parseChallenge(v), (e: unknown) => e instanceof SipParseError && e.code === 'SIP_PARSE_AUTH', v);
  }
  const picked = pickChallenge(['Basic realm="x"', 'Digest realm="x", nonce="n", algorithm=SHA-1', 'Digest realm="x", nonce="n2", algorithm=SHA-256', 'Digest realm="x", nonce="n3"']);
  assert.equal(picked?.nonce, 'n2');
  assert.equal(pickChallenge(['Basic realm="x"']), null);
});

test('credentials garbage throws SIP_PARSE_AUTH', () => {
  for (const v of [
    'Digest realm="r", nonce="n", uri="u", response="x"',
    'Digest username="u", realm="r", nonce="n", uri="u", response="x", qop=auth',
    'Digest username="u", realm="r", nonce="n", uri="u", response="x", qop=auth, cnonce="c", nc=1',
    'Digest username="u", realm="r", nonce="n", uri="u", response="x", qop=auth-conf, cnonce="c", nc=00000001',
  ]) {
    assert.throws(() => parseCredentials(v), (e: unknown) => e instanceof SipParseError && e.code === 'SIP_PARSE_AUTH', v);
  }
});
