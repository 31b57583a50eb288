// Everything a run needs from its engine, created once by createEngine().

import type { MemcacheRepository, RunInfo } from '../actions/context.ts';
import type { RingflowError } from '../errors.ts';
import type { Sandbox } from '../expr/sandbox.ts';
import type { HttpClient } from '../http/exchange.ts';
import type { ParamsValidator } from '../scenario/params.ts';
import type { Branch } from '../scenario/model.ts';
import type { Program } from './program.ts';
import type { Network } from '../telephony/port.ts';
import type { Clock } from '../time/clock.ts';

export interface RunLimits {
  /** Steps one run may execute (goto loops end here). */
  maxSteps: number;
  /** HTTP requests one run may have in flight at once. */
  httpPerRun: number;
  /** Longest string kept in a timeline entry. */
  timelineStringBytes: number;
}

export interface EngineServices {
  readonly clock: Clock;
  readonly network: Network;
  readonly sandbox: Sandbox;
  readonly http: HttpClient;
  readonly params: ParamsValidator;
  readonly limits: RunLimits;
  readonly defaultCallerId: string;
  readonly env: Readonly<Record<string, string>>;
  memcache(tenant: string): MemcacheRepository;
  /** A branch flattened for the interpreter, compiled once per scenario branch. */
  program(branch: Branch): Program;
  integrations(tenant: string): unknown;
  /** Ringflow's own bugs (RF_INTERNAL): a scenario can never cause them, so they are logged loudly. */
  logError(error: RingflowError, run: RunInfo): void;
}
