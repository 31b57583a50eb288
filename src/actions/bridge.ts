import { Type } from 'typebox';
import { defineAction } from './action.ts';
import { RingflowError } from '../errors.ts';

export const bridge = defineAction({
  name: 'bridge',
  version: 1,
  summary: "Joins this branch's call with the call that dialed it (in a dial@v1 answerOnBranch branch). Returns when either side leaves.",
  params: Type.Object({}, { additionalProperties: false }),
  result: '`{ok, duration, endedBy}` — seconds bridged; `endedBy` is `this` (this leg hung up) or `other`',
  needs: 'answered',
  async execute(ctx, _params, signal) {
    const peer = ctx.peer;
    if (!peer) throw new RingflowError('RF_BRIDGE_NO_PEER', {});
    if (peer.status === 'ended') return { ok: false, duration: 0, endedBy: 'other' };
    // The caller hears ringing until the callee is connected: transparent forwarding.
    await peer.answer();
    const outcome = await ctx.call!.bridge(peer, signal);
    return { ok: true, duration: outcome.durationMs / 1000, endedBy: outcome.endedBy };
  },
});
