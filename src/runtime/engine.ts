// createEngine(): the one place where a Ringflow engine is assembled. No singletons: two engines can
// live side by side in one process (tests do).

import { randomUUID } from 'node:crypto';
import { builtinRegistry } from '../actions/builtin.ts';
import type { RunInfo } from '../actions/context.ts';
import type { RingflowError } from '../errors.ts';
import { createSandbox, type Sandbox, type SandboxOptions } from '../expr/sandbox.ts';
import { createHttpClient } from '../http/client.ts';
import type { HttpClient } from '../http/exchange.ts';
import { parseAllowList } from '../http/guard.ts';
import type { Language } from '../scenario/language.ts';
import { createParamsValidator } from '../scenario/params.ts';
import { parseScenario, type ParseOptions, type ParseResult } from '../scenario/parse.ts';
import { createMemoryMemcache } from './memory-memcache.ts';
import type { MemcacheStore } from '../actions/context.ts';
import type { Network } from '../telephony/port.ts';
import type { Clock } from '../time/clock.ts';
import type { EngineServices, RunLimits } from './engine-services.ts';
import { Run, type RunRequest } from './run.ts';
import { compileSteps, type Program } from './program.ts';
import type { Branch } from '../scenario/model.ts';

export interface EngineConfig {
  clock: Clock;
  network: Network;
  /** Hosts and CIDRs outbound HTTP may reach besides the public internet (RINGFLOW_HTTP_ALLOW). */
  httpAllow?: string | undefined;
  /** Replaces the default HTTP client (tests of the runtime alone). */
  http?: HttpClient;
  sandbox?: SandboxOptions;
  memcache?: MemcacheStore;
  limits?: Partial<RunLimits>;
  /** Caller id for dial@v1 when neither the step nor an inbound caller gives one. */
  defaultCallerId?: string;
  /** Values exposed to scenarios as `env` (only these: nothing of the process environment leaks). */
  env?: Record<string, string>;
  integrations?: (tenant: string) => unknown;
  newSid?: (prefix: string) => string;
  logError?: (error: RingflowError, run: RunInfo) => void;
}

export interface Engine {
  readonly language: Language;
  readonly clock: Clock;
  /** Reads and checks a scenario (expressions are syntax-checked too). */
  parse(text: string, options?: ParseOptions): ParseResult;
  /** Starts a run at once; `run.done` resolves when it is over. */
  startRun(request: RunRequest): Run;
  /** Runs not yet over. */
  activeRuns(): Run[];
  /** Cancels the runs still going (their calls are hung up), waits for them, then frees the sandbox. */
  close(): Promise<void>;
}

export const DEFAULT_LIMITS: RunLimits = { maxSteps: 10_000, httpPerRun: 4, timelineStringBytes: 16 * 1024 };

export async function createEngine(config: EngineConfig): Promise<Engine> {
  const sandbox: Sandbox = await createSandbox(config.sandbox);
  const params = createParamsValidator();
  const language: Language = {
    registry: builtinRegistry(),
    params,
    checkSyntax: (source, kind) => sandbox.check(source, kind),
  };
  const memcache = config.memcache ?? createMemoryMemcache(config.clock);
  // randomUUID draws from a cached pool of random bytes: a tenth of randomBytes' cost per call.
  const newSid = config.newSid ?? ((prefix: string) => `${prefix}${randomUUID().replaceAll('-', '').slice(0, 20)}`);
  const services: EngineServices = {
    clock: config.clock,
    network: config.network,
    sandbox,
    http: config.http ?? createHttpClient({ clock: config.clock, allow: parseAllowList(config.httpAllow) }),
    params,
    limits: { ...DEFAULT_LIMITS, ...config.limits },
    defaultCallerId: config.defaultCallerId ?? 'anonymous',
    env: Object.freeze({ ...config.env }),
    memcache: (tenant) => memcache.forTenant(tenant),
    program: (branch) => {
      let program = programs.get(branch);
      if (!program) programs.set(branch, (program = compileSteps(branch.steps)));
      return program;
    },
    integrations: config.integrations ?? (() => ({ defaults: {} })),
    logError: config.logError ?? ((error, run) => console.error(`ringflow: internal error in run ${run.sid}:`, error.cause ?? error)),
  };
  const active = new Set<Run>();
  // Scenarios are immutable once parsed: each branch is compiled once, for all its runs.
  const programs = new WeakMap<Branch, Program>();

  return {
    language,
    clock: config.clock,
    parse: (text, options) => parseScenario(text, language, options),
    startRun(request) {
      const run = new Run(services, request.sid ?? newSid('RN'), request);
      active.add(run);
      void run.done.then(() => active.delete(run));
      return run;
    },
    activeRuns: () => [...active],
    async close() {
      const live = [...active];
      for (const run of live) run.cancel();
      await Promise.all(live.map((run) => run.done));
      sandbox.dispose();
      await services.http.close?.();
    },
  };
}
