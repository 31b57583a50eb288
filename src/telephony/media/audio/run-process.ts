// Runs a speech engine as a child process: arguments as an array (no shell, so text can never
// become a command), stdout collected up to a cap, a deadline through the injected Clock, and the
// caller's AbortSignal killing the process at once (the caller hung up: stop using CPU for it).

import { spawn } from 'node:child_process';
import type { Clock } from '../../../time/clock.ts';

export type ProcessFailure = 'missing' | 'timeout' | 'exit' | 'too-large';

export class ProcessError extends Error {
  override name = 'ProcessError';
  readonly kind: ProcessFailure;
  constructor(kind: ProcessFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

export interface RunProcessOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** Written to the process's stdin, which is then closed. */
  readonly stdin?: string;
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
  readonly signal?: AbortSignal | undefined;
}

export interface ProcessOutput {
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Resolves with the output of a process that exited 0; rejects with ProcessError or `signal.reason`. */
export function runProcess(o: RunProcessOptions): Promise<ProcessOutput> {
  if (o.signal?.aborted) return Promise.reject(o.signal.reason);
  // Real work happens outside the clock: a virtual clock must not jump past our deadline meanwhile.
  const release = o.clock.hold();
  return new Promise<ProcessOutput>((resolve, reject) => {
    const child = spawn(o.command, o.args, { stdio: ['pipe', 'pipe', 'pipe'], shell: false });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let settled = false;
    const finish = (error: unknown, output?: ProcessOutput) => {
      if (settled) return;
      settled = true;
      timer.cancel();
      o.signal?.removeEventListener('abort', onAbort);
      release();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (output) resolve(output);
      else reject(error);
    };
    const onAbort = () => finish(o.signal!.reason);
    const timer = o.clock.setTimer(o.timeoutMs, () =>
      finish(new ProcessError('timeout', `${o.command} did not finish within ${o.timeoutMs} ms`)),
    );
    o.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > o.maxOutputBytes) {
        finish(new ProcessError('too-large', `${o.command} wrote more than ${o.maxOutputBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      if (stderr.length < 4096) stderr += text;
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish(
        e.code === 'ENOENT'
          ? new ProcessError('missing', `${o.command} is not installed (not found on PATH)`, { cause: e })
          : new ProcessError('exit', `${o.command} could not be started: ${e.message}`, { cause: e }),
      );
    });
    child.on('close', (code, sig) => {
      if (code === 0) finish(null, { stdout: Buffer.concat(chunks), stderr });
      else finish(new ProcessError('exit', `${o.command} exited with ${code ?? sig}${stderr ? `: ${stderr.trim()}` : ''}`));
    });
    // A process that exits before reading stdin makes the write fail with EPIPE: the exit code tells.
    child.stdin.on('error', () => {});
    child.stdin.end(o.stdin ?? '');
  });
}
