// What `npm start` promises a newcomer: the demo configuration listens for SIP, and a call to any
// number reaches the welcome menu (press 1: the opening hours). Run as `ringflow serve --config
// config/demo.yaml` in a child process, on free ports, with a data folder of its own.

import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../helpers/server.ts';
import { startRingflow, type RingflowProcess } from '../helpers/ringflow-process.ts';
import { killAllSipp, runSipp } from '../helpers/sipp.ts';

const KEY = 'rf_demo_local_only_0000000000000000000000';
let server: RingflowProcess | undefined;
let dataDir: string | undefined;
after(async () => {
  killAllSipp();
  await server?.stop('SIGTERM');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('npm start: a softphone calling any number hears the welcome menu, and the keys drive it', async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ringflow-demo-'));
  server = await startRingflow(['--config', 'config/demo.yaml', '--port', '0', '--data-dir', dataDir], 30_000, { RINGFLOW_SIP_PORT: '0' });
  assert.ok(server.sipPort, server.output());
  const r = await runSipp({ scenario: 'uac-dtmf', target: `127.0.0.1:${server.sipPort}`, transport: 'udp', service: '4242', holdMs: 2000, vars: { digits: '1' }, timeoutMs: 40_000 });
  assert.equal(r.exitCode, 0, `${r.errors}\n${server.output().slice(-3000)}`);
  const headers = { 'x-api-key': KEY };
  const call = await eventually(async () => (await (await fetch(`${server!.url}/v2.0/calls?limit=1`, { headers })).json()) as any, (b) => b.hits?.length === 1);
  const run = await eventually(async () => (await (await fetch(`${server!.url}/v2.0/runs/${call.hits[0].run}`, { headers })).json()) as any, (b) => b.status === 'completed');
  assert.equal(run.variables.$choice.input, '1');
  assert.match(JSON.stringify(run.timeline), /We are open from 9 AM/);
  assert.equal(call.hits[0].to, '4242');
});
