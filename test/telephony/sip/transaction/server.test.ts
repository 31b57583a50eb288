import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../../src/time/virtual-clock.ts';
import { buildResponse } from '../../../../src/telephony/sip/message/build.ts';
import type { SipRequest } from '../../../../src/telephony/sip/message/types.ts';
import { TransactionLayer, type ServerTransaction } from '../../../../src/telephony/sip/transaction/transaction-layer.ts';
import { FakeChannel, request } from './fake-channel.ts';

function setup() {
  const clock = new VirtualClock({ auto: false, start: 0 });
  const channel = new FakeChannel(clock);
  const layer = new TransactionLayer({ channel, clock });
  const seen: { req: SipRequest; tx: ServerTransaction | null }[] = [];
  layer.setUser({ onRequest: (req, tx) => seen.push({ req, tx }) });
  return { clock, channel, layer, seen };
}

test('INVITE server: 100 Trying at once; a retransmitted INVITE gets the last response and does not reach the TU again', () => {
  const { channel, seen } = setup();
  channel.deliver(request('INVITE', 'z9hG4bK1'));
  assert.equal(seen.length, 1);
  assert.deepEqual(channel.responses().map((r) => r.status), [100]);
  seen[0].tx!.respond(buildResponse(seen[0].req, 180, undefined, { toTag: 't' }));
  channel.deliver(request('INVITE', 'z9hG4bK1'));
  assert.equal(seen.length, 1);
  assert.deepEqual(channel.responses().map((r) => r.status), [100, 180, 180]);
  // §18.2.2: to the Via's sent-by (received added by the transport in real life).
  assert.deepEqual(channel.sent[0].target, { host: '192.0.2.9', port: 5060, transport: 'UDP' });
});

test('INVITE server over UDP: timer G retransmits the final response from T1 up to T2, timer H reports the missing ACK', async () => {
  const { clock, channel, seen } = setup();
  channel.deliver(request('INVITE', 'z9hG4bK2'));
  const tx = seen[0].tx!;
  const failures: string[] = [];
  tx.onFailure = (reason) => failures.push(`${reason}@${clock.now()}`);
  tx.respond(buildResponse(seen[0].req, 486));
  await clock.advance(40_000);
  const at = channel.sent.filter((s) => s.msg.kind === 'response' && s.msg.status === 486).map((s) => s.at);
  assert.deepEqual(at, [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  assert.deepEqual(failures, ['timeout@32000']);
  assert.equal(tx.state, 'Terminated');
});

test('INVITE server: the ACK for a failure stops timer G (Confirmed), timer I ends it; the ACK never reaches the TU', async () => {
  const { clock, channel, seen, layer } = setup();
  channel.deliver(request('INVITE', 'z9hG4bK3'));
  const tx = seen[0].tx!;
  tx.respond(buildResponse(seen[0].req, 603));
  await clock.advance(600);
  channel.deliver(request('ACK', 'z9hG4bK3').replace('CSeq: 1 ACK', 'CSeq: 1 ACK'));
  assert.equal(tx.state, 'Confirmed');
  await clock.advance(10_000);
  assert.equal(channel.responses(603).length, 2);
  assert.equal(seen.length, 1);
  assert.equal(tx.state, 'Terminated');
  assert.deepEqual(layer.size, { client: 0, server: 0 });
});

test('INVITE server over TCP: no timer G; after a 2xx (Accepted) the ACK goes to the TU and INVITE retransmissions are absorbed', async () => {
  const { clock, channel, seen } = setup();
  const source = { address: '192.0.2.9', port: 40000, transport: 'TCP' as const };
  channel.deliver(request('INVITE', 'z9hG4bK4', '', 'TCP'), source);
  const tx = seen[0].tx!;
  tx.respond(buildResponse(seen[0].req, 200, undefined, { toTag: 't' }));
  assert.equal(tx.state, 'Accepted');
  channel.deliver(request('INVITE', 'z9hG4bK4', '', 'TCP'), source);
  assert.equal(channel.responses().length, 2); // 100, 200: the retransmission is not answered by the transaction
  channel.deliver(request('ACK', 'z9hG4bK4', '', 'TCP'), source);
  assert.equal(seen.length, 2);
  assert.equal(seen[1].req.method, 'ACK');
  assert.equal(seen[1].tx, null);
  await clock.advance(32_000); // timer L
  assert.equal(tx.state, 'Terminated');
});

test('an ACK with a branch of its own (the ACK of a 2xx) reaches the TU without a transaction', () => {
  const { channel, seen } = setup();
  channel.deliver(request('ACK', 'z9hG4bKack'));
  assert.equal(seen.length, 1);
  assert.equal(seen[0].tx, null);
  assert.equal(channel.sent.length, 0);
});

test('non-INVITE server: a retransmission is absorbed in Trying, answered with the final response after; timer J ends it', async () => {
  const { clock, channel, seen } = setup();
  channel.deliver(request('OPTIONS', 'z9hG4bK5'));
  channel.deliver(request('OPTIONS', 'z9hG4bK5'));
  assert.equal(seen.length, 1);
  assert.equal(channel.sent.length, 0);
  seen[0].tx!.respond(buildResponse(seen[0].req, 200));
  channel.deliver(request('OPTIONS', 'z9hG4bK5'));
  assert.equal(channel.responses(200).length, 2);
  await clock.advance(31_999);
  assert.equal(seen[0].tx!.state, 'Completed');
  await clock.advance(1);
  assert.equal(seen[0].tx!.state, 'Terminated');
});

test('CANCEL: its own transaction, and the INVITE it cancels is found by branch (§9.2)', () => {
  const { channel, seen, layer } = setup();
  channel.deliver(request('INVITE', 'z9hG4bK6'));
  channel.deliver(request('CANCEL', 'z9hG4bK6'));
  assert.equal(seen.length, 2);
  assert.equal(seen[1].tx!.kind, 'non-invite');
  assert.equal(layer.findInviteFor(seen[1].req), seen[0].tx);
});

test('same branch, different sent-by: different transactions (§17.2.3)', () => {
  const { channel, seen } = setup();
  channel.deliver(request('INVITE', 'z9hG4bK7'));
  channel.deliver(request('INVITE', 'z9hG4bK7').replace('192.0.2.9:5060;branch', '192.0.2.10:5060;branch'));
  assert.equal(seen.length, 2);
});
