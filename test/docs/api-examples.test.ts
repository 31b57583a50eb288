// docs/api.md is run as written: its shell blocks, in order, against a real server.

import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.close());

it('every example of docs/api.md works against a running server', async () => {
  const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const blocks = [...doc.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
  assert.ok(blocks.length >= 10, `found ${blocks.length} shell blocks`);
  const script = blocks.map((b, i) => `echo "--- block ${i + 1}"\n${b}`).join('\n');
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
      env: { ...process.env, RINGFLOW: t.url, KEY: t.key, TENANT_NAME: t.tenant.name, TENANT_SID: t.tenant.id },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.on('exit', (c) => resolve({ code: c, output }));
  });
  assert.equal(code, 0, `a documented example failed:\n${output}`);
});
