// The Outbound Call Trigger API (Knovvu's `POST /v2/call`): record the request, dial `_Destination`
// from `_DisplayNumber`, run the scenario on the answered call (outbound-call, else api-initiated),
// keep the CallState up to date, and deliver the result — durably — to ResultDestination, and the
// conversation's events to OrchestratorUrl.

import { RingflowError } from '../errors.ts';
import type { RunSummary } from '../runtime/run.ts';
import type { Network } from '../telephony/port.ts';
import type { Clock } from '../time/clock.ts';
import type { CallRequestRecord, CallState } from '../store/call-requests.ts';
import type { RunRecord } from '../store/runs.ts';
import type { ScenarioRecord } from '../store/scenarios.ts';
import type { Repositories, Store } from '../store/store.ts';
import type { Logger } from './logger.ts';
import { checkNumber } from './phone-numbers.ts';
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
  /** Seconds queued results wait for the next batch (SendResultImmediately false). */
  batchIntervalMs: number;
  /** Called after a transaction enqueued deliveries, so they go out without waiting. */
  wakeDeliverer: () => void;
}

export class OutboundCalls {
  readonly #d: OutboundCallsDeps;

  constructor(deps: OutboundCallsDeps) {
    this.#d = deps;
  }

  /** Checks and records the request, returns its UniqueId, and carries it out in the background. */
  async trigger(tenantId: string, body: CallTrigger): Promise<{ UniqueId: string }> {
    const { store } = this.#d;
    const scenario = (await store.scenarios.get(tenantId, body.ScenarioPath)) ?? (await store.scenarios.byName(tenantId, body.ScenarioPath));
    if (!scenario) throw new RingflowError('RF_CALL_SCENARIO', { path: body.ScenarioPath });
    const params = new Map(body.ScenarioInputParameters.map((p) => [p.Name, p.Value]));
    for (const required of ['_Destination', '_DisplayNumber']) {
      const value = params.get(required);
      if (value === undefined || value === null || String(value).trim() === '') {
        throw new RingflowError('RF_CALL_FIELD', { field: `ScenarioInputParameters.${required}`, detail: 'is required' });
      }
    }
    if (body.ResultDestination !== undefined && !/^https?:\/\/[^\s]+$/i.test(body.ResultDestination)) {
      throw new RingflowError('RF_CALL_FIELD', { field: 'ResultDestination', detail: 'must be an http:// or https:// URL' });
    }
    this.#d.scenarios.get(scenario); // a scenario that no longer parses is refused now, not after dialing
    const destination = String(params.get('_Destination')).trim();
    const check = checkNumber(destination, this.#d.defaultCountry);
    const variables = Object.fromEntries(body.ScenarioInputParameters.map((p) => [`$${p.Name}`, p.Value ?? null]));
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
      displayNumber: String(params.get('_DisplayNumber')).trim(),
      callState: 'Queued',
      resultDestination: body.ResultDestination ?? null,
      sendResultImmediately: body.SendResultImmediately ?? false,
      orchestratorUrl: body.OrchestratorUrl,
      endUser: body.EndUser ?? null,
      locale: body.Locale ?? null,
      variables,
      created: now,
      updated: now,
      started: null,
      answered: null,
      ended: null,
      duration: null,
    };
    await store.transaction(async (tx) => {
      await tx.runs.create(record);
      await tx.callRequests.create(request);
    });
    void this.#carryOut(request, record, scenario, check.valid).catch((e: unknown) => {
      this.#d.logger.error({ err: e, uniqueId: request.uniqueId }, 'outbound call request failed');
      return this.#finish(request, record, 'Error', {}).catch(() => {});
    });
    return { UniqueId: request.uniqueId };
  }

  /**
   * After a restart: requests that were going on when the process stopped end as Error, and their
   * results are delivered like any other (the receiver learns what happened).
   */
  async recover(): Promise<number> {
    const unfinished = await this.#d.store.callRequests.unfinished(this.#d.node);
    for (const request of unfinished) {
      const record = await this.#d.store.runs.get(request.tenantId, request.runSid);
      if (record) await this.#finish(request, record, 'Error', { started: request.started ?? undefined });
    }
    return unfinished.length;
  }

  /** The state of each request, in the order asked; unknown ids are reported, the others answered. */
  async results(tenantId: string, uniqueIds: readonly string[]): Promise<{ CallResults: CallResult[] }> {
    const found = new Map((await this.#d.store.callRequests.getMany(tenantId, uniqueIds)).map((r) => [r.uniqueId, r]));
    return {
      CallResults: uniqueIds.map((id) => {
        const r = found.get(id);
        return r ? { UniqueId: id, CallRequestId: r.runSid, CallState: r.callState } : { UniqueId: id, CallRequestId: null, CallState: null, Error: 'unknown UniqueId' };
      }),
    };
  }

  async #carryOut(request: CallRequestRecord, record: RunRecord, scenario: ScenarioRecord, validNumber: boolean): Promise<void> {
    if (!validNumber) return this.#finish(request, record, 'Invalid Number', {});
    const started = this.#now();
    await this.#setState(request, 'Dialing', { started });
    await this.#d.store.runs.update(record.sid, { status: 'running', started });
    const placed = await this.#d.network.originate(
      { from: request.displayNumber, to: request.destination, timeoutMs: this.#d.ringTimeoutMs },
      new AbortController().signal,
    );
    if (placed.outcome !== 'Answered') return this.#finish(request, record, placed.outcome, { started, ended: placed.cdr.ended ?? this.#now() });
    const answered = this.#now();
    await this.#setState(request, 'In Progress', { answered });
    const body = this.#d.scenarios.get(scenario);
    this.#d.runs.launch(
      record, scenario, body, { type: 'outbound-call', call: placed.call },
      (summary, tx) => this.#finishIn(tx, request, 'Answered', summary, { started, answered, ended: summary.endedAt ?? this.#now(), duration: placed.call.cdr().durationAnswered }),
      () => this.#d.wakeDeliverer(),
      { language: request.locale ?? undefined, endUser: request.endUser ?? undefined },
    );
  }

  async #setState(request: CallRequestRecord, state: CallState, times: Partial<Pick<CallRequestRecord, 'started' | 'answered'>>): Promise<void> {
    Object.assign(request, times, { callState: state });
    await this.#d.store.transaction(async (tx) => {
      await tx.callRequests.update(request.uniqueId, { callState: state, ...times, updated: this.#now() });
      await this.#orchestratorEvent(tx, request, state);
    });
    this.#d.wakeDeliverer();
  }

  /** A request that ends without running the scenario (not answered, invalid number, error). */
  async #finish(request: CallRequestRecord, record: RunRecord, state: CallState, times: { started?: string; ended?: string }): Promise<void> {
    const ended = times.ended ?? this.#now();
    await this.#d.store.transaction(async (tx) => {
      await tx.runs.update(record.sid, { status: 'completed', started: times.started ?? request.started ?? ended, ended });
      await this.#finishIn(tx, request, state, undefined, { started: times.started ?? request.started, answered: null, ended, duration: 0 });
    });
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
    await tx.callRequests.update(request.uniqueId, {
      callState: state, started: times.started ?? null, answered: times.answered, ended: times.ended, duration: times.duration, variables, updated: this.#now(),
    });
    Object.assign(request, { callState: state });
    await this.#orchestratorEvent(tx, request, state);
    if (request.resultDestination) {
      const result = {
        UniqueId: request.uniqueId,
        CallRequestId: request.runSid,
        ConversationId: request.conversationId,
        CallState: state,
        Started: times.started ?? null,
        Answered: times.answered,
        Ended: times.ended,
        Duration: times.duration,
        Variables: variables,
      };
      await this.#enqueue(tx, request, 'result', request.resultDestination, result, request.sendResultImmediately);
    }
  }

  /** OrchestratorUrl receives the conversation's state changes, when it is a URL we can post to. */
  async #orchestratorEvent(tx: Repositories, request: CallRequestRecord, state: CallState): Promise<void> {
    if (!/^https?:\/\//i.test(request.orchestratorUrl)) return;
    const event = { UniqueId: request.uniqueId, CallRequestId: request.runSid, ConversationId: request.conversationId, Project: request.project, CallState: state, At: this.#now() };
    await this.#enqueue(tx, request, 'event', request.orchestratorUrl, event, true);
  }

  async #enqueue(tx: Repositories, request: CallRequestRecord, kind: string, destination: string, payload: unknown, immediate: boolean): Promise<void> {
    const now = this.#d.clock.now();
    await tx.deliveries.enqueue({
      id: this.#d.newSid('EV'),
      tenantId: request.tenantId,
      kind,
      destination,
      body: JSON.stringify(payload),
      mode: immediate ? 'immediate' : 'queued',
      created: new Date(now).toISOString(),
      nextAttemptAt: new Date(immediate ? now : now + this.#d.batchIntervalMs).toISOString(),
    });
  }

  #now(): string {
    return new Date(this.#d.clock.now()).toISOString();
  }
}
