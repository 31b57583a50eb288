// ringflow/testing: what a scenario's own tests use — run a scenario on the simulated network with a
// virtual clock, script its callers and callees, and read what happened.

export { runScenario, defaultBranch, DEFAULT_FROM, DEFAULT_TO, type ScenarioRunOptions, type ScenarioRunResult } from './run-scenario.ts';
export { SimNetwork, SimCall, type PartyScript, type CalleeBehaviour, type Press, type TranscriptEntry } from '../telephony/sim/index.ts';
export { VirtualClock } from '../time/virtual-clock.ts';
export { SystemClock, type Clock } from '../time/clock.ts';
export { createEngine, type Engine, type EngineConfig } from '../runtime/engine.ts';
