// Writes what a run does to the store as it goes — its status, its timeline, its calls — in one
// write per flush (every 250 ms while it runs), and at the end, in one write, its final state with
// whatever must go with it (a result to deliver). Writes go through group commit, so concurrent runs
// share transactions. Also publishes each timeline event on the live event stream, at once.

import type { Run, RunSummary } from '../runtime/run.ts';
import type { TimelineEvent } from '../runtime/timeline.ts';
import type { Clock, Timer } from '../time/clock.ts';
import type { CallRecord } from '../store/calls.ts';
import type { GroupCommit } from '../store/group-commit.ts';
import type { Repositories } from '../store/store.ts';
import type { EventBus } from './event-bus.ts';
import type { Logger } from './logger.ts';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RecorderDeps {
  writes: GroupCommit;
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
  const { writes, clock, events, logger } = deps;
  const runSid = run.info.sid;
  let pending: { seq: number; event: TimelineEvent }[] = [];
  let seq = 0;
  let timer: Timer | undefined;
  let started: string | undefined;
  let callsDirty = false;
  // Writes of one run happen one after the other, in the order they were asked for.
  let chain: Promise<void> = Promise.resolve();
  const calls = () => run.callSummaries().map((c) => callRecord(c, tenantId, runSid, clock));
  // A call is written again whenever what the Calls API shows of it changes: its state (an inbound
  // call answered has no event of its own) and its attached data (written by a step).
  const shown = new Map<string, string>();
  const callsChanged = () => {
    let changed = false;
    for (const c of run.callSummaries()) {
      const now = `${c.status}\n${JSON.stringify(c.attachedData)}`;
      if (shown.get(c.sid) !== now) {
        shown.set(c.sid, now);
        changed = true;
      }
    }
    return changed;
  };
  const flush = () => {
    timer?.cancel();
    timer = undefined;
    const batch = pending;
    pending = [];
    const status = started;
    started = undefined;
    const saveCalls = callsDirty ? calls() : [];
    callsDirty = false;
    if (batch.length === 0 && status === undefined && saveCalls.length === 0) return;
    chain = chain
      .then(() => writes.write(async (tx) => {
        if (status !== undefined) await tx.runs.update(runSid, { status: 'running', started: status });
        if (batch.length > 0) await tx.runs.appendTimeline(runSid, batch);
        for (const c of saveCalls) await tx.calls.save(c);
      }))
      .catch((e: unknown) => logger.error({ err: e, runSid }, 'could not record a run event'));
  };

  const unsubscribe = run.subscribe((event) => {
    pending.push({ seq: seq++, event });
    events.publish({ tenantId, runSid, type: event.type, data: event });
    deps.onEvent?.(event);
    if (event.type === 'run' && event.event === 'started') started = event.at;
    if (callsChanged()) callsDirty = true;
    timer ??= clock.setTimer(FLUSH_MS, flush);
  });

  const summary = await run.done;
  unsubscribe();
  timer?.cancel();
  await chain;
  const rest = pending;
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
  await writes.write(async (tx) => {
    if (rest.length > 0) await tx.runs.appendTimeline(runSid, rest);
    await tx.runs.update(runSid, { status: summary.status, variables: summary.variables, error: summary.error ?? null, started: summary.startedAt, ended: summary.endedAt ?? null });
    for (const c of calls()) await tx.calls.save(c);
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
