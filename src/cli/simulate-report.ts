// What `ringflow simulate` prints: a readable transcript as the call goes (what was said, keys,
// HTTP exchanges, call states), then the variables; or, with --json, one stable document.

import type { RunSummary } from '../runtime/run.ts';
import type { TimelineEvent } from '../runtime/timeline.ts';
import { createTranscriptPrinter, type TranscriptEntry } from '../telephony/sim/index.ts';
import type { ScenarioRunResult } from '../testing/run-scenario.ts';

/** Version of the --json document; bumped on any incompatible change (docs/simulate.md). */
export const SIMULATE_FORMAT = 'ringflow.simulate/1';

export interface LivePrinter {
  transcript(entry: TranscriptEntry): void;
  timeline(event: TimelineEvent): void;
}

/** Prints transcript entries and the timeline events a person cares about, as they happen. */
export function livePrinter(out: (line: string) => void, origin: number, verbose: boolean): LivePrinter {
  const printTranscript = createTranscriptPrinter();
  const time = (at: string) => ((Date.parse(at) - origin) / 1000).toFixed(3).padStart(6);
  const line = (at: string, what: string, text: string) => out(`${time(at)}  ${what.padEnd(12)}  ${text}`);
  return {
    transcript: (entry) => out(printTranscript(entry)),
    timeline(event) {
      switch (event.type) {
        case 'http': {
          const result = event.response
            ? `${event.response.status} ${event.response.statusText}`.trim()
            : `failed: ${event.error}${event.errorDetail ? ` (${event.errorDetail})` : ''}`;
          line(event.at, 'http', `${event.request.method} ${event.request.url} → ${result} (${event.durationMs} ms)`);
          break;
        }
        case 'log':
          line(event.at, 'log', event.message);
          break;
        case 'warning':
          line(event.at, 'warning', `${event.message}${event.line ? ` (line ${event.line})` : ''}`);
          break;
        case 'error':
          line(event.at, 'error', `${event.code}: ${event.message}${event.line ? ` at ${event.file ? `${event.file}:` : 'line '}${event.line}:${event.col}` : ''}`);
          break;
        case 'branch':
          if (verbose || event.event === 'started') line(event.at, 'branch', `${event.branch} ${event.event}${event.reason && event.reason !== 'completed' ? ` (${event.reason})` : ''}`);
          break;
        case 'step':
          if (verbose) line(event.at, 'step', `${event.step} at line ${event.line}${event.skipped ? ' (skipped)' : ''}${event.result === undefined ? '' : ` → ${JSON.stringify(event.result)}`}`);
          break;
      }
    },
  };
}

export function printSummary(out: (line: string) => void, run: RunSummary): void {
  out('');
  out('variables:');
  const names = Object.keys(run.variables);
  if (names.length === 0) out('  (none)');
  for (const name of names) out(`  ${name} = ${JSON.stringify(run.variables[name])}`);
  out('');
  const seconds = run.endedAt ? ((Date.parse(run.endedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1) : '?';
  const error = run.error ? `: ${run.error.code}: ${run.error.message}${run.error.line ? ` at ${run.error.file ? `${run.error.file}:` : 'line '}${run.error.line}:${run.error.col}` : ''}` : '';
  out(`run ${run.sid} ${run.status} after ${seconds} s of call time${error}`);
}

/** The --json document: stable field names, documented in docs/simulate.md. */
export function jsonDocument(file: string, result: ScenarioRunResult): unknown {
  const run = result.run;
  return {
    format: SIMULATE_FORMAT,
    scenario: { file, description: result.scenario?.description },
    problems: result.problems,
    run: run && {
      sid: run.sid,
      status: run.status,
      type: run.type,
      branch: result.branch,
      startedAt: run.startedAt,
      endedAt: run.endedAt,
      error: run.error,
    },
    transcript: result.transcript,
    variables: run?.variables ?? {},
    calls: run?.calls ?? [],
    recordings: run?.recordings ?? [],
    timeline: result.timeline,
  };
}
