import { Type } from 'typebox';
import { defineAction } from './action.ts';

export const javascript = defineAction({
  name: 'javascript',
  version: 1,
  summary: 'Runs JavaScript statements in the sandbox: assign $variables, reshape data, compute values.',
  params: Type.Object(
    { code: Type.String({ description: 'Statements. Assignments to $variables persist; `return` gives the result value.' }) },
    { additionalProperties: false },
  ),
  result: '`{ok, value}` — the value of `return`',
  needs: 'none',
  codeParam: 'code',
  async execute(ctx, params) {
    return { ok: true, value: ctx.runCode(params.code) };
  },
});
