// A Ringflow server in its own process for the SIP benchmarks: SQLite in a fresh folder, SIP and
// RTP on 127.0.0.1, one scenario answering one number, every call and run recorded as in production.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processCpuSeconds } from './machine.ts';

const ownBin = fileURLToPath(new URL('../../bin/ringflow.js', import.meta.url));

export interface BenchServer {
  readonly sipPort: number;
  readonly apiUrl: string;
  readonly child: ChildProcess;
  /** The Prometheus text of GET /metrics. */
  metrics(): Promise<string>;
  /** utime + stime of the server process so far, in seconds (Linux /proc). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export interface BenchServerOptions {
  scenario: string;
  number: string;
  rtpPorts?: { min: number; max: number };
  rtpTimeoutSeconds?: number;
  /** telephony.sip.rtp.workers (default: the server's, one media thread per core). */
  rtpWorkers?: number;
  /** Another checkout's bin/ringflow.js, to measure it beside this one (default: this checkout). */
  bin?: string;
}

export async function startBenchServer(o: BenchServerOptions): Promise<BenchServer> {
  const dir = await mkdtemp(join(tmpdir(), 'ringflow-bench-'));
  const key = `rf_bench_${randomBytes(24).toString('base64url')}`;
  const ports = o.rtpPorts ?? { min: 30000, max: 40000 };
  await writeFile(join(dir, 'scenario.yaml'), o.scenario);
  await writeFile(join(dir, 'ringflow.yaml'), `server: { port: 0, rateLimit: { perSecond: 1000000, burst: 1000000 } }
dataDir: ${dir}
logging: { level: error }
telephony:
  mode: sip
  sip: { host: 127.0.0.1, port: 0, advertisedAddress: 127.0.0.1, rtp: { portMin: ${ports.min}, portMax: ${ports.max}, timeoutSeconds: ${o.rtpTimeoutSeconds ?? 30}${o.rtpWorkers === undefined ? '' : `, workers: ${o.rtpWorkers}`} } }
bootstrap:
  tenant: bench
  apiKey: ${key}
  scenarios:
    - { name: bench, file: scenario.yaml, numbers: ["${o.number}"] }
`);
  // SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server under the load.
  const nodeArgs = (process.env.SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, o.bin ?? ownBin, 'serve', '--config', join(dir, 'ringflow.yaml')], { stdio: ['ignore', 'pipe', 'inherit'] });
  // SERVER_STDOUT=/tmp/server.log keeps what the server printed (with --trace-gc, say).
  const keep = process.env.SERVER_STDOUT;
  if (keep) child.stdout!.on('data', (d: Buffer) => appendFileSync(keep, d));
  const { sipPort, apiUrl } = await new Promise<{ sipPort: number; apiUrl: string }>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const sip = /SIP is listening on port (\d+)/.exec(out);
      const api = /listening on (http:\/\/[\d.:]+)/.exec(out);
      if (sip && api) resolve({ sipPort: Number(sip[1]), apiUrl: api[1]! });
    });
    child.on('exit', (code) => reject(new Error(`ringflow exited with ${code}`)));
  });
  const pid = child.pid!;
  return {
    sipPort,
    apiUrl,
    child,
    metrics: async () => (await fetch(`${apiUrl}/metrics`)).text(),
    cpuSeconds: () => processCpuSeconds(pid),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((ok) => child.on('exit', ok));
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One sample of a Prometheus text: the value of `name{labels}` (labels as written), 0 when absent. */
export function metricValue(text: string, series: string): number {
  const escaped = series.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}
