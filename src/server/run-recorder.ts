// Writes what a run does to the store as it goes: its status, its timeline (in small batches), its
// calls; and at the end, in one transaction, its final state with whatever must go with it (a result
// to deliver). Also publishes each timeline event on the live event stream.

import type { Run, RunSummary } from '../runtime/run.ts';
import type { TimelineEvent } from '../runtime/timeline.ts';
import type { Clock, Timer } from '../time/clock.ts';
import type { CallRecord } from '../store/calls.ts';
import type { Repositories, Store } from '../store/store.ts';
import type { EventBus } from './event-bus.ts';
import type { Logger } from './logger.ts';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RecorderDeps {
  store: Store;
  clock: Clock;
  events: EventBus;
  logger: Logger;
  /** Folder of recordings: stored paths are relative to it. */
  recordingsDir: string;
  /** Sees every timeline event (metrics). */
  onEvent?: ((event: TimelineEvent) => void) | undefined;
}

/** Extra writes made in the run's final transaction (a delivery, a Knovvu call state). */
export type OnFinish = (summary: RunSummary, tx: Repositories) => Promise<void>;

const FLUSH_MS = 250;

export async function recordRun(deps: RecorderDeps, run: Run, tenantId: string, onFinish?: OnFinish): Promise<RunSummary> {
  const { store, clock, events, logger } = deps;
  const runSid = run.info.sid;
  let pending: { seq: number; event: TimelineEvent }[] = [];
  let seq = 0;
  let timer: Timer | undefined;
  // Writes of one run happen one after the other, in the order they were asked for.
  let chain: Promise<void> = Promise.resolve();
  const enqueue = (write: () => Promise<void>) => {
    chain = chain.then(write).catch((e: unknown) => logger.error({ err: e, runSid }, 'could not record a run event'));
  };
  const flush = () => {
    timer?.cancel();
    timer = undefined;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    enqueue(() => store.runs.appendTimeline(runSid, batch));
  };
  const saveCalls = (tx: Repositories = store) =>
    Promise.all(run.callSummaries().map((c) => tx.calls.save(callRecord(c, tenantId, runSid, clock))));

  const unsubscribe = run.subscribe((event) => {
    pending.push({ seq: seq++, event });
    events.publish({ tenantId, runSid, type: event.type, data: event });
    deps.onEvent?.(event);
    if (event.type === 'run' && event.event === 'started') {
      enqueue(() => store.runs.update(runSid, { status: 'running', started: event.at }));
    }
    if (event.type === 'call') enqueue(() => saveCalls().then(() => {}));
    timer ??= clock.setTimer(FLUSH_MS, flush);
  });

  const summary = await run.done;
  unsubscribe();
  flush();
  await chain;
  const recordings = summary.recordings.map((r) => ({
    sid: r.sid,
    tenantId,
    runSid,
    callSid: null,
    path: r.url.startsWith('file:') ? relative(deps.recordingsDir, fileURLToPath(r.url)) : null,
    durationMs: r.durationMs,
    format: r.format,
    created: new Date(clock.now()).toISOString(),
  }));
  await store.transaction(async (tx) => {
    await tx.runs.update(runSid, { status: summary.status, variables: summary.variables, error: summary.error ?? null, ended: summary.endedAt ?? null });
    await saveCalls(tx);
    for (const r of recordings) await tx.recordings.create(r);
    await onFinish?.(summary, tx);
  });
  return summary;
}

function callRecord(c: RunSummary['calls'][number], tenantId: string, runSid: string, clock: Clock): CallRecord {
  const now = new Date(clock.now()).toISOString();
  return {
    sid: c.sid,
    tenantId,
    runSid,
    direction: c.direction as CallRecord['direction'],
    from: c.from,
    to: c.to,
    status: c.status,
    cdr: c.cdr,
    attachedData: c.attachedData,
    created: c.cdr.started,
    updated: now,
  };
}
