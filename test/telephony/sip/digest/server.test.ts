import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAuthorization } from '../../../../src/telephony/sip/digest/client.ts';
import { parseChallenge } from '../../../../src/telephony/sip/digest/challenge.ts';
import { DigestServer } from '../../../../src/telephony/sip/digest/server.ts';
import { buildResponse } from '../../../../src/telephony/sip/message/build.ts';
import { header } from '../../../../src/telephony/sip/message/headers.ts';
import { parseMessage } from '../../../../src/telephony/sip/message/parse.ts';
import { serializeMessage } from '../../../../src/telephony/sip/message/serialize.ts';
import type { SipRequest } from '../../../../src/telephony/sip/message/types.ts';

const USERS: Record<string, string> = { alice: 'wonderland', bob: 's3cret "quoted"' };
const lookup = (u: string) => USERS[u];

function setup(opts: Partial<ConstructorParameters<typeof DigestServer>[0]> = {}) {
  const clock = { t: Date.UTC(2025, 0, 1), now() { return this.t; } };
  const server = new DigestServer({ realm: 'ringflow.example.com', secret: 'k'.repeat(32), clock, ...opts });
  return { clock, server };
}

function invite(extra = ''): SipRequest {
  const text = [
    'INVITE sip:+33123456789@ringflow.example.com SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1',
    'To: <sip:+33123456789@ringflow.example.com>',
    'From: <sip:alice@example.com>;tag=1',
    'Call-ID: c1',
    'CSeq: 1 INVITE',
    extra,
    'Content-Length: 0',
    '',
    '',
  ]
    .filter((l, i, all) => l !== '' || i >= all.length - 2)
    .join('\r\n');
  return parseMessage(Buffer.from(text)) as SipRequest;
}

/** What a phone does: read the challenge from the 401, answer it on the next INVITE. */
function answer(challengeValue: string, username: string, password: string, nc = 1, status: 401 | 407 = 401): SipRequest {
  const value = buildAuthorization({ challenge: parseChallenge(challengeValue), method: 'INVITE', uri: 'sip:+33123456789@ringflow.example.com', username, password, nc });
  return invite(`${status === 401 ? 'Authorization' : 'Proxy-Authorization'}: ${value}`);
}

test('an INVITE without credentials gets a 401 with a challenge; the right answer is accepted', () => {
  const { server } = setup();
  const first = invite();
  assert.deepEqual(server.verifyRequest(first, 401, lookup), { ok: false, reason: 'missing' });
  const unauthorized = parseMessage(serializeMessage(buildResponse(first, 401, undefined, { headers: [server.challengeHeader(401)] })));
  const challenge = header(unauthorized, 'www-authenticate')!;
  assert.match(challenge, /^Digest realm="ringflow\.example\.com", nonce="[^"]+", algorithm=MD5, qop="auth"$/);
  assert.deepEqual(server.verifyRequest(answer(challenge, 'alice', 'wonderland'), 401, lookup), { ok: true, username: 'alice' });
  assert.deepEqual(server.verifyRequest(answer(challenge, 'bob', 's3cret "quoted"', 7), 401, lookup), { ok: true, username: 'bob' });
});

test('407 uses Proxy-Authenticate / Proxy-Authorization', () => {
  const { server } = setup();
  const h = server.challengeHeader(407);
  assert.equal(h.name, 'proxy-authenticate');
  const req = answer(h.value, 'alice', 'wonderland', 1, 407);
  assert.deepEqual(server.verifyRequest(req, 407, lookup), { ok: true, username: 'alice' });
  assert.deepEqual(server.verifyRequest(req, 401, lookup), { ok: false, reason: 'missing' });
});

test('wrong password, unknown user, foreign or forged nonce are rejected', () => {
  const { server } = setup();
  const challenge = server.challenge();
  assert.deepEqual(server.verifyRequest(answer(challenge, 'alice', 'rabbit'), 401, lookup), { ok: false, reason: 'response' });
  assert.deepEqual(server.verifyRequest(answer(challenge, 'mallory', 'x'), 401, lookup), { ok: false, reason: 'unknown-user' });
  const other = setup({ secret: 'another secret, another server' }).server.challenge();
  assert.deepEqual(server.verifyRequest(answer(other, 'alice', 'wonderland'), 401, lookup), { ok: false, reason: 'nonce' });
  const forged = challenge.replace(/nonce="[^.]+\./, 'nonce="zzzzzz.');
  assert.deepEqual(server.verifyRequest(answer(forged, 'alice', 'wonderland'), 401, lookup), { ok: false, reason: 'nonce' });
});

test('a nonce past its lifetime is stale only when the password is right; the new challenge says stale=TRUE', () => {
  const { server, clock } = setup({ nonceTtlMs: 60_000 });
  const challenge = server.challenge();
  clock.t += 60_001;
  assert.deepEqual(server.verifyRequest(answer(challenge, 'alice', 'wonderland'), 401, lookup), { ok: false, reason: 'stale' });
  assert.deepEqual(server.verifyRequest(answer(challenge, 'alice', 'nope'), 401, lookup), { ok: false, reason: 'response' });
  const again = server.challengeHeader(401, true).value;
  assert.equal(parseChallenge(again).stale, true);
  assert.deepEqual(server.verifyRequest(answer(again, 'alice', 'wonderland'), 401, lookup), { ok: true, username: 'alice' });
});

test('credentials for another Request-URI, another realm, or unreadable ones', () => {
  const { server } = setup();
  const challenge = parseChallenge(server.challenge());
  const otherUri = buildAuthorization({ challenge, method: 'INVITE', uri: 'sip:other@ringflow.example.com', username: 'alice', password: 'wonderland', nc: 1 });
  assert.deepEqual(server.verify(otherUri, { method: 'INVITE', uri: 'sip:+33123456789@ringflow.example.com' }, lookup), { ok: false, reason: 'mismatch' });
  const otherRealm = buildAuthorization({ challenge: { ...challenge, realm: 'upstream' }, method: 'INVITE', uri: 'sip:x', username: 'alice', password: 'wonderland', nc: 1 });
  assert.deepEqual(server.verifyRequest(invite(`Authorization: ${otherRealm}`), 401, lookup), { ok: false, reason: 'missing' });
  assert.deepEqual(server.verifyRequest(invite('Authorization: Digest username="alice"'), 401, lookup), { ok: false, reason: 'malformed' });
  assert.deepEqual(server.verify('Basic YWxpY2U6d29uZGVybGFuZA==', { method: 'INVITE', uri: 'sip:x' }, lookup), { ok: false, reason: 'malformed' });
});

test('SHA-256 server with an SHA-256 client', () => {
  const { server } = setup({ algorithm: 'SHA-256' });
  const challenge = server.challenge();
  assert.match(challenge, /algorithm=SHA-256/);
  assert.deepEqual(server.verifyRequest(answer(challenge, 'alice', 'wonderland'), 401, lookup), { ok: true, username: 'alice' });
});
