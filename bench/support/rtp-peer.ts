// The far end of the RTP load benchmark, run as a child process so its CPU does not count against
// the process being measured: one UDP socket per stream on 127.0.0.1 (as each call's remote media
// port would be), every packet echoed back to its source (like SIPp -rtp_echo), and per stream what
// a receiver sees: sequence gaps (loss) and |arrival interval − 20 ms|.
// Driven over the IPC channel: {type:'open', count} → {type:'opened', ports}; {type:'stats'} →
// {type:'stats', …PeerStats}; {type:'close'} → {type:'closed'}.

import { createSocket, type Socket } from 'node:dgram';

const FRAME_MS = 20;
const BUCKET_MS = 0.1;
const BUCKETS = 2000; // 0–200 ms; the last bucket takes everything above

/** A mergeable distribution of |deviation| in 0.1 ms buckets. */
export class Histogram {
  readonly buckets = new Uint32Array(BUCKETS + 1);
  count = 0;
  max = 0;

  record(deviationMs: number): void {
    const abs = Math.abs(deviationMs);
    this.buckets[Math.min(BUCKETS, Math.floor(abs / BUCKET_MS))]!++;
    this.count++;
    if (abs > this.max) this.max = abs;
  }

  merge(other: Histogram): void {
    for (let i = 0; i <= BUCKETS; i++) this.buckets[i]! += other.buckets[i]!;
    this.count += other.count;
    if (other.max > this.max) this.max = other.max;
  }

  /** Upper edge of the bucket holding the q-quantile (0 when empty). */
  percentile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.buckets[i]!;
      if (seen >= rank) return (i + 1) * BUCKET_MS;
    }
    return this.max;
  }
}

export interface PeerStats {
  streams: number;
  received: number;
  /** Packets missing inside each stream's sequence range (RFC 3550 "expected − received", ≥ 0). */
  lost: number;
  /** Packets that arrived with a sequence number at or below one already seen. */
  outOfOrder: number;
  /** All streams' arrival intervals pooled. */
  arrival: { p50: number; p99: number; max: number; count: number };
  /** Each stream's own p99: median and worst. */
  streamP99: { median: number; worst: number };
  /** CPU of this process since `open`, in % of one core. */
  cpuPercent: number;
}

class Stream {
  readonly histogram = new Histogram();
  received = 0;
  outOfOrder = 0;
  #firstSeq = -1;
  #highest = -1; // extended (wrap-counted) highest sequence number
  #lastArrival = 0;

  onPacket(msg: Buffer, now: number): void {
    if (msg.length < 12) return;
    const seq = msg.readUInt16BE(2);
    this.received++;
    if (this.#firstSeq < 0) {
      this.#firstSeq = this.#highest = seq;
      this.#lastArrival = now;
      return;
    }
    const cycle = this.#highest & ~0xffff;
    let ext = cycle | seq;
    const delta = ext - this.#highest;
    if (delta < -0x8000) ext += 0x10000;
    else if (delta > 0x8000) ext -= 0x10000;
    if (ext > this.#highest) {
      this.histogram.record((now - this.#lastArrival) / (ext - this.#highest) - FRAME_MS);
      this.#highest = ext;
      this.#lastArrival = now;
    } else {
      this.outOfOrder++;
    }
  }

  get lost(): number {
    return this.#firstSeq < 0 ? 0 : Math.max(0, this.#highest - this.#firstSeq + 1 - this.received);
  }
}

let sockets: Socket[] = [];
let streams: Stream[] = [];
let cpuStart = process.cpuUsage();
let wallStart = performance.now();

function bind(stream: Stream): Promise<{ socket: Socket; port: number }> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.on('message', (msg, rinfo) => {
      stream.onPacket(msg, performance.now());
      socket.send(msg, rinfo.port, rinfo.address);
    });
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      socket.on('error', () => {}); // an ICMP "port unreachable" after the session closed
      resolve({ socket, port: socket.address().port });
    });
  });
}

async function open(count: number): Promise<number[]> {
  await close();
  streams = Array.from({ length: count }, () => new Stream());
  const bound = await Promise.all(streams.map(bind));
  sockets = bound.map((b) => b.socket);
  cpuStart = process.cpuUsage();
  wallStart = performance.now();
  return bound.map((b) => b.port);
}

async function close(): Promise<void> {
  await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  sockets = [];
}

function stats(): PeerStats {
  const pooled = new Histogram();
  const p99s: number[] = [];
  let received = 0;
  let lost = 0;
  let outOfOrder = 0;
  for (const s of streams) {
    pooled.merge(s.histogram);
    if (s.histogram.count > 0) p99s.push(s.histogram.percentile(0.99));
    received += s.received;
    lost += s.lost;
    outOfOrder += s.outOfOrder;
  }
  p99s.sort((a, b) => a - b);
  const cpu = process.cpuUsage(cpuStart);
  return {
    streams: streams.length,
    received,
    lost,
    outOfOrder,
    arrival: { p50: pooled.percentile(0.5), p99: pooled.percentile(0.99), max: pooled.max, count: pooled.count },
    streamP99: { median: p99s.length ? p99s[p99s.length >> 1]! : 0, worst: p99s.length ? p99s[p99s.length - 1]! : 0 },
    cpuPercent: ((cpu.user + cpu.system) / 1000 / (performance.now() - wallStart)) * 100,
  };
}

type Request = { type: 'open'; count: number } | { type: 'stats' } | { type: 'close' };

process.on('message', (req: Request) => {
  const reply = (msg: object) => process.send!(msg);
  if (req.type === 'open') void open(req.count).then((ports) => reply({ type: 'opened', ports }));
  else if (req.type === 'stats') reply({ type: 'stats', ...stats() });
  else if (req.type === 'close') void close().then(() => reply({ type: 'closed' }));
});
process.on('disconnect', () => process.exit(0));
