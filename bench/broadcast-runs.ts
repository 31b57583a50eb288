// Runs per second of the broadcast example (examples/broadcast-reminder.yaml: dial, say, gather one
// key, say, hang up, POST the result to a loopback server) on the simulated network, side by side
// with a hand-written TypeScript function doing the same steps and the same HTTP request.
// Goal: the engine at least 50% of the hand-written rate.  Run: scripts/node bench/broadcast-runs.ts

import { readFileSync } from 'node:fs';
import { createEngine } from '../src/runtime/engine.ts';
import { createHttpClient } from '../src/http/client.ts';
import { parseAllowList } from '../src/http/guard.ts';
import type { HttpClient } from '../src/http/exchange.ts';
import { SimNetwork } from '../src/telephony/sim/index.ts';
import type { Call, Network } from '../src/telephony/port.ts';
import { VirtualClock } from '../src/time/virtual-clock.ts';
import type { Clock } from '../src/time/clock.ts';
import { machine, median } from './support/machine.ts';
import { startSink } from './support/sink.ts';

const RUNS = Number(process.env.RUNS ?? 2000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 50);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

const sink = await startSink();
const resultUrl = `${sink.url}/reminders`;

function setup() {
  const clock = new VirtualClock();
  // Every patient presses 1 after the question, as in the example's happy path.
  const network = new SimNetwork({ clock, keepTranscript: false, defaultParty: { presses: [{ digits: '1' }] } });
  const http = createHttpClient({ clock, allow: parseAllowList('127.0.0.1') });
  return { clock, network, http };
}

/** The broadcast example written by hand against the same network, clock and HTTP client. */
async function handWritten(network: Network, clock: Clock, http: HttpClient): Promise<void> {
  const signal = new AbortController().signal;
  const target = '+15550002222';
  let answer = 'none';
  const placed = await network.originate({ from: 'anonymous', to: target, timeoutMs: 30_000 }, signal);
  let status: string = placed.outcome;
  let seconds = 0;
  if (placed.outcome === 'Answered') {
    const call = placed.call;
    for (let tries = 3; tries > 0 && answer === 'none'; tries--) {
      await call.play({ type: 'say', text: 'Hello, this is your clinic. You have an appointment tomorrow at 5 PM.', language: 'en-GB' }, {}, signal);
      const key = await askOneKey(call, clock, signal);
      if (key === '1') answer = 'confirmed';
      else if (key === '2') answer = 'canceled';
      const reply = answer === 'confirmed' ? 'Thank you, your appointment is confirmed.' : answer === 'canceled' ? 'Your appointment is canceled. Goodbye.' : 'Sorry, I did not understand.';
      await call.play({ type: 'say', text: reply, language: 'en-GB' }, {}, signal);
    }
    await call.hangup('normal', 'scenario');
    seconds = call.cdr().durationAnswered;
    status = 'Answered';
  }
  await http.send({
    url: `${resultUrl}?patient=1234`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ target, answer, callStatus: status, secondsAnswered: seconds }),
    timeoutMs: 10_000,
  }, signal);
}

/** gather@v2 with maxDigits 1: the prompt (barge-in), then up to 5 s for a key. */
function askOneKey(call: Call, clock: Clock, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let timer: { cancel(): void } | undefined;
    const done = (key: string | undefined) => {
      call.off('digit', onDigit);
      timer?.cancel();
      resolve(key);
    };
    const onDigit = (key: string) => done(key);
    call.on('digit', onDigit);
    call.play({ type: 'say', text: 'Press 1 to confirm, or 2 to cancel.', language: 'en-GB' }, { stopOnDigit: true }, signal).then(() => {
      call.announce({ type: 'listening', maxDigits: 1 });
      timer = clock.setTimer(5000, () => done(undefined));
    }, reject);
  });
}

async function pool(n: number, concurrency: number, task: () => Promise<void>): Promise<void> {
  let started = 0;
  const worker = async () => {
    while (started < n) {
      started++;
      await task();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

interface Measure {
  /** Runs per second of wall time. */
  rate: number;
  /** CPU time (user + system) of this process per run, in µs: steadier than wall time on a shared VM. */
  cpuPerRun: number;
}

async function measure(task: () => Promise<void>): Promise<Measure> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await pool(RUNS, CONCURRENCY, task);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { rate: RUNS / seconds, cpuPerRun: (used.user + used.system) / RUNS };
}

async function measureEngine(): Promise<Measure> {
  const { clock, network, http } = setup();
  const engine = await createEngine({ clock, network, http });
  const scenario = engine.parse(readFileSync(new URL('../examples/broadcast-reminder.yaml', import.meta.url), 'utf8')).scenario!;
  let failed = 0;
  const result = await measure(async () => {
    const run = await engine.startRun({ scenario, entry: { type: 'api' }, variables: { $resultUrl: resultUrl, $patientId: 1234 } }).done;
    if (run.status !== 'completed' || (run.variables.$report as { status?: number }).status !== 204) failed++;
  });
  await engine.close();
  if (failed) throw new Error(`${failed} engine runs did not complete`);
  return result;
}

async function measureHandWritten(): Promise<Measure> {
  const { clock, network, http } = setup();
  const result = await measure(() => handWritten(network, clock, http));
  await http.close?.();
  return result;
}

console.log(`broadcast runs per second — ${machine()}`);
console.log(`${RUNS} runs per round, ${CONCURRENCY} at a time, ${ROUNDS} rounds, engine and hand-written alternating`);
// Warm-up, two rounds each: the JIT, the QuickJS module, sockets. The engine has more code to
// optimise, so one round left it still warming up in the first measured rounds.
for (let i = 0; i < 2; i++) {
  await measureEngine();
  await measureHandWritten();
}
const rows: { engine: Measure; baseline: Measure }[] = [];
for (let i = 0; i < ROUNDS; i++) {
  // Alternate which side goes first, so a slow spell of the machine does not favour one side.
  const first = i % 2 === 0 ? await measureEngine() : await measureHandWritten();
  const second = i % 2 === 0 ? await measureHandWritten() : await measureEngine();
  const row = i % 2 === 0 ? { engine: first, baseline: second } : { engine: second, baseline: first };
  rows.push(row);
  console.log(`  round ${i + 1}: engine ${row.engine.rate.toFixed(0)} runs/s (${row.engine.cpuPerRun.toFixed(0)} µs CPU/run), hand-written ${row.baseline.rate.toFixed(0)} runs/s (${row.baseline.cpuPerRun.toFixed(0)} µs CPU/run), ratio ${((row.engine.rate / row.baseline.rate) * 100).toFixed(0)}%`);
}
const engineRate = median(rows.map((r) => r.engine.rate));
const baselineRate = median(rows.map((r) => r.baseline.rate));
const ratio = median(rows.map((r) => r.engine.rate / r.baseline.rate));
const cpuRatio = median(rows.map((r) => r.baseline.cpuPerRun / r.engine.cpuPerRun));
console.log(`median: engine ${engineRate.toFixed(0)} runs/s, hand-written ${baselineRate.toFixed(0)} runs/s`);
console.log(`median ratio of adjacent rounds: ${(ratio * 100).toFixed(0)}% by wall time, ${(cpuRatio * 100).toFixed(0)}% by CPU time (goal ≥ 50%)`);
sink.stop();
