// Joining two simulated calls. There is no audio to relay; what a bridge does that anyone could
// notice is that it lasts until one side leaves, and that each side hears the other's keys.

import type { BridgeOutcome } from '../port.ts';
import type { CallHook, CallHooks } from '../call/call-wait.ts';
import type { SimEnv } from './sim-env.ts';

export interface BridgeSide {
  readonly call: { readonly sid: string; readonly status: string };
  readonly hooks: CallHooks;
}

/** Bridges `self` (the call bridge() was called on) with `other`. */
export function bridgeCalls(env: SimEnv, self: BridgeSide, other: BridgeSide, signal: AbortSignal): Promise<BridgeOutcome> {
  if (signal.aborted) return Promise.resolve({ endedBy: 'aborted', durationMs: 0 });
  if (self.call.status === 'ended') return Promise.resolve({ endedBy: 'this', durationMs: 0 });
  if (other.call.status === 'ended') return Promise.resolve({ endedBy: 'other', durationMs: 0 });
  const { transcript, clock } = env;
  transcript.add(self.call.sid, 'bridge', { other: other.call.sid });
  const startedAt = clock.now();
  return new Promise<BridgeOutcome>((resolve) => {
    let done = false;
    const finish = (endedBy: BridgeOutcome['endedBy']): void => {
      if (done) return;
      done = true;
      self.hooks.delete(selfHook);
      other.hooks.delete(otherHook);
      signal.removeEventListener('abort', onAbort);
      const durationMs = Math.round(clock.now() - startedAt);
      transcript.add(self.call.sid, 'unbridge', { other: other.call.sid, endedBy, durationMs });
      resolve({ endedBy, durationMs });
    };
    // A bridge relays DTMF (RFC 4733 events) like audio: the far party hears the key; the engine
    // still gets it as a `digit` of the side that pressed it.
    const forward = (to: BridgeSide, from: BridgeSide) => (key: string): void => {
      transcript.add(to.call.sid, 'press', { text: key, forwardedFrom: from.call.sid });
    };
    const selfHook: CallHook = { digit: forward(other, self), ended: () => finish('this') };
    const otherHook: CallHook = { digit: forward(self, other), ended: () => finish('other') };
    const onAbort = (): void => finish('aborted');
    self.hooks.add(selfHook);
    other.hooks.add(otherHook);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
