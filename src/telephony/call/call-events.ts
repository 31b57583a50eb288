// A minimal typed emitter for the port's call events. Smaller than node:events (one array per
// event that has listeners, nothing else), which matters with thousands of simulated calls up.

import type { CallEventMap, CallEventName } from '../port.ts';

type Listener<E extends CallEventName> = (...args: CallEventMap[E]) => void;
type Lists = { [E in CallEventName]?: Listener<E>[] };

export class CallEvents {
  #lists: Lists = {};

  on<E extends CallEventName>(event: E, listener: Listener<E>): void {
    const lists = this.#lists as Record<E, Listener<E>[] | undefined>;
    (lists[event] ??= []).push(listener);
  }

  off<E extends CallEventName>(event: E, listener: Listener<E>): void {
    const list = (this.#lists as Record<E, Listener<E>[] | undefined>)[event];
    const i = list ? list.indexOf(listener) : -1;
    if (i >= 0) list!.splice(i, 1);
  }

  emit<E extends CallEventName>(event: E, ...args: CallEventMap[E]): void {
    const list = (this.#lists as Record<E, Listener<E>[] | undefined>)[event];
    if (!list || list.length === 0) return;
    // A copy: a listener may remove itself (or others) while we iterate.
    for (const listener of [...list]) listener(...args);
  }

  /** Drops every listener: nothing is emitted after a call has ended. */
  clear(): void {
    this.#lists = {};
  }
}
