// Concurrent real calls holding RTP: SIPp places N calls to a Ringflow server (its own process,
// SQLite, SIP and RTP on 127.0.0.1) whose scenario answers and speaks a 7-second prompt in a loop;
// SIPp echoes every RTP packet back (-rtp_echo, one C thread), so each call carries audio both ways
// for its whole life. The calls arrive over RAMP_SECONDS, all N are up for HOLD_SECONDS, then SIPp
// hangs them up. The figures come from the server's own /metrics (counted as each call ends, the
// same an operator sees): per-call send-interval jitter p99, packets, loss, skipped frames, the
// main event loop's delay; CPU (every thread) and resident memory of the server process while all N
// calls are up; the kernel's UDP receive-buffer drops during the level, whichever socket they hit.
// (RSS includes garbage not yet collected; rtp-load.ts and memory-gather.ts collect before they
// look, for heap per call.) SIPp's one echo socket needs a bigger buffer: see support/echo-buffer.ts.
// This is the whole server at work (SIP, runs, database, media); bench/rtp-load.ts measures the
// media layer alone, with a peer that also reports arrival jitter.
// Beside each level, the yardstick: bare Node UDP at the same packet rates against the same kind
// of echo (support/udp-floor.ts), no RTP logic — what the runtime and the kernel cost by themselves.
// Goal (the issue): ≥ 500 concurrent calls on 2 cores, send jitter p99 ≤ 5 ms, no lost packets.
// WORKERS=0,2 runs the levels once per media-thread setting (telephony.sip.rtp.workers; 'default'
// is the server's own, one per core), alternating within each round so both see the same machine.
// Run: scripts/node bench/held-calls.ts   (LEVELS=100,250,500,750 HOLD_SECONDS=30 RAMP_SECONDS=10 ROUNDS=1 WORKERS=default)

import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { runSipp, startSippUas } from '../test/helpers/sipp.ts';
import { raiseDefaultReceiveBuffer, udpReceiveBufferErrors } from './support/echo-buffer.ts';
import { machine, median, processCpuSeconds, processRssBytes } from './support/machine.ts';
import { metricValue, startBenchServer, type BenchServer } from './support/ringflow-server.ts';

const LEVELS = (process.env.LEVELS ?? '100,250,500,750').split(',').map(Number);
const HOLD_SECONDS = Number(process.env.HOLD_SECONDS ?? 30);
const RAMP_SECONDS = Number(process.env.RAMP_SECONDS ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 1);
const WORKERS = (process.env.WORKERS ?? 'default').split(',').map((w) => (w === 'default' ? undefined : Number(w)));
const GOAL = { calls: 500, p99Ms: 5 };
const NUMBER = '+15550100400';
const JITTER = 'ringflow_rtp_send_jitter_p99_ms';
const EDGES = [0.5, 1, 2, 5, 10, 20, 50, 100];

if (spawnSync('sipp', ['-v']).error) throw new Error('sipp is needed: apt-get install sip-tester');

const SCENARIO = `description: Held calls benchmark
defaults: { language: en-US }
branches:
  inbound-call:
    - action: answer@v1
    - action: say@v2
      params:
        what: "Thank you for calling. All our agents are busy. Please stay on the line, your call is important to us."
        loop: 100
`;

interface Snapshot {
  calls: number;
  sent: number;
  received: number;
  lost: number;
  skipped: number;
  /** Cumulative count of calls at or under each edge of the jitter histogram. */
  buckets: number[];
}

function snapshot(text: string): Snapshot {
  return {
    calls: metricValue(text, 'ringflow_rtp_calls_total'),
    sent: metricValue(text, 'ringflow_rtp_packets_total{direction="sent"}'),
    received: metricValue(text, 'ringflow_rtp_packets_total{direction="received"}'),
    lost: metricValue(text, 'ringflow_rtp_lost_packets_total'),
    skipped: metricValue(text, 'ringflow_rtp_skipped_frames_total'),
    buckets: EDGES.map((e) => metricValue(text, `${JITTER}_bucket{le="${e}"}`)),
  };
}

/** The bucket edge under which the q-quantile of the calls' p99s falls (Infinity above the last). */
function quantileEdge(buckets: number[], calls: number, q: number): number {
  const rank = Math.ceil(q * calls);
  const i = buckets.findIndex((n) => n >= rank);
  return i === -1 ? Infinity : EDGES[i]!;
}

interface LevelResult {
  calls: number;
  completed: number;
  failed: number;
  peakActive: number;
  /** Calls whose send p99 was ≤ 5 ms, in %. */
  within5: number;
  p99Median: number;
  p99Worst: number;
  sentPerCall: number;
  lost: number;
  /** Packets sent but not echoed back (SIPp's echo drops, or still in flight at the hang-up). */
  unreturned: number;
  /** Datagrams the kernel dropped on this machine during the level, any socket (full receive buffer). */
  kernelDrops: number;
  skipped: number;
  cpuPercent: number;
  sippCpuPercent: number;
  /** Resident memory of the server while every call is up, per 100 calls above its idle size (MB). */
  rssMbPer100: number;
  /** Worst event-loop delay p99 of the server over the plateau's scrapes (ms). */
  loopP99Ms: number;
  /** Bare Node UDP at the same rates, in % of one core. */
  floorCpuPercent: number;
}

/** Bare Node UDP for `calls` streams against a SIPp echo, in % of one core (support/udp-floor.ts). */
async function udpFloor(calls: number): Promise<number> {
  const echo = await startSippUas({ scenario: 'uas-answer', transport: 'udp', calls: 1, rtpEcho: true, timeoutMs: (HOLD_SECONDS + 30) * 1000 });
  try {
    const script = new URL('./support/udp-floor.ts', import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(process.execPath, [script, String(calls), String(echo.mediaPort), String(HOLD_SECONDS)]);
    return (JSON.parse(stdout) as { cpuPercent: number }).cpuPercent;
  } finally {
    await echo.stop();
  }
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

async function runLevel(server: BenchServer, calls: number, idleRss: number): Promise<LevelResult> {
  const before = snapshot(await server.metrics());
  const drops0 = udpReceiveBufferErrors();
  const holdMs = (RAMP_SECONDS + HOLD_SECONDS) * 1000;
  const sipp = runSipp({
    scenario: 'uac-short',
    target: `127.0.0.1:${server.sipPort}`,
    transport: 'udp',
    service: NUMBER,
    calls,
    rate: calls / RAMP_SECONDS,
    rateLimit: calls,
    holdMs,
    rtpEcho: true,
    timeoutMs: holdMs + RAMP_SECONDS * 1000 + 60_000,
  });
  // The plateau: every call up, from the end of the ramp (plus a second) to a second before the first hang-up.
  await sleep((RAMP_SECONDS + 1) * 1000);
  // The newest sipp process is this level's caller (runSipp does not hand out its child).
  const sippPid = Number(spawnSync('pgrep', ['-n', '-x', 'sipp'], { encoding: 'utf8' }).stdout.trim());
  const cpu0 = server.cpuSeconds();
  const sippCpu0 = sippPid ? processCpuSeconds(sippPid) : NaN;
  const t0 = performance.now();
  let peakActive = 0;
  let loopP99 = 0;
  await server.metrics(); // the event-loop delay counts from here: the plateau only
  const plateauEnd = t0 + (HOLD_SECONDS - 2) * 1000;
  while (performance.now() < plateauEnd) {
    await sleep(Math.min(2000, Math.max(0, plateauEnd - performance.now())));
    const text = await server.metrics();
    peakActive = Math.max(peakActive, metricValue(text, 'ringflow_sip_calls_active'));
    loopP99 = Math.max(loopP99, metricValue(text, 'ringflow_event_loop_delay_seconds{quantile="0.99"}') * 1000);
  }
  const rss = processRssBytes(server.child.pid!);
  const wall = (performance.now() - t0) / 1000;
  const cpu = server.cpuSeconds() - cpu0;
  const sippCpu = sippPid ? processCpuSeconds(sippPid) - sippCpu0 : NaN;
  const r = await sipp;
  // Every call has ended and been counted once the metrics stop moving.
  let after = snapshot(await server.metrics());
  for (let i = 0; i < 50 && after.calls - before.calls < r.successful; i++) {
    await sleep(200);
    after = snapshot(await server.metrics());
  }
  const n = after.calls - before.calls;
  const buckets = after.buckets.map((b, i) => b - before.buckets[i]!);
  const sent = after.sent - before.sent;
  return {
    calls,
    completed: r.successful,
    failed: r.failed,
    peakActive,
    within5: n ? (buckets[EDGES.indexOf(5)]! / n) * 100 : 0,
    p99Median: quantileEdge(buckets, n, 0.5),
    p99Worst: quantileEdge(buckets, n, 1),
    sentPerCall: n ? sent / n : 0,
    lost: after.lost - before.lost,
    unreturned: sent - (after.received - before.received),
    kernelDrops: udpReceiveBufferErrors() - drops0,
    skipped: after.skipped - before.skipped,
    cpuPercent: (cpu / wall) * 100,
    sippCpuPercent: (sippCpu / wall) * 100,
    rssMbPer100: ((rss - idleRss) / 1e6 / calls) * 100,
    loopP99Ms: loopP99,
    floorCpuPercent: await udpFloor(calls),
  };
}

const HEADER = 'workers  calls  done  failed  up-at-once  p99≤5ms  p99(median/worst call)  sent/call  lost  unreturned  kernel-drops  skipped  server-cpu%  cpu%/100  rss-MB/100  loop-p99-ms  sipp-cpu%  bare-udp-cpu%';

function row(workers: number | undefined, r: LevelResult, label = ''): string {
  const f = (n: number, w: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '>100').padStart(w);
  const edge = (n: number) => (Number.isFinite(n) ? `≤${n}` : '>100');
  return (
    `${String(workers ?? 'default').padStart(7)}  ${String(r.calls).padStart(5)}  ${String(r.completed).padStart(4)}  ${String(r.failed).padStart(6)}  ${String(r.peakActive).padStart(10)}  ` +
    `${f(r.within5, 6)}%  ${`${edge(r.p99Median)} / ${edge(r.p99Worst)} ms`.padStart(22)}  ${f(r.sentPerCall, 9, 0)}  ${String(r.lost).padStart(4)}  ` +
    `${String(r.unreturned).padStart(10)}  ${String(r.kernelDrops).padStart(12)}  ${String(r.skipped).padStart(7)}  ${f(r.cpuPercent, 11)}  ${f((r.cpuPercent / r.calls) * 100, 8)}  ${f(r.rssMbPer100, 10)}  ` +
    `${f(r.loopP99Ms, 11)}  ${f(r.sippCpuPercent, 9)}  ${f(r.floorCpuPercent, 13)}${label}`
  );
}

console.log(machine());
console.log(
  `held calls: ${LEVELS.join(', ')} SIPp calls to a Ringflow server, a 7 s prompt in a loop, RTP echoed by SIPp; ` +
    `ramp ${RAMP_SECONDS} s, all up for ${HOLD_SECONDS} s; ${ROUNDS} round(s)`,
);
console.log('p99 = each call\'s 99th percentile of |send interval − 20 ms| (server metrics, histogram edges); cpu and loop delay while all calls are up; bare-udp = Node sockets alone at the same packet rates');
const ECHO_BUFFER = 4 * 1024 * 1024;
const raised = raiseDefaultReceiveBuffer(ECHO_BUFFER);
console.log(raised
  ? `net.core.rmem_default ${raised.before} → ${ECHO_BUFFER} bytes for this run (SIPp's single echo socket; see support/echo-buffer.ts), restored after`
  : `net.core.rmem_default left as it is (not root): SIPp's echo socket may drop packets at high levels; kernel-drops counts them`);
process.on('exit', () => raised?.restore());
console.log(HEADER);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
const results = new Map<string, LevelResult[]>();
const keyOf = (workers: number | undefined, calls: number) => `${workers ?? 'default'}/${calls}`;
for (let round = 1; round <= ROUNDS; round++) {
  for (const workers of WORKERS) {
    const server = await startBenchServer({ scenario: SCENARIO, number: NUMBER, rtpPorts: { min: 20000, max: 40000 }, ...(workers !== undefined && { rtpWorkers: workers }) });
    try {
      // A few calls synthesize the prompt (then served from the TTS cache) and warm the JIT.
      await runSipp({ scenario: 'uac-short', target: `127.0.0.1:${server.sipPort}`, transport: 'udp', service: NUMBER, calls: 20, rate: 10, holdMs: 2000, rtpEcho: true, timeoutMs: 30_000 });
      // What the server holds with no call up (after the warm-up): the base each level's memory is counted from.
      await sleep(2000);
      const idleRss = processRssBytes(server.child.pid!);
      for (const calls of LEVELS) {
        const r = await runLevel(server, calls, idleRss);
        const key = keyOf(workers, calls);
        results.set(key, [...(results.get(key) ?? []), r]);
        console.log(row(workers, r, ROUNDS > 1 ? `  (round ${round})` : ''));
        await sleep(2000);
      }
    } finally {
      await server.stop();
    }
  }
}

function medianResult(rs: LevelResult[]): LevelResult {
  const out = { calls: rs[0]!.calls } as LevelResult;
  for (const k of Object.keys(rs[0]!) as (keyof LevelResult)[]) if (k !== 'calls') out[k] = median(rs.map((r) => r[k]));
  return out;
}
const passes = (r: LevelResult) => r.failed === 0 && r.completed === r.calls && r.p99Worst <= GOAL.p99Ms && r.lost === 0 && r.skipped === 0;
if (ROUNDS > 1) {
  console.log(`median of ${ROUNDS} rounds:`);
  console.log(HEADER);
}
for (const workers of WORKERS) {
  const medians = LEVELS.map((n) => medianResult(results.get(keyOf(workers, n))!));
  if (ROUNDS > 1) for (const r of medians) console.log(row(workers, r));
  // The highest level that passes with every lower level passing too: a lucky round at 750 does not
  // make up for a failure at 500.
  let best = 0;
  for (const r of [...medians].sort((a, b) => a.calls - b.calls)) {
    if (!passes(r)) break;
    best = r.calls;
  }
  console.log(
    `verdict (workers ${workers ?? 'default'}): ${best >= GOAL.calls ? 'MET' : 'NOT MET'} — goal ≥ ${GOAL.calls} calls with every call's send p99 ≤ ${GOAL.p99Ms} ms, ` +
      `no loss, no skipped frames; highest level meeting it: ${best || 'none'}`,
  );
}
