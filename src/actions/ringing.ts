import { Type } from 'typebox';
import { defineAction } from './action.ts';

export const ringing = defineAction({
  name: 'ringing',
  version: 1,
  summary: 'Lets an unanswered inbound call ring (180 Ringing) while the scenario works, e.g. fetches data before answering.',
  params: Type.Object({}, { additionalProperties: false }),
  result: '`{ok}`',
  needs: 'call',
  async execute(ctx) {
    await ctx.call!.ring();
    return { ok: true };
  },
});
