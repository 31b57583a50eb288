// What UDP costs Node itself on this machine, as the yardstick for RTP figures: N sockets on
// 127.0.0.1, each sending a 172-byte packet (an RTP header and 20 ms of G.711) every 20 ms to one
// echo peer (SIPp -rtp_echo) and receiving the echoes, with no RTP logic at all. Prints one JSON
// line: packets sent and received per second, and this process's CPU in % of one core.
// Run by bench/held-calls.ts: node bench/support/udp-floor.ts N PEER_PORT SECONDS

import { createSocket, type Socket } from 'node:dgram';

const [n, peerPort, seconds] = process.argv.slice(2).map(Number) as [number, number, number];
const FRAME_MS = 20;
const PACKET = Buffer.alloc(172, 0xff);

const sockets = await Promise.all(
  Array.from({ length: n }, () => new Promise<Socket>((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => resolve(s));
  })),
);
let received = 0;
for (const s of sockets) s.on('message', () => received++);

// Each socket has its own phase in the 20 ms frame; a 1 ms timer sends every packet due since the
// last run, so the rate is exact whatever the timer's lateness.
let sent = 0;
const start = performance.now();
const cpuStart = process.cpuUsage();
let nextSlot = 0; // slots of 20 ms / n
const slotMs = FRAME_MS / n;
const timer = setInterval(() => {
  const due = Math.floor((performance.now() - start) / slotMs);
  for (; nextSlot <= due; nextSlot++) {
    const packet = Buffer.allocUnsafe(PACKET.length);
    PACKET.copy(packet);
    sockets[nextSlot % n]!.send(packet, peerPort, '127.0.0.1');
    sent++;
  }
}, 1);

setTimeout(() => {
  clearInterval(timer);
  const wall = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  console.log(JSON.stringify({ sentPerSecond: sent / wall, receivedPerSecond: received / wall, cpuPercent: ((cpu.user + cpu.system) / 1e6 / wall) * 100 }));
  for (const s of sockets) s.close();
}, seconds * 1000);
