// Concurrent calls holding RTP: N RtpSessions in this process (SystemClock, PCMU, 127.0.0.1), all
// paced by one shared FrameTicker, one per engine as in the server (TICKER=0: a timer per session), each
// playing a spoken prompt in a loop, sending to an echo peer in a child process
// (support/rtp-peer.ts) that returns every packet. For each level of concurrency: the pacer's
// send-interval jitter (`stats().jitter` of every session), the arrival-interval jitter the peer
// sees, packets lost both ways, skipped frames, CPU, RSS and heap. Goal (the issue): ≥ 500 calls on
// 2 cores with send jitter p99 ≤ 5 ms and no loss.
// Each level starts fresh sessions, their starts spread over RAMP_SECONDS (calls arrive at random
// moments, so their 20 ms clocks have random phases), then holds for HOLD_SECONDS. The session
// figures cover the session's whole life (ramp + hold); CPU and loop delay cover the hold only.
// Run: scripts/node bench/rtp-load.ts   (LEVELS=100,250,500,750 HOLD_SECONDS=15 RAMP_SECONDS=2
//      ROUNDS=1 INBAND_DTMF=0 TICKER=1 PORTS=20000-40000)

import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FRAME_SAMPLES, type AudioSource } from '../src/telephony/media/audio-frame.ts';
import { FrameTicker } from '../src/telephony/media/rtp/frame-ticker.ts';
import { PortAllocator } from '../src/telephony/media/rtp/port-allocator.ts';
import { RtpSession } from '../src/telephony/media/rtp/rtp-session.ts';
import { SystemClock } from '../src/time/clock.ts';
import { machine, median } from './support/machine.ts';
import type { PeerStats } from './support/rtp-peer.ts';

const LEVELS = (process.env.LEVELS ?? '100,250,500,750').split(',').map(Number);
const HOLD_SECONDS = Number(process.env.HOLD_SECONDS ?? 15);
const RAMP_SECONDS = Number(process.env.RAMP_SECONDS ?? 2);
const ROUNDS = Number(process.env.ROUNDS ?? 1);
const INBAND_DTMF = process.env.INBAND_DTMF === '1';
const TICKER = process.env.TICKER !== '0';
const [PORT_MIN, PORT_MAX] = (process.env.PORTS ?? '20000-40000').split('-').map(Number) as [number, number];
const GOAL = { calls: 500, p99Ms: 5 };
const SETTLE_MS = 1000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

// --- the prompt ---

/** A few seconds of speech at 8 kHz: flite + sox when present, else a synthetic voiced signal. */
function loadPrompt(): { pcm: Int16Array; from: string } {
  const text = 'Thank you for calling. All our agents are busy. Please stay on the line, your call is important to us.';
  const dir = mkdtempSync(join(tmpdir(), 'rtp-load-'));
  try {
    const wav = join(dir, 'p.wav');
    const raw = join(dir, 'p.raw');
    const flite = spawnSync('flite', ['-t', text, '-o', wav]);
    const sox = flite.status === 0 ? spawnSync('sox', [wav, '-t', 'raw', '-r', '8000', '-e', 'signed', '-b', '16', '-c', '1', raw]) : null;
    if (sox?.status === 0) {
      const bytes = readFileSync(raw);
      const samples = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1);
      return { pcm: padToFrames(samples), from: 'flite' };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { pcm: padToFrames(syntheticSpeech(5)), from: 'synthetic' };
}

/** Harmonics of a gliding 120–180 Hz pitch under a ~4 Hz syllable envelope, with pauses. */
function syntheticSpeech(seconds: number): Int16Array {
  const out = new Int16Array(seconds * 8000);
  let phase = 0;
  for (let i = 0; i < out.length; i++) {
    const t = i / 8000;
    const f0 = 150 + 30 * Math.sin(2 * Math.PI * 0.7 * t);
    phase += (2 * Math.PI * f0) / 8000;
    const envelope = Math.max(0, Math.sin(2 * Math.PI * 4 * t)) * (Math.sin(2 * Math.PI * 0.3 * t) > -0.6 ? 1 : 0);
    let v = 0;
    for (let h = 1; h <= 8; h++) v += Math.sin(h * phase) / h;
    out[i] = Math.round(6000 * envelope * v);
  }
  return out;
}

function padToFrames(pcm: Int16Array): Int16Array {
  const out = new Int16Array(Math.ceil(pcm.length / FRAME_SAMPLES) * FRAME_SAMPLES);
  out.set(pcm);
  return out;
}

/** The prompt in a loop from a random place, one 160-sample frame per read. */
function loopingSource(pcm: Int16Array): AudioSource {
  const frames = pcm.length / FRAME_SAMPLES;
  let frame = Math.floor(Math.random() * frames);
  return {
    read() {
      const at = frame * FRAME_SAMPLES;
      frame = (frame + 1) % frames;
      return pcm.subarray(at, at + FRAME_SAMPLES);
    },
  };
}

// --- the peer ---

function startPeer(): { child: ChildProcess; ask: <T>(msg: object, reply: string) => Promise<T> } {
  const child = fork(new URL('./support/rtp-peer.ts', import.meta.url), { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<string, (msg: unknown) => void>();
  child.on('message', (msg: { type: string }) => {
    const resolve = waiting.get(msg.type);
    waiting.delete(msg.type);
    resolve?.(msg);
  });
  child.on('exit', (code) => {
    if (waiting.size) throw new Error(`RTP peer exited (${code}) while asked`);
  });
  const ask = <T>(msg: object, reply: string) =>
    new Promise<T>((resolve) => {
      waiting.set(reply, resolve as (msg: unknown) => void);
      child.send(msg);
    });
  return { child, ask };
}

/**
 * Lag of a 10 ms timer chain on a fixed schedule, p99 in ms: how far the event loop's timers run behind
 * (by work or by the OS). A backlog is not forgiven, so a loop that stays behind shows a growing lag.
 */
function lateness(clock: SystemClock): { stop(): number } {
  const late: number[] = [];
  let due = clock.now() + 10;
  let timer = clock.setTimer(10, function fire() {
    late.push(clock.now() - due);
    due += 10;
    timer = clock.setTimer(due - clock.now(), fire);
  });
  return {
    stop() {
      timer.cancel();
      late.sort((a, b) => a - b);
      return late.length ? Math.max(0, late[Math.ceil(0.99 * late.length) - 1]!) : 0;
    },
  };
}

/** Busy and total jiffies of the whole machine (Linux /proc/stat), to show what else ran. */
function machineTicks(): { busy: number; total: number } {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = cpu.reduce((a, b) => a + b, 0);
    return { busy: total - cpu[3]! - (cpu[4] ?? 0), total };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

// --- one level ---

interface LevelResult {
  calls: number;
  sendP50: number;
  sendP99Median: number;
  sendP99Worst: number;
  sendMax: number;
  arrivalP99: number;
  arrivalP99Worst: number;
  lostForward: number;
  lostBack: number;
  skipped: number;
  errors: number;
  cpuPercent: number;
  peerCpuPercent: number;
  /** Everything else on the machine (kernel included) during the hold, in % of one core. */
  otherCpuPercent: number;
  rssMbPer100: number;
  heapMbPer100: number;
  loopP99: number;
}

const mb = (bytes: number) => bytes / 2 ** 20;

async function runLevel(calls: number, prompt: Int16Array, peer: ReturnType<typeof startPeer>): Promise<LevelResult> {
  const { ports: peerPorts } = await peer.ask<{ ports: number[] }>({ type: 'open', count: calls }, 'opened');
  gc();
  gc();
  const before = process.memoryUsage();
  const clock = new SystemClock();
  const ticker = TICKER ? new FrameTicker(clock) : undefined;
  const ports = new PortAllocator({ min: PORT_MIN, max: PORT_MAX });
  const errors: unknown[] = [];
  const sessions = peerPorts.map(
    (port) =>
      new RtpSession({
        localAddress: '127.0.0.1',
        ports,
        clock,
        ...(ticker && { ticker }),
        codec: 'PCMU',
        telephoneEventPayloadType: INBAND_DTMF ? null : 101,
        remote: { address: '127.0.0.1', port },
        onError: (err) => errors.push(err),
      }),
  );
  // Starts at random moments over the ramp, as calls would arrive.
  await Promise.all(
    sessions.map(async (session) => {
      await clock.sleep(Math.random() * RAMP_SECONDS * 1000);
      session.setSource(loopingSource(prompt));
      await session.start();
    }),
  );

  const loop = lateness(clock);
  const cpuStart = process.cpuUsage();
  const ticksStart = machineTicks();
  const wallStart = performance.now();
  await clock.sleep(HOLD_SECONDS * 1000);
  const cpu = process.cpuUsage(cpuStart);
  const wall = performance.now() - wallStart;
  const ticksEnd = machineTicks();
  const machineBusyPercent = ((ticksEnd.busy - ticksStart.busy) / (ticksEnd.total - ticksStart.total)) * cpus().length * 100;
  const loopP99 = loop.stop();
  const stats = sessions.map((s) => s.stats());
  gc();
  const after = process.memoryUsage();

  await Promise.all(sessions.map((s) => s.close()));
  await clock.sleep(200); // the last echoes land
  const p = await peer.ask<PeerStats>({ type: 'stats' }, 'stats');
  await peer.ask({ type: 'close' }, 'closed');

  const p99s = stats.map((s) => s.jitter.p99);
  const cpuPercent = ((cpu.user + cpu.system) / 1000 / wall) * 100;
  if (errors.length) console.log(`  ${errors.length} session errors, first: ${String(errors[0])}`);
  return {
    calls,
    sendP50: median(stats.map((s) => s.jitter.p50)),
    sendP99Median: median(p99s),
    sendP99Worst: Math.max(...p99s),
    sendMax: Math.max(...stats.map((s) => s.jitter.max)),
    arrivalP99: p.arrival.p99,
    arrivalP99Worst: p.streamP99.worst,
    lostForward: p.lost,
    lostBack: stats.reduce((n, s) => n + s.lost, 0),
    skipped: stats.reduce((n, s) => n + s.skippedFrames, 0),
    errors: errors.length,
    cpuPercent,
    peerCpuPercent: p.cpuPercent,
    otherCpuPercent: machineBusyPercent - cpuPercent - p.cpuPercent,
    rssMbPer100: (mb(after.rss - before.rss) / calls) * 100,
    heapMbPer100: (mb(after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / calls) * 100,
    loopP99,
  };
}

// --- report ---

const HEADER =
  ' calls  send-p50  send-p99(med/worst)  send-max  rx-arrival-p99(all/worst)  lost(fwd/back)  skipped  cpu%   cpu%/100  rss-MB/100  heap-MB/100  late-p99  peer-cpu%  other-cpu%';

function row(r: LevelResult, label = ''): string {
  const f = (n: number, w: number, d = 1) => n.toFixed(d).padStart(w);
  return (
    `${String(r.calls).padStart(6)}  ${f(r.sendP50, 8, 2)}  ${f(r.sendP99Median, 9, 2)} / ${f(r.sendP99Worst, 6, 2)}  ${f(r.sendMax, 8)}  ` +
    `${f(r.arrivalP99, 14, 2)} / ${f(r.arrivalP99Worst, 6, 2)}   ${String(r.lostForward).padStart(6)} / ${String(r.lostBack).padEnd(5)}  ` +
    `${String(r.skipped).padStart(7)}  ${f(r.cpuPercent, 5)}  ${f((r.cpuPercent / r.calls) * 100, 8)}  ${f(r.rssMbPer100, 10, 2)}  ` +
    `${f(r.heapMbPer100, 11, 2)}  ${f(r.loopP99, 8)}  ${f(r.peerCpuPercent, 9)}  ${f(r.otherCpuPercent, 10)}${label}`
  );
}

function medianResult(rs: LevelResult[]): LevelResult {
  const m = (k: keyof LevelResult) => median(rs.map((r) => r[k]));
  const out = { calls: rs[0]!.calls } as LevelResult;
  for (const k of Object.keys(rs[0]!) as (keyof LevelResult)[]) if (k !== 'calls') out[k] = m(k);
  return out;
}

const prompt = loadPrompt();
const totalSeconds = ROUNDS * LEVELS.reduce((s) => s + RAMP_SECONDS + HOLD_SECONDS + 2, 0);
console.log(machine());
console.log(
  `RTP load: ${LEVELS.join(', ')} concurrent PCMU sessions on 127.0.0.1 ↔ echo peer (child process), ` +
    `${(prompt.pcm.length / 8000).toFixed(1)} s ${prompt.from} prompt in a loop, ramp ${RAMP_SECONDS} s + hold ${HOLD_SECONDS} s per level, ` +
    `${ROUNDS} round(s), in-band DTMF detection ${INBAND_DTMF ? 'on' : 'off'}, ${TICKER ? 'one shared frame ticker' : 'a timer per session'}; about ${Math.ceil(totalSeconds)} s in all`,
);
console.log('jitter = |interval − 20 ms| in ms; send-* from each session\'s stats().jitter (median and worst session p99), rx-* seen by the peer; late-p99 = lag of a 10 ms timer chain kept on a fixed schedule (grows while timers run behind); other-cpu% = the rest of the machine (other processes, kernel) during the hold; heap = V8 heap + ArrayBuffers');
console.log(HEADER);

const peer = startPeer();
const results = new Map<number, LevelResult[]>(LEVELS.map((n) => [n, []]));
for (let round = 1; round <= ROUNDS; round++) {
  for (const calls of LEVELS) {
    const r = await runLevel(calls, prompt.pcm, peer);
    results.get(calls)!.push(r);
    console.log(row(r, ROUNDS > 1 ? `  (round ${round})` : ''));
    await new Promise((ok) => setTimeout(ok, SETTLE_MS));
  }
}
peer.child.disconnect();

const medians = LEVELS.map((n) => medianResult(results.get(n)!));
if (ROUNDS > 1) {
  console.log(`median of ${ROUNDS} rounds:`);
  console.log(HEADER);
  for (const r of medians) console.log(row(r));
}
const atGoal = medians.filter((r) => r.calls >= GOAL.calls);
const passing = medians.filter((r) => r.sendP99Worst <= GOAL.p99Ms && r.lostForward + r.lostBack === 0 && r.skipped === 0);
const best = passing.reduce((n, r) => Math.max(n, r.calls), 0);
const met = atGoal.length > 0 && atGoal.some((r) => passing.includes(r));
console.log(
  `verdict: ${met ? 'MET' : 'NOT MET'} — goal ≥ ${GOAL.calls} calls with every session's send p99 ≤ ${GOAL.p99Ms} ms, no loss, no skipped frames; ` +
    `highest level meeting it: ${best || 'none'}`,
);
process.exit(met ? 0 : 1);
