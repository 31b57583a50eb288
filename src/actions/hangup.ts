import { Type } from 'typebox';
import { defineAction } from './action.ts';
import { HANGUP_CAUSES, type HangupCause } from '../telephony/port.ts';

export const hangup = defineAction({
  name: 'hangup',
  version: 1,
  summary: 'Ends the call and the current branch. On an inbound run the hangup branch runs next.',
  params: Type.Object(
    {
      cause: Type.Enum(Object.keys(HANGUP_CAUSES) as HangupCause[], {
        default: 'normal',
        description: 'Why: normal, busy, rejected, unavailable, no-answer, not-found or error. On a call not yet answered it picks the SIP refusal (486 for busy, 603 for rejected, 404 for not-found…).',
      }),
    },
    { additionalProperties: false },
  ),
  result: '`{ok}`',
  needs: 'none',
  async execute(ctx, params) {
    await ctx.call?.hangup(params.cause as HangupCause, 'scenario');
    ctx.endBranch();
    return { ok: true };
  },
});
