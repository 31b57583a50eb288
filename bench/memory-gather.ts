// Memory per call with 10,000 simulated calls waiting in a gather@v2 at once (goal ≤ 50 KB per call).
// Run: scripts/node --expose-gc bench/memory-gather.ts

import { createEngine } from '../src/runtime/engine.ts';
import { SimNetwork } from '../src/telephony/sim/index.ts';
import { VirtualClock } from '../src/time/virtual-clock.ts';
import { machine } from './support/machine.ts';

const CALLS = Number(process.env.CALLS ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc: scripts/node --expose-gc bench/memory-gather.ts');

// A realistic menu: the caller has heard a greeting and the prompt, and the gather now waits.
const SCENARIO = `
variables:
  $customer: undefined
branches:
  inbound-call:
    - action: say@v2
      params: { what: "Welcome to Ringflow Bank." }
    - action: gather@v2
      params:
        maxDigits: 1
        timeout: 3600
        prompt: { what: "For your balance press 1, for a card problem press 2, to speak to an adviser press 0." }
      result: $menu
`;

function usage(): { heap: number; external: number; rss: number } {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, external: m.external + m.arrayBuffers, rss: m.rss };
}

// Time only moves when told to, so every call stays in its gather.
const clock = new VirtualClock({ auto: false });
const network = new SimNetwork({ clock, keepTranscript: false });
const engine = await createEngine({ clock, network });
const scenario = engine.parse(SCENARIO).scenario!;
let listening = 0;
network.onCall((call) => call.on('activity', (a) => { if (a.type === 'listening') listening++; }));

// Warm up code paths and caches with a few calls, then measure from there.
for (let i = 0; i < 10; i++) engine.startRun({ scenario, entry: { type: 'inbound-call', call: network.inbound({ from: `+1555000${i}`, to: '+15559990000' }) } });
await clock.advance(60_000);
const before = usage();
const started = performance.now();
const runs = [];
for (let i = 0; i < CALLS; i++) {
  const call = network.inbound({ from: `+1555${String(100000 + i).padStart(7, '0')}`, to: '+15559990000' });
  runs.push(engine.startRun({ scenario, entry: { type: 'inbound-call', call }, variables: { $customer: { id: i, tier: 'gold' } } }));
}
// Past the greeting and the prompt (1.6 s + 5.5 s of speech): every call is now waiting for a key.
await clock.advance(10_000);
const setupSeconds = (performance.now() - started) / 1000;
const after = usage();
if (listening < CALLS + 10) throw new Error(`only ${listening - 10} of ${CALLS} calls reached the gather`);
const perCall = (bytes: number) => (bytes / CALLS / 1024).toFixed(1);

console.log(`memory with ${CALLS} calls waiting in a gather — ${machine()}`);
console.log(`  JS heap:            ${perCall(after.heap - before.heap)} KB per call`);
console.log(`  external/buffers:   ${perCall(after.external - before.external)} KB per call`);
console.log(`  heap + external:    ${perCall(after.heap - before.heap + after.external - before.external)} KB per call (goal ≤ 50 KB)`);
console.log(`  process RSS:        ${perCall(after.rss - before.rss)} KB per call`);
console.log(`  set-up of ${CALLS} calls: ${setupSeconds.toFixed(2)} s`);
console.log(`  still running: ${engine.activeRuns().length} runs (kept alive: ${runs.length})`);
void engine.close();
process.exit(0);
