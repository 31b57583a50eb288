import { Type } from 'typebox';
import { defineAction } from './action.ts';
import { PromptSchema, promptMedia } from './prompt.ts';

export const record = defineAction({
  name: 'record',
  version: 1,
  summary: 'Records what the caller says (a voicemail, a spoken answer) after an optional prompt and a beep.',
  params: Type.Object(
    {
      maxDuration: Type.Number({ minimum: 1, maximum: 3600, default: 60, description: 'Seconds at most.' }),
      beep: Type.Boolean({ default: true, description: 'Play a beep before recording.' }),
      finishOnKey: Type.String({ pattern: '^[0-9A-D*#]*$', default: '#', description: 'Key(s) that end the recording. Empty: none.' }),
      silenceTimeout: Type.Number({ minimum: 0, maximum: 3600, default: 5, description: 'Seconds of silence that end the recording (0: never).' }),
      prompt: Type.Optional(PromptSchema),
    },
    { additionalProperties: false },
  ),
  result: '`{ok, recording: {sid, url, duration, format}, reason}` — `reason` is `finish-key`, `silence`, `max-duration` or `hangup`; `ok` when something was recorded',
  needs: 'answered',
  async execute(ctx, params, signal) {
    const call = ctx.call!;
    const media = params.prompt ? promptMedia(params.prompt, ctx.defaults) : undefined;
    if (media) await call.play(media, {}, signal);
    if (params.beep) await call.play({ type: 'beep' }, {}, signal);
    const outcome = await call.record(
      { maxDurationMs: params.maxDuration * 1000, silenceTimeoutMs: params.silenceTimeout * 1000, finishOnKey: params.finishOnKey },
      signal,
    );
    ctx.addRecording(outcome.recording);
    const { sid, url, durationMs, format } = outcome.recording;
    return { ok: durationMs > 0, recording: { sid, url, duration: durationMs / 1000, format }, reason: outcome.reason };
  },
});
