// The server as an operator runs it: real processes for `tenants create`, `keys create`, `serve`,
// `call-in`; and a graceful stop on SIGTERM while a call is going on.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/ringflow.js', import.meta.url));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 60_000, env: { ...process.env, RINGFLOW_LOG_LEVEL: 'warn' } }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Starts `ringflow serve` and resolves with its URL once it listens. */
function serve(dataDir: string): Promise<{ child: ChildProcess; url: string; output: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [bin, 'serve', '--data-dir', dataDir, '--port', '0'], { env: { ...process.env, RINGFLOW_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      const url = /Ringflow is listening on (http:\/\/[^ ]+)/.exec(output)?.[1];
      if (url) resolve({ child, url, output: () => output, exited });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
}

async function api(url: string, key: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

describe('ringflow serve, tenants, keys, call-in', () => {
  let dir: string;
  let key: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ringflow-cli-server-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('creates a tenant and prints its sid and webhook secret', async () => {
    const r = await run(['tenants', 'create', 'acme', '--data-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /tenant acme created\n  sid: +TN[0-9a-f]{20}/);
    assert.match(r.stdout, /webhook secret: [0-9a-f]{64}/);
    const again = await run(['tenants', 'create', 'acme', '--data-dir', dir]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /RF_TENANT_EXISTS: a tenant named "acme" already exists/);
  });

  it('creates an API key, shown once', async () => {
    const r = await run(['keys', 'create', '--tenant', 'acme', '--data-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    key = r.stdout.split('\n')[0]!;
    assert.match(key, /^rf_[A-Za-z0-9_-]{43}$/);
    const unknown = await run(['keys', 'create', '--tenant', 'nobody', '--data-dir', dir]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--tenant nobody: no such tenant/);
  });

  it('serves the API; call-in follows a simulated call from start to end', async () => {
    const server = await serve(dir);
    try {
      const script = 'branches:\n  inbound-call:\n    - action: gather@v2\n      params: { maxDigits: 1, timeout: 5, prompt: { what: "Press a key" } }\n      result: $key\n    - action: say@v2\n      params: { what: "You pressed ${{ $key.input }}" }\n';
      const scenario = await api(server.url, key, '/v2.0/actions', { name: 'menu', script });
      assert.equal(scenario.status, 201);
      const assigned = await fetch(`${server.url}/v2.0/actions/${scenario.body.sid}/numbers/+15550100200`, { method: 'PUT', headers: { 'x-api-key': key } });
      assert.equal(assigned.status, 200);
      const r = await run(['call-in', '+15550100200', '--press', '7', '--api', server.url, '--key', key]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /gather@v2 "Press a key" → \{"ok":true,"input":"7","reason":"max-digits"\}/);
      assert.match(r.stdout, /say@v2 "You pressed 7"/);
      assert.match(r.stdout, /run RN[0-9a-f]+ completed/);
      const refused = await run(['call-in', '+15550100999', '--api', server.url, '--key', key]);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /RF_API_NOT_FOUND/);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('on SIGTERM lets a running call finish, writes it, and exits 0', async () => {
    const server = await serve(dir);
    const script = 'branches:\n  api-initiated:\n    - action: dial@v1\n      params: { targets: [{ number: "+15550002222", timeout: 5 }] }\n    - action: say@v2\n      params: { what: "A message that takes a couple of seconds to say" }\n';
    const scenario = await api(server.url, key, '/v2.0/actions', { name: 'long', script });
    const started = await api(server.url, key, `/v2.0/actions/${scenario.body.sid}/runs`, {});
    assert.equal(started.status, 201);
    server.child.kill('SIGTERM');
    const code = await server.exited;
    assert.equal(code, 0, server.output());
    assert.match(server.output(), /SIGTERM: stopping/);
    // Back up on the same database: the run is complete, not failed by a restart.
    const again = await serve(dir);
    try {
      const read = await api(again.url, key, `/v2.0/runs/${started.body.sid}`);
      assert.equal(read.body.status, 'completed', JSON.stringify(read.body.error));
      assert.ok(read.body.timeline.some((e: { step?: string }) => e.step === 'say@v2'));
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  });

  it('refuses to start on a port in use, with a clear message', async () => {
    const first = await serve(dir);
    try {
      const port = new URL(first.url).port;
      const r = await run(['serve', '--data-dir', dir, '--port', port]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`RF_LISTEN: cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`));
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
  });
});
