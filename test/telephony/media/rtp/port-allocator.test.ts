import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { PortAllocator } from '../../../../src/telephony/media/rtp/port-allocator.ts';
import { openSession, testPorts } from './session-fixture.ts';

const accept = async (port: number) => port;

test('even ports in turn, a released port is not reused at once, exhaustion is null', async () => {
  const ports = new PortAllocator({ min: 20001, max: 20006 });
  const got = [await ports.acquire(accept), await ports.acquire(accept)].map((r) => r!.port);
  assert.deepEqual(got, [20002, 20004]);
  ports.release(20002);
  assert.equal((await ports.acquire(accept))!.port, 20006);
  assert.equal((await ports.acquire(accept))!.port, 20002);
  assert.equal(await ports.acquire(accept), null);
  assert.equal(ports.inUse, 3);
});

test('a port taken by another socket is skipped; close releases the port', async () => {
  const ports = testPorts();
  const first = await openSession({ ports });
  const firstPort = first.localPort;
  await first.close();
  assert.equal(ports.inUse, 0);
  // Occupy the next port the allocator will offer, outside of it.
  const squatter = createSocket('udp4');
  await new Promise<void>((resolve) => squatter.bind(firstPort + 2, '127.0.0.1', resolve));
  try {
    const session = await openSession({ ports });
    assert.equal(session.localPort, firstPort + 4);
    assert.equal(session.localPort % 2, 0);
    assert.equal(ports.inUse, 1);
  } finally {
    squatter.close();
  }
});

test('sessions opened concurrently on one allocator get distinct ports', async () => {
  const ports = testPorts();
  const sessions = await Promise.all(Array.from({ length: 6 }, () => openSession({ ports })));
  assert.equal(new Set(sessions.map((s) => s.localPort)).size, 6);
});
