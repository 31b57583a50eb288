// Starts runs for the server — from the API, from inbound calls, from the Outbound Call Trigger API —
// records them before they start, keeps the live ones for cancel and shutdown, and fails the ones a
// previous process left unfinished.

import { ANY_NUMBER } from './phone-numbers.ts';
import { isRingflowError, RingflowError } from '../errors.ts';
import type { Engine } from '../runtime/engine.ts';
import type { Run, RunEntry, RunSummary } from '../runtime/run.ts';
import type { Scenario } from '../scenario/model.ts';
import type { TimelineEvent } from '../runtime/timeline.ts';
import type { Call } from '../telephony/port.ts';
import type { Clock } from '../time/clock.ts';
import type { RunRecord } from '../store/runs.ts';
import type { ScenarioRecord } from '../store/scenarios.ts';
import type { Store } from '../store/store.ts';
import type { GroupCommit } from '../store/group-commit.ts';
import type { EventBus } from './event-bus.ts';
import type { Logger } from './logger.ts';
import { recordRun, type OnFinish } from './run-recorder.ts';
import type { ScenarioCache } from './scenario-cache.ts';

export interface RunServiceDeps {
  store: Store;
  /** Group commit: the runs' writes share transactions (see store/group-commit.ts). */
  writes: GroupCommit;
  engine: Engine;
  scenarios: ScenarioCache;
  clock: Clock;
  events: EventBus;
  logger: Logger;
  recordingsDir: string;
  newSid: (prefix: string) => string;
  /** This server's node id: the runs it starts are its own, and only those it fails after a restart. */
  node: string;
  /** Told when a run ends (metrics). */
  onRunEnded?: (summary: RunSummary) => void;
  /** Sees every timeline event of every run (metrics). */
  onEvent?: (event: TimelineEvent) => void;
}

interface Live {
  run: Run;
  tenantId: string;
  recorded: Promise<unknown>;
}

export class RunService {
  readonly #deps: RunServiceDeps;
  readonly #live = new Map<string, Live>();
  #accepting = true;

  constructor(deps: RunServiceDeps) {
    this.#deps = deps;
  }

  /** A new run record, ready to be stored. */
  newRecord(tenantId: string, scenario: ScenarioRecord, type: RunRecord['type'], variables: Record<string, unknown>): RunRecord {
    return {
      sid: this.#deps.newSid('RN'),
      tenantId,
      scenarioSid: scenario.sid,
      scenarioVersion: scenario.version,
      type,
      status: 'queued',
      variables,
      error: null,
      created: this.#now(),
      started: null,
      ended: null,
      node: this.#deps.node,
    };
  }

  /**
   * POST /actions/{sid}/runs: records the run (once per Idempotency-Key), then starts its
   * api-initiated branch. `replayed` when the key had been used: nothing new was started.
   */
  async startApiRun(
    tenantId: string,
    scenarioRecord: ScenarioRecord,
    variables: Record<string, unknown>,
    idempotency?: { key: string; requestHash: string },
  ): Promise<{ record: RunRecord; replayed: boolean; sameRequest: boolean }> {
    this.#mustAccept();
    const scenario = this.#parsed(scenarioRecord);
    const record = this.newRecord(tenantId, scenarioRecord, 'api', withDollars(variables));
    if (idempotency) {
      const outcome = await this.#deps.writes.write((tx) => tx.runs.createIdempotent(record, idempotency.key, idempotency.requestHash));
      if (!outcome.created) return { record: outcome.run, replayed: true, sameRequest: outcome.sameRequest };
    } else {
      await this.#deps.writes.write((tx) => tx.runs.create(record));
    }
    this.launch(record, scenarioRecord, scenario, { type: 'api' });
    return { record, replayed: false, sameRequest: true };
  }

  /** An inbound call: runs the scenario assigned to the number called, or refuses the call (404). */
  async startInbound(call: Call): Promise<RunRecord | undefined> {
    const { store } = this.#deps;
    const route = this.#accepting ? (await store.numbers.route(call.toNumber)) ?? (await store.numbers.route(ANY_NUMBER)) : undefined;
    const scenarioRecord = route && (await store.scenarios.get(route.tenantId, route.scenarioSid));
    if (!route || !scenarioRecord) {
      this.#deps.logger.info({ to: call.toNumber, from: call.fromNumber }, this.#accepting ? 'inbound call to an unassigned number: refused' : 'inbound call refused: shutting down');
      await call.hangup('not-found', 'system');
      return undefined;
    }
    let scenario: Scenario;
    try {
      scenario = this.#parsed(scenarioRecord);
    } catch (e) {
      // The call must not stay up with nothing to run it: refuse it, and say why in the log.
      const why = isRingflowError(e) ? { code: e.code, detail: e.message } : { err: e };
      this.#deps.logger.warn({ ...why, to: call.toNumber, scenario: scenarioRecord.sid }, 'inbound call refused: its scenario cannot run');
      await call.hangup('error', 'system');
      return undefined;
    }
    const record = this.newRecord(route.tenantId, scenarioRecord, 'inbound-call', {});
    await this.#deps.writes.write((tx) => tx.runs.create(record));
    this.launch(record, scenarioRecord, scenario, { type: 'inbound-call', call });
    return record;
  }

  /**
   * Starts a recorded run on the engine. `onFinish` writes in its final transaction; `afterCommit`
   * runs once that transaction is committed (to wake the deliverer).
   */
  launch(
    record: RunRecord,
    scenarioRecord: ScenarioRecord,
    scenario: Scenario,
    entry: RunEntry,
    onFinish?: OnFinish,
    afterCommit?: () => void,
    extra: { language?: string | undefined; endUser?: unknown } = {},
  ): Run {
    const run = this.#deps.engine.startRun({
      sid: record.sid,
      scenario,
      scenarioRef: { sid: scenarioRecord.sid, name: scenarioRecord.name },
      tenant: record.tenantId,
      entry,
      variables: record.variables,
      language: extra.language,
      endUser: extra.endUser,
    });
    const recorded = recordRun(this.#deps, run, record.tenantId, onFinish).then(
      (summary) => {
        afterCommit?.();
        this.#deps.onRunEnded?.(summary);
      },
      (e: unknown) => this.#deps.logger.error({ err: e, runSid: record.sid }, 'could not record the end of a run'),
    );
    const live: Live = { run, tenantId: record.tenantId, recorded };
    this.#live.set(record.sid, live);
    void recorded.finally(() => this.#live.delete(record.sid));
    return run;
  }

  /**
   * `canceled` (its calls hung up and its final state written), `finished` (it was over, or ended
   * on its own before the cancel took), or `not-found`. Resolves once the final state is stored.
   */
  async cancel(tenantId: string, sid: string): Promise<{ outcome: 'canceled' | 'finished' | 'not-found'; record?: RunRecord }> {
    const live = this.#live.get(sid);
    if (live && live.tenantId === tenantId) {
      live.run.cancel();
      await live.recorded;
    }
    const record = await this.#deps.store.runs.get(tenantId, sid);
    if (!record) return { outcome: 'not-found' };
    // A run whose end was being written when the cancel came is over, not canceled.
    return { outcome: live && live.tenantId === tenantId && record.status === 'canceled' ? 'canceled' : 'finished', record };
  }

  /** The timeline so far of a run going on in this process (what a live stream replays first). */
  liveTimeline(tenantId: string, sid: string): readonly TimelineEvent[] | undefined {
    const live = this.#live.get(sid);
    return live && live.tenantId === tenantId ? live.run.timeline.events : undefined;
  }

  get liveCount(): number {
    return this.#live.size;
  }

  /** Runs a previous process left queued or running end as failed, with a clear error. */
  async recover(): Promise<RunRecord[]> {
    const error = new RingflowError('RF_SERVER_RESTARTED', {});
    return this.#deps.store.runs.failUnfinished(this.#deps.node, { code: error.code, message: error.message }, this.#now());
  }

  /**
   * Graceful shutdown: no new runs; running ones may finish until the deadline, then are canceled
   * (their calls hung up), and every final state is written before this resolves.
   */
  async drain(deadlineMs: number): Promise<void> {
    this.#accepting = false;
    const all = () => Promise.all([...this.#live.values()].map((l) => l.recorded));
    // The deadline's timer is cancelled once the runs are done: a pending timer would keep the process alive.
    const deadline = new AbortController();
    const timedOut = await Promise.race([
      all().then(() => false),
      this.#deps.clock.sleep(deadlineMs, deadline.signal).then(() => true, () => false),
    ]);
    deadline.abort();
    if (timedOut) {
      for (const live of this.#live.values()) live.run.cancel();
      await all();
    }
  }

  /** The parsed scenario; RF_SCENARIO_BROKEN when the stored script no longer passes the checks. */
  #parsed(record: ScenarioRecord): Scenario {
    try {
      return this.#deps.scenarios.get(record);
    } catch (e) {
      if (!isRingflowError(e) || e.code !== 'RF_SCENARIO_INVALID') throw e;
      throw new RingflowError('RF_SCENARIO_BROKEN', { ...e.params, sid: record.sid, version: record.version }, undefined, { cause: e });
    }
  }

  #mustAccept(): void {
    if (!this.#accepting) throw new RingflowError('RF_SHUTTING_DOWN', {});
  }

  #now(): string {
    return new Date(this.#deps.clock.now()).toISOString();
  }
}

/** API variables may be given with or without `$`. */
export function withDollars(variables: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(variables).map(([k, v]) => [k.startsWith('$') ? k : `$${k}`, v]));
}
