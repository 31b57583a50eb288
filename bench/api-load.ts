// Sustained load on the two "start a call" endpoints, measured with wrk from another process on
// loopback: POST /v2.0/actions/{sid}/runs (Callr) and POST /v2/call (Outbound Call Trigger), on
// SQLite and on PostgreSQL. Goal: ≥ 2,000 requests/s on SQLite with p99 < 50 ms.
// Needs wrk (Debian package `wrk`) and, for PostgreSQL, DATABASE_URL or the local server.
// Run: scripts/node bench/api-load.ts   (DURATION=15 CONNECTIONS=32 ENGINES=sqlite,postgres)

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { machine } from './support/machine.ts';

const DURATION = Number(process.env.DURATION ?? 15);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 32);
const ENGINES = (process.env.ENGINES ?? 'sqlite,postgres').split(',');
const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const KEY = `rf_bench_${randomBytes(24).toString('base64url')}`;
const bin = fileURLToPath(new URL('../bin/ringflow.js', import.meta.url));

if (spawnSync('wrk', ['--version']).error) throw new Error('wrk is needed: apt-get install wrk');

// A short scenario, so the measure is the API and the bookkeeping of runs, not long calls.
const SCENARIO = `description: Load test
branches:
  api-initiated:
    - action: log@v1
      params: { message: "run for \${{ $customer }}" }
  outbound-call:
    - action: log@v1
      params: { message: "called" }
`;

interface Result {
  rate: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
}

async function startServer(dir: string, database: string): Promise<{ url: string; child: ChildProcess }> {
  await writeFile(join(dir, 'scenario.yaml'), SCENARIO);
  await writeFile(join(dir, 'ringflow.yaml'), `server:
  port: 0
  rateLimit: { perSecond: 1000000, burst: 1000000 }
dataDir: ${dir}
database: "${database}"
logging: { level: error }
telephony:
  simulation:
    default: { answer: answer@0s }
bootstrap:
  tenant: bench
  apiKey: ${KEY}
  scenarios:
    - { name: load, file: scenario.yaml }
`);
  const child = spawn(process.execPath, [bin, 'serve', '--config', join(dir, 'ringflow.yaml')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { url, child };
}

async function scenarioSid(url: string): Promise<string> {
  const r = await fetch(`${url}/v2.0/actions?name=load`, { headers: { 'x-api-key': KEY } });
  return ((await r.json()) as { hits: { sid: string }[] }).hits[0]!.sid;
}

/** wrk with a Lua script posting `body`; the percentiles come from its --latency report. */
async function load(dir: string, url: string, body: string, name: string): Promise<Result> {
  const lua = join(dir, `${name}.lua`);
  await writeFile(lua, `wrk.method = "POST"
wrk.body = ${JSON.stringify(body)}
wrk.headers["content-type"] = "application/json"
wrk.headers["x-api-key"] = "${KEY}"
local errors = 0
response = function(status) if status >= 300 then errors = errors + 1 end end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d\\n", summary.requests, latency:percentile(50), latency:percentile(99), summary.errors.status))
end
`);
  const r = spawnSync('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${DURATION}s`, '--latency', '-s', lua, url], { encoding: 'utf8' });
  const m = /RESULT (\d+) (\d+) (\d+) (\d+)/.exec(r.stdout);
  if (!m) throw new Error(`wrk said: ${r.stdout}${r.stderr}`);
  const requests = Number(m[1]);
  return { requests, rate: requests / DURATION, p50: Number(m[2]) / 1000, p99: Number(m[3]) / 1000, errors: Number(m[4]) };
}

async function postgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}

console.log(`API load — ${machine()}`);
console.log(`wrk: 1 thread, ${CONNECTIONS} connections, ${DURATION} s per endpoint; the server in its own process`);
for (const engine of ENGINES) {
  const dir = await mkdtemp(join(tmpdir(), 'ringflow-bench-'));
  const db = engine === 'postgres' ? await postgresDatabase() : { url: `sqlite:${join(dir, 'ringflow.db')}`, drop: async () => {} };
  const { url, child } = await startServer(dir, db.url);
  try {
    const sid = await scenarioSid(url);
    const runs = await load(dir, `${url}/v2.0/actions/${sid}/runs`, JSON.stringify({ variables: { customer: 42 } }), 'runs');
    const call = await load(dir, `${url}/v2/call`, JSON.stringify({
      Project: 'bench', Tenant: 'bench', ConversationId: 'c1', AccessToken: KEY, ScenarioPath: 'load', OrchestratorUrl: 'none',
      ScenarioInputParameters: [{ Name: '_Destination', Value: '+14155550123' }, { Name: '_DisplayNumber', Value: '200' }],
    }), 'call');
    for (const [name, r] of [['POST /v2.0/actions/{sid}/runs', runs], ['POST /v2/call', call]] as const) {
      console.log(`${engine.padEnd(8)} ${name.padEnd(30)} ${r.rate.toFixed(0).padStart(6)} req/s   p50 ${r.p50.toFixed(1).padStart(6)} ms   p99 ${r.p99.toFixed(1).padStart(6)} ms   non-2xx ${r.errors}/${r.requests}`);
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.on('exit', resolve));
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
}
