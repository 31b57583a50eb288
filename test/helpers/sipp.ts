// SIPp (Debian sip-tester 3.6.1) as a real third-party peer on loopback: run a scenario to its end
// (`runSipp`), or keep a SIPp callee in the background while the engine calls it (`startSippUas`).
// Scenarios live in test/interop/sipp/ (see the comment at the top of each file for its flow and keys).
//
// Every SIPp started here is bounded twice: SIPp's own -timeout/-timeout_error and a SIGKILL timer,
// and is tracked so that `killAllSipp()` (also run on process exit) leaves nothing behind.
// Quirks this helper absorbs (found with SIPp 3.6.1):
// - a [key] used by a scenario but not given with -key is a fatal "Unsupported keyword" at load, so
//   the defaults of our scenarios' keys are always passed (SCENARIO_KEYS);
// - SIPp always opens its media socket (default 6000, shared by every SIPp): a free -mp is always given;
// - SIPp prints nothing useful to a pipe, so results come from -trace_stat / -trace_screen / -trace_err
//   files written in a temporary folder;
// - exit code: 0 all calls succeeded, 1 some failed, 97 stopped by an internal command, 99 normal exit
//   without calls processed, 255 fatal error (bad scenario, -timeout with -timeout_error, bind failure).

import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SIPP_SCENARIOS = fileURLToPath(new URL('../interop/sipp/', import.meta.url));
/** Where Debian installs SIPp's RTP captures (g711a.pcap, dtmf_2833_<d>.pcap); `dpkg -L sip-tester`. */
export const SIPP_PCAPS = '/usr/share/sip-tester';

export type SipTransport = 'udp' | 'tcp';

/** Keys our scenarios read, with the values passed when the caller gives none. */
export const SCENARIO_KEYS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'uac-dtmf': { digits: '', gap_ms: '400', hangup_ms: '-1' },
  'uas-auth': { user: 'ringflow', pass: 'secret', realm: 'ringflow.test' },
  'uas-status': { status: '486' },
};

/** The final statuses uas-status.xml can send (one <send> per code, see the scenario). */
export const STATUS_REASONS: Readonly<Record<number, string>> = {
  403: 'Forbidden', 404: 'Not Found', 408: 'Request Timeout', 410: 'Gone', 480: 'Temporarily Unavailable',
  484: 'Address Incomplete', 486: 'Busy Here', 487: 'Request Terminated', 500: 'Server Internal Error',
  502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Server Time-out', 600: 'Busy Everywhere',
  603: 'Decline', 604: 'Does Not Exist Anywhere',
};

export interface SippOptions {
  /** A path to an XML file, the name of one in test/interop/sipp/ ('uac-short'), or a SIPp built-in ('uac', 'uas'). */
  scenario: string;
  /** host:port of the peer (required for a caller). */
  target?: string;
  transport: SipTransport;
  /** Local address for SIP, media and Contact/Via (-i, -mi, -bind_local). Default 127.0.0.1. */
  localIp?: string;
  /** SIP port (-p). Default: a free one. */
  localPort?: number;
  /** RTP port (-mp; SIPp also uses +2 for echo). Default: a free one. */
  mediaPort?: number;
  /** Calls to process before exiting (-m). Default 1. */
  calls?: number;
  /** Calls per second (-r). */
  rate?: number;
  /** Rate period in ms (-rp), with `rate` calls per period. */
  ratePeriodMs?: number;
  /** Maximum simultaneous calls (-l). */
  rateLimit?: number;
  /** Length of each <pause/> without "milliseconds" (-d), in ms. */
  holdMs?: number;
  /** User part of the Request-URI (-s). */
  service?: string;
  /** Credentials answered to a 401/407 by [authentication] (-au, -ap). */
  auth?: { username: string; password: string };
  /** Scenario keys (-key name value), merged over SCENARIO_KEYS' defaults. */
  vars?: Record<string, string>;
  /** Echo received RTP back to its sender (-rtp_echo). */
  rtpEcho?: boolean;
  /** Keep the full SIP message trace (-trace_msg) in the result's `messages`. */
  traceMessages?: boolean;
  /** Whole-run bound: SIPp's -timeout (+ -timeout_error), then SIGKILL 3 s later. */
  timeoutMs: number;
  extraArgs?: readonly string[];
}

export interface SippResult {
  /** SIPp's exit code; null when killed by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  successful: number;
  failed: number;
  stdout: string;
  stderr: string;
  /** The -trace_err file: unexpected messages, aborted calls, timeouts. */
  errors: string;
  /** The -trace_logs file: <log> actions of the scenario (e.g. "final 486", "digit 1"). */
  logs: string;
  /** The -trace_msg file when traceMessages was set. */
  messages: string;
  /** The last -trace_stat row, by column name (e.g. stats['SuccessfulCall(C)'], stats['CallRate(C)']). */
  stats: Record<string, string>;
  /** The final screens (-trace_screen). */
  screen: string;
  args: string[];
  durationMs: number;
}

const live = new Set<ChildProcess>();
/** Kills every SIPp this module started that is still running. */
export function killAllSipp(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}
process.once('exit', killAllSipp);

/** Resolves a scenario name to `-sf path` or `-sn builtin`. */
export function scenarioArgs(scenario: string): { args: string[]; name: string; file?: string } {
  const looksLikePath = scenario.includes('/') || scenario.endsWith('.xml');
  if (looksLikePath) {
    const file = isAbsolute(scenario) ? scenario : resolve(scenario);
    return { args: ['-sf', file], name: basename(file, '.xml'), file };
  }
  const ours = join(SIPP_SCENARIOS, `${scenario}.xml`);
  if (existsSync(ours)) return { args: ['-sf', ours], name: scenario, file: ours };
  return { args: ['-sn', scenario], name: scenario };
}

/** A port free on 127.0.0.1 for both TCP and UDP (and, with span > 1, the following ports for UDP). */
export async function freePort(span = 1, host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((ok, fail) => {
      const srv = createServer();
      srv.once('error', fail);
      srv.listen(0, host, () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => ok(p));
      });
    });
    if (port + span > 65535) continue;
    let allFree = true;
    for (let p = port; p < port + span && allFree; p++) allFree = await udpFree(p, host);
    if (allFree && (span === 1 || (await tcpFree(port + 1, host)))) return port;
  }
  throw new Error('no free port found');
}

export function udpFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((ok) => {
    const s = createSocket('udp4');
    s.once('error', () => ok(false));
    s.bind(port, host, () => s.close(() => ok(true)));
  });
}

function tcpFree(port: number, host: string): Promise<boolean> {
  return new Promise((ok) => {
    const srv = createServer();
    srv.once('error', () => ok(false));
    srv.listen(port, host, () => srv.close(() => ok(true)));
  });
}

interface Launched {
  child: ChildProcess;
  port: number;
  mediaPort: number;
  args: string[];
  done: Promise<SippResult>;
}

async function launch(o: SippOptions, server: boolean): Promise<Launched> {
  const ip = o.localIp ?? '127.0.0.1';
  const sc = scenarioArgs(o.scenario);
  const port = o.localPort || (await freePort(1, ip));
  const mediaPort = o.mediaPort || (await freePort(4, ip));
  const dir = await mkdtemp(join(tmpdir(), 'ringflow-sipp-'));
  const keys = { ...(SCENARIO_KEYS[sc.name] ?? {}), ...(o.vars ?? {}) };
  const args = [
    ...sc.args,
    ...(o.target && !server ? [o.target] : []),
    '-t', o.transport === 'tcp' ? 't1' : 'u1',
    '-i', ip, '-mi', ip, '-bind_local',
    '-p', String(port), '-mp', String(mediaPort),
    '-m', String(o.calls ?? 1),
    '-nostdin',
    '-timeout', `${Math.max(1, Math.round(o.timeoutMs))}ms`, '-timeout_error',
    '-trace_err', '-error_file', join(dir, 'errors.log'),
    '-trace_stat', '-stf', join(dir, 'stat.csv'), '-fd', '1',
    '-trace_screen', '-screen_file', join(dir, 'screen.log'),
    '-trace_logs', '-log_file', join(dir, 'scenario.log'),
  ];
  if (o.traceMessages) args.push('-trace_msg', '-message_file', join(dir, 'messages.log'));
  if (o.rate !== undefined) args.push('-r', String(o.rate));
  if (o.ratePeriodMs !== undefined) args.push('-rp', `${o.ratePeriodMs}ms`);
  if (o.rateLimit !== undefined) args.push('-l', String(o.rateLimit));
  if (o.holdMs !== undefined) args.push('-d', String(o.holdMs));
  if (o.service !== undefined) args.push('-s', o.service);
  if (o.auth) args.push('-au', o.auth.username, '-ap', o.auth.password);
  if (o.rtpEcho) args.push('-rtp_echo');
  for (const [k, v] of Object.entries(keys)) args.push('-key', k, v);
  args.push(...(o.extraArgs ?? []));

  const started = Date.now();
  // Relative paths inside a scenario (rtp_stream, play_pcap_audio) resolve against its folder.
  const child = spawn('sipp', args, { cwd: sc.file ? dirname(sc.file) : dir, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => { if (stdout.length < 1_000_000) stdout += c.toString('latin1'); });
  child.stderr!.on('data', (c: Buffer) => { if (stderr.length < 1_000_000) stderr += c.toString('latin1'); });
  const killer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs + 3000);
  const done = new Promise<SippResult>((resolveDone) => {
    const finish = async (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(killer);
      live.delete(child);
      const read = (f: string) => readFile(join(dir, f), 'latin1').catch(() => '');
      // SIPp names some files itself despite -stf/-error_file in a few builds: also pick up *_errors.log.
      const extraErr = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('_errors.log'));
      const errors = (await read('errors.log')) + (await Promise.all(extraErr.map(read))).join('');
      const stats = parseStatCsv(await read('stat.csv'));
      const screen = await read('screen.log');
      const fromScreen = parseScreenCounts(screen);
      const result: SippResult = {
        exitCode: code,
        signal,
        successful: numberOr(stats['SuccessfulCall(C)'], fromScreen.successful),
        failed: numberOr(stats['FailedCall(C)'], fromScreen.failed),
        stdout,
        stderr,
        errors,
        logs: await read('scenario.log'),
        messages: await read('messages.log'),
        stats,
        screen,
        args,
        durationMs: Date.now() - started,
      };
      await rm(dir, { recursive: true, force: true });
      resolveDone(result);
    };
    child.once('exit', (code, signal) => void finish(code, signal));
    child.once('error', (e) => {
      stderr += String(e);
      void finish(-1, null);
    });
  });
  return { child, port, mediaPort, args, done };
}

/** Runs SIPp to its end (all calls processed, timeout or failure). */
export async function runSipp(o: SippOptions): Promise<SippResult> {
  if (!o.target && scenarioArgs(o.scenario).name.startsWith('uac')) throw new Error(`runSipp: ${o.scenario} needs a target`);
  return (await launch(o, false)).done;
}

export interface SippUas {
  /** SIP port it listens on (127.0.0.1 unless localIp). */
  readonly port: number;
  readonly mediaPort: number;
  /** "127.0.0.1:port", ready for a Request-URI or a trunk setting. */
  readonly target: string;
  readonly child: ChildProcess;
  /** Resolves when SIPp exits by itself (after `calls` calls, or on its timeout). */
  readonly done: Promise<SippResult>;
  /** Asks SIPp to stop (SIGUSR1 = its graceful "quit", then SIGKILL after 2 s) and returns the result. */
  stop(): Promise<SippResult>;
}

/**
 * Starts a SIPp callee in the background (for tests where the engine is the caller) and resolves
 * once its SIP socket is bound. Defaults: scenario 'uas-answer', 1 call.
 */
export async function startSippUas(o: Partial<SippOptions> & { timeoutMs: number; transport: SipTransport }): Promise<SippUas> {
  const opts: SippOptions = { scenario: 'uas-answer', ...o };
  const l = await launch(opts, true);
  const ip = opts.localIp ?? '127.0.0.1';
  let exited = false;
  void l.done.then(() => { exited = true; });
  const deadline = Date.now() + 5000;
  while (!exited && !(await bound(opts.transport, l.port, ip))) {
    if (Date.now() > deadline) {
      l.child.kill('SIGKILL');
      const r = await l.done;
      throw new Error(`SIPp did not bind ${ip}:${l.port} within 5 s\n${r.stderr}\n${r.errors}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  if (exited) {
    const r = await l.done;
    throw new Error(`SIPp exited (${r.exitCode}) before listening: ${r.stderr}\n${r.errors}`);
  }
  return {
    port: l.port,
    mediaPort: l.mediaPort,
    target: `${ip}:${l.port}`,
    child: l.child,
    done: l.done,
    async stop() {
      if (l.child.exitCode === null && l.child.signalCode === null) {
        l.child.kill('SIGUSR1');
        const t = setTimeout(() => l.child.kill('SIGKILL'), 2000);
        void l.done.finally(() => clearTimeout(t));
      }
      return l.done;
    },
  };
}

/** Whether SIPp has bound its SIP socket: the port is no longer free to us. */
async function bound(transport: SipTransport, port: number, host: string): Promise<boolean> {
  if (transport === 'udp') return !(await udpFree(port, host));
  // Bound is not enough over TCP: SIPp binds, then listens, and a caller that connects in between
  // is refused (seen under load). Ready means in the LISTEN state, read from the kernel's table
  // rather than by connecting, which SIPp would log as a peer that went away.
  return !(await tcpFree(port, host)) && (await tcpListening(port));
}

/** Whether a socket of this machine listens on the TCP port (Linux /proc/net/tcp, state 0A). */
async function tcpListening(port: number): Promise<boolean> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (local?.endsWith(hex) && state === '0A') return true;
    }
  }
  return false;
}

/** Parses SIPp's -trace_stat CSV (';'-separated): the last row, keyed by the header's column names. */
export function parseStatCsv(csv: string): Record<string, string> {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) return {};
  const head = lines[0]!.split(';');
  const last = lines[lines.length - 1]!.split(';');
  const out: Record<string, string> = {};
  head.forEach((h, i) => { if (h) out[h] = last[i] ?? ''; });
  return out;
}

/** "Successful call | 0 | 12" → the cumulative (last) column of the last screen. */
export function parseScreenCounts(screen: string): { successful: number; failed: number } {
  const last = (label: string) => {
    const all = [...screen.matchAll(new RegExp(`${label}\\s*\\|[^|]*\\|\\s*(\\d+)`, 'g'))];
    return all.length ? Number(all[all.length - 1]![1]) : 0;
  };
  return { successful: last('Successful call'), failed: last('Failed call') };
}

function numberOr(s: string | undefined, fallback: number): number {
  const n = s === undefined || s === '' ? NaN : Number(s);
  return Number.isFinite(n) ? n : fallback;
}

/** Elapsed time in SIPp's "HH:MM:SS:micro" (or "HH:MM:SS") notation, in ms. */
export function sippDurationMs(s: string | undefined): number {
  if (!s) return NaN;
  const p = s.split(':').map(Number);
  const [h = 0, m = 0, sec = 0, us = 0] = p;
  return ((h * 60 + m) * 60 + sec) * 1000 + us / 1000;
}
