// Runs a scenario on the simulated network and returns what happened: the supported way to test a
// scenario (`ringflow simulate` is built on it, and so are Ringflow's own scenario tests).

import { createEngine, type EngineConfig } from '../runtime/engine.ts';
import type { RunSummary } from '../runtime/run.ts';
import type { TimelineEvent } from '../runtime/timeline.ts';
import type { Problem, Scenario } from '../scenario/model.ts';
import { SimNetwork, type PartyScript, type SimCall, type TranscriptEntry } from '../telephony/sim/index.ts';
import type { Clock } from '../time/clock.ts';
import { VirtualClock } from '../time/virtual-clock.ts';
import { RingflowError } from '../errors.ts';

export interface ScenarioRunOptions {
  /** The scenario's YAML text. */
  text: string;
  /** Its file name, for positions. */
  file?: string | undefined;
  /** Start here instead of inbound-call / api-initiated. */
  branch?: string | undefined;
  /** The caller's number (inbound) and the number called. */
  from?: string | undefined;
  to?: string | undefined;
  variables?: Record<string, unknown> | undefined;
  /** The inbound caller's script (keys, hang-up), for inbound runs. */
  caller?: PartyScript | undefined;
  /**
   * The run's own party, whoever that is: the caller of an inbound run, the person dialed in an
   * API-started or outbound run. Added to `caller` or `callee` accordingly.
   */
  party?: PartyScript | undefined;
  /** How any dialed number behaves, unless `parties` names it. */
  callee?: PartyScript | undefined;
  parties?: Record<string, PartyScript> | undefined;
  /** Hosts/CIDRs outbound HTTP may reach besides the internet (tests use 127.0.0.1). */
  httpAllow?: string | undefined;
  integrations?: unknown;
  env?: Record<string, string> | undefined;
  /** Default: a virtual clock starting at `start`. */
  clock?: Clock | undefined;
  /** Start of virtual time, ms since the epoch (default: 2025-01-01T09:00:00Z). */
  start?: number | undefined;
  recordingsDir?: string | undefined;
  /** Sids numbered in order (RN1, CA1, …) so results can be compared; default true. */
  stableIds?: boolean | undefined;
  onTranscript?: ((entry: TranscriptEntry) => void) | undefined;
  onTimeline?: ((event: TimelineEvent) => void) | undefined;
  onCall?: ((call: SimCall) => void) | undefined;
  engine?: Partial<EngineConfig> | undefined;
}

export interface ScenarioRunResult {
  /** Problems found when loading; when one is an error nothing ran and the rest is empty. */
  problems: readonly Problem[];
  scenario: Scenario | undefined;
  run: RunSummary | undefined;
  branch: string | undefined;
  transcript: readonly TranscriptEntry[];
  timeline: readonly TimelineEvent[];
}

export const DEFAULT_FROM = '+15550001111';
export const DEFAULT_TO = '+15550009999';

export async function runScenario(options: ScenarioRunOptions): Promise<ScenarioRunResult> {
  const clock = options.clock ?? new VirtualClock(options.start === undefined ? {} : { start: options.start });
  const counters = new Map<string, number>();
  const stable = options.stableIds ?? true;
  const next = (prefix: string) => {
    const n = (counters.get(prefix) ?? 0) + 1;
    counters.set(prefix, n);
    return `${prefix}${n}`;
  };
  let network!: SimNetwork;
  const engine = await createEngine({
    clock,
    // The network is created once the engine is loaded and the scenario read, so that time zero of
    // the transcript is when the call starts, also in real time.
    network: { originate: (request, signal) => network.originate(request, signal) },
    httpAllow: options.httpAllow,
    env: options.env,
    integrations: options.integrations === undefined ? undefined : () => options.integrations,
    ...(stable ? { newSid: (prefix: string) => next(prefix) } : {}),
    ...options.engine,
  });
  try {
    const parsed = engine.parse(options.text, { file: options.file });
    if (!parsed.scenario) return { problems: parsed.problems, scenario: undefined, run: undefined, branch: undefined, transcript: [], timeline: [] };
    const scenario = parsed.scenario;
    const names = [...scenario.branches.keys()];
    const branch = options.branch ?? defaultBranch(names);
    if (branch === undefined || !scenario.branches.has(branch) || branch === 'hangup') {
      const why = branch === 'hangup' ? 'the hangup branch runs by itself after the call: simulate the call and hang up (--hangup-at)' : `the scenario has no branch "${branch}"`;
      throw new RingflowError('RF_CLI_USAGE', { detail: `--branch ${branch}: ${why}; it has: ${names.join(', ')}` });
    }
    const inbound = branch !== 'api-initiated' && branch !== 'outbound-call';
    const callee = inbound ? options.callee : { ...options.callee, ...options.party };
    const caller = inbound ? { ...options.caller, ...options.party } : options.caller ?? {};
    network = new SimNetwork({
      clock,
      parties: options.parties,
      defaultParty: callee,
      recordingsDir: options.recordingsDir,
      ...(stable ? { newSid: () => next('CA') } : {}),
    });
    if (options.onTranscript) network.onTranscript(options.onTranscript);
    if (options.onCall) network.onCall(options.onCall);
    const from = options.from ?? DEFAULT_FROM;
    const to = options.to ?? DEFAULT_TO;
    let entry;
    if (branch === 'api-initiated') entry = { type: 'api' as const };
    else if (branch === 'outbound-call') {
      const placed = await network.originate({ from, to, timeoutMs: 60_000 }, new AbortController().signal);
      if (placed.outcome !== 'Answered') {
        return { problems: parsed.problems, scenario, run: undefined, branch, transcript: network.transcript, timeline: [] };
      }
      entry = { type: 'outbound-call' as const, call: placed.call };
    } else {
      entry = { type: 'inbound-call' as const, call: network.inbound({ from, to, party: caller }) };
    }
    const run = engine.startRun({
      scenario,
      scenarioRef: { sid: 'SC1', name: scenario.description ?? options.file ?? 'scenario' },
      entry,
      branch,
      variables: options.variables,
    });
    if (options.onTimeline) run.subscribe(options.onTimeline);
    // With virtual time, a run that waits when nothing can happen any more would wait forever.
    const stopIdle = clock instanceof VirtualClock
      ? clock.onIdle(() => run.cancel('stopped: nothing more can happen — the call is waiting with no timer left and nobody to act (give the party a hang-up time, e.g. --hangup-at 30)'))
      : undefined;
    const summary = await run.done;
    stopIdle?.();
    return { problems: parsed.problems, scenario, run: summary, branch, transcript: network.transcript, timeline: run.timeline.events };
  } finally {
    await engine.close();
  }
}

/** inbound-call when there is one, else api-initiated, else outbound-call, else the first branch. */
export function defaultBranch(branches: readonly string[]): string | undefined {
  return ['inbound-call', 'api-initiated', 'outbound-call'].find((b) => branches.includes(b)) ?? branches[0];
}
