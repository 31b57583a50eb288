// Playing a prompt on a simulated call: it lasts the time media-timing.ts gives it, and the
// transcript says when it was stopped early and why.

import { CallEndedError, type Media, type PlayOptions, type PlayOutcome } from '../port.ts';
import { waitFor, type CallHooks } from '../call/call-wait.ts';
import { mediaDurationMs } from './media-timing.ts';
import type { SimEnv } from './sim-env.ts';

export function playOn(
  env: SimEnv,
  hooks: CallHooks,
  call: { readonly sid: string; readonly status: string },
  media: Media,
  options: PlayOptions,
  signal: AbortSignal,
): Promise<PlayOutcome> {
  if (signal.aborted) return Promise.reject(signal.reason);
  if (call.status === 'ended') return Promise.reject(new CallEndedError(call.sid));
  const once = mediaDurationMs(media);
  const loop = options.loop ?? 1;
  logMedia(env, call.sid, media, once, loop);
  const stopped = (playedMs: number, reason: 'key' | 'hangup' | 'aborted', key?: string): void => {
    env.transcript.add(call.sid, 'stop', { media: media.type, playedMs, reason, ...(key !== undefined && { key }) });
  };
  return waitFor<PlayOutcome>(env.clock, hooks, signal, {
    ms: loop === 0 ? Infinity : once * loop,
    onDone: (durationMs) => ({ durationMs, interrupted: false }),
    ...(options.stopOnDigit && {
      onDigit: (key: string, durationMs: number) => {
        stopped(durationMs, 'key', key);
        return { value: { durationMs, interrupted: true } };
      },
    }),
    onEnded: (playedMs) => {
      stopped(playedMs, 'hangup');
      return { error: new CallEndedError(call.sid) };
    },
    onAbort: (playedMs) => {
      stopped(playedMs, 'aborted');
      return { error: signal.reason };
    },
  });
}

function logMedia(env: SimEnv, sid: string, media: Media, durationMs: number, loop: number): void {
  switch (media.type) {
    case 'say':
      env.transcript.add(sid, 'say', {
        text: media.text,
        language: media.language,
        ...(media.voice !== undefined && { voice: media.voice }),
        durationMs,
        loop,
      });
      return;
    case 'play':
      env.transcript.add(sid, 'play', { text: media.url, durationMs, loop });
      return;
    case 'beep':
      env.transcript.add(sid, 'beep', { durationMs, loop });
      return;
    case 'waiting':
      env.transcript.add(sid, 'waiting', {});
      return;
  }
}
