// A private temporary directory for one engine run, removed afterwards whatever happens. flite
// cannot write to stdout when stdout is a socket (Node's child-process pipes are), so it writes a
// file here instead.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'ringflow-tts-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
