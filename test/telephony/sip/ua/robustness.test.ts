import { test } from 'node:test';
import assert from 'node:assert/strict';
import { header } from '../../../../src/telephony/sip/message/headers.ts';
import type { SipMessage, SipResponse } from '../../../../src/telephony/sip/message/types.ts';
import type { IncomingCall } from '../../../../src/telephony/sip/ua/incoming-call.ts';
import type { Dialog } from '../../../../src/telephony/sip/dialog/dialog.ts';
import { agent, invite, once, RawPeer, sdp, T1, uriOf } from './helpers.ts';

const isResponse = (status: number) => (m: SipMessage) => m.kind === 'response' && m.status === status;

test('a retransmitted INVITE is answered from the transaction with the last response; the TU sees one call', async (t) => {
  const calls: IncomingCall[] = [];
  const bob = await agent({ onInvite: (call) => (calls.push(call), void call.ring()) });
  const peer = await RawPeer.open();
  t.after(async () => {
    peer.close();
    await bob.close();
  });
  const port = bob.transport.sentBy('UDP').port;
  const text = invite(port, peer.port, 'z9hG4bKretx1', 'retx-1@test');
  peer.send(text, port);
  await peer.next(isResponse(180));
  peer.send(text, port);
  await new Promise((r) => setTimeout(r, 100));
  const statuses = peer.received.filter((m): m is SipResponse => m.kind === 'response').map((m) => m.status);
  assert.deepEqual(statuses, [100, 180, 180]);
  assert.equal(calls.length, 1);
  calls[0].reject(486);
  await peer.next(isResponse(486));
});

test('a peer that never ACKs: the 200 is retransmitted from T1 up to T2, and after 64·T1 the UAS gives up and sends BYE', async (t) => {
  const accepted = Promise.withResolvers<Dialog>();
  const bob = await agent({ onInvite: (call) => call.accept(sdp(6002)).then(accepted.resolve, accepted.reject) });
  const peer = await RawPeer.open();
  t.after(async () => {
    peer.close();
    await bob.close();
  });
  const port = bob.transport.sentBy('UDP').port;
  const started = Date.now();
  peer.send(invite(port, peer.port, 'z9hG4bKnoack', 'noack-1@test'), port);
  await assert.rejects(accepted.promise, /no ACK/);
  const waited = Date.now() - started;
  assert.ok(waited >= 64 * T1 - 20, `gave up after ${waited} ms`);
  const bye = await peer.next((m) => m.kind === 'request' && m.method === 'BYE');
  assert.equal(header(bye, 'call-id'), 'noack-1@test');
  assert.match(header(bye, 'to')!, /tag=raw1/);
  // Sent once, then again after T1, 2T1, 4T1… (T2 = 4 s is never reached at T1 = 50 ms):
  // at 50, 150, 350, 750, 1550 and 3150 ms, before the 3200 ms deadline (exact times: the
  // VirtualClock test in dialog/; on a loaded machine the last one may fall past the deadline).
  const oks = peer.received.filter(isResponse(200)).length;
  assert.ok(oks >= 5 && oks <= 7, `${oks} copies of the 200`);
});

test('malformed datagrams between two calls: no crash, 400 where the request can be read, the call in progress unaffected', async (t) => {
  const bobDialog = Promise.withResolvers<Dialog>();
  const bob = await agent({ onInvite: (call) => void call.accept(sdp(6002)).then(bobDialog.resolve, bobDialog.reject) });
  const alice = await agent();
  const peer = await RawPeer.open();
  t.after(async () => {
    peer.close();
    await Promise.all([alice.close(), bob.close()]);
  });
  const first = await alice.invite({ target: uriOf(bob, 'bob', 'UDP'), from: 'sip:alice@127.0.0.1', sdpOffer: sdp(6000) });
  assert.equal(first.status, 200);
  const bobSide = await bobDialog.promise;
  const port = bob.transport.sentBy('UDP').port;

  peer.send(Buffer.from([0, 1, 2, 3, 255, 254]), port);
  peer.send('garbage\r\n\r\n', port);
  peer.send('SIP/2.0 200 OK\r\nVia: nonsense\r\n\r\n', port);
  // Readable start line and Via, but a CSeq method that is not the request's: 400 naming the problem.
  peer.send(
    [
      `OPTIONS sip:bob@127.0.0.1:${port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKbad1`,
      'From: <sip:x@127.0.0.1>;tag=1',
      'To: <sip:bob@127.0.0.1>',
      'Call-ID: bad-1',
      'CSeq: 1 INVITE',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
    port,
  );
  const bad = (await peer.next(isResponse(400))) as SipResponse;
  assert.match(bad.reason, /CSeq method/);
  // An INVITE with a broken From: also 400, from validation.
  peer.send(invite(port, peer.port, 'z9hG4bKbad2', 'bad-2@test').replace('From: <sip:raw@', 'From: <<sip:raw@'), port);
  await peer.next((m) => m.kind === 'response' && m.status === 400 && header(m, 'call-id') === 'bad-2@test');
  const stats = bob.transport.stats().UDP;
  assert.ok(stats.malformed >= 4, `malformed ${stats.malformed}`);
  assert.equal(stats.rejected, 2);

  // The call in progress still works both ways, and a second call goes through.
  const digit = once<{ digit: string }>((fn) => bobSide.on('dtmf', fn));
  await first.dialog!.info('Signal=7', 'application/dtmf-relay');
  assert.equal((await digit).digit, '7');
  const second = await alice.invite({ target: uriOf(bob, 'bob', 'UDP'), from: 'sip:alice@127.0.0.1', sdpOffer: sdp(6004) });
  assert.equal(second.status, 200);
  assert.equal((await bobSide.bye())!.status, 200);
  assert.equal((await second.dialog!.bye())!.status, 200);
});

test('TCP: a stream that cannot be framed is closed; other connections carry on', async (t) => {
  const { connect } = await import('node:net');
  const bob = await agent({ onInvite: (call) => void call.accept(sdp(6002)).catch(() => {}) });
  const alice = await agent();
  t.after(() => Promise.all([alice.close({ bye: true }), bob.close()]));
  const port = bob.transport.sentBy('TCP').port;
  const sock = connect({ host: '127.0.0.1', port });
  await once<void>((fn) => sock.once('connect', () => fn()));
  const closed = once<void>((fn) => sock.once('close', () => fn()));
  sock.write('OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKx\r\n\r\n'); // no Content-Length
  await closed;
  const ok = await alice.invite({ target: uriOf(bob, 'bob', 'TCP'), from: 'sip:alice@127.0.0.1', sdpOffer: sdp(6000) });
  assert.equal(ok.status, 200);
});

test('Via received and rport are set on a request from another address than its sent-by (§18.2.1, RFC 3581)', async (t) => {
  const bob = await agent();
  const peer = await RawPeer.open();
  t.after(async () => {
    peer.close();
    await bob.close();
  });
  const port = bob.transport.sentBy('UDP').port;
  peer.send(
    [
      `OPTIONS sip:bob@127.0.0.1:${port} SIP/2.0`,
      // The sent-by claims a NATed private address and port: the answer must come to the real source.
      'Via: SIP/2.0/UDP 10.9.8.7:5099;branch=z9hG4bKnat;rport',
      'Max-Forwards: 70',
      'From: <sip:nat@10.9.8.7>;tag=n1',
      'To: <sip:bob@127.0.0.1>',
      'Call-ID: nat-1',
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
    port,
  );
  const res = await peer.next(isResponse(200));
  assert.equal(header(res, 'via'), `SIP/2.0/UDP 10.9.8.7:5099;branch=z9hG4bKnat;rport=${peer.port};received=127.0.0.1`);
  assert.match(header(res, 'allow')!, /INVITE/);
});

test('requests outside what we serve: 481 for an unknown dialog, 405/501, 483 for Max-Forwards 0', async (t) => {
  const bob = await agent();
  const peer = await RawPeer.open();
  t.after(async () => {
    peer.close();
    await bob.close();
  });
  const port = bob.transport.sentBy('UDP').port;
  const request = (method: string, branch: string, extra: string[] = [], toTag = '') =>
    [
      `${method} sip:bob@127.0.0.1:${port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=${branch}`,
      'Max-Forwards: 70',
      'From: <sip:x@127.0.0.1>;tag=x1',
      `To: <sip:bob@127.0.0.1>${toTag}`,
      `Call-ID: ${branch}`,
      `CSeq: 1 ${method}`,
      ...extra,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
  const answer = async (text: string, branch: string) => {
    peer.send(text, port);
    const res = await peer.next((m) => m.kind === 'response' && m.status >= 200 && header(m, 'call-id') === branch);
    return (res as SipResponse).status;
  };
  assert.equal(await answer(request('BYE', 'z9hG4bKq1', [], ';tag=nope'), 'z9hG4bKq1'), 481);
  assert.equal(await answer(request('SUBSCRIBE', 'z9hG4bKq2'), 'z9hG4bKq2'), 405);
  assert.equal(await answer(request('FROBNICATE', 'z9hG4bKq3'), 'z9hG4bKq3'), 501);
  assert.equal(await answer(request('INVITE', 'z9hG4bKq4').replace('Max-Forwards: 70', 'Max-Forwards: 0'), 'z9hG4bKq4'), 483);
  assert.equal(await answer(request('INVITE', 'z9hG4bKq5'), 'z9hG4bKq5'), 480); // nobody takes calls
});
