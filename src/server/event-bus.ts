// Live events of a tenant's calls and runs, for the event stream (SSE) of the API and the console.
// In-process: each server has its own; a listener that throws never disturbs the others.

export interface LiveEvent {
  tenantId: string;
  runSid: string;
  /** `run`, `branch`, `step`, `http`, `call`, `log`, `warning`, `error` — the timeline's types. */
  type: string;
  data: unknown;
}

export class EventBus {
  readonly #listeners = new Map<string, Set<(event: LiveEvent) => void>>();

  publish(event: LiveEvent): void {
    for (const listener of this.#listeners.get(event.tenantId) ?? []) {
      try {
        listener(event);
      } catch {
        // A broken subscriber (a closed stream) must not stop the run that publishes.
      }
    }
  }

  subscribe(tenantId: string, listener: (event: LiveEvent) => void): () => void {
    let set = this.#listeners.get(tenantId);
    if (!set) this.#listeners.set(tenantId, (set = new Set()));
    const listeners = set;
    listeners.add(listener);
    // Idempotent, and it only ever removes its own listener: called again after the tenant's set
    // was dropped and made anew, it must not drop the new one.
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.#listeners.get(tenantId) === listeners) this.#listeners.delete(tenantId);
    };
  }

  get subscribers(): number {
    let n = 0;
    for (const set of this.#listeners.values()) n += set.size;
    return n;
  }
}
