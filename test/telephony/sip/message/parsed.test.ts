// The per-message memo of parsed header values: each value parsed once, a changed header parsed
// anew, and the memo invisible to anyone looking at the message.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildResponse } from '../../../../src/telephony/sip/message/build.ts';
import { SipParseError } from '../../../../src/telephony/sip/message/errors.ts';
import { addHeader, header, removeHeader, setHeader } from '../../../../src/telephony/sip/message/headers.ts';
import { parseNameAddr } from '../../../../src/telephony/sip/message/nameaddr.ts';
import { parseMessage } from '../../../../src/telephony/sip/message/parse.ts';
import { parsedCSeq, parsedNameAddr, parsedUri, parsedVia } from '../../../../src/telephony/sip/message/parsed.ts';
import type { SipRequest } from '../../../../src/telephony/sip/message/types.ts';
import { parseUri } from '../../../../src/telephony/sip/message/uri.ts';
import { validateRequest } from '../../../../src/telephony/sip/message/validate.ts';
import { parseVia } from '../../../../src/telephony/sip/message/via.ts';
import { serverKey } from '../../../../src/telephony/sip/transaction/key.ts';
import { incomingRequestKey } from '../../../../src/telephony/sip/dialog/dialog-state.ts';
import { stampVia } from '../../../../src/telephony/sip/transport/inbound.ts';
import { callerNumber } from '../../../../src/telephony/sip-network/call-parties.ts';

const TEXT = [
  'INVITE sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc;rport',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@example.com>',
  'From: Alice <sip:alice@example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@192.0.2.1>',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

function invite(): SipRequest {
  return parseMessage(Buffer.from(TEXT)) as SipRequest;
}

test('a value is parsed once per message, to what the parser gives', () => {
  const msg = invite();
  const from = header(msg, 'from')!;
  const first = parsedNameAddr(msg, from);
  assert.deepEqual(first, parseNameAddr(from));
  assert.equal(parsedNameAddr(msg, from), first);
  assert.deepEqual(parsedVia(msg, header(msg, 'via')!), parseVia(header(msg, 'via')!));
  assert.equal(parsedCSeq(msg, '314159 INVITE').seq, 314159);
  assert.deepEqual(parsedUri(msg, msg.uri), parseUri(msg.uri));
  // Another message has its own memo.
  assert.notEqual(parsedNameAddr(invite(), from), first);
});

test('one text read as a URI and as a name-addr keeps both forms', () => {
  const msg = invite();
  const uri = parsedUri(msg, 'sip:carol@example.com;lr');
  const na = parsedNameAddr(msg, 'sip:carol@example.com;lr');
  assert.deepEqual(uri.params, { lr: null });
  assert.deepEqual(na.uri.params, {});
  assert.deepEqual(na.params, { lr: null });
  assert.equal(parsedUri(msg, 'sip:carol@example.com;lr'), uri);
});

test('a header changed with setHeader, addHeader, removeHeader or by hand is parsed anew', () => {
  const msg = invite();
  assert.equal(callerNumber(msg), 'alice');
  setHeader(msg, 'From', 'Carol <sip:carol@example.com>;tag=77');
  assert.equal(callerNumber(msg), 'carol');
  assert.equal(incomingRequestKey(msg), null);
  setHeader(msg, 'To', 'Bob <sip:bob@example.com>;tag=ours');
  assert.equal(incomingRequestKey(msg), 'a84b4c76e66710|ours|77');
  removeHeader(msg, 'From');
  addHeader(msg, 'From', '<sip:dave@example.com>;tag=88');
  assert.equal(callerNumber(msg), 'dave');
  assert.equal(incomingRequestKey(msg), 'a84b4c76e66710|ours|88');
  msg.headers.find((h) => h.name === 'from')!.value = '<sip:erin@example.com>;tag=99';
  assert.equal(callerNumber(msg), 'erin');
  assert.equal(incomingRequestKey(msg), 'a84b4c76e66710|ours|99');
});

test('a message whose From keeps changing is read right every time', () => {
  const msg = invite();
  for (let i = 0; i < 100; i++) {
    setHeader(msg, 'From', `<sip:user${i}@example.com>;tag=${i}`);
    assert.equal(callerNumber(msg), `user${i}`);
  }
  // The first values are still kept, the later ones parsed each time: both read the same.
  setHeader(msg, 'From', '<sip:user3@example.com>;tag=3');
  assert.equal(callerNumber(msg), 'user3');
  setHeader(msg, 'From', '<sip:user99@example.com>;tag=99');
  assert.equal(callerNumber(msg), 'user99');
});

test('the stamped Via is parsed anew, and the form validation parsed is left as it was', () => {
  const msg = invite();
  assert.equal(validateRequest(msg), null);
  const before = header(msg, 'via')!;
  const validated = parsedVia(msg, before);
  stampVia(msg, { address: '198.51.100.7', port: 40000, transport: 'UDP' });
  assert.equal(header(msg, 'via'), 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc;rport=40000;received=198.51.100.7');
  assert.deepEqual(validated.params, { branch: 'z9hG4bKabc', rport: null });
  assert.deepEqual(parsedVia(msg, header(msg, 'via')!).params, { branch: 'z9hG4bKabc', rport: '40000', received: '198.51.100.7' });
  assert.equal(serverKey(msg), 'z9hG4bKabc|192.0.2.1:5060|INVITE');
});

test('the memo is invisible: keys, deep equality, copies', () => {
  const msg = invite();
  assert.equal(validateRequest(msg), null);
  buildResponse(msg, 180, undefined, { toTag: 'x' });
  assert.deepEqual(Object.keys(msg), Object.keys(invite()));
  assert.deepStrictEqual(msg, invite());
  assert.equal(JSON.stringify(msg), JSON.stringify(invite()));
  const copy = { ...msg, method: 'INVITE' };
  assert.deepEqual(Object.getOwnPropertySymbols(copy), []);
  assert.equal(serverKey(copy), serverKey(msg));
});

test('a failure is thrown every time and not remembered; a frozen message is parsed without a memo', () => {
  const msg = invite();
  for (let i = 0; i < 2; i++) assert.throws(() => parsedVia(msg, 'SIP/2.0/UDP'), SipParseError);
  const frozen = Object.freeze(invite());
  const from = header(frozen, 'from')!;
  assert.deepEqual(parsedNameAddr(frozen, from), parseNameAddr(from));
  assert.notEqual(parsedNameAddr(frozen, from), parsedNameAddr(frozen, from));
});
