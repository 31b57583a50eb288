import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipParseError, type SipParseErrorCode } from '../../../../src/telephony/sip/message/errors.ts';
import { header, headers } from '../../../../src/telephony/sip/message/headers.ts';
import { parseMessage } from '../../../../src/telephony/sip/message/parse.ts';
import type { SipRequest, SipResponse } from '../../../../src/telephony/sip/message/types.ts';

const INVITE = [
  'INVITE sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@example.com>',
  'From: Alice <sip:alice@example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@192.0.2.1>',
  'Content-Type: application/sdp',
  'Content-Length: 4',
  '',
  'v=0\r\n',
].join('\r\n');

function parse(text: string): SipRequest {
  return parseMessage(Buffer.from(text)) as SipRequest;
}

function throwsCode(text: string | Buffer, code: SipParseErrorCode, opts = {}): SipParseError {
  let caught: unknown;
  try {
    parseMessage(typeof text === 'string' ? Buffer.from(text) : text, opts);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof SipParseError, `expected a SipParseError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

test('a plain INVITE: start line, headers in order, body of Content-Length bytes', () => {
  const m = parse(INVITE);
  assert.equal(m.kind, 'request');
  assert.equal(m.method, 'INVITE');
  assert.equal(m.uri, 'sip:bob@example.com');
  assert.equal(m.version, 'SIP/2.0');
  assert.deepEqual(
    m.headers.map((h) => h.name),
    ['via', 'max-forwards', 'to', 'from', 'call-id', 'cseq', 'contact', 'content-type', 'content-length'],
  );
  assert.equal(m.body.toString(), 'v=0\r');
});

test('bare LF line ends are accepted like CRLF', () => {
  const m = parse(INVITE.replaceAll('\r\n', '\n').replace('Content-Length: 4', 'Content-Length: 3'));
  assert.equal(header(m, 'call-id'), 'a84b4c76e66710@pc33.example.com');
  assert.equal(m.body.toString(), 'v=0');
});

test('CRLFs before the start line are skipped (§7.5)', () => {
  assert.equal(parse(`\r\n\r\n${INVITE}`).method, 'INVITE');
});

test('folded header lines are joined with one space', () => {
  const m = parse(INVITE.replace('Max-Forwards: 70', 'Subject: I know you\r\n  are there,\r\n\tpick up'));
  assert.equal(header(m, 'subject'), 'I know you are there, pick up');
});

test('compact names and any case map to the full lower-case name', () => {
  const text = [
    'OPTIONS sip:bob@example.com SIP/2.0',
    'v: SIP/2.0/UDP h;branch=z9hG4bK1',
    'T: <sip:bob@example.com>',
    'f: <sip:a@example.com>;tag=1',
    'I: abc',
    'cSeQ: 1 OPTIONS',
    'k: timer',
    'm: <sip:a@h>',
    'e: gzip',
    's: hi',
    'c: text/plain',
    'o: presence',
    'u: refer',
    'r: <sip:x@y>',
    'b: <sip:z@y>',
    'x: 1800',
    'L: 0',
    '',
    '',
  ].join('\r\n');
  const m = parse(text);
  assert.deepEqual(
    m.headers.map((h) => h.name),
    ['via', 'to', 'from', 'call-id', 'cseq', 'supported', 'contact', 'content-encoding', 'subject', 'content-type', 'event', 'allow-events', 'refer-to', 'referred-by', 'session-expires', 'content-length'],
  );
  assert.equal(header(m, 'CALL-ID'), 'abc');
  assert.equal(header(m, 'i'), 'abc');
});

test('list headers are split at top-level commas; quotes and <> protect commas', () => {
  const m = parse(
    INVITE.replace(
      'Contact: <sip:alice@192.0.2.1>',
      [
        'Contact: "Smith, John" <sip:j@h;x=1>, <sip:k@h?a=b,c>;q=0.5 , sip:l@h',
        'Allow: INVITE, ACK,BYE',
        'Allow: CANCEL',
        'Supported: ',
        'Via: SIP/2.0/UDP p1;branch=z9hG4bK2, SIP/2.0/UDP p2;branch=z9hG4bK3',
        'WWW-Authenticate: Digest realm="a,b", nonce="x", qop="auth,auth-int"',
        'Date: Sat, 13 Nov 2010 23:29:00 GMT',
        'X-Custom: a, b',
      ].join('\r\n'),
    ),
  );
  assert.deepEqual(headers(m, 'contact'), ['"Smith, John" <sip:j@h;x=1>', '<sip:k@h?a=b,c>;q=0.5', 'sip:l@h']);
  assert.deepEqual(headers(m, 'allow'), ['INVITE', 'ACK', 'BYE', 'CANCEL']);
  assert.deepEqual(headers(m, 'supported'), ['']);
  assert.equal(headers(m, 'via').length, 3);
  assert.deepEqual(headers(m, 'www-authenticate'), ['Digest realm="a,b", nonce="x", qop="auth,auth-int"']);
  assert.deepEqual(headers(m, 'date'), ['Sat, 13 Nov 2010 23:29:00 GMT']);
  assert.deepEqual(headers(m, 'x-custom'), ['a, b']);
});

test('a response: status, reason with spaces, no method check', () => {
  const text = 'SIP/2.0 486 Busy Here Now\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:b@h>;tag=2\r\nFrom: <sip:a@h>;tag=1\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n';
  const m = parseMessage(Buffer.from(text)) as SipResponse;
  assert.equal(m.kind, 'response');
  assert.equal(m.status, 486);
  assert.equal(m.reason, 'Busy Here Now');
});

test('start line errors', () => {
  throwsCode('', 'SIP_PARSE_EMPTY');
  throwsCode('\r\n\r\n', 'SIP_PARSE_EMPTY');
  throwsCode(INVITE.replace('INVITE sip:bob@example.com SIP/2.0', 'INVITE sip:bob@example.com'), 'SIP_PARSE_START_LINE');
  throwsCode(INVITE.replace('SIP/2.0\r\n', 'HTTP/1.1\r\n'), 'SIP_PARSE_START_LINE');
  throwsCode(INVITE.replace('INVITE sip:bob@example.com SIP/2.0', 'INVITE sip:bob@example.com SIP/3.0'), 'SIP_PARSE_VERSION');
  throwsCode(INVITE.replace('INVITE sip:bob@example.com SIP/2.0', 'INV(ITE sip:bob@example.com SIP/2.0'), 'SIP_PARSE_START_LINE');
  throwsCode(INVITE.replace('INVITE sip:bob@example.com SIP/2.0', 'INVITE bob@example.com SIP/2.0'), 'SIP_PARSE_START_LINE');
  throwsCode('SIP/2.0 099 Low\r\n\r\n', 'SIP_PARSE_STATUS');
  throwsCode('SIP/2.0 700 High\r\n\r\n', 'SIP_PARSE_STATUS');
  throwsCode('SIP/2.0 20 OK\r\n\r\n', 'SIP_PARSE_START_LINE');
  throwsCode('SIP/1.0 200 OK\r\n\r\n', 'SIP_PARSE_VERSION');
  const e = throwsCode('SIP/2.0 2000 OK\r\n\r\n', 'SIP_PARSE_START_LINE');
  assert.equal(e.line, 1);
  assert.match(e.message, /SIP\/2\.0 2000 OK.*line 1/);
});

test('header line errors name the line', () => {
  const e = throwsCode(INVITE.replace('Max-Forwards: 70', 'Max-Forwards 70'), 'SIP_PARSE_HEADER');
  assert.equal(e.line, 3);
  assert.match(e.message, /Max-Forwards 70/);
  throwsCode(INVITE.replace('Max-Forwards: 70', 'Max Forwards: 70'), 'SIP_PARSE_HEADER');
  throwsCode(INVITE.replace('Max-Forwards: 70', ': 70'), 'SIP_PARSE_HEADER');
  const folded = throwsCode('INVITE sip:b@h SIP/2.0\r\n continued\r\n\r\n', 'SIP_PARSE_HEADER');
  assert.equal(folded.line, 2);
});

test('Content-Length: truncates the body, must not exceed the data, must be a number', () => {
  assert.equal(parse(INVITE.replace('Content-Length: 4', 'Content-Length: 2')).body.toString(), 'v=');
  assert.equal(parse(INVITE.replace('Content-Length: 4', 'Content-Length: 0')).body.length, 0);
  const e = throwsCode(INVITE.replace('Content-Length: 4', 'Content-Length: 6'), 'SIP_PARSE_CONTENT_LENGTH');
  assert.match(e.message, /6 but only 5 bytes/);
  throwsCode(INVITE.replace('Content-Length: 4', 'Content-Length: four'), 'SIP_PARSE_CONTENT_LENGTH');
  throwsCode(INVITE.replace('Content-Length: 4', 'Content-Length: 99999999999999999999'), 'SIP_PARSE_CONTENT_LENGTH');
  throwsCode(INVITE.replace('Content-Length: 4', 'Content-Length: 4\r\nl: 3'), 'SIP_PARSE_CONTENT_LENGTH');
  assert.equal(parse(INVITE.replace('Content-Length: 4', 'Content-Length: 4\r\nl: 4')).body.length, 4);
});

test('without Content-Length: the rest of a datagram, an error on a stream', () => {
  const text = INVITE.replace('Content-Length: 4\r\n', '');
  assert.equal(parse(text).body.toString(), 'v=0\r\n');
  throwsCode(text, 'SIP_PARSE_CONTENT_LENGTH', { stream: true });
});

test('a datagram that ends after the headers without an empty line still parses', () => {
  const text = INVITE.slice(0, INVITE.indexOf('\r\n\r\n')).replace('Content-Length: 4', 'Content-Length: 0');
  assert.equal(parse(text).body.length, 0);
});

test('required headers: To, From, CSeq, Call-ID, Via; Max-Forwards may be absent', () => {
  for (const line of ['Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds', 'To: Bob <sip:bob@example.com>', 'From: Alice <sip:alice@example.com>;tag=1928301774', 'Call-ID: a84b4c76e66710@pc33.example.com', 'CSeq: 314159 INVITE']) {
    const e = throwsCode(INVITE.replace(`${line}\r\n`, ''), 'SIP_PARSE_MISSING_HEADER');
    assert.equal(e.partial?.kind, 'request');
  }
  assert.equal(header(parse(INVITE.replace('Max-Forwards: 70\r\n', '')), 'max-forwards'), undefined);
});

test('CSeq: number below 2^31, method equal to the request method', () => {
  throwsCode(INVITE.replace('CSeq: 314159 INVITE', 'CSeq: 314159 BYE'), 'SIP_PARSE_CSEQ_METHOD');
  throwsCode(INVITE.replace('CSeq: 314159 INVITE', 'CSeq: 314159 invite'), 'SIP_PARSE_CSEQ_METHOD');
  throwsCode(INVITE.replace('CSeq: 314159 INVITE', 'CSeq: 2147483648 INVITE'), 'SIP_PARSE_CSEQ');
  throwsCode(INVITE.replace('CSeq: 314159 INVITE', 'CSeq: INVITE'), 'SIP_PARSE_CSEQ');
  assert.equal(header(parse(INVITE.replace('CSeq: 314159 INVITE', 'CSeq: 2147483647 INVITE')), 'cseq'), '2147483647 INVITE');
});

test('the body is a copy: changing the input buffer later does not change it', () => {
  const data = Buffer.from(INVITE);
  const m = parseMessage(data);
  data.fill(0);
  assert.equal(m.body.toString(), 'v=0\r');
});
