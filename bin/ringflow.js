#!/usr/bin/env node
// The `ringflow` command. Ringflow is TypeScript run by Node's type stripping (Node 22.18+, 24
// recommended); on an older Node this re-runs itself with scripts/node, which provides Node 24.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  const launcher = join(dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'node');
  const result = spawnSync(launcher, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
