import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { SystemClock } from '../../../../src/time/clock.ts';
import { buildResponse } from '../../../../src/telephony/sip/message/build.ts';
import { header } from '../../../../src/telephony/sip/message/headers.ts';
import { parseMessage } from '../../../../src/telephony/sip/message/parse.ts';
import type { SipMessage, SipRequest } from '../../../../src/telephony/sip/message/types.ts';
import { responseTarget } from '../../../../src/telephony/sip/transport/response-target.ts';
import { TcpTransport } from '../../../../src/telephony/sip/transport/tcp.ts';
import { TransportLayer } from '../../../../src/telephony/sip/transport/transport-layer.ts';
import type { MessageSource } from '../../../../src/telephony/sip/transport/transport.ts';
import { UdpTransport } from '../../../../src/telephony/sip/transport/udp.ts';

function options(port: number, branch: string, transport = 'UDP', host = '127.0.0.1'): SipRequest {
  const text = [
    `OPTIONS sip:x@127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/${transport} ${host}:${port};branch=${branch}`,
    'Max-Forwards: 70',
    'From: <sip:a@127.0.0.1>;tag=1',
    'To: <sip:x@127.0.0.1>',
    `Call-ID: ${branch}`,
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return parseMessage(Buffer.from(text)) as SipRequest;
}

function inbox() {
  const got: { msg: SipMessage; source: MessageSource }[] = [];
  const waiters: (() => void)[] = [];
  return {
    got,
    handler: (msg: SipMessage, source: MessageSource) => {
      got.push({ msg, source });
      waiters.splice(0).forEach((w) => w());
    },
    async wait(n: number) {
      while (got.length < n) await new Promise<void>((r) => waiters.push(r));
    },
  };
}

test('TransportLayer: UDP and TCP on one port, advertised host in sent-by', async (t) => {
  const layer = await TransportLayer.listen({ clock: new SystemClock(), host: '127.0.0.1', port: 0, advertisedHost: '203.0.113.5' });
  t.after(() => layer.close());
  assert.deepEqual(layer.names, ['UDP', 'TCP']);
  assert.equal(layer.transport('UDP')!.local.port, layer.transport('TCP')!.local.port);
  assert.equal(layer.sentBy('TCP').host, '203.0.113.5');
});

test('UDP: received is added when the Via host is not the source address; an oversize datagram is dropped', async (t) => {
  const server = await UdpTransport.listen({ host: '127.0.0.1', port: 0, maxMessageBytes: 2000 });
  const box = inbox();
  server.onMessage(box.handler);
  const client = createSocket('udp4');
  t.after(async () => {
    client.close();
    await server.close();
  });
  const port = server.local.port;
  const send = (data: Buffer) => new Promise<void>((r) => client.send(data, port, '127.0.0.1', () => r()));
  await send(Buffer.alloc(3000, 'x'));
  const { serializeMessage } = await import('../../../../src/telephony/sip/message/serialize.ts');
  await send(serializeMessage(options(5999, 'z9hG4bKu1', 'UDP', 'client.invalid')));
  await box.wait(1);
  assert.equal(box.got.length, 1);
  assert.match(header(box.got[0].msg, 'via')!, /;received=127\.0\.0\.1$/);
  assert.equal(server.stats.malformed, 1);
  // §18.2.2: the response goes to received, at the Via port (no rport asked).
  assert.deepEqual(responseTarget(box.got[0].msg as SipRequest, box.got[0].source), { host: '127.0.0.1', port: 5999, transport: 'UDP' });
});

test('TCP: one connection per peer, reused both ways; the response goes back over the connection it came on', async (t) => {
  const clock = new SystemClock();
  const a = await TcpTransport.listen({ host: '127.0.0.1', port: 0, clock });
  const b = await TcpTransport.listen({ host: '127.0.0.1', port: 0, clock });
  t.after(() => Promise.all([a.close(), b.close()]));
  const atB = inbox();
  const atA = inbox();
  b.onMessage(atB.handler);
  a.onMessage(atA.handler);
  const target = { host: '127.0.0.1', port: b.local.port, transport: 'TCP' as const };
  await a.send(options(a.local.port, 'z9hG4bKt1', 'TCP'), target);
  await a.send(options(a.local.port, 'z9hG4bKt2', 'TCP'), target);
  await atB.wait(2);
  assert.equal(a.connectionCount, 1);
  assert.equal(b.connectionCount, 1);
  const { msg, source } = atB.got[0];
  assert.ok(source.connection?.open);
  await b.send(buildResponse(msg as SipRequest, 200), responseTarget(msg as SipRequest, source));
  await atA.wait(1);
  assert.equal((atA.got[0].msg as { status: number }).status, 200);
  assert.equal(b.connectionCount, 1, 'no new connection for the response');
});

test('TCP: an idle connection is closed after the idle timeout', async (t) => {
  const clock = new SystemClock();
  const a = await TcpTransport.listen({ host: '127.0.0.1', port: 0, clock, idleTimeoutMs: 100 });
  const b = await TcpTransport.listen({ host: '127.0.0.1', port: 0, clock });
  t.after(() => Promise.all([a.close(), b.close()]));
  await a.send(options(a.local.port, 'z9hG4bKi1', 'TCP'), { host: '127.0.0.1', port: b.local.port, transport: 'TCP' });
  assert.equal(a.connectionCount, 1);
  await new Promise((r) => setTimeout(r, 250));
  assert.equal(a.connectionCount, 0);
});

test('TCP: a message past the size limit closes that connection only', async (t) => {
  const { connect } = await import('node:net');
  const clock = new SystemClock();
  const server = await TcpTransport.listen({ host: '127.0.0.1', port: 0, clock, maxMessageBytes: 1000 });
  const box = inbox();
  server.onMessage(box.handler);
  t.after(() => server.close());
  const open = () =>
    new Promise<import('node:net').Socket>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: server.local.port }, () => resolve(s));
    });
  const bad = await open();
  const good = await open();
  const closed = new Promise<void>((r) => bad.once('close', () => r()));
  bad.write(`OPTIONS sip:x@h SIP/2.0\r\nContent-Length: 5000\r\n\r\n${'x'.repeat(5000)}`);
  await closed;
  const { serializeMessage } = await import('../../../../src/telephony/sip/message/serialize.ts');
  good.write(serializeMessage(options(1, 'z9hG4bKok', 'TCP')));
  await box.wait(1);
  assert.equal(box.got.length, 1);
  good.destroy();
});
