// `ringflow simulate` in a terminal: a person types keys while the call runs (real time).
// `script` (Debian's bsdutils, always installed) gives the command a pseudo-terminal.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/ringflow.js', import.meta.url));

it('presses the keys a person types, and h hangs up', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ringflow-tty-'));
  try {
    const flow = join(dir, 'flow.yaml');
    await writeFile(flow, 'branches:\n  inbound-call:\n    - action: gather@v2\n      params: { maxDigits: 2, timeout: 20, prompt: { what: "Two keys" } }\n      result: $g\n    - action: gather@v2\n      params: { timeout: 20 }\n      result: $h\n');
    const child = spawn('script', ['-qfec', `"${process.execPath}" "${bin}" simulate "${flow}"`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    const seen = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (output.includes(text)) {
            child.stdout.off('data', check);
            resolve();
          }
        };
        child.stdout.on('data', check);
        check();
      });
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    await seen('say "Two keys"');
    child.stdin.write('4');
    await seen('press 4');
    child.stdin.write('2');
    await seen('press 2');
    child.stdin.write('h');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const text = output.replace(/\r/g, '');
    assert.equal(code, 0, text);
    assert.match(text, /\$g = \{"ok":true,"input":"42","reason":"max-digits"\}/);
    assert.match(text, /\$h = \{"ok":false,"input":"","reason":"hangup"\}/);
    assert.match(text, /ended \(answered\): hung up by caller/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
