import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipParseError } from '../../../../src/telephony/sip/message/errors.ts';
import { header } from '../../../../src/telephony/sip/message/headers.ts';
import { SipStreamFramer, type FramedMessage } from '../../../../src/telephony/sip/message/stream.ts';

function msg(callId: string, body = '', method = 'OPTIONS'): string {
  return [
    `${method} sip:bob@example.com SIP/2.0`,
    'Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1',
    'To: <sip:bob@example.com>',
    'From: <sip:alice@example.com>;tag=1',
    `Call-ID: ${callId}`,
    `CSeq: 1 ${method}`,
    `l: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

function ids(out: FramedMessage[]): string[] {
  return out.map((f) => (f.ok ? header(f.message, 'call-id')! : `error:${f.error.code}`));
}

test('several messages in one chunk, with CRLF keep-alives between them', () => {
  const f = new SipStreamFramer();
  const out = f.push(Buffer.from(`${msg('a', 'hello')}\r\n\r\n${msg('b')}\r\n${msg('c', 'x\r\n\r\ny')}`));
  assert.deepEqual(ids(out), ['a', 'b', 'c']);
  assert.equal(out[0].ok && out[0].message.body.toString(), 'hello');
  assert.equal(out[2].ok && out[2].message.body.toString(), 'x\r\n\r\ny');
  assert.equal(f.pending, 0);
  assert.equal(f.keepAlives, 2);
});

test('a message split at every byte comes out once, whole', () => {
  const data = Buffer.from(msg('split', 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n') + msg('next'));
  const f = new SipStreamFramer();
  const out: FramedMessage[] = [];
  for (let i = 0; i < data.length; i++) out.push(...f.push(data.subarray(i, i + 1)));
  assert.deepEqual(ids(out), ['split', 'next']);
  assert.equal(f.pending, 0);
});

test('a keep-alive alone produces nothing', () => {
  const f = new SipStreamFramer();
  assert.deepEqual(f.push(Buffer.from('\r\n\r\n')), []);
  assert.equal(f.pending, 0);
});

test('a framed message that fails a later check is reported, and the stream goes on', () => {
  const f = new SipStreamFramer();
  const out = f.push(Buffer.from(msg('bad').replace('CSeq: 1 OPTIONS', 'CSeq: 1 INVITE') + msg('good')));
  assert.deepEqual(ids(out), ['error:SIP_PARSE_CSEQ_METHOD', 'good']);
  assert.ok(!out[0].ok && out[0].error.partial?.kind === 'request');
});

test('Content-Length is mandatory on a stream: the framer breaks for good', () => {
  const f = new SipStreamFramer();
  const noLength = msg('x').replace('l: 0\r\n', '');
  assert.throws(() => f.push(Buffer.from(noLength)), (e: unknown) => e instanceof SipParseError && e.code === 'SIP_PARSE_CONTENT_LENGTH');
  assert.throws(() => f.push(Buffer.from(msg('y'))), (e: unknown) => e instanceof SipParseError && e.code === 'SIP_PARSE_CONTENT_LENGTH');
});

test('a message past the size limit, or headers that never end, throw SIP_PARSE_TOO_LARGE', () => {
  const big = new SipStreamFramer({ maxMessageBytes: 1024 });
  assert.throws(() => big.push(Buffer.from(msg('big', 'x'.repeat(2000)).slice(0, 300))), (e: unknown) => e instanceof SipParseError && e.code === 'SIP_PARSE_TOO_LARGE');

  const endless = new SipStreamFramer({ maxMessageBytes: 1024 });
  assert.deepEqual(endless.push(Buffer.from('INVITE sip:a@b SIP/2.0\r\n')), []);
  assert.throws(
    () => {
      for (let i = 0; i < 100; i++) endless.push(Buffer.from('X-Filler: aaaaaaaaaaaaaaaaaaaa\r\n'));
    },
    (e: unknown) => e instanceof SipParseError && e.code === 'SIP_PARSE_TOO_LARGE',
  );
});

test('the default limit is 64 KiB', () => {
  const f = new SipStreamFramer();
  assert.equal(f.push(Buffer.from(msg('ok', 'x'.repeat(60_000)))).length, 1);
  assert.throws(() => f.push(Buffer.from(msg('no', 'x'.repeat(70_000)))), (e: unknown) => e instanceof SipParseError && e.code === 'SIP_PARSE_TOO_LARGE');
});
