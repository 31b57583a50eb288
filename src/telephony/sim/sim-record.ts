// Recording on a simulated call. The party talks for its `speechMs`, then stays silent; the
// recording ends on a finish key, the party's hang-up, the maximum duration, or once the silence
// has lasted `silenceTimeoutMs` (that trailing silence is trimmed, as real recorders do).

import {
  CallEndedError,
  type BackgroundRecording,
  type RecordingInfo,
  type RecordOptions,
  type RecordOutcome,
} from '../port.ts';
import { waitFor, type CallHooks } from '../call/call-wait.ts';
import { saveRecording, type SimEnv } from './sim-env.ts';

interface CallSide {
  readonly sid: string;
  readonly status: string;
}

export function recordOn(
  env: SimEnv,
  hooks: CallHooks,
  call: CallSide,
  speechMs: number,
  options: RecordOptions,
  signal: AbortSignal,
): Promise<RecordOutcome> {
  if (signal.aborted) return Promise.reject(signal.reason);
  if (call.status === 'ended') return Promise.reject(new CallEndedError(call.sid));
  const recordingSid = env.newSid();
  const maxMs = Math.max(0, options.maxDurationMs);
  const silenceEndsAt = options.silenceTimeoutMs > 0 ? speechMs + options.silenceTimeoutMs : Infinity;
  const bySilence = silenceEndsAt < maxMs;
  env.transcript.add(call.sid, 'record', {
    phase: 'start',
    recordingSid,
    background: false,
    maxDurationMs: options.maxDurationMs,
    silenceTimeoutMs: options.silenceTimeoutMs,
    finishOnKey: options.finishOnKey,
  });
  const finish = (reason: RecordOutcome['reason'], durationMs: number): RecordOutcome => {
    const recording = saveRecording(env, recordingSid, durationMs, Math.min(speechMs, durationMs));
    env.transcript.add(call.sid, 'record', { phase: 'end', recordingSid, reason, durationMs, url: recording.url });
    return { recording, reason };
  };
  const finishKeys = options.finishOnKey;
  return waitFor<RecordOutcome>(env.clock, hooks, signal, {
    ms: bySilence ? silenceEndsAt : maxMs,
    onDone: () => (bySilence ? finish('silence', speechMs) : finish('max-duration', maxMs)),
    ...(finishKeys !== '' && {
      onDigit: (key: string, elapsedMs: number) =>
        finishKeys.includes(key) ? { value: finish('finish-key', elapsedMs) } : undefined,
    }),
    // Whoever hangs up, what was said so far is kept.
    onEnded: (elapsedMs) => ({ value: finish('hangup', elapsedMs) }),
    onAbort: (elapsedMs) => {
      env.transcript.add(call.sid, 'record', { phase: 'end', recordingSid, reason: 'aborted', durationMs: elapsedMs });
      return { error: signal.reason };
    },
  });
}

/** A recording of the rest of the call; its file is written when the call ends. */
export function startRecordingOn(env: SimEnv, hooks: CallHooks, call: CallSide): Promise<BackgroundRecording> {
  if (call.status === 'ended') return Promise.reject(new CallEndedError(call.sid));
  const sid = env.newSid();
  const startedAt = env.clock.now();
  env.transcript.add(call.sid, 'record', { phase: 'start', recordingSid: sid, background: true });
  const done = new Promise<RecordingInfo>((resolve, reject) => {
    hooks.add({
      ended: () => {
        const durationMs = Math.round(env.clock.now() - startedAt);
        try {
          // The simulator does not mix the call's audio: the file is the right length, silent.
          const recording = saveRecording(env, sid, durationMs, 0);
          env.transcript.add(call.sid, 'record', { phase: 'end', recordingSid: sid, reason: 'call-ended', durationMs, url: recording.url });
          resolve(recording);
        } catch (error) {
          reject(error);
        }
      },
    });
  });
  return Promise.resolve({ sid, done });
}
