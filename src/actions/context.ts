// What an action may use while it runs. The runtime builds one per step; actions never reach
// around it to the engine, the store or a concrete network.

import type { Clock } from '../time/clock.ts';
import type { Call, Network, RecordingInfo } from '../telephony/port.ts';
import type { HttpClient } from '../http/exchange.ts';

export type RunType = 'inbound-call' | 'api' | 'outbound-call';

export interface RunInfo {
  readonly sid: string;
  readonly type: RunType;
  readonly tenant: string;
  readonly scenario: { readonly sid: string; readonly name: string };
}

/** memcache@v1 storage, already scoped to the run's tenant. Values are JSON-compatible. */
export interface MemcacheRepository {
  get(key: string): Promise<unknown>;
  /** `ttlSeconds` 0 or absent: keep until deleted. */
  set(key: string, value: unknown, ttlSeconds?: number): Promise<void>;
  /** Adds `delta` to a number (a missing key counts as 0) and returns the new value; undefined when the value is not a number. */
  incr(key: string, delta: number, ttlSeconds?: number): Promise<number | undefined>;
  /** True when the key existed. */
  delete(key: string): Promise<boolean>;
}

/** memcache@v1 storage across tenants: each tenant sees only its own keys. */
export interface MemcacheStore {
  forTenant(tenant: string): MemcacheRepository;
}

export interface ActionContext {
  readonly run: RunInfo;
  /** The call this branch runs on; undefined in api-initiated before dial@v1. */
  readonly call: Call | undefined;
  /** The leg that dialed this branch's call (in an answerOnBranch branch): what bridge@v1 joins. */
  readonly peer: Call | undefined;
  readonly defaults: { readonly language: string; readonly voice: string | undefined };
  /** Caller id for dial@v1 when neither the param nor an inbound caller gives one. */
  readonly defaultCallerId: string;
  readonly clock: Clock;
  readonly network: Network;
  /** Outbound HTTP: guarded, limited per run, and every exchange lands in the timeline. */
  readonly http: HttpClient;
  readonly memcache: MemcacheRepository;

  /** A line in the run's timeline. */
  log(message: string, data?: Record<string, unknown>): void;
  /** A warning in the run's timeline (and logs). */
  warn(message: string): void;
  /** Runs javascript@v1 statements in the sandbox; `$var` assignments persist. Returns the `return` value. */
  runCode(code: string): unknown;
  /** From now on this branch runs on `call` (dial@v1 without answerOnBranch, from a branch with no call). */
  adoptCall(call: Call): void;
  /**
   * Runs branch `name` on `call` (dial@v1's answerOnBranch) with `peer` as the leg that dialed,
   * and resolves when that branch has ended. Rejects with the run's error if the branch fails.
   */
  runBranch(name: string, call: Call, peer: Call | undefined, signal: AbortSignal): Promise<void>;
  /** Ends the current branch after this step (hangup@v1). */
  endBranch(): void;
  /**
   * Runs the step list of this step's `events.<name>` once `scope` resolves, in the background of
   * the run, with `scope` added to what expressions see (e.g. `recording`). The run waits for it
   * before it finishes; a rejected `scope` is logged and the handler skipped.
   */
  emit(event: string, scope: Promise<Record<string, unknown>>): void;
  /** Registers a recording with the run (metadata for the API). */
  addRecording(recording: RecordingInfo): void;
}
