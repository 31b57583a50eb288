// What the pieces of a run (frames, the step runner, scopes) share. Run implements it; the pieces
// depend on this interface rather than on each other.

import type { ActionResult } from '../actions/action.ts';
import type { MemcacheRepository, RunInfo } from '../actions/context.ts';
import type { Sandbox } from '../expr/sandbox.ts';
import type { HttpClient } from '../http/exchange.ts';
import type { ParamsValidator } from '../scenario/params.ts';
import type { Scenario, Step } from '../scenario/model.ts';
import type { Call, Network, RecordingInfo } from '../telephony/port.ts';
import type { Clock } from '../time/clock.ts';
import type { Program } from './program.ts';
import type { Timeline } from './timeline.ts';
import type { EvalScope } from '../expr/scope.ts';

export interface RunContext {
  readonly info: RunInfo;
  readonly scenario: Scenario;
  readonly startedAt: number;
  /** The language of speech: the run's own (Locale) or the scenario's default. */
  readonly language: string;
  readonly endUser: unknown;
  readonly timeline: Timeline;
  readonly variables: Map<string, unknown>;
  readonly clock: Clock;
  readonly network: Network;
  readonly sandbox: Sandbox;
  readonly params: ParamsValidator;
  readonly memcache: MemcacheRepository;
  readonly defaultCallerId: string;
  /** Values the operator exposes to scenarios as `env`. */
  readonly env: Readonly<Record<string, string>>;
  /** `integrations` as scenarios see it. */
  integrations(): unknown;
  /** The signal that aborts when the run is canceled or has failed. */
  readonly signal: AbortSignal;
  /** Aborts on a cancel only: the hangup branch and events handlers still run after a failure. */
  readonly afterCallSignal: AbortSignal;

  program(branch: string): Program | undefined;
  /** Counts one executed step; throws RF_STEP_LIMIT past the limit. */
  countStep(): void;
  /** HTTP for a step: limited per run, recorded in the timeline with the step's position. */
  httpFor(branch: string, position: { line: number; col: number }): HttpClient;
  /** Registers a call leg of this run (for the API, CDRs and cancel). */
  track(call: Call): void;
  attachedData(callSid: string): Record<string, unknown>;
  setAttachedData(callSid: string, data: Record<string, unknown>): void;
  addRecording(recording: RecordingInfo): void;
  /** The result of the step with `id:` (CloudTalk's `input[ID]`). */
  rememberStep(id: string, result: ActionResult): void;
  stepResults(): Record<string, unknown>;
  /** Runs `work` in the background of the run; the run waits for it before finishing. */
  background(work: Promise<void>): void;
}

/** The branch being executed: its call, the leg that dialed it, and how it stops. */
export interface FrameView {
  readonly branch: string;
  readonly call: Call | undefined;
  readonly peer: Call | undefined;
  readonly signal: AbortSignal;
  /** The hangup branch and event handlers run after the call ended: call actions are skipped, not fatal. */
  readonly afterCall: boolean;
  /** Extra names in scope (`recording` in events.ready). */
  readonly extraScope: Readonly<Record<string, unknown>>;
  /** What expressions of this branch see. */
  readonly scope: EvalScope;
  adoptCall(call: Call): void;
  runBranch(name: string, call: Call, peer: Call | undefined, signal: AbortSignal): Promise<void>;
  /** Runs an action's events.<name> steps after the fact (no live call), with `extraScope` added. */
  runHandler(name: string, steps: readonly Step[], extraScope: Record<string, unknown>): Promise<void>;
}
