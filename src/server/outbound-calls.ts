// The Outbound Call Trigger API (Knovvu's `POST /v2/call`): record the request, dial `_Destination`
// from `_DisplayNumber`, run the scenario on the answered call (outbound-call, else api-initiated),
// keep the CallState up to date, and deliver the result — durably — to ResultDestination, and the
// conversation's state changes to OrchestratorUrl.

import { enqueueResult, enqueueStateEvent, isHttpUrl, type EnqueueContext } from '../delivery/call-result.ts';
import { RingflowError } from '../errors.ts';
import type { RunError, RunSummary } from '../runtime/run.ts';
import type { Cdr, Network, OriginateResult } from '../telephony/port.ts';
import type { Clock } from '../time/clock.ts';
import type { CallRequestRecord, CallState } from '../store/call-requests.ts';
import type { RunChanges, RunRecord } from '../store/runs.ts';
import type { ScenarioRecord } from '../store/scenarios.ts';
import type { Repositories, Store } from '../store/store.ts';
import type { GroupCommit } from '../store/group-commit.ts';
import type { Logger } from './logger.ts';
import { NumberChecker } from './phone-numbers.ts';
import type { RunService } from './run-service.ts';
import type { ScenarioCache } from './scenario-cache.ts';

export interface CallTrigger {
  Project: string;
  Tenant: string;
  ConversationId: string;
  AccessToken: string;
  ScenarioPath: string;
  OrchestratorUrl: string;
  EndUser?: { Name?: string; Phone?: string; Email?: string } | undefined;
  Locale?: string | undefined;
  ScenarioInputParameters: { Name: string; Value?: unknown }[];
  ResultDestination?: string | undefined;
  SendResultImmediately?: boolean | undefined;
}

export interface CallResult {
  UniqueId: string;
  CallRequestId: string | null;
  CallState: CallState | null;
  /** Only for an id Ringflow does not know (or that belongs to another tenant). */
  Error?: string;
}

export interface OutboundCallsDeps {
  store: Store;
  /** Group commit (store/group-commit.ts): the requests' state changes share transactions. */
  writes: GroupCommit;
  runs: RunService;
  scenarios: ScenarioCache;
  network: Network;
  clock: Clock;
  logger: Logger;
  newSid: (prefix: string) => string;
  /** This server's node id (see RunService). */
  node: string;
  defaultCountry: string;
  ringTimeoutMs: number;
  /** Queued results (SendResultImmediately false) go out at multiples of this interval. */
  batchIntervalMs: number;
  /** Called after a transaction enqueued deliveries, so they go out without waiting. */
  wakeDeliverer: () => void;
}

/** How a request that ends without a scenario run leaves its run. */
interface Ending {
  started?: string | null | undefined;
  answered?: string | null | undefined;
  ended?: string | undefined;
  /** Changes to the run record; none when it was already ended (after a restart). */
  run?: RunChanges | undefined;
  /** The CDR of a call that was dialed but not answered: kept, so /v2.0/calls lists it. */
  cdr?: Cdr | undefined;
}

export class OutboundCalls {
  readonly #d: OutboundCallsDeps;
  readonly #numbers: NumberChecker;
  /** Requests being carried out by this node; their CallState here is the live one. */
  readonly #pending = new Map<string, { abort: AbortController; done: Promise<void> }>();
  /**
   * Requests of this node from trigger until their final state is committed; their CallState here
   * is the live one (the states on the way are not always written, see #setState).
   */
  readonly #live = new Map<string, CallRequestRecord>();
  #accepting = true;

  constructor(deps: OutboundCallsDeps) {
    this.#d = deps;
    this.#numbers = new NumberChecker(deps.defaultCountry);
  }

  /** Checks and records the request, returns its UniqueId, and carries it out in the background. */
  async trigger(tenantId: string, body: CallTrigger): Promise<{ UniqueId: string }> {
    if (!this.#accepting) throw new RingflowError('RF_SHUTTING_DOWN', {});
    const { store } = this.#d;
    const params = new Map(body.ScenarioInputParameters.map((p) => [p.Name, p.Value]));
    const [destination, displayNumber] = ['_Destination', '_DisplayNumber'].map((name) => {
      const value = params.get(name);
      const text = value === undefined || value === null || typeof value === 'object' ? '' : String(value).trim();
      if (text === '') throw new RingflowError('RF_CALL_FIELD', { field: `ScenarioInputParameters.${name}`, detail: 'is required (a phone number)' });
      return text;
    }) as [string, string];
    // An empty string is taken as "none", as clients that always send every field mean it.
    const resultDestination = body.ResultDestination?.trim() || null;
    if (resultDestination !== null && !isHttpUrl(resultDestination)) {
      throw new RingflowError('RF_CALL_FIELD', { field: 'ResultDestination', detail: 'must be an http:// or https:// URL' });
    }
    const scenario = (await store.scenarios.get(tenantId, body.ScenarioPath)) ?? (await store.scenarios.byName(tenantId, body.ScenarioPath));
    if (!scenario) throw new RingflowError('RF_CALL_SCENARIO', { path: body.ScenarioPath });
    this.#d.scenarios.get(scenario); // a scenario that no longer parses is refused now, not after dialing
    const check = this.#numbers.check(destination);
    const variables = Object.fromEntries(body.ScenarioInputParameters.map((p) => [p.Name.startsWith('$') ? p.Name : `$${p.Name}`, p.Value ?? null]));
    const now = this.#now();
    const record = this.#d.runs.newRecord(tenantId, scenario, 'outbound-call', variables);
    const request: CallRequestRecord = {
      uniqueId: this.#d.newSid('UQ'),
      tenantId,
      runSid: record.sid,
      conversationId: body.ConversationId,
      project: body.Project,
      scenarioSid: scenario.sid,
      destination: check.valid ? check.e164 : destination,
      displayNumber,
      callState: 'Queued',
      resultDestination,
      sendResultImmediately: body.SendResultImmediately ?? false,
      orchestratorUrl: body.OrchestratorUrl,
      endUser: body.EndUser ?? null,
      locale: body.Locale?.trim() || null,
      variables,
      created: now,
      updated: now,
      started: null,
      answered: null,
      ended: null,
      duration: null,
    };
    await this.#d.writes.write(async (tx) => {
      await tx.runs.create(record);
      await tx.callRequests.create(request);
      await enqueueStateEvent(tx, request, 'Queued', this.#enqueueContext());
    });
    this.#d.wakeDeliverer();
    this.#live.set(request.uniqueId, request);
    const abort = new AbortController();
    const done = this.#carryOut(request, record, scenario, check.valid ? undefined : check.reason, abort.signal)
      .catch(async (e: unknown) => {
        if (e instanceof RingflowError && e.code === 'RF_SHUTTING_DOWN') this.#d.logger.info({ uniqueId: request.uniqueId }, 'outbound call request stopped by the shutdown');
        else this.#d.logger.error({ err: e, uniqueId: request.uniqueId }, 'outbound call request failed');
        const error = e instanceof RingflowError ? e : new RingflowError('RF_INTERNAL', { detail: 'the outbound call request failed; the details are in the server log' });
        await this.#finish(request, 'Error', { run: this.#failed(error) }).catch((f: unknown) => this.#d.logger.error({ err: f, uniqueId: request.uniqueId }, 'could not record the end of an outbound call request'));
      })
      .finally(() => this.#pending.delete(request.uniqueId));
    this.#pending.set(request.uniqueId, { abort, done });
    return { UniqueId: request.uniqueId };
  }

  /**
   * After a restart: requests that were going on when the process stopped end as Error (their runs
   * were already failed with RF_SERVER_RESTARTED), and their results are delivered like any other.
   */
  async recover(): Promise<number> {
    const unfinished = await this.#d.store.callRequests.unfinished(this.#d.node);
    for (const request of unfinished) await this.#finish(request, 'Error', { started: request.started, answered: request.answered });
    return unfinished.length;
  }

  /**
   * Graceful stop: no new requests; calls still ringing are canceled and end as Error (their results
   * written). Requests whose scenario is running are the RunService's to drain.
   */
  async drain(): Promise<void> {
    this.#accepting = false;
    const pending = [...this.#pending.values()];
    for (const p of pending) p.abort.abort(new RingflowError('RF_SHUTTING_DOWN', {}));
    await Promise.all(pending.map((p) => p.done));
  }

  /** The state of each request, in the order asked; unknown ids are reported, the others answered. */
  async results(tenantId: string, uniqueIds: readonly string[]): Promise<{ CallResults: CallResult[] }> {
    const found = new Map((await this.#d.store.callRequests.getMany(tenantId, uniqueIds)).map((r) => [r.uniqueId, r]));
    return {
      CallResults: uniqueIds.map((id) => {
        // A request this node is carrying out has its live state in memory (see #setState).
        const live = this.#live.get(id);
        const r = live && live.tenantId === tenantId ? live : found.get(id);
        return r ? { UniqueId: id, CallRequestId: r.runSid, CallState: r.callState } : { UniqueId: id, CallRequestId: null, CallState: null, Error: 'unknown UniqueId' };
      }),
    };
  }

  async #carryOut(request: CallRequestRecord, record: RunRecord, scenario: ScenarioRecord, invalidNumber: string | undefined, signal: AbortSignal): Promise<void> {
    if (invalidNumber !== undefined) {
      this.#d.logger.info({ uniqueId: request.uniqueId, reason: invalidNumber }, 'outbound call request: invalid number, not dialed');
      return this.#finish(request, 'Invalid Number', { run: { status: 'completed' } });
    }
    const started = this.#now();
    await this.#setState(request, 'Dialing', { started }, { status: 'running', started });
    let placed: OriginateResult;
    try {
      placed = await this.#d.network.originate({ from: request.displayNumber, to: request.destination, timeoutMs: this.#d.ringTimeoutMs }, signal);
    } catch (e) {
      if (!signal.aborted) throw e;
      return this.#finish(request, 'Error', { started, run: this.#failed(signal.reason) });
    }
    if (placed.outcome !== 'Answered') return this.#finish(request, placed.outcome, { started, ended: placed.cdr.ended ?? undefined, run: { status: 'completed' }, cdr: placed.cdr });
    const call = placed.call;
    try {
      const answered = this.#now();
      await this.#setState(request, 'In Progress', { answered });
      signal.throwIfAborted();
      this.#d.runs.launch(
        record, scenario, this.#d.scenarios.get(scenario), { type: 'outbound-call', call },
        (summary, tx) => this.#finishIn(tx, request, 'Answered', summary, { started, answered, ended: summary.endedAt ?? this.#now(), duration: call.cdr().durationAnswered }),
        () => {
          this.#live.delete(request.uniqueId);
          this.#d.wakeDeliverer();
        },
        { language: request.locale ?? undefined, endUser: request.endUser ?? undefined },
      );
    } catch (e) {
      // The scenario will not run on this call: do not leave the callee on a silent line.
      await call.hangup('error', 'system').catch(() => {});
      throw e;
    }
  }

  /**
   * A state on the way (Dialing, In Progress). It is written only when an orchestrator must be told
   * (its event is a durable delivery); otherwise it lives in memory, where /v2/callresult reads it:
   * after a crash every unfinished state ends the same way (Error), so writing it would add a
   * transaction per state and no safety. Queued and the final state are always written.
   */
  async #setState(request: CallRequestRecord, state: CallState, times: Partial<Pick<CallRequestRecord, 'started' | 'answered'>>, run?: RunChanges): Promise<void> {
    Object.assign(request, times, { callState: state });
    if (!isHttpUrl(request.orchestratorUrl)) return;
    await this.#d.writes.write(async (tx) => {
      await tx.callRequests.update(request.uniqueId, { callState: state, ...times, updated: this.#now() });
      if (run) await tx.runs.update(request.runSid, run);
      await enqueueStateEvent(tx, request, state, this.#enqueueContext());
    });
    this.#d.wakeDeliverer();
  }

  /** A request that ends without its scenario running (not answered, invalid number, error, restart). */
  async #finish(request: CallRequestRecord, state: CallState, ending: Ending): Promise<void> {
    const ended = ending.ended ?? this.#now();
    const started = ending.started !== undefined ? ending.started : request.started;
    const answered = ending.answered ?? null;
    try {
      await this.#d.writes.write(async (tx) => {
        if (ending.run) await tx.runs.update(request.runSid, { started: started ?? ended, ended, ...ending.run });
        if (ending.cdr) {
          await tx.calls.save({
            sid: ending.cdr.callid, tenantId: request.tenantId, runSid: request.runSid, direction: 'outbound',
            from: request.displayNumber, to: request.destination, status: 'ended', cdr: ending.cdr, attachedData: {},
            created: ending.cdr.started, updated: ended,
          });
        }
        await this.#finishIn(tx, request, state, undefined, { started, answered, ended, duration: 0 });
      });
    } finally {
      this.#live.delete(request.uniqueId);
    }
    this.#d.wakeDeliverer();
  }

  async #finishIn(
    tx: Repositories,
    request: CallRequestRecord,
    state: CallState,
    summary: RunSummary | undefined,
    times: { started: string | null | undefined; answered: string | null; ended: string; duration: number },
  ): Promise<void> {
    const variables = summary?.variables ?? request.variables;
    const started = times.started ?? null;
    await tx.callRequests.update(request.uniqueId, {
      callState: state, started, answered: times.answered, ended: times.ended, duration: times.duration, variables, updated: this.#now(),
    });
    Object.assign(request, { callState: state });
    const context = this.#enqueueContext();
    await enqueueStateEvent(tx, request, state, context);
    await enqueueResult(tx, request, {
      UniqueId: request.uniqueId,
      CallRequestId: request.runSid,
      ConversationId: request.conversationId,
      CallState: state,
      Started: started,
      Answered: times.answered,
      Ended: times.ended,
      Duration: times.duration,
      Variables: variables,
    }, context);
  }

  #failed(reason: unknown): RunChanges {
    const e = reason instanceof RingflowError ? reason : new RingflowError('RF_INTERNAL', { detail: String(reason) });
    const error: RunError = { code: e.code, message: e.message };
    return { status: 'failed', error };
  }

  #enqueueContext(): EnqueueContext {
    return { now: this.#d.clock.now(), newId: () => this.#d.newSid('EV'), batchIntervalMs: this.#d.batchIntervalMs };
  }

  #now(): string {
    return new Date(this.#d.clock.now()).toISOString();
  }
}
