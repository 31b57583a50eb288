import { Type } from 'typebox';
import { defineAction } from './action.ts';

export const answer = defineAction({
  name: 'answer',
  version: 1,
  summary: 'Answers the inbound call (needed when defaults.autoAnswer is false). Does nothing on an answered call.',
  params: Type.Object({}, { additionalProperties: false }),
  result: '`{ok}`',
  needs: 'call',
  async execute(ctx) {
    await ctx.call!.answer();
    return { ok: true };
  },
});
