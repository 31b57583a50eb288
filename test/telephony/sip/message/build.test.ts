import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildResponse, newBranch, newCallId, newTag, reasonPhrase } from '../../../../src/telephony/sip/message/build.ts';
import { header, headers } from '../../../../src/telephony/sip/message/headers.ts';
import { parseNameAddr } from '../../../../src/telephony/sip/message/nameaddr.ts';
import { parseMessage } from '../../../../src/telephony/sip/message/parse.ts';
import { isToken } from '../../../../src/telephony/sip/message/scanner.ts';
import { serializeMessage } from '../../../../src/telephony/sip/message/serialize.ts';
import type { SipRequest } from '../../../../src/telephony/sip/message/types.ts';

const INVITE = parseMessage(
  Buffer.from(
    [
      'INVITE sip:bob@example.com SIP/2.0',
      'Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bK2',
      'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;received=192.0.2.1',
      'Max-Forwards: 69',
      'To: Bob <sip:bob@example.com>',
      'From: Alice <sip:alice@example.com>;tag=1928301774',
      'Call-ID: a84b4c76e66710',
      'CSeq: 314159 INVITE',
      'Timestamp: 54',
      'Contact: <sip:alice@192.0.2.1>',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  ),
) as SipRequest;

test('buildResponse copies Via (all, in order), From, To, Call-ID, CSeq and tags To (§8.2.6.2)', () => {
  const r = buildResponse(INVITE, 180, undefined, { toTag: 'xyz' });
  assert.equal(r.status, 180);
  assert.equal(r.reason, 'Ringing');
  assert.deepEqual(
    r.headers.map((h) => h.name),
    ['via', 'via', 'from', 'to', 'call-id', 'cseq'],
  );
  assert.deepEqual(headers(r, 'via'), headers(INVITE, 'via'));
  assert.equal(header(r, 'to'), 'Bob <sip:bob@example.com>;tag=xyz');
  assert.equal(header(r, 'from'), header(INVITE, 'from'));
  assert.equal(header(r, 'cseq'), '314159 INVITE');
  assert.equal(header(r, 'max-forwards'), undefined);
  assert.equal(header(r, 'contact'), undefined);
});

test('100 Trying: no To tag, Timestamp copied (§8.2.6.1)', () => {
  const r = buildResponse(INVITE, 100);
  assert.equal(header(r, 'to'), 'Bob <sip:bob@example.com>');
  assert.equal(header(r, 'timestamp'), '54');
  assert.equal(r.reason, 'Trying');
});

test('a To that already has a tag keeps it; a fresh tag otherwise', () => {
  const tagged = structuredClone(INVITE);
  tagged.headers = tagged.headers.map((h) => (h.name === 'to' ? { name: 'to', value: '<sip:bob@example.com>;tag=old' } : h));
  tagged.body = Buffer.alloc(0);
  assert.equal(header(buildResponse(tagged, 200, 'OK', { toTag: 'new' }), 'to'), '<sip:bob@example.com>;tag=old');
  const tag = parseNameAddr(header(buildResponse(INVITE, 486), 'to')!).params.tag;
  assert.ok(typeof tag === 'string' && tag.length >= 8 && isToken(tag));
});

test('extra headers, body and Content-Type; the result serializes and parses back', () => {
  const r = buildResponse(INVITE, 200, 'OK', {
    toTag: 't',
    headers: [
      { name: 'Contact', value: '<sip:bob@192.0.2.4>' },
      { name: 'k', value: 'timer' },
    ],
    body: 'v=0\r\n',
    contentType: 'application/sdp',
  });
  assert.equal(header(r, 'supported'), 'timer');
  const back = parseMessage(serializeMessage(r));
  assert.equal(back.kind, 'response');
  assert.equal(header(back, 'content-type'), 'application/sdp');
  assert.equal(back.body.toString(), 'v=0\r\n');
});

test('reason phrases: the table, then the class phrase', () => {
  assert.equal(reasonPhrase(200), 'OK');
  assert.equal(reasonPhrase(488), 'Not Acceptable Here');
  assert.equal(reasonPhrase(401), 'Unauthorized');
  assert.equal(reasonPhrase(499), 'Bad Request');
  assert.equal(reasonPhrase(299), 'OK');
});

test('newBranch, newTag, newCallId: the magic cookie, token characters, unique', () => {
  const branches = new Set(Array.from({ length: 200 }, newBranch));
  assert.equal(branches.size, 200);
  for (const b of branches) {
    assert.ok(b.startsWith('z9hG4bK') && b.length > 16 && isToken(b), b);
  }
  const tags = new Set(Array.from({ length: 200 }, newTag));
  assert.equal(tags.size, 200);
  assert.ok([...tags].every(isToken));
  assert.match(newCallId('192.0.2.4'), /^[0-9a-f]{32}@192\.0\.2\.4$/);
  assert.match(newCallId(), /^[0-9a-f]{32}$/);
});
