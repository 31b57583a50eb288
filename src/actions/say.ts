import { Type } from 'typebox';
import { defineAction } from './action.ts';

export const say = defineAction({
  name: 'say',
  version: 2,
  summary: 'Speaks text to the caller with text-to-speech.',
  params: Type.Object(
    {
      what: Type.String({ description: 'The text; a small SSML subset (`<speak>`, `<break time="500ms"/>`, `<say-as>`) is allowed.' }),
      language: Type.Optional(Type.String({ description: 'Language tag (default: defaults.language).' })),
      voice: Type.Optional(Type.String({ description: 'Voice name (default: defaults.voice, else the language\'s default voice).' })),
      loop: Type.Integer({ minimum: 1, maximum: 100, default: 1, description: 'How many times to say it.' }),
    },
    { additionalProperties: false },
  ),
  result: '`{ok, duration}` — seconds spoken',
  needs: 'answered',
  async execute(ctx, params, signal) {
    const media = { type: 'say' as const, text: params.what, language: params.language ?? ctx.defaults.language, voice: params.voice ?? ctx.defaults.voice };
    const outcome = await ctx.call!.play(media, { loop: params.loop }, signal);
    return { ok: true, duration: outcome.durationMs / 1000 };
  },
});
