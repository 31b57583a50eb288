// Call-setup load with SIPp as the caller: a fixed number of short calls (INVITE → 200 → ACK →
// short hold → BYE → 200, test/interop/sipp/uac-short.xml) offered at a fixed rate to any SIP
// callee — a SIPp UAS (the machine's ceiling) or Ringflow answering a number.

import { runSipp, sippDurationMs, type SipTransport, type SippResult } from '../../test/helpers/sipp.ts';

export interface SetupRateOptions {
  /** host:port of the callee. */
  target: string;
  transport: SipTransport;
  /** Offered calls per second (SIPp -r). */
  rate: number;
  /** Calls to place (SIPp -m). */
  calls: number;
  /** Cap on simultaneous calls (SIPp -l). Default max(50, rate). */
  rateLimit?: number;
  /** Time between ACK and BYE, ms (SIPp -d). Default 100. */
  holdMs?: number;
  /** User part of the Request-URI (the number Ringflow answers). Default 'service'. */
  service?: string;
  /** Bound on the whole run. Default calls/rate + hold + 20 s. */
  timeoutMs?: number;
  /** Local address for SIPp. Default 127.0.0.1. */
  localIp?: string;
}

export interface SetupRateResult {
  offeredCps: number;
  /** Successful calls divided by the run's wall time minus one hold (SIPp start-up included). */
  achievedCps: number;
  /** SIPp's own cumulative call-creation rate, CallRate(C). */
  sippCallRate: number;
  calls: number;
  successful: number;
  failed: number;
  retransmissions: number;
  /** Mean INVITE → 200 time (SIPp ResponseTime1, ms resolution). */
  meanSetupMs: number;
  /** Mean call length, INVITE to the end of the BYE transaction (ms). */
  meanCallMs: number;
  wallMs: number;
  exitCode: number | null;
  /** First lines of SIPp's error trace, when something failed. */
  errorSample: string;
  raw: SippResult;
}

export async function measureSetupRate(o: SetupRateOptions): Promise<SetupRateResult> {
  const holdMs = o.holdMs ?? 100;
  const timeoutMs = o.timeoutMs ?? Math.ceil((o.calls / o.rate) * 1000) + holdMs + 20_000;
  const r = await runSipp({
    scenario: 'uac-short',
    target: o.target,
    transport: o.transport,
    localIp: o.localIp,
    calls: o.calls,
    rate: o.rate,
    rateLimit: o.rateLimit ?? Math.max(50, o.rate),
    holdMs,
    service: o.service,
    timeoutMs,
  });
  const num = (k: string) => Number(r.stats[k] ?? NaN);
  return {
    offeredCps: o.rate,
    achievedCps: r.successful / (Math.max(1, r.durationMs - holdMs) / 1000),
    sippCallRate: num('CallRate(C)'),
    calls: o.calls,
    successful: r.successful,
    failed: r.failed,
    retransmissions: num('Retransmissions(C)'),
    meanSetupMs: sippDurationMs(r.stats['ResponseTime1(C)']),
    meanCallMs: sippDurationMs(r.stats['CallLength(C)']),
    wallMs: r.durationMs,
    exitCode: r.exitCode,
    errorSample: r.errors.split('\n').slice(0, 8).join('\n'),
    raw: r,
  };
}
