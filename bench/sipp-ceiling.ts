// Call-setup ceiling of this machine with SIPp on both sides: SIPp UAC (uac-short, 100 ms hold)
// against a SIPp UAS (uas-answer) on loopback, a fixed number of calls at increasing rates. It is the
// reference for Ringflow's own figure: set TARGET=host:port to aim the same load at Ringflow (or any
// callee) instead of the SIPp UAS, and SERVICE to the number it answers.
// Needs `sipp` (Debian sip-tester).
// Run: scripts/node bench/sipp-ceiling.ts   (CALLS=2000 RATES=200,400,800 TRANSPORT=udp HOLD_MS=100 LIMIT=)

import { spawnSync } from 'node:child_process';
import { startSippUas, type SipTransport, type SippUas } from '../test/helpers/sipp.ts';
import { machine } from './support/machine.ts';
import { measureSetupRate, type SetupRateResult } from './support/sipp-load.ts';

const CALLS = Number(process.env.CALLS ?? 2000);
const RATES = (process.env.RATES ?? '200,400,800').split(',').map(Number);
const TRANSPORTS = (process.env.TRANSPORT ?? 'udp,tcp').split(',') as SipTransport[];
const HOLD_MS = Number(process.env.HOLD_MS ?? 100);
const LIMIT = process.env.LIMIT ? Number(process.env.LIMIT) : undefined;
const TARGET = process.env.TARGET;
const SERVICE = process.env.SERVICE;

if (spawnSync('sipp', ['-v']).error) throw new Error('sipp is needed: apt-get install sip-tester');

console.log(machine());
console.log(`SIPp uac-short (${HOLD_MS} ms hold) → ${TARGET ?? 'SIPp uas-answer'}, ${CALLS} calls per rate`);
console.log('transport  offered/s  achieved/s  sipp-rate/s  ok     failed  retrans  setup-ms  call-ms');

let failedRuns = 0;
for (const transport of TRANSPORTS) {
  for (const rate of RATES) {
    let uas: SippUas | undefined;
    const timeoutMs = Math.ceil((CALLS / rate) * 1000) + HOLD_MS + 20_000;
    if (!TARGET) uas = await startSippUas({ scenario: 'uas-answer', transport, calls: CALLS, timeoutMs: timeoutMs + 5_000 });
    let r: SetupRateResult;
    try {
      r = await measureSetupRate({ target: TARGET ?? uas!.target, transport, rate, calls: CALLS, holdMs: HOLD_MS, rateLimit: LIMIT, service: SERVICE, timeoutMs });
    } finally {
      if (uas) await Promise.race([uas.done, new Promise((ok) => setTimeout(ok, 3_000))]).then(() => uas!.stop());
    }
    console.log(
      `${transport.padEnd(9)}  ${String(rate).padStart(9)}  ${r.achievedCps.toFixed(0).padStart(10)}  ${r.sippCallRate.toFixed(0).padStart(11)}  ` +
        `${String(r.successful).padStart(5)}  ${String(r.failed).padStart(6)}  ${String(r.retransmissions).padStart(7)}  ` +
        `${r.meanSetupMs.toFixed(1).padStart(8)}  ${r.meanCallMs.toFixed(0).padStart(7)}`,
    );
    if (r.failed || r.exitCode !== 0) {
      failedRuns++;
      console.log(`  exit ${r.exitCode}; errors:\n${r.errorSample.replace(/^/gm, '    ')}`);
    }
  }
}
process.exit(failedRuns ? 1 : 0);
