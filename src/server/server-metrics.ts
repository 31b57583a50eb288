// The server's Prometheus metrics: requests, runs by status, calls by final state, outbound HTTP
// latency, and the delivery backlog read from the database at scrape time.

import type { RunSummary } from '../runtime/run.ts';
import type { TimelineEvent } from '../runtime/timeline.ts';
import type { DeliveryRecord } from '../store/deliveries.ts';
import type { Store } from '../store/store.ts';
import type { EventBus } from './event-bus.ts';
import { Metrics } from './metrics.ts';

export interface ServerMetrics {
  registry: Metrics;
  request(method: string, route: string, status: number): void;
  runEnded(summary: RunSummary): void;
  deliveryAttempt(outcome: 'delivered' | 'retry' | 'failed', delivery: DeliveryRecord): void;
  /** Each timeline event of every run (HTTP exchanges feed the latency histogram). */
  timelineEvent(event: TimelineEvent): void;
}

export function serverMetrics(store: Store, events: EventBus): ServerMetrics {
  const registry = new Metrics();
  const requests = registry.counter('ringflow_http_requests_total', 'API requests answered, by method, route and status.');
  const runs = registry.counter('ringflow_runs_total', 'Runs ended, by status.');
  const calls = registry.counter('ringflow_calls_total', 'Calls ended, by the status of their CDR (answered, missed, busy, no-answer…).');
  const fetchSeconds = registry.histogram('ringflow_fetch_duration_seconds', 'Outbound HTTP requests of scenarios, by outcome.', [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
  const deliveries = registry.counter('ringflow_delivery_attempts_total', 'Result and webhook delivery attempts, by outcome.');
  registry.gauge('ringflow_delivery_backlog', 'Deliveries waiting (pending) or given up (failed).', async () => {
    const b = await store.deliveries.backlog();
    return [[{ status: 'pending' }, b.pending], [{ status: 'failed' }, b.failed]];
  });
  registry.gauge('ringflow_event_stream_clients', 'Clients connected to the live event stream.', () => [[{}, events.subscribers]]);
  return {
    registry,
    request: (method, route, status) => requests({ method, route, status: String(status) }),
    runEnded(summary) {
      runs({ status: summary.status });
      for (const c of summary.calls) calls({ status: c.cdr.status });
    },
    deliveryAttempt: (outcome) => deliveries({ outcome }),
    timelineEvent(event) {
      if (event.type === 'http') fetchSeconds(event.durationMs / 1000, { outcome: event.error ?? (event.response && event.response.status < 400 ? 'ok' : 'http-error') });
    },
  };
}
