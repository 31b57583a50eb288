import { Type } from 'typebox';
import { defineAction } from './action.ts';

export const log = defineAction({
  name: 'log',
  version: 1,
  summary: "Writes a line in the run's timeline.",
  params: Type.Object({ message: Type.String({ description: 'The line; ${{ }} allowed.' }) }, { additionalProperties: false }),
  result: '`{ok}`',
  needs: 'none',
  async execute(ctx, params) {
    ctx.log(params.message);
    return { ok: true };
  },
});
