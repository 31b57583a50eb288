// Starts the sink server in a child process and gives its URL.

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export async function startSink(): Promise<{ url: string; stop: () => void }> {
  const child = fork(fileURLToPath(new URL('./sink-server.ts', import.meta.url)), [], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`sink server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}
