// One execution of a scenario: its lifecycle (entry branch, failure rules, the hangup branch),
// its variables, calls, recordings and timeline (SPEC §1.6, §1.7).

import type { ActionResult } from '../actions/action.ts';
import { cloneJson } from '../clone-json.ts';
import { isSecretName } from '../http/redact.ts';
import type { RunInfo } from '../actions/context.ts';
import { isRingflowError, RingflowError, type ErrorCode, type SourcePosition } from '../errors.ts';
import type { HttpClient } from '../http/exchange.ts';
import type { Scenario } from '../scenario/model.ts';
import { CallEndedError, type Call, type Cdr, type Network, type RecordingInfo } from '../telephony/port.ts';
import type { EngineServices } from './engine-services.ts';
import { Frame } from './frame.ts';
import { recordedHttp } from './http-recorder.ts';
import { Limiter } from './limiter.ts';
import type { Program } from './program.ts';
import type { RunContext } from './run-context.ts';
import { CANCELED, FAILED } from './stop.ts';
import { Timeline, type TimelineEvent } from './timeline.ts';

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'canceled';

export type RunEntry =
  | { type: 'api' }
  | { type: 'inbound-call'; call: Call }
  | { type: 'outbound-call'; call: Call };

export interface RunRequest {
  /** The run's sid when the caller chose it (the server records the run before it starts). */
  sid?: string;
  scenario: Scenario;
  /** How the scenario is known to the API (sid, name). */
  scenarioRef?: { sid: string; name: string };
  tenant?: string;
  entry: RunEntry;
  /** Start at this branch instead of the entry's own (`ringflow simulate --branch`). */
  branch?: string;
  /** Run variables, overriding the scenario's; keys with or without `$`. */
  variables?: Record<string, unknown>;
  /** Overrides defaults.language (the Outbound Call Trigger API's Locale). */
  language?: string | undefined;
  /** Who the run calls, as the Outbound Call Trigger API describes them: `run.endUser` in expressions. */
  endUser?: unknown;
}

export interface RunError {
  code: ErrorCode;
  message: string;
  file?: string | undefined;
  line?: number | undefined;
  col?: number | undefined;
}

export interface CallSummary {
  sid: string;
  direction: string;
  from: string;
  to: string;
  status: string;
  cdr: Cdr;
  attachedData: Record<string, unknown>;
}

export interface RunSummary {
  sid: string;
  status: RunStatus;
  type: RunInfo['type'];
  scenario: { sid: string; name: string };
  startedAt: string;
  endedAt: string | undefined;
  variables: Record<string, unknown>;
  calls: CallSummary[];
  recordings: RecordingInfo[];
  error: RunError | undefined;
}

const ENTRY_BRANCH = { api: 'api-initiated', 'inbound-call': 'inbound-call', 'outbound-call': 'outbound-call' } as const;

export class Run implements RunContext {
  readonly info: RunInfo;
  readonly scenario: Scenario;
  readonly startedAt: number;
  readonly timeline: Timeline;
  readonly variables = new Map<string, unknown>();
  readonly signal: AbortSignal;
  /** Aborts only on a cancel: what runs after the call (hangup branch, events handlers) listens to it. */
  get afterCallSignal(): AbortSignal {
    return this.#cancel.signal;
  }
  readonly language: string;
  readonly endUser: unknown;
  status: RunStatus = 'queued';
  error: RunError | undefined;
  endedAt: number | undefined;
  /** Resolves with the summary once the run is over (never rejects). */
  readonly done: Promise<RunSummary>;

  readonly #services: EngineServices;
  readonly #request: RunRequest;
  // Two reasons to stop: a cancel stops everything; a failure stops the call's branches, while the
  // hangup branch and events handlers still run (and stop only on a cancel).
  readonly #cancel = new AbortController();
  readonly #failure = new AbortController();
  readonly #calls = new Map<string, Call>();
  readonly #attached = new Map<string, Record<string, unknown>>();
  readonly #recordings: RecordingInfo[] = [];
  readonly #stepResults: Record<string, unknown> = {};
  readonly #background = new Set<Promise<void>>();
  readonly #http: Limiter;
  #steps = 0;
  #primary: Call | undefined;

  constructor(services: EngineServices, sid: string, request: RunRequest) {
    this.#services = services;
    this.#request = request;
    this.scenario = request.scenario;
    this.startedAt = services.clock.now();
    this.info = {
      sid,
      type: request.entry.type,
      tenant: request.tenant ?? 'default',
      scenario: request.scenarioRef ?? { sid: '', name: request.scenario.description ?? '' },
    };
    this.timeline = new Timeline({
      now: () => services.clock.now(),
      startedAt: this.startedAt,
      maxStringBytes: services.limits.timelineStringBytes,
      secrets: secretValues(services.integrations(this.info.tenant)),
    });
    this.signal = AbortSignal.any([this.#cancel.signal, this.#failure.signal]);
    this.language = request.language ?? request.scenario.defaults.language;
    this.endUser = request.endUser;
    this.#http = new Limiter(services.limits.httpPerRun);
    for (const [name, value] of Object.entries(request.scenario.variables)) this.variables.set(name, cloneJson(value));
    for (const [name, value] of Object.entries(request.variables ?? {})) this.variables.set(name.startsWith('$') ? name : `$${name}`, value);
    this.done = this.#execute();
  }

  get clock() { return this.#services.clock; }
  /** The network as this run's steps see it: every call placed is tracked by the run. */
  get network(): Network {
    const network = this.#services.network;
    return {
      originate: async (request, signal) => {
        const result = await network.originate(request, signal);
        if (result.outcome === 'Answered') this.track(result.call);
        return result;
      },
    };
  }
  get sandbox() { return this.#services.sandbox; }
  get params() { return this.#services.params; }
  get defaultCallerId() { return this.#services.defaultCallerId; }
  get env() { return this.#services.env; }
  get memcache() { return this.#services.memcache(this.info.tenant); }
  integrations(): unknown { return this.#services.integrations(this.info.tenant); }

  /** Stops the run: hangs up its calls; the hangup branch does not run. `why` goes in the timeline. */
  cancel(why?: string): void {
    if (this.status === 'completed' || this.status === 'failed' || this.status === 'canceled') return;
    if (why) this.timeline.add({ type: 'warning', message: why });
    this.#cancel.abort(CANCELED);
    for (const call of this.#calls.values()) hangUpQuietly(call, 'normal');
  }

  summary(): RunSummary {
    return {
      sid: this.info.sid,
      status: this.status,
      type: this.info.type,
      scenario: this.info.scenario,
      startedAt: new Date(this.startedAt).toISOString(),
      endedAt: this.endedAt === undefined ? undefined : new Date(this.endedAt).toISOString(),
      variables: this.variablesJSON(),
      calls: this.callSummaries(),
      recordings: [...this.#recordings],
      error: this.error,
    };
  }

  /** Every call of the run as it stands now. */
  callSummaries(): CallSummary[] {
    return [...this.#calls.values()].map((c) => ({
      sid: c.sid, direction: c.direction, from: c.fromNumber, to: c.toNumber, status: c.status, cdr: c.cdr(), attachedData: this.attachedData(c.sid),
    }));
  }

  /** Variables as JSON (undefined ones left out). */
  variablesJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of this.variables) if (v !== undefined) out[k] = toJson(v);
    return out;
  }

  subscribe(listener: (event: TimelineEvent) => void): () => void {
    return this.timeline.subscribe(listener);
  }

  // RunContext
  program(branch: string): Program | undefined {
    const found = this.scenario.branches.get(branch);
    return found && this.#services.program(found);
  }

  countStep(): void {
    if (++this.#steps > this.#services.limits.maxSteps) throw new RingflowError('RF_STEP_LIMIT', { limit: this.#services.limits.maxSteps });
  }

  httpFor(branch: string, position: { line: number; col: number }): HttpClient {
    return recordedHttp(this.#services.http, this.#http, this.timeline, branch, position);
  }

  track(call: Call): void {
    if (this.#calls.has(call.sid)) return;
    this.#calls.set(call.sid, call);
    const describe = { callSid: call.sid, direction: call.direction, from: call.fromNumber, to: call.toNumber };
    this.timeline.add({ type: 'call', event: 'created', ...describe });
    call.on('ended', (cdr) => this.timeline.add({ type: 'call', event: 'ended', ...describe, cdr }));
    // A call that appears after a cancel is hung up at once.
    if (this.signal.aborted) hangUpQuietly(call, 'normal');
  }

  attachedData(callSid: string): Record<string, unknown> {
    return this.#attached.get(callSid) ?? {};
  }

  setAttachedData(callSid: string, data: Record<string, unknown>): void {
    this.#attached.set(callSid, cloneJson(data));
  }

  addRecording(recording: RecordingInfo): void {
    this.#recordings.push(recording);
  }

  rememberStep(id: string, result: ActionResult): void {
    this.#stepResults[id] = { ...result, value: result.input ?? result.value };
  }

  stepResults(): Record<string, unknown> {
    return this.#stepResults;
  }

  background(work: Promise<void>): void {
    const tracked = work.catch((e: unknown) => this.#fail(e)).finally(() => this.#background.delete(tracked));
    this.#background.add(tracked);
  }

  async #execute(): Promise<RunSummary> {
    await Promise.resolve(); // let the creator subscribe before the first event
    const entry = this.#request.entry;
    this.status = 'running';
    this.timeline.add({ type: 'run', event: 'started' });
    // A Knovvu-triggered call runs api-initiated when the scenario has no outbound-call branch.
    const entryBranch = entry.type === 'outbound-call' && !this.scenario.branches.has('outbound-call') ? 'api-initiated' : ENTRY_BRANCH[entry.type];
    const branch = this.#request.branch ?? entryBranch;
    const call = entry.type === 'api' ? undefined : entry.call;
    this.#primary = call;
    try {
      if (call) {
        this.track(call);
        // A call may end before its run begins (the caller gave up, the run was canceled): then the
        // branch stops at once as for any hang-up, and the hangup branch runs.
        if ((entry.type !== 'inbound-call' || this.scenario.defaults.autoAnswer) && call.status !== 'ended') {
          await call.answer().catch((e: unknown) => {
            if (!(e instanceof CallEndedError)) throw e;
          });
        }
      }
      const frame = new Frame(this, { branch, call, parent: this.signal, onAdopt: (c) => (this.#primary ??= c) });
      await frame.execute();
    } catch (e) {
      this.#fail(e);
    }
    await this.#afterCall();
    while (this.#background.size > 0) await Promise.all(this.#background);
    this.status = this.error ? 'failed' : this.#cancel.signal.aborted ? 'canceled' : 'completed';
    this.endedAt = this.clock.now();
    this.timeline.add({ type: 'run', event: 'ended', status: this.status });
    return this.summary();
  }

  /** Ends the call for good and runs the hangup branch on it (not after a cancel). */
  async #afterCall(): Promise<void> {
    const call = this.#primary;
    if (!call) return;
    if (call.status !== 'ended') await call.hangup('normal', this.error ? 'system' : 'scenario');
    if (this.#cancel.signal.aborted || !this.scenario.branches.has('hangup')) return;
    // The hangup branch gets a step budget of its own, so it still reports a run stopped by the limit.
    this.#steps = 0;
    try {
      await new Frame(this, { branch: 'hangup', call, afterCall: true, parent: this.afterCallSignal }).execute();
    } catch (e) {
      this.#fail(e);
    }
  }


  #fail(e: unknown): void {
    const error = isRingflowError(e) ? e : new RingflowError('RF_INTERNAL', { detail: e instanceof Error ? e.message : String(e) }, undefined, { cause: e });
    if (error.code === 'RF_INTERNAL') this.#services.logError(error, this.info);
    if (!this.error) this.error = toRunError(error.code, error.message, error.position);
    this.timeline.add({ type: 'error', code: error.code, message: error.message, ...error.position });
    if (!this.#failure.signal.aborted) this.#failure.abort(FAILED);
    for (const c of this.#calls.values()) hangUpQuietly(c, 'error');
  }
}

/** A JSON-safe copy: undefined members dropped, non-finite numbers null, as JSON.stringify would. */
function toJson(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol' ? null : value;
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : toJson(v)));
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined && typeof v !== 'function' && typeof v !== 'symbol') out[key] = toJson(v);
  }
  return out;
}

/**
 * The credentials among the tenant's integrations (tokens, client secrets), to mask wherever they
 * show up in the timeline: in a URL's query, a form body, a value a script returned.
 */
function secretValues(integrations: unknown, found: string[] = [], depth = 0): string[] {
  if (integrations === null || typeof integrations !== 'object' || depth > 8) return found;
  for (const [key, value] of Object.entries(integrations)) {
    // Short values would mask common words; real tokens are long.
    if (typeof value === 'string' && value.length >= 8 && isSecretName(key)) found.push(value);
    else secretValues(value, found, depth + 1);
  }
  return found;
}

/** A hang-up Ringflow does not wait for; a failure to hang up must not take the process down. */
function hangUpQuietly(call: Call, cause: 'normal' | 'error'): void {
  call.hangup(cause, 'system').catch(() => {});
}

function toRunError(code: ErrorCode, message: string, position: SourcePosition | undefined): RunError {
  return { code, message, ...position };
}
