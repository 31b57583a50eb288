// Runs every benchmark one after the other, each in its own process. `npm run bench`. The telephony
// ones need SIPp (Debian sip-tester) and flite, as the interop tests do; about 20 minutes in all.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const benches: [string, string[]][] = [
  ['expression.ts', []],
  ['sip-message.ts', []],
  ['broadcast-runs.ts', []],
  ['memory-gather.ts', ['--expose-gc']],
  ['api-load.ts', []],
  ['call-setup.ts', []],
  ['rtp-load.ts', []],
  ['held-calls.ts', []],
];
let failed = false;
for (const [file, flags] of benches) {
  console.log(`\n== bench/${file}`);
  const r = spawnSync(process.execPath, [...flags, fileURLToPath(new URL(file, import.meta.url))], { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
