// Recordings on a SIP call: record@v1 (what the caller says, until a finish key, silence, the
// maximum length or the hang-up) and startRecording@v1 (both directions, mixed, until the end).
// The files are streamed to disk as the frames arrive, so a long call costs no memory.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BackgroundRecording, type RecordingInfo, type RecordOptions, type RecordOutcome } from '../port.ts';
import type { CallHooks } from '../call/call-wait.ts';
import type { AudioSink } from '../media/audio-frame.ts';
import { MixSink } from '../media/audio/mix-sink.ts';
import { RecordLimits } from '../media/audio/record-limits.ts';
import { WavRecorder } from '../media/audio/wav-recorder.ts';
import type { Clock } from '../../time/clock.ts';
import type { SinkFanout, TappedSource } from './frame-tap.ts';

export interface RecordingDeps {
  clock: Clock;
  recordingsDir: string;
  newSid: () => string;
}

interface RecordedCall {
  readonly sid: string;
  readonly received: SinkFanout;
  readonly sent: TappedSource;
}

function info(sid: string, path: string, durationMs: number): RecordingInfo {
  return { sid, url: pathToFileURL(path).href, durationMs, format: 'wav' };
}

/** record@v1: resolves with the recording once a limit is reached or the caller hangs up. */
export function recordCall(deps: RecordingDeps, hooks: CallHooks, call: RecordedCall, options: RecordOptions, signal: AbortSignal): Promise<RecordOutcome> {
  const sid = deps.newSid();
  const path = join(deps.recordingsDir, `${sid}.wav`);
  const file = new WavRecorder(path);
  const limits = new RecordLimits(options);
  return new Promise<RecordOutcome>((resolve, reject) => {
    let settled = false;
    const end = (outcome: { reason: RecordOutcome['reason'] } | { error: unknown }): void => {
      if (settled) return;
      settled = true;
      call.received.delete(sink);
      hooks.delete(hook);
      signal.removeEventListener('abort', onAbort);
      timer.cancel();
      if ('error' in outcome) void file.discard().catch(() => {}).then(() => reject(outcome.error));
      else file.close().then((written) => resolve({ recording: info(sid, path, written.durationMs), reason: outcome.reason }), reject);
    };
    // Limits are counted in received frames; a caller who sends no RTP at all still ends at the
    // maximum length, by the clock.
    const sink: AudioSink = {
      write: (frame) => {
        if (settled) return;
        file.write(frame);
        const reason = limits.frame(frame);
        if (reason) end({ reason });
      },
    };
    const hook = {
      digit: (digit: string) => limits.digit(digit) && end({ reason: 'finish-key' }),
      ended: () => end({ reason: 'hangup' }),
    };
    const onAbort = (): void => end({ error: signal.reason });
    const timer = deps.clock.setTimer(options.maxDurationMs + 1000, () => end({ reason: 'max-duration' }));
    call.received.add(sink);
    hooks.add(hook);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** startRecording@v1: both directions mixed into one file, written as the call goes, closed at its end. */
export function startCallRecording(deps: RecordingDeps, hooks: CallHooks, call: RecordedCall): Promise<BackgroundRecording> {
  if (call.sent.tap) return Promise.reject(new Error(`call ${call.sid} is already being recorded`));
  const sid = deps.newSid();
  const path = join(deps.recordingsDir, `${sid}.wav`);
  const file = new WavRecorder(path);
  const mix = new MixSink(file);
  call.received.add(mix.caller);
  call.sent.tap = mix.played;
  const done = new Promise<RecordingInfo>((resolve, reject) => {
    hooks.add({
      ended: () => {
        call.received.delete(mix.caller);
        call.sent.tap = null;
        mix.flush();
        file.close().then((written) => resolve(info(sid, path, written.durationMs)), reject);
      },
    });
  });
  // Nobody may await `done` (a run that ends first): its failure is reported by whoever does.
  done.catch(() => {});
  return Promise.resolve({ sid, done });
}

