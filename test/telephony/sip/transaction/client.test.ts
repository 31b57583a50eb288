import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../../src/time/virtual-clock.ts';
import { header } from '../../../../src/telephony/sip/message/headers.ts';
import { parseMessage } from '../../../../src/telephony/sip/message/parse.ts';
import type { SipRequest, SipResponse } from '../../../../src/telephony/sip/message/types.ts';
import { TransactionLayer } from '../../../../src/telephony/sip/transaction/transaction-layer.ts';
import type { TransportName } from '../../../../src/telephony/sip/transport/transport.ts';
import { FakeChannel, request, response } from './fake-channel.ts';

function setup() {
  const clock = new VirtualClock({ auto: false, start: 0 });
  const channel = new FakeChannel(clock);
  const layer = new TransactionLayer({ channel, clock });
  return { clock, channel, layer };
}

function outgoing(method: string, branch: string, transport: TransportName = 'UDP'): SipRequest {
  // The UAC side: our Via is 192.0.2.1, the peer is 192.0.2.9.
  const text = request(method, branch, '', transport).replace('192.0.2.9:5060;branch', '192.0.2.1:5060;branch');
  return parseMessage(Buffer.from(text.replace(/\n/g, '\r\n'))) as SipRequest;
}

function recorder() {
  const responses: SipResponse[] = [];
  const failures: { reason: string; at: number }[] = [];
  return { responses, failures };
}

test('INVITE client over UDP: timer A doubles from T1, timer B gives a timeout at 64·T1', async () => {
  const { clock, channel, layer } = setup();
  const r = recorder();
  layer.sendRequest(outgoing('INVITE', 'z9hG4bKa'), { host: '192.0.2.9', port: 5060, transport: 'UDP' }, {
    onResponse: (res) => r.responses.push(res),
    onFailure: (reason) => r.failures.push({ reason, at: clock.now() }),
  });
  await clock.advance(40_000);
  assert.deepEqual(channel.sent.map((s) => s.at), [0, 500, 1500, 3500, 7500, 15500, 31500]);
  assert.deepEqual(r.failures, [{ reason: 'timeout', at: 32_000 }]);
  assert.deepEqual(layer.size, { client: 0, server: 0 });
});

test('INVITE client over TCP: no retransmission, timer B still fires', async () => {
  const { clock, channel, layer } = setup();
  const r = recorder();
  layer.sendRequest(outgoing('INVITE', 'z9hG4bKt', 'TCP'), { host: '192.0.2.9', port: 5060, transport: 'TCP' }, {
    onResponse: (res) => r.responses.push(res),
    onFailure: (reason) => r.failures.push({ reason, at: clock.now() }),
  });
  await clock.advance(40_000);
  assert.equal(channel.sent.length, 1);
  assert.deepEqual(r.failures, [{ reason: 'timeout', at: 32_000 }]);
});

test('INVITE client: a provisional stops timer A; a 486 is ACKed in the transaction, its retransmission ACKed again, not passed up', async () => {
  const { clock, channel, layer } = setup();
  const r = recorder();
  const tx = layer.sendRequest(outgoing('INVITE', 'z9hG4bKb'), { host: '192.0.2.9', port: 5060, transport: 'UDP' }, {
    onResponse: (res) => r.responses.push(res),
    onFailure: (reason) => r.failures.push({ reason, at: clock.now() }),
  });
  channel.deliver(response(180, 'z9hG4bKb', 'INVITE'));
  await clock.advance(5000);
  assert.equal(channel.requests('INVITE').length, 1);
  channel.deliver(response(486, 'z9hG4bKb', 'INVITE'));
  const ack = channel.requests('ACK');
  assert.equal(ack.length, 1);
  assert.match(header(ack[0], 'via')!, /branch=z9hG4bKb/);
  assert.match(header(ack[0], 'to')!, /tag=b1/);
  assert.equal(header(ack[0], 'cseq'), '1 ACK');
  assert.equal(ack[0].uri, 'sip:bob@192.0.2.1');
  channel.deliver(response(486, 'z9hG4bKb', 'INVITE'));
  assert.equal(channel.requests('ACK').length, 2);
  assert.deepEqual(r.responses.map((x) => x.status), [180, 486]);
  assert.equal(tx.state, 'Completed');
  await clock.advance(32_000); // timer D
  assert.equal(tx.state, 'Terminated');
  assert.deepEqual(r.failures, []);
});

test('INVITE client: a 2xx goes up and so do its retransmissions (Accepted, RFC 6026), no ACK from the transaction', async () => {
  const { clock, channel, layer } = setup();
  const r = recorder();
  const tx = layer.sendRequest(outgoing('INVITE', 'z9hG4bKc'), { host: '192.0.2.9', port: 5060, transport: 'UDP' }, {
    onResponse: (res) => r.responses.push(res),
    onFailure: (reason) => r.failures.push({ reason, at: clock.now() }),
  });
  channel.deliver(response(200, 'z9hG4bKc', 'INVITE'));
  channel.deliver(response(200, 'z9hG4bKc', 'INVITE'));
  assert.deepEqual(r.responses.map((x) => x.status), [200, 200]);
  assert.equal(channel.requests('ACK').length, 0);
  assert.equal(tx.state, 'Accepted');
  await clock.advance(32_000); // timer M
  assert.equal(tx.state, 'Terminated');
});

test('non-INVITE client over UDP: timer E doubles up to T2, timer F times out at 64·T1', async () => {
  const { clock, channel, layer } = setup();
  const r = recorder();
  layer.sendRequest(outgoing('OPTIONS', 'z9hG4bKd'), { host: '192.0.2.9', port: 5060, transport: 'UDP' }, {
    onResponse: (res) => r.responses.push(res),
    onFailure: (reason) => r.failures.push({ reason, at: clock.now() }),
  });
  await clock.advance(40_000);
  assert.deepEqual(
    channel.sent.map((s) => s.at),
    [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
  );
  assert.deepEqual(r.failures, [{ reason: 'timeout', at: 32_000 }]);
});

test('non-INVITE client: in Proceeding timer E runs at T2; a final response goes up once, timer K ends it', async () => {
  const { clock, channel, layer } = setup();
  const r = recorder();
  const tx = layer.sendRequest(outgoing('BYE', 'z9hG4bKe'), { host: '192.0.2.9', port: 5060, transport: 'UDP' }, {
    onResponse: (res) => r.responses.push(res),
    onFailure: (reason) => r.failures.push({ reason, at: clock.now() }),
  });
  channel.deliver(response(100, 'z9hG4bKe', 'BYE'));
  await clock.advance(9000);
  // sent at 0 and 500 (E fires while Proceeding → next at +4000): 500, 4500, 8500
  assert.deepEqual(channel.sent.map((s) => s.at), [0, 500, 4500, 8500]);
  channel.deliver(response(200, 'z9hG4bKe', 'BYE'));
  channel.deliver(response(200, 'z9hG4bKe', 'BYE'));
  assert.deepEqual(r.responses.map((x) => x.status), [100, 200]);
  await clock.advance(5000); // timer K = T4
  assert.equal(tx.state, 'Terminated');
  assert.equal(channel.sent.length, 4);
});

test('a transport error goes to the TU as such (§17.1.4)', async () => {
  const { clock, channel, layer } = setup();
  const r = recorder();
  channel.failWith = new Error('ECONNREFUSED');
  layer.sendRequest(outgoing('INVITE', 'z9hG4bKf', 'TCP'), { host: '192.0.2.9', port: 5060, transport: 'TCP' }, {
    onResponse: (res) => r.responses.push(res),
    onFailure: (reason) => r.failures.push({ reason, at: clock.now() }),
  });
  await clock.advance(1);
  assert.deepEqual(r.failures, [{ reason: 'transport', at: 0 }]);
  assert.deepEqual(layer.size, { client: 0, server: 0 });
});

test('a response for no transaction goes to the TU as stray', async () => {
  const { channel, layer } = setup();
  const strays: number[] = [];
  layer.setUser({ onRequest: () => {}, onStrayResponse: (res) => strays.push(res.status) });
  channel.deliver(response(200, 'z9hG4bKnone', 'INVITE'));
  assert.deepEqual(strays, [200]);
});
