// Call setup against Ringflow, side by side with the machine's own ceiling: SIPp places short calls
// (INVITE → 200 → ACK → a short prompt heard → BYE, test/interop/sipp/uac-short.xml) at fixed
// rates, first to a SIPp UAS (the tool against itself), then to Ringflow answering a number with
// a scenario that answers and speaks (a real server in its own process, SQLite, every call and
// run recorded). Goal: ≥ 200 calls/s with 0 failed calls, and ≥ 50% of the SIPp-to-SIPp rate.
// Needs sipp (Debian sip-tester) and flite.
// Run: scripts/node bench/call-setup.ts   (CALLS=2000 RATES=100,200,300 HOLD_MS=1000 TRANSPORT=udp)

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSippUas, type SipTransport } from '../test/helpers/sipp.ts';
import { machine } from './support/machine.ts';
import { measureSetupRate, type SetupRateResult } from './support/sipp-load.ts';

const CALLS = Number(process.env.CALLS ?? 2000);
const RATES = (process.env.RATES ?? '100,200,300').split(',').map(Number);
const HOLD_MS = Number(process.env.HOLD_MS ?? 1000);
const TRANSPORT = (process.env.TRANSPORT ?? 'udp') as SipTransport;
const KEY = `rf_bench_${randomBytes(24).toString('base64url')}`;
const NUMBER = '+15550100300';
const bin = fileURLToPath(new URL('../bin/ringflow.js', import.meta.url));

if (spawnSync('sipp', ['-v']).error) throw new Error('sipp is needed: apt-get install sip-tester');

// Answers and speaks (the prompt is synthesized once, then served from the TTS cache); the caller
// hangs up after HOLD_MS, during the wait that follows.
const SCENARIO = `description: Call setup benchmark
defaults: { language: en-US }
branches:
  inbound-call:
    - action: answer@v1
    - action: say@v2
      params: { what: "Hello." }
    - action: gather@v2
      params: { maxDigits: 1, timeout: 30 }
`;

async function startRingflow(dir: string): Promise<{ sipPort: number; child: ChildProcess }> {
  await writeFile(join(dir, 'scenario.yaml'), SCENARIO);
  await writeFile(join(dir, 'ringflow.yaml'), `server: { port: 0, rateLimit: { perSecond: 1000000, burst: 1000000 } }
dataDir: ${dir}
logging: { level: error }
telephony:
  mode: sip
  sip: { host: 127.0.0.1, port: 0, advertisedAddress: 127.0.0.1, rtp: { portMin: 30000, portMax: 40000 } }
bootstrap:
  tenant: bench
  apiKey: ${KEY}
  scenarios:
    - { name: setup, file: scenario.yaml, numbers: ["${NUMBER}"] }
`);
  const child = spawn(process.execPath, [bin, 'serve', '--config', join(dir, 'ringflow.yaml')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const sipPort = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /SIP is listening on port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`ringflow exited with ${code}`)));
  });
  return { sipPort, child };
}

function cpuSeconds(pid: number): number {
  // utime + stime of the server process, from /proc (Linux), in seconds.
  const stat = spawnSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' }).stdout.split(') ')[1]?.split(' ') ?? [];
  return (Number(stat[11]) + Number(stat[12])) / 100;
}

const line = (who: string, r: SetupRateResult, cpu = '') =>
  console.log(`${who.padEnd(9)}  ${String(r.offeredCps).padStart(9)}  ${r.achievedCps.toFixed(0).padStart(10)}  ${String(r.successful).padStart(6)}  ${String(r.failed).padStart(6)}  ${String(r.retransmissions).padStart(7)}  ${r.meanSetupMs.toFixed(1).padStart(8)}  ${cpu}`);

console.log(`call setup — ${machine()}`);
console.log(`SIPp uac-short over ${TRANSPORT.toUpperCase()}, ${HOLD_MS} ms between ACK and BYE, ${CALLS} calls per rate`);
console.log('callee     offered/s  achieved/s      ok  failed  retrans  setup-ms  server CPU');
const dir = await mkdtemp(join(tmpdir(), 'ringflow-setup-'));
const { sipPort, child } = await startRingflow(dir);
let verdict = true;
try {
  // One warm-up call synthesizes the prompt.
  await measureSetupRate({ target: `127.0.0.1:${sipPort}`, transport: TRANSPORT, rate: 1, calls: 1, holdMs: 200, service: NUMBER });
  for (const rate of RATES) {
    const timeoutMs = Math.ceil((CALLS / rate) * 1000) + HOLD_MS + 30_000;
    const uas = await startSippUas({ scenario: 'uas-answer', transport: TRANSPORT, calls: CALLS, timeoutMs: timeoutMs + 5_000 });
    let ceiling: SetupRateResult;
    try {
      ceiling = await measureSetupRate({ target: uas.target, transport: TRANSPORT, rate, calls: CALLS, holdMs: HOLD_MS, timeoutMs, rateLimit: rate * 4 });
    } finally {
      await Promise.race([uas.done, new Promise((ok) => setTimeout(ok, 3_000))]).then(() => uas.stop());
    }
    line('SIPp UAS', ceiling);
    const cpu0 = cpuSeconds(child.pid!);
    const ours = await measureSetupRate({ target: `127.0.0.1:${sipPort}`, transport: TRANSPORT, rate, calls: CALLS, holdMs: HOLD_MS, service: NUMBER, timeoutMs, rateLimit: rate * 4 });
    const cpu = cpuSeconds(child.pid!) - cpu0;
    line('Ringflow', ours, `${((cpu / (ours.wallMs / 1000)) * 100).toFixed(0)}% of a core`);
    const ratio = ours.achievedCps / ceiling.achievedCps;
    console.log(`           ratio ${(ratio * 100).toFixed(0)}% of SIPp-to-SIPp`);
    if (rate >= 200) verdict &&= ours.failed === 0 && ours.achievedCps >= 0.95 * rate && ratio >= 0.5;
    await new Promise((ok) => setTimeout(ok, 3_000)); // calls and runs finish before the next rate
  }
} finally {
  child.kill('SIGTERM');
  await new Promise((ok) => child.on('exit', ok));
  await rm(dir, { recursive: true, force: true });
}
console.log(`goal (≥ 200 calls/s, 0 failed, ≥ 50% of SIPp-to-SIPp): ${verdict ? 'met' : 'NOT met'}`);
