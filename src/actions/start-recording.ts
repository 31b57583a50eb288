import { Type } from 'typebox';
import { defineAction } from './action.ts';

export const startRecording = defineAction({
  name: 'startRecording',
  version: 1,
  summary: 'Records the whole call in the background; the steps under events.ready run once the file is ready (after the call ends), with `recording` in scope.',
  params: Type.Object(
    {
      transcription: Type.Optional(
        Type.Object({ language: Type.Optional(Type.String()) }, { additionalProperties: false, description: 'Accepted for Callr compatibility; transcription is not available yet (a warning is logged).' }),
      ),
    },
    { additionalProperties: false },
  ),
  result: '`{ok, recording: {sid}}`; in events.ready, `recording` is `{sid, url, duration, format}`',
  needs: 'answered',
  events: ['ready'],
  async execute(ctx, params) {
    if (params.transcription) ctx.warn('startRecording@v1: transcription is not available yet; the recording is kept without a transcript');
    const background = await ctx.call!.startRecording();
    ctx.emit(
      'ready',
      background.done.then((info) => {
        ctx.addRecording(info);
        return { recording: { sid: info.sid, url: info.url, duration: info.durationMs / 1000, format: info.format } };
      }),
    );
    return { ok: true, recording: { sid: background.sid } };
  },
});
