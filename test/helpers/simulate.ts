// Runs scenario text on the simulator with loopback HTTP allowed, and gives the lines of the
// transcript in a compact form tests can compare.

import { runScenario, type ScenarioRunOptions, type ScenarioRunResult } from '../../src/testing/run-scenario.ts';
import type { TranscriptEntry } from '../../src/telephony/sim/index.ts';

export function simulate(text: string, options: Omit<ScenarioRunOptions, 'text'> = {}): Promise<ScenarioRunResult> {
  return runScenario({ text, file: 'test.yaml', httpAllow: '127.0.0.1', ...options });
}

/** `say:Hello`, `press:1`, `ended:...` — what the calls heard and did, without times. */
export function heard(result: ScenarioRunResult, kinds: readonly string[] = ['say', 'play', 'press', 'beep']): string[] {
  return result.transcript.filter((e) => kinds.includes(e.kind)).map(describe);
}

function describe(e: TranscriptEntry): string {
  switch (e.kind) {
    case 'say':
      return `say:${e.text}`;
    case 'play':
      return `play:${e.text}`;
    case 'press':
      return `press:${e.text}`;
    case 'stop':
      return `stop:${e.media}:${e.reason}`;
    case 'ended':
      return `ended:${e.hangupSource}`;
    case 'dial-result':
      return `dial-result:${e.outcome}`;
    default:
      return e.kind;
  }
}

/** Steps in the timeline, as `branch/action` strings. */
export function steps(result: ScenarioRunResult): string[] {
  return result.timeline.filter((e) => e.type === 'step' && !e.skipped && e.step.includes('@')).map((e) => (e.type === 'step' ? `${e.branch}/${e.step}` : ''));
}
