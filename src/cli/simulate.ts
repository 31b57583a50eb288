// `ringflow simulate FILE`: runs a scenario on the simulated network and shows what the caller
// heard and did, every HTTP exchange, and the final variables.

import { readFile } from 'node:fs/promises';
import YAML from 'yaml';
import { RingflowError } from '../errors.ts';
import type { PartyScript, Press, SimCall } from '../telephony/sim/index.ts';
import { runScenario } from '../testing/run-scenario.ts';
import { SystemClock, type Clock } from '../time/clock.ts';
import { VirtualClock } from '../time/virtual-clock.ts';
import { parseCallee, parsePress, parseSeconds } from '../telephony/sim/party-spec.ts';
import { parseVar } from './parse-var.ts';
import { jsonDocument, livePrinter, printSummary } from './simulate-report.ts';
import { formatProblem } from './validate.ts';

export interface SimulateFlags {
  branch?: string;
  from?: string;
  to?: string;
  var: string[];
  press: string[];
  callee?: string;
  hangupAt?: string;
  httpAllow?: string;
  integrations?: string;
  recordings?: string;
  start?: string;
  json?: boolean;
  verbose?: boolean;
}

export interface Terminal {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Present when a person can type keys (stdin is a terminal). */
  keys?: NodeJS.ReadStream | undefined;
}

export async function simulateCommand(file: string, flags: SimulateFlags, term: Terminal): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new RingflowError('RF_FILE_READ', { file, detail: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
  }
  const presses: Press[] = flags.press.map((p) => parsePress(p));
  const hangupAtMs = flags.hangupAt === undefined ? undefined : parseSeconds('--hangup-at', flags.hangupAt);
  const party: PartyScript = { presses, ...(hangupAtMs === undefined ? {} : { hangupAtMs }) };
  const variables = Object.fromEntries(flags.var.map(parseVar));
  const interactive = term.keys !== undefined && presses.length === 0 && !flags.json;
  const start = flags.start === undefined ? Date.now() : Date.parse(flags.start);
  if (Number.isNaN(start)) throw new RingflowError('RF_CLI_USAGE', { detail: `--start ${flags.start}: expected an ISO date, e.g. 2025-06-02T09:00:00Z` });
  // A person typing keys needs real time; otherwise a minute of call runs in milliseconds.
  const clock: Clock = interactive ? new SystemClock() : new VirtualClock({ start });
  const origin = clock.now();
  const printer = flags.json ? undefined : livePrinter(term.out, origin, flags.verbose ?? false);
  const keyboard = interactive ? attachKeyboard(term.keys!, term.err) : undefined;
  const callee = flags.callee === undefined ? undefined : parseCallee(flags.callee);

  const result = await runScenario({
    text,
    file,
    branch: flags.branch,
    from: flags.from,
    to: flags.to,
    variables,
    // --press and --hangup-at script the run's own party: the caller of an inbound run, the person
    // Ringflow dials in an API-started one. --callee says how dialed numbers answer.
    party,
    callee: callee ? { behaviour: callee } : {},
    httpAllow: flags.httpAllow ?? process.env.RINGFLOW_HTTP_ALLOW,
    integrations: flags.integrations === undefined ? undefined : await readData(flags.integrations),
    clock,
    recordingsDir: flags.recordings,
    onTranscript: printer?.transcript,
    onTimeline: printer?.timeline,
    onCall: keyboard?.follow,
  }).finally(() => keyboard?.close());

  const errors = result.problems.filter((p) => p.severity === 'error');
  if (flags.json) term.out(JSON.stringify(jsonDocument(file, result), null, 2));
  else for (const p of result.problems) term.err(formatProblem(p, file));
  if (errors.length > 0) return 1;
  if (!result.run) {
    const outcome = result.transcript.find((e) => e.kind === 'dial-result');
    term.err(`the call was not answered${outcome && outcome.kind === 'dial-result' ? `: ${outcome.outcome}` : ''}; the ${result.branch} branch did not run`);
    return 1;
  }
  if (!flags.json) printSummary(term.out, result.run);
  return result.run.status === 'completed' ? 0 : 1;
}

async function readData(file: string): Promise<unknown> {
  try {
    return YAML.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new RingflowError('RF_FILE_READ', { file, detail: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
  }
}

/** Keys typed on the terminal are pressed on the live call; h hangs up, Ctrl-C too. */
function attachKeyboard(keys: NodeJS.ReadStream, say: (line: string) => void): { follow: (call: SimCall) => void; close: () => void } {
  let current: SimCall | undefined;
  say('Type keys 0-9 * # A-D to press them on the call; h or Ctrl-C hangs up.');
  keys.setRawMode?.(true);
  keys.resume();
  const onData = (chunk: Buffer) => {
    for (const ch of chunk.toString('utf8')) {
      if (!current || current.status === 'ended') continue;
      if (ch === 'h' || ch === '\u0003' || ch === 'q') current.hangupByParty();
      else if (/[0-9*#A-Da-d]/.test(ch)) current.press(ch);
    }
  };
  keys.on('data', onData);
  return {
    follow: (call) => {
      current = call;
    },
    close: () => {
      keys.off('data', onData);
      keys.setRawMode?.(false);
      keys.pause();
    },
  };
}
