// What the API's routes may use: the store, the services, the engine (to check scenarios).

import type { Engine } from '../runtime/engine.ts';
import type { EventBus } from '../server/event-bus.ts';
import type { Logger } from '../server/logger.ts';
import type { Metrics } from '../server/metrics.ts';
import type { OutboundCalls } from '../server/outbound-calls.ts';
import type { RunService } from '../server/run-service.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from '../time/clock.ts';
import type { PartyScript } from '../telephony/sim/index.ts';

export interface Simulator {
  /** Places a simulated call from `from` to `to` into the server; returns the call's sid. */
  callIn(input: { from: string; to: string; party: PartyScript }): Promise<{ callSid: string; runSid: string | undefined }>;
}

export interface ApiDeps {
  store: Store;
  engine: Engine;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  runs: RunService;
  outbound: OutboundCalls;
  events: EventBus;
  recordingsDir: string;
  defaultCountry: string;
  bodyLimitBytes: number;
  rateLimit: { perSecond: number; burst: number };
  /** Present when telephony is simulated. */
  simulator?: Simulator | undefined;
  /** False while shutting down: readiness fails so load balancers move away. */
  accepting(): boolean;
  /** Counts an answered request (metrics). */
  countRequest(method: string, route: string, status: number): void;
}
