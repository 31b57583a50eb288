import { Type } from 'typebox';
import { defineAction } from './action.ts';

export const play = defineAction({
  name: 'play',
  version: 1,
  summary: 'Plays an audio file (WAV or MP3) to the caller.',
  params: Type.Object(
    {
      url: Type.String({ minLength: 1, pattern: '^(https?://\\S+|[^:/\\\\]+)$', description: 'An http(s) URL, or the name of a media file known to the server.' }),
      loop: Type.Integer({ minimum: 1, maximum: 100, default: 1, description: 'How many times to play it.' }),
    },
    { additionalProperties: false },
  ),
  result: '`{ok, duration}` — seconds played',
  needs: 'answered',
  async execute(ctx, params, signal) {
    const outcome = await ctx.call!.play({ type: 'play', url: params.url }, { loop: params.loop }, signal);
    return { ok: true, duration: outcome.durationMs / 1000 };
  },
});
