import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addHeader, header, headers, removeFirstHeader, removeHeader, setHeader } from '../../../../src/telephony/sip/message/headers.ts';
import { parseMessage } from '../../../../src/telephony/sip/message/parse.ts';
import { serializeMessage } from '../../../../src/telephony/sip/message/serialize.ts';
import type { SipMessage } from '../../../../src/telephony/sip/message/types.ts';
import { fixture, TORTURE } from './fixtures.ts';

const REQUEST: SipMessage = {
  kind: 'request',
  method: 'INVITE',
  uri: 'sip:bob@example.com',
  version: 'SIP/2.0',
  headers: [
    { name: 'via', value: 'SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1' },
    { name: 'via', value: 'SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK0' },
    { name: 'to', value: '<sip:bob@example.com>' },
    { name: 'from', value: '<sip:alice@example.com>;tag=1' },
    { name: 'call-id', value: 'abc' },
    { name: 'cseq', value: '1 INVITE' },
    { name: 'www-authenticate', value: 'Digest realm="r"' },
    { name: 'content-length', value: '999' },
  ],
  body: Buffer.from('v=0\r\n'),
};

test('serialize: full names in their usual spelling, one entry per line, Content-Length from the body', () => {
  assert.equal(
    serializeMessage(REQUEST).toString(),
    [
      'INVITE sip:bob@example.com SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1',
      'Via: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK0',
      'To: <sip:bob@example.com>',
      'From: <sip:alice@example.com>;tag=1',
      'Call-ID: abc',
      'CSeq: 1 INVITE',
      'WWW-Authenticate: Digest realm="r"',
      'Content-Length: 5',
      '',
      'v=0\r\n',
    ].join('\r\n'),
  );
});

test('serialize a response; a value with a line break cannot inject a header', () => {
  const text = serializeMessage({
    kind: 'response',
    status: 180,
    reason: 'Ringing',
    version: 'SIP/2.0',
    headers: [{ name: 'x-note', value: 'a\r\nVia: evil' }],
    body: Buffer.alloc(0),
  }).toString();
  assert.equal(text, 'SIP/2.0 180 Ringing\r\nX-Note: a Via: evil\r\nContent-Length: 0\r\n\r\n');
});

test('round trip: parse → serialize → parse keeps every header and the body, for each valid fixture', () => {
  for (const [name, { expect }] of Object.entries(TORTURE)) {
    if (!('valid' in expect)) continue;
    const first = parseMessage(fixture(name));
    const again = parseMessage(serializeMessage(first));
    const withoutLength = (m: SipMessage) => m.headers.filter((h) => h.name !== 'content-length');
    assert.deepEqual(withoutLength(again), withoutLength(first), name);
    assert.deepEqual(again.body, first.body, name);
    assert.deepEqual(parseMessage(serializeMessage(again)), again, name);
  }
});

test('header helpers accept compact and any-case names', () => {
  const m = structuredClone(REQUEST);
  m.body = Buffer.alloc(0);
  assert.equal(header(m, 'v'), 'SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1');
  assert.equal(headers(m, 'VIA').length, 2);
  assert.equal(header(m, 'i'), 'abc');
  assert.equal(header(m, 'subject'), undefined);

  addHeader(m, 'v', 'SIP/2.0/TCP new;branch=z9hG4bK2', true);
  assert.deepEqual(headers(m, 'via')[0], 'SIP/2.0/TCP new;branch=z9hG4bK2');
  assert.equal(m.headers[0].name, 'via');
  addHeader(m, 'Route', '<sip:p1;lr>');
  addHeader(m, 'route', '<sip:p0;lr>', true);
  assert.deepEqual(headers(m, 'route'), ['<sip:p0;lr>', '<sip:p1;lr>']);

  assert.equal(removeFirstHeader(m, 'Via'), 'SIP/2.0/TCP new;branch=z9hG4bK2');
  assert.equal(headers(m, 'via').length, 2);

  setHeader(m, 'CSEQ', '2 INVITE');
  assert.deepEqual(headers(m, 'cseq'), ['2 INVITE']);
  setHeader(m, 'via', ['SIP/2.0/UDP only;branch=z9hG4bK3']);
  assert.deepEqual(headers(m, 'via'), ['SIP/2.0/UDP only;branch=z9hG4bK3']);
  assert.equal(m.headers[0].name, 'via', 'setHeader keeps the place of the first entry');
  setHeader(m, 'Subject', 'hello');
  assert.equal(m.headers.at(-1)?.name, 'subject');

  assert.equal(removeHeader(m, 'route'), 2);
  assert.equal(removeHeader(m, 'route'), 0);
});
