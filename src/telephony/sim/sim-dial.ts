// Placing a simulated call: the attempt rings, then ends the way the callee's behaviour says, at
// the times party-script.ts fixes, unless the ring timeout or the caller's signal comes first.

import type { DialOutcome, HangupSource, OriginateRequest, OriginateResult } from '../port.ts';
import { DIAL_FAILURES, planDial, type DialPlan, type PartyScript } from './party-script.ts';
import { SimCall } from './sim-call.ts';
import { buildCdr } from '../call/cdr.ts';
import type { SimEnv } from './sim-env.ts';

type Failure = Exclude<DialOutcome, 'Answered'>;

/**
 * Who ended a failed attempt, for the CDR: the callee's side refused it, Ringflow (the caller)
 * gave up with CANCEL, or the network could not route it.
 */
const FAILURE_SOURCES: Record<Failure, HangupSource> = {
  Busy: 'callee',
  Rejected: 'callee',
  'Temporarily Unavailable': 'callee',
  'No Answer': 'caller',
  'Invalid Number': 'system',
  Error: 'system',
};

export interface DialTarget {
  /** The party found for request.to, if any. */
  party: PartyScript | undefined;
  /** False when the number cannot be routed at all (not E.164 nor a SIP URI, and no party). */
  routable: boolean;
}

export function dialOn(
  env: SimEnv,
  target: DialTarget,
  request: OriginateRequest,
  signal: AbortSignal,
  onAnswered: (call: SimCall) => void,
): Promise<OriginateResult> {
  if (signal.aborted) return Promise.reject(signal.reason);
  const { clock, transcript } = env;
  const sid = env.newSid();
  const startedAt = clock.now();
  const plan: DialPlan = target.routable
    ? planDial(target.party?.behaviour, request.timeoutMs)
    : planDial({ kind: 'invalid' }, request.timeoutMs);
  transcript.add(sid, 'dial', { from: request.from, to: request.to, timeoutMs: request.timeoutMs });
  const elapsed = () => Math.round(clock.now() - startedAt);

  return new Promise<OriginateResult>((resolve, reject) => {
    const onAbort = (): void => {
      timer?.cancel();
      transcript.add(sid, 'dial-result', { outcome: 'Canceled', durationMs: elapsed() });
      reject(signal.reason);
    };
    const settle = (): void => {
      signal.removeEventListener('abort', onAbort);
      if (plan.outcome !== 'Answered') {
        resolve(fail(plan.outcome));
        return;
      }
      let call: SimCall;
      try {
        call = new SimCall(env, {
          sid,
          direction: 'outbound',
          from: request.from,
          to: request.to,
          headers: request.headers,
          script: target.party,
          startedAt,
          answeredAt: clock.now(),
        });
      } catch (error) {
        reject(error);
        return;
      }
      transcript.add(sid, 'dial-result', { outcome: 'Answered', durationMs: elapsed() });
      onAnswered(call);
      resolve({ outcome: 'Answered', call });
    };
    const fail = (outcome: Failure): OriginateResult => {
      const { q850, status } = DIAL_FAILURES[outcome];
      const cdr = buildCdr({
        callid: sid,
        direction: 'outbound',
        callerNumber: request.from,
        callee: request.to,
        startedAt,
        answeredAt: undefined,
        endedAt: clock.now(),
        hangupCause: q850,
        hangupSource: FAILURE_SOURCES[outcome],
        status,
      }, clock.now());
      transcript.add(sid, 'dial-result', { outcome, hangupCause: q850, durationMs: elapsed() });
      return { outcome, cdr };
    };
    // An infinite plan (a callee that never answers, and no ring timeout) waits for the signal.
    const timer = Number.isFinite(plan.afterMs) ? clock.setTimer(plan.afterMs, settle) : undefined;
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
