// Recordings on a media leg: record@v1 (what the far end says, until a finish key, silence, the
// maximum length or the leg's close) and startRecording@v1 (both directions, mixed, until the
// close). The files are streamed to disk as the frames arrive, so a long call costs no memory.

import type { CallHooks } from '../../call/call-wait.ts';
import type { Clock } from '../../../time/clock.ts';
import type { AudioSink } from '../audio-frame.ts';
import { MixSink } from '../audio/mix-sink.ts';
import { RecordLimits, type RecordLimitsOptions } from '../audio/record-limits.ts';
import { WavRecorder } from '../audio/wav-recorder.ts';
import type { SinkFanout, TappedSource } from './frame-tap.ts';
import type { LegBackgroundRecording, LegRecording } from './media-leg.ts';

export interface RecordedLeg {
  readonly clock: Clock;
  /** Told of keys and of the leg's close. */
  readonly hooks: CallHooks;
  readonly received: SinkFanout;
  readonly sent: TappedSource;
}

/** record@v1: resolves once a limit is reached or the leg closes ('hangup'). */
export function recordLeg(leg: RecordedLeg, path: string, options: RecordLimitsOptions, signal: AbortSignal): Promise<LegRecording> {
  if (signal.aborted) return Promise.reject(signal.reason);
  const file = new WavRecorder(path);
  const limits = new RecordLimits(options);
  return new Promise<LegRecording>((resolve, reject) => {
    let settled = false;
    const end = (outcome: { reason: LegRecording['reason'] } | { error: unknown }): void => {
      if (settled) return;
      settled = true;
      leg.received.delete(sink);
      leg.hooks.delete(hook);
      signal.removeEventListener('abort', onAbort);
      timer.cancel();
      if ('error' in outcome) void file.discard().catch(() => {}).then(() => reject(outcome.error));
      else file.close().then((written) => resolve({ reason: outcome.reason, durationMs: written.durationMs }), reject);
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
    const timer = leg.clock.setTimer(options.maxDurationMs + 1000, () => end({ reason: 'max-duration' }));
    leg.received.add(sink);
    leg.hooks.add(hook);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** startRecording@v1: both directions mixed into one file, written as the call goes, closed with the leg. */
export function startLegRecording(leg: RecordedLeg, path: string): LegBackgroundRecording {
  if (leg.sent.tap) throw new Error('this call is already being recorded');
  const file = new WavRecorder(path);
  const mix = new MixSink(file);
  leg.received.add(mix.caller);
  leg.sent.tap = mix.played;
  const done = new Promise<{ durationMs: number }>((resolve, reject) => {
    leg.hooks.add({
      ended: () => {
        leg.received.delete(mix.caller);
        leg.sent.tap = null;
        mix.flush();
        file.close().then((written) => resolve({ durationMs: written.durationMs }), reject);
      },
    });
  });
  // Nobody may await `done` (a run that ends first): its failure is reported by whoever does.
  done.catch(() => {});
  return { done };
}
