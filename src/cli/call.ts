// `ringflow call NUMBER --scenario FILE`: places one real call through the configured SIP trunk
// (or to a sip: address) and runs the scenario's outbound-call branch on it once answered — the
// quickest way to hear a scenario on a real phone. Prints what happens, then the final variables.

import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RingflowError } from '../errors.ts';
import { parseAllowList } from '../http/guard.ts';
import { createEngine } from '../runtime/engine.ts';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/logger.ts';
import { checkNumber } from '../server/phone-numbers.ts';
import { startSipTelephony } from '../server/sip-telephony.ts';
import { SystemClock } from '../time/clock.ts';
import { parseVar } from './parse-var.ts';
import { livePrinter, printSummary } from './simulate-report.ts';
import { formatProblem } from './validate.ts';

export interface CallFlags {
  scenario: string;
  config?: string;
  from?: string;
  branch?: string;
  var: string[];
  ringSeconds: string;
  sipPort?: string;
  httpAllow?: string;
  verbose?: boolean;
}

export async function callCommand(number: string, flags: CallFlags, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const config = loadConfig({ file: flags.config ?? process.env.RINGFLOW_CONFIG, env: process.env });
  // Its own SIP port (a free one unless given), so it works beside a running server.
  config.telephony.sip.port = flags.sipPort === undefined ? 0 : Number(flags.sipPort);
  const text = await readFile(flags.scenario, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new RingflowError('RF_FILE_READ', { file: flags.scenario, detail: e.code ?? e.message });
  });
  const ringMs = Number(flags.ringSeconds) * 1000;
  if (!(ringMs > 0)) throw new RingflowError('RF_CLI_USAGE', { detail: `--ring-seconds ${flags.ringSeconds}: expected a number of seconds` });
  let to = number;
  if (!/^sips?:/i.test(number)) {
    const checked = checkNumber(number, config.telephony.defaultCountry);
    if (!checked.valid) throw new RingflowError('RF_CLI_USAGE', { detail: `${number}: not a phone number (${checked.reason}); give an E.164 number or a sip: address` });
    to = checked.e164;
  }
  if (!/^sips?:/i.test(to) && config.telephony.sip.trunks.length === 0) {
    throw new RingflowError('RF_CLI_USAGE', { detail: 'no SIP trunk is configured (telephony.sip.trunks in the configuration file): only sip: addresses can be called' });
  }
  const clock = new SystemClock();
  const logger = createLogger(flags.verbose ? 'info' : 'warn');
  const dataDir = mkdtempSync(join(tmpdir(), 'ringflow-call-'));
  const httpAllow = flags.httpAllow ?? process.env.RINGFLOW_HTTP_ALLOW ?? config.http.allow.join(',');
  const sip = await startSipTelephony(config, { clock, logger, dataDir, recordingsDir: dataDir, httpAllow: parseAllowList(httpAllow), newSid: () => `CA${Date.now().toString(36)}`, onInbound: (call) => void call.hangup('unavailable', 'system') });
  const engine = await createEngine({
    clock,
    network: sip.network,
    httpAllow,
    defaultCallerId: config.telephony.callerId,
    env: config.scenarios.env,
  });
  try {
    const parsed = engine.parse(text, { file: flags.scenario });
    for (const p of parsed.problems) err(formatProblem(p, flags.scenario));
    if (!parsed.scenario) return 1;
    const from = flags.from ?? config.telephony.callerId;
    out(`calling ${to} from ${from}…`);
    const placed = await sip.network.originate({ from, to, timeoutMs: ringMs }, new AbortController().signal);
    if (placed.outcome !== 'Answered') {
      err(`the call was not answered: ${placed.outcome} (Q.850 cause ${placed.cdr.hangupCause})`);
      return 1;
    }
    out(`answered: running the ${flags.branch ?? 'outbound-call'} branch`);
    const origin = clock.now();
    const printer = livePrinter(out, origin, flags.verbose ?? false);
    const run = engine.startRun({
      scenario: parsed.scenario,
      entry: { type: 'outbound-call', call: placed.call },
      ...(flags.branch && { branch: flags.branch }),
      variables: Object.fromEntries(flags.var.map(parseVar)),
    });
    run.timeline.subscribe(printer.timeline);
    const stop = () => run.cancel();
    process.once('SIGINT', stop);
    const summary = await run.done;
    process.off('SIGINT', stop);
    printSummary(out, summary);
    return summary.status === 'completed' ? 0 : 1;
  } finally {
    await engine.close();
    await sip.close();
  }
}
