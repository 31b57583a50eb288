// The server's Prometheus metrics: requests, runs by status, calls by final state, outbound HTTP
// latency, the delivery backlog read from the database at scrape time, the process (event-loop
// delay, memory), and the media of SIP calls (packets, loss, skipped frames, send jitter).

import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { RunSummary } from '../runtime/run.ts';
import type { RtpSessionStats } from '../telephony/media/rtp/rtp-session-types.ts';
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
  /** A SIP call's RTP figures, when it ends. */
  mediaEnded(stats: RtpSessionStats): void;
  /** Stops what samples in the background (the event-loop delay). */
  stop(): void;
}

/** The event loop is sampled this often (ms). */
const LOOP_SAMPLE_MS = 10;

export interface ServerMetricsOptions {
  /** SIP calls up now (ringing or answered); absent when telephony is simulated. */
  activeSipCalls?: () => number;
}

export function serverMetrics(store: Store, events: EventBus, options: ServerMetricsOptions = {}): ServerMetrics {
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
  // The process: what a media server is judged by before anything else. Every call's 20 ms packets
  // wait for the event loop, so its delay is the first sign of overload.
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
  loopDelay.enable();
  // Node's histogram holds the whole time between two samples: the sampling interval is taken off.
  const late = (ns: number) => (loopDelay.count ? Math.max(0, ns / 1e6 - LOOP_SAMPLE_MS) / 1000 : 0);
  registry.gauge('ringflow_event_loop_delay_seconds', 'How late the event loop ran a timer, since the previous scrape (p50, p99, max).', () => {
    const read: [Record<string, string>, number][] = [
      [{ quantile: '0.5' }, late(loopDelay.percentile(50))],
      [{ quantile: '0.99' }, late(loopDelay.percentile(99))],
      [{ quantile: '1' }, late(loopDelay.max)],
    ];
    loopDelay.reset();
    return read;
  });
  registry.gauge('ringflow_process_memory_bytes', 'Memory of the process: resident set, V8 heap used, memory outside the heap (buffers).', () => {
    const m = process.memoryUsage();
    return [[{ kind: 'rss' }, m.rss], [{ kind: 'heap_used' }, m.heapUsed], [{ kind: 'external' }, m.external]];
  });
  const activeSipCalls = options.activeSipCalls;
  if (activeSipCalls) registry.gauge('ringflow_sip_calls_active', 'SIP calls up now, ringing or answered.', () => [[{}, activeSipCalls()]]);
  // Media quality, counted when each call ends: what an operator watches to see that the server
  // keeps up (a busy event loop shows as send jitter and skipped frames before callers complain).
  const rtpPackets = registry.counter('ringflow_rtp_packets_total', 'RTP packets of ended SIP calls, by direction (sent, received).');
  const rtpLost = registry.counter('ringflow_rtp_lost_packets_total', 'RTP packets that never arrived (sequence gaps), over ended SIP calls.');
  const rtpSkipped = registry.counter('ringflow_rtp_skipped_frames_total', '20 ms frames not sent because the server fell behind, over ended SIP calls.');
  const rtpCalls = registry.counter('ringflow_rtp_calls_total', 'SIP calls that carried RTP, counted when they end.');
  const sendJitter = registry.histogram(
    'ringflow_rtp_send_jitter_p99_ms',
    'Per call: the 99th percentile of |interval between two packets sent − 20 ms|, in ms.',
    [0.5, 1, 2, 5, 10, 20, 50, 100],
  );
  return {
    registry,
    request: (method, route, status) => requests({ method, route, status: String(status) }),
    runEnded(summary) {
      runs({ status: summary.status });
      for (const c of summary.calls) calls({ status: c.cdr.status });
    },
    deliveryAttempt: (outcome) => deliveries({ outcome }),
    stop: () => loopDelay.disable(),
    mediaEnded(stats) {
      rtpCalls();
      rtpPackets({ direction: 'sent' }, stats.sent);
      rtpPackets({ direction: 'received' }, stats.received);
      rtpLost({}, stats.lost);
      rtpSkipped({}, stats.skippedFrames);
      // A call too short for two packets has no interval to judge.
      if (stats.jitter.count > 0) sendJitter(stats.jitter.p99);
    },
    timelineEvent(event) {
      if (event.type === 'http') fetchSeconds(event.durationMs / 1000, { outcome: event.error ?? (event.response && event.response.status < 400 ? 'ok' : 'http-error') });
    },
  };
}
