// `ringflow serve` as a real child process (node bin/ringflow.js serve …): its URLs read from its
// standard output, stopped with a signal of the test's choice (SIGKILL for crash tests).

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface RingflowProcess {
  readonly child: ChildProcess;
  /** The API's URL, from "Ringflow is listening on …". */
  readonly url: string;
  /** The Outbound Call Trigger API's own URL, when --outbound-port was given. */
  readonly outboundUrl: string | undefined;
  /** The SIP port, from "SIP is listening on port …" (telephony.mode sip). */
  readonly sipPort: number | undefined;
  /** Everything written so far to stdout and stderr (for failure messages). */
  output(): string;
  /** Sends `signal`, resolves with the exit code (null when killed by a signal), bounded. */
  stop(signal: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

export async function startRingflow(args: readonly string[], timeoutMs = 20_000, env: Record<string, string> = {}): Promise<RingflowProcess> {
  const child = spawn(process.execPath, ['bin/ringflow.js', 'serve', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...configFreeEnv(), ...env } });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const listening = new Promise<{ url: string; outboundUrl: string | undefined; sipPort: number | undefined }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ringflow serve did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const look = () => {
      const url = /Ringflow is listening on (http:\/\/\S+)/.exec(output)?.[1];
      const wantsOutbound = args.includes('--outbound-port');
      const outboundUrl = /Outbound Call Trigger API also on (http:\/\/\S+?)\/v2\/call/.exec(output)?.[1];
      const sip = /SIP is listening on port (\d+)/.exec(output)?.[1];
      const simulated = output.includes('Telephony is simulated');
      if (url && (!wantsOutbound || outboundUrl) && (sip || simulated)) {
        clearTimeout(timer);
        resolve({ url, outboundUrl, sipPort: sip === undefined ? undefined : Number(sip) });
      }
    };
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      look();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`ringflow serve exited (${code}) before listening:\n${output}`));
    });
  });
  let urls: { url: string; outboundUrl: string | undefined; sipPort: number | undefined };
  try {
    urls = await listening;
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    child,
    ...urls,
    output: () => output,
    async stop(signal, stopTimeoutMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`ringflow serve did not exit within ${stopTimeoutMs} ms of ${signal}:\n${output.slice(-2000)}`));
        }, stopTimeoutMs);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** The environment without the variables that would override the config file (DATABASE_URL, RINGFLOW_*). */
function configFreeEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'DATABASE_URL' && !k.startsWith('RINGFLOW_')));
}
